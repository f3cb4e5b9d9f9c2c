package match

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"

	"dredge/event"
	"dredge/rules/ast"

	"github.com/valyala/fastjson"
)

// Kind is what a compiled query finds.
type Kind uint8

// The kinds of query.
const (
	// Events: an event query; every matching event is a result.
	Events Kind = iota
	// Sequences: events that follow one another in time, joined by keys.
	Sequences
	// Samples: events joined by keys, in any order.
	Samples
)

func (k Kind) String() string {
	switch k {
	case Sequences:
		return "sequence"
	case Samples:
		return "sample"
	}
	return "event"
}

// Query is a whole compiled query: an event query, a sequence or a sample,
// with its pipes. Like a Program it is immutable and safe for concurrent
// use. Workers evaluate the predicates (Event, or each step's Program) and
// read the join keys; finishing sequences and samples is left to the
// caller's ordered stage.
type Query struct {
	Kind Kind
	// Event is the predicate of an event query (Kind Events).
	Event *Program
	// Steps are the steps of a sequence or a sample, in order. A step
	// written "with runs=N" is repeated N times.
	Steps []*Step
	// Until is a sequence's until step; nil when there is none.
	Until *Step
	// MaxSpan is a sequence's maxspan; 0 when there is none.
	MaxSpan time.Duration
	// Pipes are the head and tail pipes, in the order written.
	Pipes []Pipe
	// Category is the event category an event query asks for ("process"
	// in "process where ..."); empty for "any" and for KQL. Event must
	// still be evaluated: Category lets a caller skip events of other
	// categories without evaluating it.
	Category string
	// CategoryField is the field the categories test, event.category by
	// default.
	CategoryField string
}

// Step is one step of a sequence or sample (or a sequence's until step):
// its predicate and its join keys, the query's keys followed by the step's.
type Step struct {
	Program *Program
	Keys    []*Key
	// Missing is a missing-event step, ![...]: the sequence holds only when
	// no such event occurs in its place.
	Missing bool
	// Category is the event category of the step, empty for "any" (see
	// Query.Category).
	Category string
}

// Key is a join key field.
type Key struct {
	// Name is the field's dotted name.
	Name string
	// Optional is ?field: an event without the field joins with a null
	// value instead of being left out.
	Optional bool
	path     *event.Path
}

// PipeOp is a pipe's operation.
type PipeOp uint8

// The pipes.
const (
	Head PipeOp = iota // | head N: the first N results
	Tail               // | tail N: the last N results
)

// Pipe is "| head N" or "| tail N".
type Pipe struct {
	Op PipeOp
	N  int
}

// ApplyPipes returns which of n results, in order, the pipes keep: the
// half-open range [from, to).
func ApplyPipes(pipes []Pipe, n int) (from, to int) {
	from, to = 0, n
	for _, p := range pipes {
		k := min(p.N, to-from)
		if p.Op == Head {
			to = from + k
		} else {
			from = to - k
		}
	}
	return from, to
}

