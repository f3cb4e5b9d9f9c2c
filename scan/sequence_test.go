package scan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"dredge/report"
	"dredge/rules"
	"dredge/rules/match"

	"github.com/valyala/fastjson"
)

// queryRule compiles an EQL query into a rule over the test events: the
// category is in "c", the time in "t" (epoch milliseconds), the tiebreaker
// (when tb is set) in tb.
func queryRule(t testing.TB, query, tb string) *rules.Rule {
	t.Helper()
	q, err := rules.CompileQuery("eql", query, match.Options{CategoryField: "c"})
	if err != nil {
		t.Fatalf("compile %q: %v", query, err)
	}
	return &rules.Rule{ID: "test", Name: "test", Type: "eql", Language: "eql", Query: query,
		TimestampOverride: "t", TimestampField: "t", TiebreakerField: tb, Compiled: q, Program: q.Event}
}

// results runs rule over files (each a list of events) in query order and
// returns each result as the ids of its events, "-" for a missing event.
func results(t testing.TB, r *rules.Rule, workers int, files ...[]string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, lines := range files {
		paths = append(paths, writeFile(t, dir, fmt.Sprintf("f%d.ndjson", i), ndjson(lines...)))
	}
	out, all := resultIDs(t, paths, Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 64, Order: QueryOrder})
	// The same hits, whole, with the candidates of sequences written out
	// to runs as soon as there are two, or three (spill.go).
	for _, max := range []int{2, 3} {
		_, got := resultIDs(t, paths, Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 64, Order: QueryOrder, maxMemCands: max})
		if got != all {
			t.Errorf("with candidates written out past %d:\n%s\nin memory:\n%s", max, got, all)
		}
	}
	return out
}

