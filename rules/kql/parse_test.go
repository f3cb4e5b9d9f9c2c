package kql

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dredge/rules/ast"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// parseTests map a query to the canonical print of its tree.
var parseTests = []struct {
	name, src, want string
}{
	// Fields and values.
	{"term", `a:b`, `a:b`},
	{"dotted field", `host.os.type:linux`, `host.os.type:linux`},
	{"at field", `@timestamp:x`, `@timestamp:x`},
	{"spaces around colon", "a \t:\n b", `a:b`},
	{"path value", `file.path:/var/run/*`, `file.path:/var/run/*`},
	{"dot slash value", `process.executable:./*`, `process.executable:./*`},
	{"dots in value", `file.name:jem.*.pid`, `file.name:jem.*.pid`},
	{"dashes in value", `process.name:s6-ipcserver-socketbinder`, `process.name:s6-ipcserver-socketbinder`},
	{"other punctuation", `a:x/y.z-w@v#u$t%s^r&q'p?o!n=m[l]k,j;i~h|g`, `a:x/y.z-w@v#u$t%s^r&q'p?o!n=m[l]k,j;i~h|g`},
	{"unicode value", `user.name:Jérôme`, `user.name:Jérôme`},
	{"wildcard field", `process.*:bash`, `process.*:bash`},
	{"star field", `*:bash`, `*:bash`},
	{"quoted field", `"process.name":bash`, `process.name:bash`},
	{"quoted field with space", `"my field":x`, `my\ field:x`},
	{"empty quoted field", `"":x`, `"":x`},
	{"field with space", `my field:x`, `my\ field:x`},
	{"keyword-named field", `event.sequence:1`, `event.sequence:1`},
	{"not as field", `not:x`, `\not:x`},
	{"escaped field", `a\:b:c`, `a\:b:c`},
	{"field backslash star", `a\\*:b`, `a\\*:b`},
	{"field escaped star", `a\*:b`, `a*:b`},
	{"field newline before ot", `a\u000aot:b`, `a\u000aot:b`},
	{"field no-break space", `"a\u00a0b":c`, `a\u00a0b:c`},

	// Free text.
	{"free text", `bash`, `bash`},
	{"free text phrase", `quick brown fox`, `quick\ brown\ fox`},
	{"free text quoted", `"quick brown"`, `"quick brown"`},
	{"free text wildcard", `ba*`, `ba*`},
	{"free text star", `*`, `*`},
	{"free text and", `a and b`, `a and b`},

	// Unquoted values with spaces, as in Kibana.
	{"value with space", `a:b c`, `a:b\ c`},
	{"value with spaces kept", "a:b \t c", `a:b\ \t\ c`},
	{"value trailing space", `a:b   `, `a:b`},
	{"value before or", `a:b c or d:e`, `a:b\ c or d:e`},
	{"trailing or is text", `a:b or`, `a:b\ or`},
	{"trailing and is text", `a:b AND`, `a:b\ AND`},
	{"or word inside", `a:b orc`, `a:b\ orc`},
	{"or as value", `a:or`, `a:\or`},
	{"or as first value", `a:(or or and)`, `a:\or or a:\and`},
	{"not inside word", `a:cannot be`, `a:cannot\ be`},
	{"not without space", `a:not`, `a:\not`},
	{"nothing", `a:nothing`, `a:nothing`},

	// Escapes in unquoted values.
	{"escaped specials", `a:\(\)\:\<\>\"\{\}`, `a:\(\)\:\<\>\"\{\}`},
	{"escaped backslash", `a:C\:\\Windows`, `a:C\:\\Windows`},
	{"escaped star", `a:\*`, `a:\*`},
	{"escaped space", `a:b\ c`, `a:b\ c`},
	{"escaped trailing space", `a:b\ `, `a:b\ `},
	{"escaped whitespace", `a:\t\r\n`, `a:\t\r\n`},
	{"escaped keywords", `a:\and \or \NOT`, `a:and\ or\ NOT`},
	{"escaped not word", `a:\not`, `a:\not`},
	{"escaped keyword prefix", `a:\orange`, `a:orange`},
	{"newline before ot", `a:\u000aot`, `a:\u000aot`},
	{"unicode escape", `a:\u0041\u00e9`, `a:Aé`},
	{"escaped backslash before u", `a:\\u0041`, `a:\\u0041`},
	{"control character", "a:b\x01c", "a:b\x01c"},
	{"invalid utf-8", "a:b\xffc and \"\xfe\"", "a:b\xffc and \"\xfe\""},
	{"unicode escape special", `a:\u0028\u002a`, `a:\(\*`},
	{"surrogate pair", `a:\ud83d\ude00`, "a:\U0001F600"},
	{"lone surrogate", `a:\ud83dx`, "a:\uFFFDx"},
	{"no-break space", "a:b\u00a0c\u00a0", `a:b\u00a0c`},

	// Wildcards.
	{"wildcard", `a:b*`, `a:b*`},
	{"wildcard escaped star", `a:\**`, `a:\**`},
	{"wildcard escaped backslash", `a:\\*`, `a:\\*`},
	{"wildcard other escapes", `a:\(*\ x`, `a:\(*\ x`},
	{"double star", `a:**`, `a:**`},
	{"exists", `a:*`, `a:*`},
	{"exists spaced", `a : * `, `a:*`},
	{"exists in list", `a:(* or b)`, `a:* or a:b`},
	{"star star exists", `*:*`, `*:*`},

	// Quoted values.
	{"quoted", `a:"b c"`, `a:"b c"`},
	{"quoted star", `a:"b*"`, `a:"b*"`},
	{"quoted escapes", `a:"x\"y\\z"`, `a:"x\"y\\z"`},
	{"quoted whitespace escapes", `a:"\t\r\n"`, "a:\"\t\r\n\""},
	{"quoted unicode escape", `a:"\u0041"`, `a:"A"`},
	{"quoted other backslash", `a:"C:\Windows\System32"`, `a:"C:\\Windows\\System32"`},
	{"quoted bad unicode", `a:"\u12"`, `a:"\\u12"`},
	{"quoted keyword", `a:"and"`, `a:"and"`},
	{"quoted newline", "a:\"x\ny\"", "a:\"x\ny\""},
	{"quoted empty", `a:""`, `a:""`},

	// Boolean operators.
	{"and", `a:b and c:d`, `a:b and c:d`},
	{"or", `a:b or c:d`, `a:b or c:d`},
	{"precedence", `a:1 or b:2 and c:3`, `a:1 or (b:2 and c:3)`},
	{"precedence left", `a:1 and b:2 or c:3`, `(a:1 and b:2) or c:3`},
	{"left assoc", `a:1 or b:2 or c:3`, `a:1 or b:2 or c:3`},
	{"parens right", `a:1 or (b:2 or c:3)`, `a:1 or (b:2 or c:3)`},
	{"parens", `(a:1 or b:2) and c:3`, `(a:1 or b:2) and c:3`},
	{"redundant parens", `((a:1))`, `a:1`},
	{"not", `not a:b`, `not (a:b)`},
	{"not binds tight", `not a:b and c:d`, `not (a:b) and c:d`},
	{"not parens", `not (a:b or c:d)`, `not (a:b or c:d)`},
	{"not before paren", `not(a:b)`, `not (a:b)`},
	{"not not", `not not a:b`, `not (not (a:b))`},
	{"keywords any case", `a:1 AND b:2 Or NOT c:3`, `(a:1 and b:2) or not (c:3)`},
	{"newlines", "a:1\nand\nb:2\r\nor\tc:3", `(a:1 and b:2) or c:3`},
	{"no-break spaces", "a:1\u00a0and\u00a0b:2", `a:1 and b:2`},
	{"spaces in parens", `( a:1 )`, `a:1`},

	// Value lists.
	{"list", `a:(b or c)`, `a:b or a:c`},
	{"list single", `a:(b)`, `a:b`},
	{"list precedence", `a:(b or c and d)`, `a:b or (a:c and a:d)`},
	{"list not", `a:(not b)`, `not (a:b)`},
	{"list and not", `a:(b and not c)`, `a:b and not (a:c)`},
	{"list nested parens", `a:((b or c) and d)`, `(a:b or a:c) and a:d`},
	{"list quoted", `a:("b c" or d*)`, `a:"b c" or a:d*`},
	{"list spaced", `a : ( b or c )`, `a:b or a:c`},
	{"list phrase", `a:(b c or d)`, `a:b\ c or a:d`},
	{"list in not", `not a:(b or c)`, `not (a:b or a:c)`},

	// Ranges.
	{"lt", `a < 5`, `a < "5"`},
	{"le", `a<=5`, `a <= "5"`},
	{"gt", `a > 5`, `a > "5"`},
	{"ge", `@timestamp >= "2024-01-01T00:00:00Z"`, `@timestamp >= "2024-01-01T00:00:00Z"`},
	{"range escaped", `a < 2024-01-01T00\:00`, `a < "2024-01-01T00:00"`},
	{"range star", `a < 5*`, `a < "5*"`},
	{"range then and", `a > 1 and a < 9`, `a > "1" and a < "9"`},
	{"range keyword field", `event.sequence > 5`, `event.sequence > "5"`},
	{"range wildcard field", `process.* > 5`, `process.* > "5"`},
	{"range quoted field", `"my field" > 5`, `my\ field > "5"`},
	{"range not field", `\not < 5`, `\not < "5"`},
	{"range quoted value", `a < "x\"y"`, `a < "x\"y"`},

	// Nested.
	{"nested", `a:{ b:c }`, `a:{ b:c }`},
	{"nested compact", `a:{b:c and d < 2}`, `a:{ b:c and d < "2" }`},
	{"nested spaced", `a : { b : c }`, `a:{ b:c }`},
	{"nested in nested", `a:{ b:{ c:d } }`, `a:{ b:{ c:d } }`},
	{"nested and", `a:{ b:c } and d:e`, `a:{ b:c } and d:e`},
	{"not nested", `not a:{ b:c }`, `not (a:{ b:c })`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.src, err)
			}
			if got := x.String(); got != tt.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
			checkRoundTrip(t, tt.src, x)
		})
	}
}

