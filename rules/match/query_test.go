package match

import (
	"dredge/event"
	"reflect"
	"strings"
	"testing"
	"time"

	"dredge/rules/eql"

	"github.com/valyala/fastjson"
)

func compileQuery(t *testing.T, src string) *Query {
	t.Helper()
	q, err := eql.Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	out, err := CompileQuery(q, Options{})
	if err != nil {
		t.Fatalf("CompileQuery(%q): %v", src, err)
	}
	return out
}

func TestCompileQueryShape(t *testing.T) {
	tests := []struct {
		query   string
		kind    Kind
		steps   int
		keys    []string // of the first step, "?" marks an optional one
		missing []bool
		until   bool
		maxSpan time.Duration
		pipes   []Pipe
	}{
		{query: `process where true | head 3 | tail 1`, kind: Events, pipes: []Pipe{{Head, 3}, {Tail, 1}}},
		{query: `sequence [a where true] [b where true]`, kind: Sequences, steps: 2, missing: []bool{false, false}},
		{query: `sequence by host.id with maxspan=2m [a where true] by process.pid [b where true] by process.parent.pid until [c where true] by ?x`,
			kind: Sequences, steps: 2, keys: []string{"host.id", "process.pid"}, missing: []bool{false, false}, until: true, maxSpan: 2 * time.Minute},
		{query: `sequence by ?k [a where true] with runs=3 [b where true]`, kind: Sequences, steps: 4, keys: []string{"?k"}, missing: []bool{false, false, false, false}},
		{query: `sequence with maxspan=1s ![a where true] [b where true] ![c where true]`, kind: Sequences, steps: 3, missing: []bool{true, false, true}, maxSpan: time.Second},
		{query: `sample by host [a where true] by os [b where true] by op_sys | head 2`, kind: Samples, steps: 2, keys: []string{"host", "os"}, missing: []bool{false, false}, pipes: []Pipe{{Head, 2}}},
	}
	for _, tt := range tests {
		q := compileQuery(t, tt.query)
		if q.Kind != tt.kind || len(q.Steps) != tt.steps || (q.Until != nil) != tt.until || q.MaxSpan != tt.maxSpan || !reflect.DeepEqual(q.Pipes, tt.pipes) {
			t.Errorf("%s: kind %v, %d steps, until %v, maxspan %v, pipes %v", tt.query, q.Kind, len(q.Steps), q.Until != nil, q.MaxSpan, q.Pipes)
			continue
		}
		if (q.Event != nil) != (tt.kind == Events) {
			t.Errorf("%s: Event = %v", tt.query, q.Event)
		}
		var missing []bool
		for _, s := range q.Steps {
			missing = append(missing, s.Missing)
		}
		if !reflect.DeepEqual(missing, tt.missing) {
			t.Errorf("%s: missing steps %v, want %v", tt.query, missing, tt.missing)
		}
		if tt.steps > 0 {
			var keys []string
			for _, k := range q.Steps[0].Keys {
				n := k.Name
				if k.Optional {
					n = "?" + n
				}
				keys = append(keys, n)
			}
			if !reflect.DeepEqual(keys, tt.keys) {
				t.Errorf("%s: keys %q, want %q", tt.query, keys, tt.keys)
			}
		}
	}
}

func TestCompileQueryErrors(t *testing.T) {
	tests := []struct{ query, want string }{
		{`sequence [a where true] by x [b where true]`, "offset 29: this step has 0 join keys and the first step 1; every step needs as many"},
		{`sequence by k [a where true] [b where true] until [c where true] by j`, "offset 50: this step has 2 join keys and the first step 1; every step needs as many"},
		{`sequence [a where true] by length(x) [b where true] by y`, "offset 27: a join key must be a field, found length(x)"},
		{`process where true | count`, `offset 21: pipe "count" is not supported; use head or tail`},
		{`sample by k [a where x =="y"] [b where true`, ""}, // a syntax error: the parser's
	}
	for _, tt := range tests {
		q, err := eql.Parse(tt.query)
		if err != nil {
			if tt.want != "" {
				t.Errorf("parse %q: %v", tt.query, err)
			}
			continue
		}
		_, err = CompileQuery(q, Options{})
		if err == nil || err.Error() != tt.want {
			t.Errorf("CompileQuery(%q) error = %v, want %q", tt.query, err, tt.want)
		}
	}
}

