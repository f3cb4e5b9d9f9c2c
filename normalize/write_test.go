package normalize

import (
	"fmt"
	"testing"

	"github.com/valyala/fastjson"
)

// TestWriterManyTops: more new top-level objects than the writer caches
// are all kept.
func TestWriterManyTops(t *testing.T) {
	n := New()
	var targets []*target
	for i := range maxTops + 8 {
		targets = append(targets, n.target(fmt.Sprintf("top%d.a", i)), n.target(fmt.Sprintf("top%d.b.c", i)))
	}
	var p fastjson.Parser
	v, _ := p.Parse(`{"x":1}`)
	var a fastjson.Arena
	var w writer
	w.reset(&a, v, n.segs)
	for _, tg := range targets {
		if !w.setString(tg, tg.name) {
			t.Fatalf("%s: not set", tg.name)
		}
	}
	for _, tg := range targets {
		if got := tg.path.String(v); got != tg.name {
			t.Errorf("%s = %q", tg.name, got)
		}
	}
}