// CompileQuery compiles a whole EQL query. Event queries compile as
// CompileEQL does; sequences and samples compile each step into its own
// Program with the step's join keys.
func CompileQuery(q *ast.Query, opts Options) (*Query, error) {
	out := &Query{CategoryField: opts.CategoryField}
	if out.CategoryField == "" {
		out.CategoryField = "event.category"
	}
	for _, p := range q.Pipes {
		switch p.Name {
		case "head", "tail":
		default:
			return nil, ast.Errorf(p.P, "pipe %q is not supported; use head or tail", p.Name)
		}
		var lit *ast.Literal
		if len(p.Args) == 1 {
			lit, _ = p.Args[0].(*ast.Literal)
		}
		if lit == nil || lit.Kind != ast.Int || lit.Int < 0 || lit.Int > math.MaxInt32 {
			return nil, ast.Errorf(p.P, "%s takes a non-negative integer", p.Name)
		}
		op := Head
		if p.Name == "tail" {
			op = Tail
		}
		out.Pipes = append(out.Pipes, Pipe{Op: op, N: int(lit.Int)})
	}
	var err error
	switch b := q.Body.(type) {
	case *ast.EventQuery:
		out.Kind = Events
		out.Category = category(b)
		out.Event, err = CompileEQL(&ast.Query{Body: b}, opts)
		if err != nil {
			return nil, err
		}
	case *ast.Sequence:
		out.Kind = Sequences
		out.MaxSpan = b.MaxSpan
		if out.Steps, err = compileSteps(b.By, b.Steps, opts); err != nil {
			return nil, err
		}
		if b.Until != nil {
			us, err := compileSteps(b.By, []*ast.Step{b.Until}, opts)
			if err != nil {
				return nil, err
			}
			out.Until = us[0]
			if len(out.Until.Keys) != len(out.Steps[0].Keys) {
				return nil, keyCountError(b.Until, len(out.Until.Keys), len(out.Steps[0].Keys))
			}
		}
	case *ast.Sample:
		out.Kind = Samples
		if out.Steps, err = compileSteps(b.By, b.Steps, opts); err != nil {
			return nil, err
		}
	default:
		return nil, ast.Errorf(q.Position(), "unexpected query %s", q.Body)
	}
	return out, nil
}

// compileSteps compiles the steps of a sequence or sample whose own join
// keys are by; a step with runs=N gives N steps.
func compileSteps(by []ast.Expr, steps []*ast.Step, opts Options) ([]*Step, error) {
	var out []*Step
	for _, s := range steps {
		prog, err := CompileEQL(&ast.Query{Body: s.Query}, opts)
		if err != nil {
			return nil, err
		}
		st := &Step{Program: prog, Missing: s.Missing, Category: category(s.Query)}
		for _, k := range append(append([]ast.Expr(nil), by...), s.By...) {
			f, ok := k.(*ast.Field)
			if !ok {
				return nil, ast.Errorf(k.Position(), "a join key must be a field, found %s", k)
			}
			st.Keys = append(st.Keys, &Key{Name: f.Name(), Optional: f.Optional, path: opts.Paths.get(f.Path)})
		}
		if len(out) > 0 && len(st.Keys) != len(out[0].Keys) {
			return nil, keyCountError(s, len(st.Keys), len(out[0].Keys))
		}
		for range max(s.Runs, 1) {
			out = append(out, st)
		}
	}
	return out, nil
}

// category is the category an event query tests; empty for any.
func category(eq *ast.EventQuery) string {
	if eq.Category == "any" {
		return ""
	}
	return eq.Category
}

func keyCountError(s *ast.Step, got, want int) error {
	return ast.Errorf(s.P, "this step has %d join keys and the first step %d; every step needs as many", got, want)
}

// JoinKey is the values of a step's join keys for one event, encoded in a
// string so that equal keys are equal strings and can key a map. Values
// compare as text, the way a keyword field holds them: the number 7 and the
// string "7" are the same key. A key with no fields (a sequence without
// "by") is the empty string.
type JoinKey string

// maxJoinKeys bounds the combinations of values one event gives for one
// step, when several keys hold many values each.
const maxJoinKeys = 4096