// errorTests map a query to its error, as line:col: message.
var errorTests = []struct {
	name, src, want string
}{
	{"empty", ``, `1:1: empty query`},
	{"blank", " \n ", `2:2: empty query`},
	{"no value", `a:`, `1:3: expected value after ":"`},
	{"no value spaced", `a : `, `1:5: expected value after ":"`},
	{"and as value", `a: and b:c`, `1:9: expected "and", "or" or end of query, found ":"`},
	{"range not field", `not < 5`, `1:5: expected query after "not"`},
	{"no value paren", `(a:)`, `1:4: expected value after ":"`},
	{"not as value", `a:not b`, `1:3: expected value after ":"`},
	{"colon value", `a::b`, `1:3: expected value after ":"`},
	{"empty list", `a:()`, `1:4: expected value after "("`},
	{"list trailing or", `a:(b or )`, `1:9: expected value after "or"`},
	{"list nested query", `a:(b or {c})`, `1:9: expected value after "or"`},
	{"list field", `a:(b:c)`, `1:5: expected "and", "or" or ")", found ":"`},
	{"list unbalanced", `a:(b or c`, `1:3: unbalanced parenthesis`},
	{"unbalanced open", `(a:b or c:d`, `1:1: unbalanced parenthesis`},
	{"unbalanced open inner", "(a:b and\n(c:d)", `1:1: unbalanced parenthesis`},
	{"unbalanced close", `a:b)`, `1:4: unbalanced parenthesis`},
	{"unbalanced close start", `)`, `1:1: unbalanced parenthesis`},
	{"unbalanced brace", `a:{ b:c`, `1:3: unbalanced brace`},
	{"unbalanced close brace", `a:b }`, `1:5: unbalanced brace`},
	{"brace for paren", `(a:b }`, `1:6: expected "and", "or" or ")", found "}"`},
	{"paren for brace", `a:{ b:c )`, `1:9: expected "and", "or" or "}", found ")"`},
	{"empty parens", `()`, `1:2: expected query after "("`},
	{"empty nested", `a:{}`, `1:4: expected query after "{"`},
	{"missing and", `a:b c:d`, `1:6: expected "and", "or" or end of query, found ":"`},
	{"missing and quoted", `a:"b" c:d`, `1:7: expected "and", "or" or end of query, found "c"`},
	{"and without space", `(a:b)and (c:d)`, `1:6: expected "and", "or" or end of query, found "and"`},
	{"value then not", `a:b not c:d`, `1:5: expected "and", "or" or end of query, found "not"`},
	{"dangling and", `a:b and `, `1:9: expected query after "and"`},
	{"dangling or", "a:b or\n", `2:1: expected query after "or"`},
	{"dangling not", `not `, `1:5: expected query after "not"`},
	{"not value", `not )`, `1:5: expected query after "not"`},
	{"and at start is text", `and a`, ``},
	{"start colon", `:a`, `1:1: expected query, found ":"`},
	{"range no value", `a <`, `1:4: expected value after "<"`},
	{"range paren", `a >= (1)`, `1:6: expected value after ">="`},
	{"range star only", `a < *`, ``},
	{"unterminated", `a:"b`, `1:3: unterminated quoted string`},
	{"unterminated escaped quote", `a:"b\"`, `1:3: unterminated quoted string`},
	{"unterminated line 2", "a:b or\n  c:\"x", `2:5: unterminated quoted string`},
	{"bad escape", `a:b\w`, `1:4: invalid escape sequence "\w"`},
	{"bad escape unicode char", `a:\é`, `1:3: invalid escape sequence "\é"`},
	{"bad escape control", "a:\\\x01", `1:3: invalid escape sequence: "\" before U+0001`},
	{"bad escape tab", "a:\\\t", `1:3: invalid escape sequence: "\" before U+0009`},
	{"bad unicode escape", `a:\u12x`, `1:3: invalid escape sequence "\u": want 4 hex digits`},
	{"trailing backslash", `a:b\`, `1:4: unterminated escape sequence`},
	{"windows path unquoted", `a:C:\Windows`, `1:4: expected "and", "or" or end of query, found ":"`},
	{"column counts runes", `é:ü "x`, `1:5: unterminated quoted string`},
	{"too deep", strings.Repeat("(", maxDepth+1) + "a" + strings.Repeat(")", maxDepth+1), fmt.Sprintf("1:%d: query nested too deeply", maxDepth+1)},
	{"too many nots", strings.Repeat("not ", maxDepth+1) + "a", fmt.Sprintf("1:%d: query nested too deeply", 4*maxDepth+1)},
}

func TestParseErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := Parse(tt.src)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Parse(%q): %v", tt.src, err)
				}
				checkRoundTrip(t, tt.src, x)
				return
			}
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error %s", tt.src, x, tt.want)
			}
			e, ok := err.(*ast.Error)
			if !ok {
				t.Fatalf("Parse(%q): error %T, want *ast.Error", tt.src, err)
			}
			line, col := ast.LineCol(tt.src, e.Pos)
			if got := fmt.Sprintf("%d:%d: %s", line, col, e.Msg); got != tt.want {
				t.Errorf("Parse(%q)\n got error %s\nwant error %s", tt.src, got, tt.want)
			}
		})
	}
}