// resultIDs runs a scan and returns each hit as the ids of its events,
// and all of the hits as text.
func resultIDs(t testing.TB, paths []string, cfg Config) ([]string, string) {
	t.Helper()
	res, err := run(t, inputs(paths...), cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	var all strings.Builder
	for _, h := range res.Hits {
		fmt.Fprintf(&all, "%v %v %q %q", h.Time, h.Origin, h.Index, h.Document)
		for _, k := range h.JoinKeys {
			if k == nil {
				all.WriteString(" null")
			} else {
				fmt.Fprintf(&all, " %q", *k)
			}
		}
		all.WriteString("\n")
		for _, e := range h.Events {
			fmt.Fprintf(&all, "\t%v %v %q %q %v\n", e.Time, e.Origin, e.Index, e.Document, e.Missing)
		}
	}
	var out []string
	for _, h := range res.Hits {
		evs := h.Events
		if evs == nil {
			evs = []report.Event{{Document: h.Document}}
		}
		var ids []string
		for _, e := range evs {
			if e.Missing {
				ids = append(ids, "-")
				continue
			}
			ids = append(ids, fastjson.GetString(e.Document, "id"))
		}
		out = append(out, strings.Join(ids, " "))
	}
	return out, all.String()
}

// ev is a test event: id, category, time in milliseconds and more fields
// as JSON ("k":"x").
func ev(id, cat string, ms int, more ...string) string {
	s := fmt.Sprintf(`{"id":%q,"c":%q,"t":%d`, id, cat, ms)
	for _, m := range more {
		s += "," + m
	}
	return s + "}"
}

func TestSequenceSemantics(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		tb     string
		events []string
		want   []string
	}{
		{"two steps", `sequence [a where true] [b where true]`,
			"", []string{ev("1", "a", 1), ev("2", "b", 2)}, []string{"1 2"}},
		{"order matters", `sequence [a where true] [b where true]`,
			"", []string{ev("1", "b", 1), ev("2", "a", 2)}, nil},
		{"the latest start is taken and older ones dropped", `sequence [a where true] [b where true]`,
			"", []string{ev("1", "a", 1), ev("2", "a", 2), ev("3", "b", 3), ev("4", "b", 4)}, []string{"2 3"}},
		{"an event can fill several steps", `sequence [a where true] [a where true] [a where true]`,
			"", []string{ev("1", "a", 1), ev("2", "a", 2), ev("3", "a", 3), ev("4", "a", 4)}, []string{"1 2 3", "2 3 4"}},
		{"join key", `sequence by k [a where true] [b where true]`,
			"", []string{ev("1", "a", 1, `"k":"x"`), ev("2", "a", 2, `"k":"y"`), ev("3", "b", 3, `"k":"x"`), ev("4", "b", 4, `"k":"y"`)},
			[]string{"1 3", "2 4"}},
		{"results by their last event", `sequence by k [a where true] [b where true]`,
			"", []string{ev("1", "a", 1, `"k":"x"`), ev("2", "a", 2, `"k":"y"`), ev("3", "b", 3, `"k":"y"`), ev("4", "b", 4, `"k":"x"`)},
			[]string{"2 3", "1 4"}},
		{"step keys name other fields", `sequence [a where true] by pid [b where true] by ppid`,
			"", []string{ev("1", "a", 1, `"pid":7`), ev("2", "b", 2, `"ppid":8`), ev("3", "b", 3, `"ppid":7`)}, []string{"1 3"}},
		{"a number and its text are the same key", `sequence [a where true] by pid [b where true] by ppid`,
			"", []string{ev("1", "a", 1, `"pid":7`), ev("2", "b", 2, `"ppid":"7"`)}, []string{"1 2"}},
		{"a missing key leaves the event out", `sequence by k [a where true] [b where true]`,
			"", []string{ev("1", "a", 1), ev("2", "b", 2), ev("3", "b", 3, `"k":null`)}, nil},
		{"an optional key joins on null", `sequence by ?k [a where true] [b where true]`,
			"", []string{ev("1", "a", 1), ev("2", "b", 2, `"k":null`)}, []string{"1 2"}},
		{"multi-valued keys join on any value", `sequence by k [a where true] [b where true]`,
			"", []string{ev("1", "a", 1, `"k":["x","y"]`), ev("2", "b", 2, `"k":["y","z"]`)}, []string{"1 2"}},
		{"each shared value is a sequence", `sequence by k [a where true] [b where true]`,
			"", []string{ev("1", "a", 1, `"k":["x","y",null,"x"]`), ev("2", "b", 2, `"k":["y","x"]`)}, []string{"1 2", "1 2"}},
		{"maxspan", `sequence with maxspan=1s [a where true] [b where true]`,
			"", []string{ev("1", "a", 0), ev("2", "b", 1001), ev("3", "a", 2000), ev("4", "b", 3000)}, []string{"3 4"}},
		{"maxspan counts from the first event", `sequence with maxspan=1s [a where true] [b where true] [c where true]`,
			"", []string{ev("1", "a", 0), ev("2", "b", 900), ev("3", "c", 1100)}, nil},
		{"until", `sequence by k [a where true] [b where true] until [u where true]`,
			"", []string{ev("1", "a", 1, `"k":"x"`), ev("2", "a", 2, `"k":"y"`), ev("3", "u", 3, `"k":"x"`), ev("4", "b", 4, `"k":"x"`), ev("5", "b", 5, `"k":"y"`)},
			[]string{"2 5"}},
		{"until after the sequence", `sequence [a where true] [b where true] until [u where true]`,
			"", []string{ev("1", "a", 1), ev("2", "b", 2), ev("3", "u", 3)}, []string{"1 2"}},
		{"until on the last event of the sequence so far", `sequence [a where true] [b where true] until [a where x == 1]`,
			"", []string{ev("1", "a", 1, `"x":1`), ev("2", "b", 2)}, nil},
		{"runs", `sequence by k [a where true] with runs=2 [b where true]`,
			"", []string{ev("1", "a", 1, `"k":1`), ev("2", "a", 2, `"k":1`), ev("3", "a", 3, `"k":2`), ev("4", "b", 4, `"k":1`), ev("5", "b", 5, `"k":2`)},
			[]string{"1 2 4"}},
		{"missing event between", `sequence with maxspan=10s [a where true] ![m where true] [b where true]`,
			"", []string{ev("1", "a", 1000), ev("2", "m", 2000), ev("3", "b", 3000), ev("4", "a", 4000), ev("5", "b", 5000), ev("6", "m", 6000)},
			[]string{"4 - 5"}},
		{"missing event of another key", `sequence by k with maxspan=10s [a where true] ![m where true] [b where true]`,
			"", []string{ev("1", "a", 1000, `"k":"x"`), ev("2", "m", 2000, `"k":"y"`), ev("3", "b", 3000, `"k":"x"`)},
			[]string{"1 - 3"}},
		{"missing event at the same time as a step", `sequence with maxspan=10s [a where true] ![m where true] [b where true]`,
			"", []string{ev("1", "a", 1000), ev("2", "m", 1000), ev("3", "b", 3000)}, []string{"1 - 3"}},
		{"trailing missing event", `sequence with maxspan=5s [a where true] ![m where true]`,
			"", []string{ev("1", "a", 0), ev("2", "m", 3000), ev("3", "a", 10000), ev("4", "m", 16000), ev("5", "a", 30000)},
			[]string{"3 -", "5 -"}},
		{"leading missing event", `sequence with maxspan=5s ![m where true] [a where true] [b where true]`,
			"", []string{ev("1", "m", 0), ev("2", "a", 1000), ev("3", "b", 2000), ev("4", "a", 9000), ev("5", "b", 10000)},
			[]string{"- 4 5"}},
		{"tiebreaker orders events of the same time", `sequence [a where true] [b where true]`,
			"n", []string{ev("1", "a", 5, `"n":2`), ev("2", "b", 5, `"n":1`)}, nil},
		{"without tiebreaker the input order does", `sequence [a where true] [b where true]`,
			"", []string{ev("1", "a", 5, `"n":2`), ev("2", "b", 5, `"n":1`)}, []string{"1 2"}},
		{"tiebreaker numbers compare as numbers", `sequence [b where true] [a where true]`,
			"n", []string{ev("1", "a", 5, `"n":10`), ev("2", "b", 5, `"n":9`)}, []string{"2 1"}},
		{"events without a time are left out", `sequence [a where true] [b where true]`,
			"", []string{`{"id":"1","c":"a"}`, ev("2", "b", 2)}, nil},
		{"head", `sequence [a where true] [b where true] | head 1`,
			"", []string{ev("1", "a", 1), ev("2", "b", 2), ev("3", "a", 3), ev("4", "b", 4)}, []string{"1 2"}},
		{"tail", `sequence [a where true] [b where true] | tail 1`,
			"", []string{ev("1", "a", 1), ev("2", "b", 2), ev("3", "a", 3), ev("4", "b", 4)}, []string{"3 4"}},
		{"head then tail", `sequence [a where true] [b where true] | head 2 | tail 1`,
			"", []string{ev("1", "a", 1), ev("2", "b", 2), ev("3", "a", 3), ev("4", "b", 4), ev("5", "a", 5), ev("6", "b", 6)},
			[]string{"3 4"}},
		{"event query tail", `a where true | tail 2`,
			"", []string{ev("1", "a", 3), ev("2", "a", 1), ev("3", "a", 2)}, []string{"3", "1"}},
		{"event query head 0", `a where true | head 0`,
			"", []string{ev("1", "a", 1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := queryRule(t, tt.query, tt.tb)
			got := results(t, r, 2, tt.events)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestSampleSemantics(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		events []string
		want   []string
	}{
		{"keys in order, time plays no part", `sample by k [a where true] [b where true]`,
			[]string{ev("1", "b", 1, `"k":"y"`), ev("2", "a", 2, `"k":"y"`), ev("3", "b", 3, `"k":"x"`), ev("4", "a", 4, `"k":"x"`), ev("5", "a", 5, `"k":"z"`)},
			[]string{"4 3", "2 1"}},
		{"one event per step, all different", `sample by k [any where true] [any where true]`,
			[]string{ev("1", "a", 1, `"k":"x"`), ev("2", "a", 2, `"k":"y"`), ev("3", "b", 3, `"k":"y"`)},
			[]string{"2 3"}},
		{"optional keys: null first", `sample by ?k [a where true] [b where true]`,
			[]string{ev("1", "a", 1, `"k":"x"`), ev("2", "b", 2, `"k":"x"`), ev("3", "a", 3), ev("4", "b", 4)},
			[]string{"3 4", "1 2"}},
		{"numbers in numeric order", `sample by k [a where true] [b where true]`,
			[]string{ev("1", "a", 1, `"k":10`), ev("2", "b", 2, `"k":10`), ev("3", "a", 3, `"k":9`), ev("4", "b", 4, `"k":9`)},
			[]string{"3 4", "1 2"}},
		{"step keys", `sample [a where true] by p [b where true] by q`,
			[]string{ev("1", "a", 1, `"p":"x"`), ev("2", "b", 2, `"p":"x"`), ev("3", "b", 3, `"q":"x"`)},
			[]string{"1 3"}},
		{"head", `sample by k [a where true] [b where true] | head 1`,
			[]string{ev("1", "a", 1, `"k":"y"`), ev("2", "b", 2, `"k":"y"`), ev("3", "a", 3, `"k":"x"`), ev("4", "b", 4, `"k":"x"`)},
			[]string{"3 4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := queryRule(t, tt.query, "")
			got := results(t, r, 2, tt.events)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s\n got %q\nwant %q", tt.query, got, tt.want)
			}
		})
	}
}

// TestSequenceAcrossFiles splits the events of a sequence over files, out
// of time order, and scans them with 1 to 4 workers: the results are those
// of the events in one file in time order.
func TestSequenceAcrossFiles(t *testing.T) {
	r := queryRule(t, `sequence by k with maxspan=10s [a where true] [b where true] [c where true]`, "")
	var all []string
	for i := range 60 {
		k := fmt.Sprintf(`"k":"h%d"`, (i/4)%2)
		all = append(all, ev(fmt.Sprint(i), string(rune('a'+i%3)), i*700, k))
	}
	want := results(t, r, 1, all)
	if len(want) < 5 {
		t.Fatalf("%d sequences in the reference, want more to compare", len(want))
	}
	// Three files, each out of order: every third event, reversed.
	var files [3][]string
	for i := len(all) - 1; i >= 0; i-- {
		files[i%3] = append(files[i%3], all[i])
	}
	for _, workers := range []int{1, 2, 4} {
		if got := results(t, r, workers, files[:]...); !reflect.DeepEqual(got, want) {
			t.Errorf("workers=%d:\n got %q\nwant %q", workers, got, want)
		}
	}
}

// netconRule is the sequence rule of testdata/rules.
func netconRule(t testing.TB) *rules.Rule {
	t.Helper()
	const path = "../testdata/rules/command_and_control_netcon_from_temp_folder.toml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rules.Parse(path, data)
	if err != nil {
		t.Fatalf("rules.Parse: %v", err)
	}
	if r.Compiled == nil || r.Compiled.Kind != match.Sequences || r.Program != nil {
		t.Fatalf("the rule is not a sequence: %+v", r.Compiled)
	}
	return r
}

// TestSequenceRuleOnSamples scans the samples with the built-in rules and
// the sequence rule of testdata/rules: the built-in rules' hits are
// unchanged, and the sequence rule fires twice, each hit with its two
// events in order and where they came from.
func TestSequenceRuleOnSamples(t *testing.T) {
	seq := netconRule(t)
	rs := append(builtin(t), seq)
	ins := expand(t, samplesDir)
	var ref []byte
	for _, workers := range []int{1, 2, 4} {
		res, err := run(t, ins, Config{Rules: rs, Workers: workers, ChunkSize: 2048, Version: "test"})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		res.Summary.Started, res.Summary.Duration = time.Time{}, 0 // the wall clock's
		var hits []report.Hit
		for _, h := range res.Hits {
			if h.Rule == seq {
				hits = append(hits, h)
			}
		}
		if n := len(res.Hits) - len(hits); n != 26 {
			t.Errorf("workers=%d: %d hits of the built-in rules, want 26", workers, n)
		}
		type place struct {
			file string
			line int
		}
		want := [][]place{
			{{"linux-endpoint.ndjson", 142}, {"linux-endpoint.ndjson", 143}},
			{{"linux-endpoint-netcon.ndjson", 14}, {"linux-endpoint-netcon.ndjson", 15}},
		}
		if len(hits) != len(want) {
			t.Fatalf("workers=%d: %d sequence hits, want %d", workers, len(hits), len(want))
		}
		lines := sampleTexts(t)
		for i, h := range hits {
			var got []place
			for _, e := range h.Events {
				got = append(got, place{filepath.Base(e.Origin.File), e.Origin.Line})
				if l := lines[filepath.Base(e.Origin.File)][e.Origin.Line-1]; string(e.Document) != l {
					t.Errorf("hit %d: event %s:%d: document is not the line", i, e.Origin.File, e.Origin.Line)
				}
				if want := jsonString(t, e.Document, "@timestamp"); e.Time.Format("2006-01-02T15:04:05.000Z") != want {
					t.Errorf("hit %d: event time %v, want %s", i, e.Time, want)
				}
			}
			if !reflect.DeepEqual(got, want[i]) {
				t.Errorf("workers=%d: hit %d events %v, want %v", workers, i, got, want[i])
			}
			first := h.Events[0]
			if h.Origin != first.Origin || !h.Time.Equal(first.Time) || !bytes.Equal(h.Document, first.Document) {
				t.Errorf("hit %d: the hit is not placed at its first event: %v %v", i, h.Origin, h.Time)
			}
			if len(h.JoinKeys) != 2 || h.JoinKeys[0] == nil || h.JoinKeys[1] == nil {
				t.Errorf("hit %d: join keys %v, want host.id and process.entity_id", i, h.JoinKeys)
			} else if pid := fastjson.GetString(first.Document, "process", "entity_id"); *h.JoinKeys[1] != pid {
				t.Errorf("hit %d: join key %q, want the process's entity_id %q", i, *h.JoinKeys[1], pid)
			}
			if h.Fields.Host != "web-prod-01" && h.Fields.Host != "ci-build-02" {
				t.Errorf("hit %d: host %q", i, h.Fields.Host)
			}
		}
		var b bytes.Buffer
		if err := report.WriteJSON(&b, res); err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = b.Bytes()
		} else if !bytes.Equal(b.Bytes(), ref) {
			t.Errorf("workers=%d: the JSON report differs from that of one worker", workers)
		}
	}
}

// TestCategoryFastPath checks that skipping the queries and steps of other
// categories, on the category read once per event, finds what evaluating
// every query finds: "process where" is "any where" with the category test.
func TestCategoryFastPath(t *testing.T) {
	events := []string{
		`{"id":"1","c":"process","t":1}`,
		`{"id":"2","c":["file","process"],"t":2}`,
		`{"id":"3","c":"Process","t":3}`,
		`{"id":"4","t":4}`,
		`{"id":"5","c":null,"t":5}`,
		`{"id":"6","c":[["process"]],"t":6}`,
		`{"id":"7","c":{"x":"process"},"t":7}`,
		`{"id":"8","c.x":"process","t":8}`,
		`{"id":"9","c":"process\u0000","t":9}`,
	}
	for _, q := range [][2]string{
		{`process where true`, `any where c == "process"`},
		{`sequence [process where true] [process where true]`, `sequence [any where c == "process"] [any where c == "process"]`},
		{`sample by id [process where true] [file where true]`, `sample by id [any where c == "process"] [any where c == "file"]`},
	} {
		fast, slow := results(t, queryRule(t, q[0], ""), 2, events), results(t, queryRule(t, q[1], ""), 2, events)
		if !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s gives %q, %s gives %q", q[0], fast, q[1], slow)
		}
	}
}
