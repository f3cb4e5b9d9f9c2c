package scan

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"dredge/decode"
	"dredge/rules"
)

// The later steps of a sequence are left out until its first step is seen
// (gate.go), and the chunks passed over are read again: an event read
// before the first step's but later in time still counts.
func TestGateReadsAgain(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		files  [][]string
		want   []string
		redone bool // some chunk is read again
	}{
		{"later step read first", `sequence by k [a where true] [b where true]`,
			[][]string{{ev("2", "b", 2, `"k":"x"`), ev("9", "z", 9), ev("1", "a", 1, `"k":"x"`)}},
			[]string{"1 2"}, true},
		{"later step in an earlier file", `sequence by k [a where true] [b where true]`,
			[][]string{{ev("2", "b", 2, `"k":"x"`)}, {ev("1", "a", 1, `"k":"x"`)}},
			[]string{"1 2"}, true},
		{"until read again", `sequence by k [a where true] [b where true] until [u where true]`,
			[][]string{{ev("3", "b", 3, `"k":"x"`), ev("2", "u", 2, `"k":"x"`), ev("1", "a", 1, `"k":"x"`)}},
			nil, true},
		// The until step matches the first step's own event: its hit,
		// found when the chunk is read again, still counts from that
		// event on, as in one record.
		{"until on the first event, read again", `sequence by k [a where true] [b where true] until [a where x == 1]`,
			[][]string{{ev("1", "a", 1, `"k":"x"`, `"x":1`), ev("2", "b", 2, `"k":"x"`)}},
			nil, true},
		{"missing event read again", `sequence by k with maxspan=1s [a where true] ![m where true] [b where true]`,
			[][]string{{ev("3", "b", 3, `"k":"x"`), ev("2", "m", 2, `"k":"x"`), ev("1", "a", 1, `"k":"x"`)}},
			nil, true},
		{"missing event elsewhere", `sequence by k with maxspan=1s [a where true] ![m where true] [b where true]`,
			[][]string{{ev("3", "b", 3, `"k":"x"`), ev("2", "m", 2, `"k":"y"`), ev("1", "a", 1, `"k":"x"`)}},
			[]string{"1 - 3"}, true},
		// The chunk of the first step's event is read again for what
		// followed it there: here its only event.
		{"first step first", `sequence by k [a where true] [b where true]`,
			[][]string{{ev("1", "a", 1, `"k":"x"`), ev("2", "b", 2, `"k":"x"`)}},
			[]string{"1 2"}, true},
		{"never started", `sequence by k [a where true] [b where true]`,
			[][]string{{ev("2", "b", 2, `"k":"x"`), ev("3", "b", 3, `"k":"x"`)}},
			nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := queryRule(t, tt.query, "")
			// One worker reads the chunks (an event each) in file order.
			if got := results(t, r, 1, tt.files...); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if got := redone(t, r, tt.files...); got != tt.redone {
				t.Errorf("some chunk read again: %v, want %v", got, tt.redone)
			}
		})
	}
}

// redone reports whether a scan of files with rule r reads some chunk
// again.
func redone(t *testing.T, r *rules.Rule, files ...[]string) bool {
	t.Helper()
	dir := t.TempDir()
	var ins []decode.Input
	for i, lines := range files {
		ins = append(ins, decode.Input{Path: writeFile(t, dir, string(rune('a'+i))+".ndjson", ndjson(lines...))})
	}
	p := newPlan([]*rules.Rule{r}, ins)
	p.disp = newDispatch(p, Config{})
	g := newGate(p, ins, Config{})
	if !g.on {
		t.Fatal("the rule is not gated")
	}
	w := newWorker(p, len(ins), 0)
	w.gate = g
	for i, in := range ins {
		rd, err := decode.Open(in, decode.Options{ChunkSize: 64})
		if err != nil {
			t.Fatal(err)
		}
		for {
			c, err := rd.Next()
			if err != nil {
				break
			}
			w.chunk(job{input: i, name: in.Path, chunk: c})
			c.Release()
		}
		rd.Close()
	}
	return len(g.redo([]*worker{w}, p.disp.words)) > 0
}

// Standard input cannot be read again: every step is evaluated.
func TestGateOffForStdin(t *testing.T) {
	r := queryRule(t, `sequence by k [a where true] [b where true]`, "")
	in := ndjson(ev("2", "b", 2, `"k":"x"`), ev("1", "a", 1, `"k":"x"`))
	res, err := Run(context.Background(), []decode.Input{{Path: "-", Size: -1, Stdin: bytes.NewReader(in)}},
		Config{Rules: []*rules.Rule{r}, Workers: 1, ChunkSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Errorf("%d hits, want 1", len(res.Hits))
	}
	p := newPlan([]*rules.Rule{r}, nil)
	p.disp = newDispatch(p, Config{})
	if g := newGate(p, []decode.Input{{Path: "-", Size: -1}}, Config{}); g.on {
		t.Error("gated with standard input")
	}
}
