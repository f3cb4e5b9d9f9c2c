package normalize_test

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/valyala/fastjson"

	"dredge/decode"
	"dredge/event"
	"dredge/normalize"
)

var showData = flag.Int("show", 0, "TestSharedData: print the first N normalised events of each shape")

// sharedData finds the real event dumps kept beside the repository.
func sharedData(t testing.TB) string {
	for _, dir := range []string{"/work/shared/data", "../../shared/data"} {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
	}
	t.Skip("no shared data (/work/shared/data or ../../shared/data); skipping")
	return ""
}

// eachSharedEvent calls fn with every event of the real dumps, parsed.
func eachSharedEvent(t testing.TB, fn func(file string, line int, raw []byte, v *fastjson.Value)) {
	dir := sharedData(t)
	ins, probs, _ := decode.Expand([]string{dir}) // passes over the data's README
	for _, p := range probs {
		t.Fatalf("expand: %s", p)
	}
	var p fastjson.Parser
	for _, in := range ins {
		if filepath.Ext(in.Path) == ".md" {
			continue
		}
		rel, _ := filepath.Rel(dir, in.Path)
		r, err := decode.Open(in, decode.Options{Problem: func(p decode.Problem) { t.Errorf("%s", p) }})
		if err != nil {
			t.Fatal(err)
		}
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			for k, line := range bytes.Split(c.Data, []byte("\n")) {
				line = bytes.TrimSpace(line)
				if len(line) == 0 {
					continue
				}
				n := c.FirstLine + k
				if c.Lines != nil {
					n = c.Lines[k]
				}
				v, err := p.ParseBytes(line)
				if err != nil {
					t.Fatalf("%s:%d: %v", rel, n, err)
				}
				fn(rel, n, line, v)
			}
			c.Release()
		}
		r.Close()
	}
}

// TestSharedData normalises every event of the real dumps: no panic, and
// every Windows event (a Winlogbeat, Winlogbeat 6 or flat Windows record,
// or an event that says it is from Windows) ends with host.os.type
// "windows" and an event.category. Applying twice changes nothing more.
func TestSharedData(t *testing.T) {
	n := normalize.New()
	var a fastjson.Arena
	osType, category := event.NewPath("host.os.type"), event.NewPath("event.category")
	shapes := map[normalize.Shape]int{}
	shown := map[normalize.Shape]int{}
	uncategorised := map[string]int{}
	eachSharedEvent(t, func(file string, line int, raw []byte, v *fastjson.Value) {
		a.Reset()
		r := n.Apply(v, &a)
		shapes[r.Shape]++
		once := string(settled(v))
		if r2 := n.Apply(v, &a); r2.Added != 0 || string(settled(v)) != once {
			t.Errorf("%s:%d: second Apply added %d fields", file, line, r2.Added)
		}
		if r.Shape.Windows() {
			// The host is the computer that logged the event.
			computer := event.NewPath("winlog.computer_name").String(v)
			if got := event.NewPath("host.name").String(v); computer != "" && got != computer {
				t.Errorf("%s:%d: host.name %q, winlog.computer_name %q", file, line, got, computer)
			}
		}
		windows := r.Shape.Windows() || osType.String(v) == "windows"
		if windows {
			if got := osType.String(v); got != "windows" {
				t.Errorf("%s:%d: %s event: host.os.type %q", file, line, r.Shape, got)
			}
			if !category.Exists(v) {
				uncategorised[file+" "+event.NewPath("event.provider").String(v)+" "+event.NewPath("event.code").String(v)]++
			}
		}
		if shown[r.Shape] < *showData {
			shown[r.Shape]++
			t.Logf("%s:%d %s added %d:\n%s", file, line, r.Shape, r.Added, once)
		}
	})
	for k, c := range uncategorised {
		t.Errorf("%d Windows events without event.category: %s", c, k)
	}
	t.Logf("shapes: %v", shapes)
}