func TestApplyPipes(t *testing.T) {
	tests := []struct {
		pipes    []Pipe
		n        int
		from, to int
	}{
		{nil, 5, 0, 5},
		{[]Pipe{{Head, 2}}, 5, 0, 2},
		{[]Pipe{{Head, 9}}, 5, 0, 5},
		{[]Pipe{{Tail, 2}}, 5, 3, 5},
		{[]Pipe{{Head, 4}, {Tail, 2}}, 10, 2, 4},
		{[]Pipe{{Tail, 4}, {Head, 1}}, 10, 6, 7},
		{[]Pipe{{Head, 0}}, 3, 0, 0},
	}
	for _, tt := range tests {
		if from, to := ApplyPipes(tt.pipes, tt.n); from != tt.from || to != tt.to {
			t.Errorf("ApplyPipes(%v, %d) = %d, %d; want %d, %d", tt.pipes, tt.n, from, to, tt.from, tt.to)
		}
	}
}

func TestJoinKeys(t *testing.T) {
	tests := []struct {
		name  string
		query string // a sequence whose first step's keys are read
		event string
		want  []string // each key's values joined by "|", null as "<null>"
	}{
		{"no keys", `sequence [a where true] [b where true]`, `{}`, []string{""}},
		{"one key", `sequence by k [a where true] [b where true]`, `{"k":"x"}`, []string{"x"}},
		{"nested and flat", `sequence by host.id, process.pid [a where true] [b where true]`,
			`{"host":{"id":"h"},"process.pid":7}`, []string{"h|7"}},
		{"numbers as a numeric field reads them", `sequence by k [a where true] [b where true]`, `{"k":7.0}`, []string{"7"}},
		{"booleans as text", `sequence by k [a where true] [b where true]`, `{"k":true}`, []string{"true"}},
		{"missing key", `sequence by k [a where true] [b where true]`, `{"j":1}`, nil},
		{"null key", `sequence by k [a where true] [b where true]`, `{"k":null}`, nil},
		{"only nulls", `sequence by k [a where true] [b where true]`, `{"k":[null]}`, nil},
		{"empty array", `sequence by k [a where true] [b where true]`, `{"k":[]}`, nil},
		{"optional missing key", `sequence by ?k [a where true] [b where true]`, `{}`, []string{"<null>"}},
		{"optional and present", `sequence by ?k, j [a where true] [b where true]`, `{"j":"y"}`, []string{"<null>|y"}},
		{"nulls in an array are left out", `sequence by ?k [a where true] [b where true]`, `{"k":["x",null]}`, []string{"x"}},
		{"repeated values count once", `sequence by k [a where true] [b where true]`, `{"k":["x","y","x"]}`, []string{"x", "y"}},
		{"product, the later key slowest", `sequence by k, j [a where true] [b where true]`,
			`{"k":["a","b"],"j":["1","2"]}`, []string{"a|1", "b|1", "a|2", "b|2"}},
		{"objects are not values", `sequence by k [a where true] [b where true]`, `{"k":{"x":1}}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := compileQuery(t, tt.query)
			v := fastjson.MustParse(tt.event)
			var got []string
			for _, k := range q.Steps[0].JoinKeys(nil, &event.Doc{V: v}) {
				var parts []string
				for _, x := range k.Values() {
					if x == nil {
						parts = append(parts, "<null>")
					} else {
						parts = append(parts, *x)
					}
				}
				got = append(got, strings.Join(parts, "|"))
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("JoinKeys(%s) = %q, want %q", tt.event, got, tt.want)
			}
		})
	}
}

// TestJoinKeyEncoding checks that keys with different values never encode
// alike, whatever bytes the values hold.
func TestJoinKeyEncoding(t *testing.T) {
	q := compileQuery(t, `sequence by k, j [a where true] [b where true]`)
	seen := map[JoinKey]string{}
	for _, ev := range []string{
		`{"k":"ab","j":"c"}`, `{"k":"a","j":"bc"}`, `{"k":"a\u0000","j":"bc"}`, `{"k":"","j":"abc"}`,
		`{"k":"N","j":"x"}`, `{"k":"S","j":"x"}`, `{"k":"\u0001a","j":"c"}`,
	} {
		for _, k := range q.Steps[0].JoinKeys(nil, event.NewDoc(fastjson.MustParse(ev))) {
			if other, ok := seen[k]; ok {
				t.Errorf("%s and %s give the same key", ev, other)
			}
			seen[k] = ev
		}
	}
}
