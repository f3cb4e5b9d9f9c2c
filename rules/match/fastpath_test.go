package match

import (
	"dredge/event"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"dredge/rules/eql"

	"github.com/valyala/fastjson"
)

// The fast nodes (term, range, terms, wildcard, prefix queries) and the
// generic script evaluator must agree wherever Elasticsearch gives both the
// same meaning: a field against constants, with "any value matches" and a
// missing field matching nothing. These conditions are checked both ways on
// generated events. Each has a domain of values: Elasticsearch's term query
// and script differ on purpose where the types differ (a term query "5"
// matches the number 5, a script does not), so strings are compared with
// strings and numbers with numbers.
var fastpathConds = []struct {
	cond    string
	numbers bool // the field holds numbers; otherwise strings
}{
	{`f == "ab"`, false},
	{`f == ""`, false},
	{`f < "b"`, false},
	{`f >= "aé"`, false},
	{`"b" > f`, false},
	{`f in ("a", "bA", "é")`, false},
	{`f in~ ("a", "BA", "É")`, false},
	{`f : "a*"`, false},
	{`f : ("?b", "*é*")`, false},
	{`f like "a*b"`, false},
	{`f like~ "A?"`, false},
	{`f regex "a.*"`, false},
	{`f regex~ "[ab]+"`, false},
	{`f == null`, false},
	{`startsWith(f, "a")`, false},
	{`startsWith~(f, "A")`, false},
	{`endsWith(f, "b")`, false},
	{`endsWith~(f, "É")`, false},
	{`stringContains(f, "ab")`, false},
	{`stringContains~(f, "Bé")`, false},
	{`o.f == "ab"`, false},
	{`o.f : "*b"`, false},
	{`f == 3`, true},
	{`f == 1.5`, true},
	{`f < 2`, true},
	{`f >= -1`, true},
	{`2 <= f`, true},
	{`f in (1, 2.5)`, true},
	{`f == 1 + 2`, true},
	{`f == null`, true},
	{`o.f > 0`, true},
	{`cidrMatch(ip, "10.0.0.0/8", "fe80::/16")`, false},
}

// compileBoth compiles a condition into its fast node and into a script.
func compileBoth(t testing.TB, cond string) (fast, generic node) {
	t.Helper()
	e, err := eql.ParseExpr(cond)
	if err != nil {
		t.Fatalf("parse %q: %v", cond, err)
	}
	c := newCompiler(Options{})
	x, err := c.build(e)
	if err == nil {
		x, err = c.rewrite(x)
	}
	if err == nil {
		fast, err = c.cond(x)
	}
	if err != nil {
		t.Fatalf("compile %q: %v", cond, err)
	}
	if _, ok := fast.(*scriptNode); ok {
		t.Fatalf("%s: no fast node", cond)
	}
	return fast, c.script(x)
}

// eventGen writes random events from a stream of choices.
type eventGen struct {
	next    func(n int) int // a number in [0, n)
	numbers bool
}

var (
	genStrings = []string{"", "a", "b", "ab", "aB", "AB", "ba", "bA", "é", "É", "aé", "abé", "xaby", "a\\b"}
	genNumbers = []string{"0", "1", "2", "3", "-1", "1.5", "2.5", "3.0", "-0.5", "100", "1e0"}
	genIPs     = []string{"10.1.2.3", "192.168.0.1", "fe80::1", "fe81::1", "::ffff:10.0.0.1", "not an ip"}
)

func (g *eventGen) scalar() string {
	switch g.next(8) {
	case 0:
		return "null"
	case 1:
		return strconv.Quote(genIPs[g.next(len(genIPs))])
	}
	if g.numbers {
		return genNumbers[g.next(len(genNumbers))]
	}
	return strconv.Quote(genStrings[g.next(len(genStrings))])
}

