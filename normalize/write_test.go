package normalize

import (
	"fmt"
	"testing"

	"github.com/valyala/fastjson"
)

// TestWriterManyTops: new top-level objects for as many first parts as the
// tables hold, beyond the prefixes the writer numbers, are all kept.
func TestWriterManyTops(t *testing.T) {
	n := New()
	var targets []*target
	for i := 0; len(n.segs) < maxSegs; i++ {
		targets = append(targets, n.target(fmt.Sprintf("top%d.a", i)), n.target(fmt.Sprintf("top%d.b.c", i)))
	}
	if len(n.prefixes) != maxPrefixes {
		t.Fatalf("%d prefixes, want the table full (%d)", len(n.prefixes), maxPrefixes)
	}
	var p fastjson.Parser
	v, _ := p.Parse(`{"x":1}`)
	var a fastjson.Arena
	var w writer
	w.reset(n, &a, v)
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