// JoinKeys appends to dst the join keys of the event of d for step s: one for
// each combination of the values of its key fields, when some hold several
// values (the cartesian product, in Elasticsearch's order). A field that is
// missing or null, or holds only nulls, has the value null: the event then
// has no key for the step (nothing is appended), unless the key is optional
// (?field). Repeated values count once.
func (s *Step) JoinKeys(dst []JoinKey, d *event.Doc) []JoinKey {
	if len(s.Keys) == 0 {
		return append(dst, "")
	}
	// The usual case, every key with one value or none, without building
	// the product.
	var buf [256]byte
	b, single := buf[:0], true
	for _, k := range s.Keys {
		n := 0
		k.path.VisitDoc(d, func(x *fastjson.Value) bool {
			t, ok := event.Text(x)
			if !ok {
				return false
			}
			if x.Type() == fastjson.TypeNumber {
				t = canonicalNumber(t)
			}
			if n == 0 {
				b = appendKeyValue(b, t)
				n = 1
				return false
			}
			// A second value: the same one is no second value.
			if string(lastKeyValue(b)) != t {
				n = 2
				return true
			}
			return false
		})
		if n == 2 {
			single = false
			break
		}
		if n == 0 {
			if !k.Optional {
				return dst
			}
			b = append(b, 'N')
		}
	}
	if single {
		return append(dst, JoinKey(b))
	}
	values := make([][]string, len(s.Keys))
	n := 1
	for i, k := range s.Keys {
		values[i] = keyValues(k.path, d)
		if len(values[i]) == 0 && !k.Optional {
			return dst
		}
		n *= max(len(values[i]), 1)
		if n > maxJoinKeys {
			n = maxJoinKeys
		}
	}
	// Elasticsearch builds the product key by key: the values of key i
	// vary slowest among the first i+1 keys.
	partial := [][]int{make([]int, len(s.Keys))}
	for i := range s.Keys {
		if len(values[i]) <= 1 {
			continue
		}
		next := make([][]int, 0, len(partial)*len(values[i]))
		for j := range values[i] {
			for _, p := range partial {
				if len(next) == maxJoinKeys {
					break
				}
				q := append([]int(nil), p...)
				q[i] = j
				next = append(next, q)
			}
		}
		partial = next
	}
	for _, p := range partial {
		b = b[:0]
		for i, j := range p {
			if len(values[i]) == 0 {
				b = append(b, 'N')
				continue
			}
			b = appendKeyValue(b, values[i][j])
		}
		dst = append(dst, JoinKey(b))
	}
	return dst
}

// appendKeyValue appends a value to an encoded key: 'S', its length, its
// bytes. A null value is 'N'.
func appendKeyValue(b []byte, s string) []byte {
	b = append(b, 'S')
	b = binary.AppendUvarint(b, uint64(len(s)))
	b = append(b, s...)
	return b
}

// lastKeyValue returns the bytes of the last value appended to b, which
// must end with one.
func lastKeyValue(b []byte) []byte {
	// Walk from the start: values are length-prefixed.
	var last []byte
	for len(b) > 0 {
		if b[0] == 'N' {
			b = b[1:]
			continue
		}
		n, w := binary.Uvarint(b[1:])
		last = b[1+w : 1+w+int(n)]
		b = b[1+w+int(n):]
	}
	return last
}

// keyValues returns the distinct non-null scalar values of a key field as
// text, in the order of the event.
func keyValues(p *event.Path, d *event.Doc) []string {
	var out []string
	p.VisitDoc(d, func(x *fastjson.Value) bool {
		s, ok := event.Text(x)
		if !ok {
			return false
		}
		if x.Type() == fastjson.TypeNumber {
			s = canonicalNumber(s)
		}
		for _, o := range out {
			if o == s {
				return false
			}
		}
		out = append(out, strings.Clone(s))
		return false
	})
	return out
}

// canonicalNumber writes a JSON number the way a numeric field reads it, so
// that 1.0 and 1 are the same key.
func canonicalNumber(s string) string {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return s
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Values decodes the key: one value per key field, nil for null.
func (k JoinKey) Values() []*string {
	var out []*string
	b := []byte(k)
	for len(b) > 0 {
		if b[0] == 'N' {
			out = append(out, nil)
			b = b[1:]
			continue
		}
		n, w := binary.Uvarint(b[1:])
		if w <= 0 || uint64(len(b)-1-w) < n {
			break // cannot happen: JoinKeys wrote it
		}
		s := string(b[1+w : 1+w+int(n)])
		out = append(out, &s)
		b = b[1+w+int(n):]
	}
	return out
}