// TestSeed parses the built-in rule's query and compares its tree with
// the golden print in testdata.
func TestSeed(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "seed.kql"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := Parse(string(src))
	if err != nil {
		e := err.(*ast.Error)
		t.Fatalf("%v\n%s", err, ast.Caret(string(src), e.Pos))
	}
	got := x.String() + "\n"
	golden := filepath.Join("testdata", "seed.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("seed query\n got %s\nwant %s", got, want)
	}
	checkRoundTrip(t, string(src), x)

	// The top is a chain of six "and"s, the last a "not" of four lists.
	var conj []ast.Expr
	for e := x; ; {
		l, ok := e.(*ast.Logical)
		if !ok || l.Op != ast.And {
			conj = append([]ast.Expr{e}, conj...)
			break
		}
		conj = append([]ast.Expr{l.Y}, conj...)
		e = l.X
	}
	if len(conj) != 7 {
		t.Fatalf("got %d conjuncts, want 7", len(conj))
	}
	first := conj[0].(*ast.Term)
	if first.Field.Name() != "host.os.type" || first.Value != "linux" || first.P != 0 {
		t.Errorf("first conjunct %#v", first)
	}
	not, ok := conj[6].(*ast.Not)
	if !ok {
		t.Fatalf("last conjunct is %T, want *ast.Not", conj[6])
	}
	if pos := strings.Index(string(src), "and not (") + 4; not.P != ast.Pos(pos) {
		t.Errorf("not at %d, want %d", not.P, pos)
	}
}