func (g *eventGen) value(depth int) string {
	if depth < 2 && g.next(4) == 0 {
		n := g.next(4)
		parts := make([]string, n)
		for i := range parts {
			parts[i] = g.value(depth + 1)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return g.scalar()
}

func (g *eventGen) event() string {
	var fields []string
	if g.next(5) != 0 {
		fields = append(fields, `"f":`+g.value(0))
	}
	switch g.next(4) {
	case 0:
		fields = append(fields, `"o":{"f":`+g.value(0)+`}`)
	case 1:
		fields = append(fields, `"o":[{"f":`+g.value(1)+`},{"f":`+g.value(1)+`}]`)
	case 2:
		fields = append(fields, `"o.f":`+g.value(0))
	}
	if g.next(2) == 0 {
		fields = append(fields, `"ip":`+g.value(0))
	}
	return "{" + strings.Join(fields, ",") + "}"
}

func TestFastPathMatchesScript(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, fc := range fastpathConds {
		fast, generic := compileBoth(t, fc.cond)
		g := &eventGen{next: r.IntN, numbers: fc.numbers}
		for range 3000 {
			doc := g.event()
			v := fastjson.MustParse(doc)
			if a, b := fast.eval(event.NewDoc(v)), generic.eval(&event.Doc{V: v}); a != b {
				t.Errorf("%s on %s: fast node %v, script %v", fc.cond, doc, a, b)
				break
			}
		}
	}
}

// FuzzFastPath drives the event generator with the fuzzer's bytes.
func FuzzFastPath(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Add([]byte("\x01\x00\x03\x02\x00\x00\x01\x04\x02"))
	f.Add([]byte("an event of some length, to go deep into arrays"))
	type pair struct{ fast, generic node }
	var pairs []pair
	for _, fc := range fastpathConds {
		fast, generic := compileBoth(f, fc.cond)
		pairs = append(pairs, pair{fast, generic})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, fc := range fastpathConds {
			pos := 0
			g := &eventGen{numbers: fc.numbers, next: func(n int) int {
				if pos >= len(data) {
					return 0
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
			if a, b := pairs[i].fast.eval(event.NewDoc(v)), pairs[i].generic.eval(&event.Doc{V: v}); a != b {
				t.Errorf("%s on %s: fast node %v, script %v", fc.cond, doc, a, b)
			}
		}
	})
}

// TestFastPathAllocations checks that a field compared with a constant
// costs no allocation on an event it does not match.
func TestFastPathAllocations(t *testing.T) {
	v := fastjson.MustParse(`{"process":{"name":"zsh","pid":7,"args":["a","b"]},"@timestamp":"2017-08-30T20:47:34Z"}`)
	d := event.NewDoc(v) // as a scanner evaluates: one Doc, Reset per event
	for _, cond := range []string{
		`process.name == "bash"`,
		`process.name != "zsh"`,
		`process.pid == 5`,
		`process.pid < 5`,
		`process.name in ("bash", "sh")`,
		`process.args : ("*x*", "c?")`,
		`@timestamp == "2017-08-30T20:47:33Z"`,
		`@timestamp < "2017-08-30T20:47:33Z"`,
		`startsWith(process.name, "ba")`,
		`process.name == null`,
	} {
		q, err := eql.Parse("any where " + cond)
		if err != nil {
			t.Fatal(err)
		}
		p, err := CompileEQL(q, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Match(v) {
			t.Fatalf("%s matches the probe event", cond)
		}
		if n := testing.AllocsPerRun(50, func() { d.Reset(v); p.MatchDoc(d) }); n != 0 {
			t.Errorf("%s: %v allocations per event", cond, n)
		}
	}
}

func ExampleCompileEQL() {
	q, _ := eql.Parse(`process where length(process.args) > 2 and startsWith~(process.name, "PowerShell")`)
	p, _ := CompileEQL(q, Options{})
	for _, doc := range []string{
		`{"event":{"category":"process"},"process":{"name":"powershell.exe","args":["-e","abc"]}}`,
		`{"event":{"category":"process"},"process":{"name":"powershell.exe","args":["-e"]}}`,
	} {
		fmt.Println(p.Match(fastjson.MustParse(doc)))
	}
	// Output:
	// true
	// false
}
