package match

import (
	"dredge/event"
	"math/rand/v2"
	"strings"
	"testing"

	"dredge/rules/ast"
	"dredge/rules/kql"

	"github.com/valyala/fastjson"
)

// A condition on a named field is compiled into nodes that look the field
// up by its path (the fast path: term, terms, wildcard nodes and the typed
// value nodes); the same condition on a wildcard field name is a walk over
// every field of the event that tests each field found by its type. Given
// the exact name as the pattern, the walk is a simple reference for the
// fast path: both must agree on every event, whatever its layout.
var kqlFastpathConds = []string{
	`process.name:bash`,
	`process.name:*sh`,
	`process.name:"sh -c id"`,
	`process.name.text:bash`,
	`process.command_line:*-enc*`,
	`process.command_line.text:enc`,
	`process.command_line.text:"sh -c"`,
	`message:segfault`,
	`message:"command not found"`,
	`message:seg* not*`,
	`message > "s"`,
	`source.ip:10.0.0.0/8`,
	`source.ip:"::1"`,
	`source.ip >= 10.0.0.0`,
	`destination.port:22`,
	`destination.port > 100`,
	`@timestamp:"2024-05-01"`,
	`@timestamp < "2024-05-01T10:00:00.001"`,
	`process.interactive:true`,
	`process.interactive >= false`,
	`labels.x:22`,
	`labels.x > 5`,
	`labels.x < "b"`,
	`process.name:*`,
	`source.ip:*`,
	`message:*`,
	`process.command_line.text:*`,
}

// compileKQLBoth compiles a KQL condition on one field by its path and as
// a walk over the fields.
func compileKQLBoth(t testing.TB, cond string) (fast, walk node) {
	t.Helper()
	e, err := kql.Parse(cond)
	if err != nil {
		t.Fatalf("parse %q: %v", cond, err)
	}
	c := newCompiler(Options{})
	if fast, err = c.kql(e, nil); err != nil {
		t.Fatalf("compile %q: %v", cond, err)
	}
	var f *ast.Field
	var test func(fieldKind) (valueTest, error)
	switch e := e.(type) {
	case *ast.Term:
		f, test = e.Field, func(k fieldKind) (valueTest, error) { return c.termTest(k, false, e) }
	case *ast.Exists:
		f, test = e.Field, func(fieldKind) (valueTest, error) { return presentTest{}, nil }
	case *ast.Compare:
		op := map[ast.CmpOp]cmpOp{ast.Lt: opLt, ast.Le: opLe, ast.Gt: opGt, ast.Ge: opGe}[e.Op]
		f = e.X.(*ast.Field)
		test = func(k fieldKind) (valueTest, error) { return c.rangeTest(k, op, e.Y.(*ast.Literal).Str) }
	default:
		t.Fatalf("%s: not a condition on one field", cond)
	}
	if walk, err = c.kqlFields(nil, f.Path, test); err != nil {
		t.Fatalf("compile %q as a walk: %v", cond, err)
	}
	if _, ok := walk.(*fieldsNode); !ok {
		t.Fatalf("%s: no walk", cond)
	}
	return fast, walk
}

// kqlEventGen writes random events with ECS fields of every type, in the
// layouts exports use: nested objects, dotted keys, arrays of values and of
// objects.
type kqlEventGen struct {
	next func(n int) int // a number in [0, n)
}

var (
	kqlGenFields = []string{"process.name", "process.command_line", "message", "source.ip",
		"destination.port", "@timestamp", "process.interactive", "labels.x"}
	kqlGenValues = []string{`"bash"`, `"Bash"`, `"sh -c id"`, `"powershell.exe -enc x"`, `"10.1.2.3"`,
		`"::1"`, `"fe80::1"`, `22`, `"22"`, `22.0`, `3389`, `true`, `false`, `"true"`, `null`,
		`"2024-05-01T10:00:00Z"`, `1714557600000`, `"Segfault at 0"`, `"bash: command not found"`,
		`""`, `"a"`, `"z"`, `"nothing"`, `4`}
)