// TestPositions checks the offsets the nodes carry.
func TestPositions(t *testing.T) {
	src := `a:(b or not c) and d : * and e < 1 and f:{ g:"h" }`
	x, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var walk func(e ast.Expr)
	walk = func(e ast.Expr) {
		got = append(got, fmt.Sprintf("%T@%d", e, e.Position()))
		switch n := e.(type) {
		case *ast.Logical:
			walk(n.X)
			walk(n.Y)
		case *ast.Not:
			walk(n.X)
		case *ast.Nested:
			walk(n.Field)
			walk(n.X)
		case *ast.Compare:
			walk(n.X)
			walk(n.Y)
		case *ast.Term:
			walk(n.Field)
		case *ast.Exists:
			walk(n.Field)
		}
	}
	walk(x)
	want := "*ast.Logical@0 *ast.Logical@0 *ast.Logical@0 *ast.Logical@0 *ast.Term@3 *ast.Field@0 " +
		"*ast.Not@8 *ast.Term@12 *ast.Field@0 *ast.Exists@19 *ast.Field@19 " +
		"*ast.Compare@29 *ast.Field@29 *ast.Literal@33 " +
		"*ast.Nested@39 *ast.Field@39 *ast.Term@43 *ast.Field@43"
	if s := strings.Join(got, " "); s != want {
		t.Errorf("positions\n got %s\nwant %s", s, want)
	}
}

// checkRoundTrip checks that the print of x parses to a tree that prints
// the same.
func checkRoundTrip(t *testing.T, src string, x ast.Expr) {
	t.Helper()
	s := x.String()
	y, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q) printed %q, which does not parse: %v", src, s, err)
	}
	if s2 := y.String(); s2 != s {
		t.Fatalf("Parse(%q) printed %q, which reprints as %q", src, s, s2)
	}
}

func BenchmarkParseSeed(b *testing.B) {
	src, err := os.ReadFile(filepath.Join("testdata", "seed.kql"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(string(src)); err != nil {
			b.Fatal(err)
		}
	}
}