func (g *kqlEventGen) value(depth int) string {
	if depth < 2 && g.next(4) == 0 {
		parts := make([]string, g.next(3))
		for i := range parts {
			parts[i] = g.value(depth + 1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return kqlGenValues[g.next(len(kqlGenValues))]
}

// field writes the field name = value in one of the layouts. used holds
// the keys written at this level: an object key is written once, as
// Elasticsearch refuses duplicate keys.
func (g *kqlEventGen) field(name string, used map[string]bool) string {
	head, tail, dotted := strings.Cut(name, ".")
	n := g.next(4)
	if used[head] || used[name] {
		n = 0
	}
	used[head], used[name] = true, true
	switch {
	case !dotted || n == 0:
		return `"` + name + `":` + g.value(0)
	case n == 1:
		return `"` + head + `":{"` + tail + `":` + g.value(0) + `}`
	case n == 2:
		return `"` + head + `":[{"` + tail + `":` + g.value(1) + `},{"` + tail + `":` + g.value(1) + `}]`
	default:
		return `"` + head + `":{` + g.field(tail, map[string]bool{}) + `}`
	}
}

func (g *kqlEventGen) event() string {
	var fields []string
	used := map[string]bool{}
	for _, f := range kqlGenFields {
		if g.next(3) == 0 {
			fields = append(fields, g.field(f, used))
		}
	}
	return "{" + strings.Join(fields, ",") + "}"
}

func TestKQLFastPathMatchesWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := &kqlEventGen{next: r.IntN}
	for _, cond := range kqlFastpathConds {
		fast, walk := compileKQLBoth(t, cond)
		matched := 0
		for range 3000 {
			doc := g.event()
			v := fastjson.MustParse(doc)
			a, b := fast.eval(event.NewDoc(v)), walk.eval(&event.Doc{V: v})
			if a != b {
				t.Errorf("%s on %s: by path %v, by walk %v", cond, doc, a, b)
				break
			}
			if a {
				matched++
			}
		}
		if matched == 0 {
			t.Errorf("%s matched no generated event", cond)
		}
	}
}

// FuzzKQLFastPath drives the event generator with the fuzzer's bytes.
func FuzzKQLFastPath(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte("\x00\x01\x00\x03\x00\x00\x02\x04\x00\x11\x00\x12"))
	f.Add([]byte("an event of some length, to go deep into arrays and layouts"))
	type pair struct{ fast, walk node }
	var pairs []pair
	for _, cond := range kqlFastpathConds {
		fast, walk := compileKQLBoth(f, cond)
		pairs = append(pairs, pair{fast, walk})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pos := 0
		g := &kqlEventGen{next: func(n int) int {
			if pos >= len(data) {
				return 1 % n
			}
			b := int(data[pos])
			pos++
			return b % n
		}}
		doc := g.event()
		v, err := fastjson.Parse(doc)
		if err != nil {
			t.Fatalf("generated %s: %v", doc, err)
		}
		for i, p := range pairs {
			if a, b := p.fast.eval(event.NewDoc(v)), p.walk.eval(&event.Doc{V: v}); a != b {
				t.Errorf("%s on %s: by path %v, by walk %v", kqlFastpathConds[i], doc, a, b)
			}
		}
	})
}

// TestKQLAllocations checks that KQL conditions cost no allocation on an
// event they do not match. (A keyword range on a field holding a JSON
// number reads the number's text, which allocates.)
func TestKQLAllocations(t *testing.T) {
	v := fastjson.MustParse(`{"@timestamp":"2024-05-01T10:00:00.000Z","event":{"category":["process"],"code":4688},` +
		`"process":{"name":"zsh","pid":7,"args":["zsh","-c","id"],"command_line":"zsh -c id","parent":{"name":"sshd"}},` +
		`"source":{"ip":"10.6.48.157","port":52000},"message":"Process zsh started by sshd for user root",` +
		`"user":{"name":"root","id":0}}`)
	d := event.NewDoc(v) // as a scanner evaluates: one Doc, Reset per event
	for _, q := range []string{
		`process.name:bash`,
		`process.name:(bash or sh or dash or ksh or csh or tcsh or fish or ash or busybox or python)`,
		`process.args:(*-enc* or *curl*)`,
		`process.command_line:*wget*`,
		`not process.parent.name:sshd`,
		`process.pid:5`,
		`source.port > 60000`,
		`source.ip:(192.168.0.0/16 or "::1")`,
		`source.ip >= 11.0.0.0`,
		`@timestamp < "2024-04-01"`,
		`event.code:4624`,
		`message:(segfault or panic or oops or killed or denied or refused or failed or error or warning or fatal)`,
		`message:"started by root"`,
		`message:seg* *fault`,
		`process.command_line.text:wget`,
		`user.name > "s"`,
		`user.id:1`,
		`process.interactive:true`,
		`process.hash.*:*`,
		`process.*:bash`,
		`bash`,
		`"reverse shell"`,
		`process:{ pid:5 }`,
		`process.code_signature:*`,
	} {
		p := compileKQL(t, q, Options{})
		if p.Match(v) {
			t.Fatalf("%s matches the probe event", q)
		}
		if n := testing.AllocsPerRun(50, func() { d.Reset(v); p.MatchDoc(d) }); n != 0 {
			t.Errorf("%s: %v allocations per event", q, n)
		}
	}
}
