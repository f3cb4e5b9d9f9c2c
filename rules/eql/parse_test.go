package eql

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"dredge/rules/ast"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// parseTests are whole queries and their canonical printing.
var parseTests = []struct {
	name, src, want string
}{
	// Event queries and categories.
	{"event", `process where process.name == "cmd.exe"`, `process where process.name == "cmd.exe"`},
	{"any", `any where true`, `any where true`},
	{"quoted category", `"my-category" where true`, `"my-category" where true`},
	{"quoted name category", `"process" where true`, `process where true`},
	{"raw category", `"""a b""" where true`, `"a b" where true`},
	{"empty category", `"" where true`, `"" where true`},
	{"uppercase is a name", `AND where true`, `AND where true`},
	{"keyword category quoted", `"where" where true`, `"where" where true`},

	// Boolean operators.
	{"or of and", `process where a or b and c`, `process where a or (b and c)`},
	{"and of or", `process where (a or b) and c`, `process where (a or b) and c`},
	{"and then or", `process where a and b or c`, `process where (a and b) or c`},
	{"and chain", `process where a and b and c and d`, `process where a and b and c and d`},
	{"or chain right", `process where a or (b or c)`, `process where a or (b or c)`},
	{"not binds tight", `process where not a and b`, `process where not a and b`},
	{"not group", `process where not (a and b)`, `process where not (a and b)`},
	{"not not", `process where not not a`, `process where not (not a)`},
	{"not comparison", `process where not a == 1`, `process where not (a == 1)`},
	{"parens vanish", `process where ((((a))))`, `process where a`},

	// Comparisons.
	{"comparisons", `process where a != 1 and b < 2 and c <= 3 and d > 4 and e >= 5`,
		`process where a != 1 and b < 2 and c <= 3 and d > 4 and e >= 5`},
	{"compare parens", `process where (a or b) == true`, `process where (a or b) == true`},
	{"literals", `process where null == a and false`, `process where null == a and false`},
	{"no spaces", `process where a==1`, `process where a == 1`},

	// Arithmetic and signs.
	{"arith precedence", `process where a + b * c - d / e % f == 1`,
		`process where ((a + (b * c)) - ((d / e) % f)) == 1`},
	{"arith left assoc", `process where a - b - c == 0`, `process where ((a - b) - c) == 0`},
	{"neg field", `process where -a == 1`, `process where (-a) == 1`},
	{"neg times", `process where -a * b == 1`, `process where ((-a) * b) == 1`},
	{"neg group", `process where -(a + b) == 1`, `process where (-(a + b)) == 1`},
	{"neg neg field", `process where - -a == 1`, `process where (-(-a)) == 1`},
	{"neg literal", `process where a == -1`, `process where a == -1`},
	{"neg literal space", `process where a == - 1`, `process where a == -1`},
	{"neg paren literal", `process where a == -(1)`, `process where a == -1`},
	{"neg neg literal", `process where a == --1`, `process where a == 1`},
	{"neg float", `process where a == -1.5`, `process where a == -1.5`},
	{"neg zero float", `process where a == -(0.0)`, `process where a == -0.0`},
	{"min int64", `process where a == -9223372036854775808`, `process where a == -9223372036854775808`},
	{"neg min int64", `process where a == -(-9223372036854775808)`, `process where a == (--9223372036854775808)`},
	{"int overflow is float", `process where a == 9223372036854775808`, `process where a == 9.223372036854776e+18`},
	{"minus minus", `process where a - -1 == 0`, `process where (a - -1) == 0`},
	{"unary plus", `process where a == +1 and +b == -+2`, `process where a == 1 and b == -2`},
	{"floats", `process where a == .5 or a == 1. or a == 1e3 or a == 2.5E-3 or a == 1e21`,
		`process where a == 0.5 or a == 1.0 or a == 1000.0 or a == 0.0025 or a == 1e+21`},
	{"neg number predicate", `process where -5 in (1, 2)`, `process where -5 in (1, 2)`},
	{"neg of predicate", `process where -(5) in (1)`, `process where -(5 in (1))`},
	{"brief arith", `process where length(concat~(a, "b")) > 1 + 2 * -3`,
		`process where length(concat~(a, "b")) > (1 + (2 * -3))`},

	// Pattern matches and lookups.
	{"seq", `process where a : "x*"`, `process where a: "x*"`},
	{"seq list", `process where a : ("x", "y")`, `process where a: ("x", "y")`},
	{"seq paren one", `process where a : ("x")`, `process where a: ("x")`},
	{"like", `process where a like "x?"`, `process where a like "x?"`},
	{"like~ list", `process where a like~ ("x", "y")`, `process where a like~ ("x", "y")`},
	{"regex", `process where a regex """\d+"""`, `process where a regex "\\d+"`},
	{"regex~", `process where a regex~ ("a.*", "b")`, `process where a regex~ ("a.*", "b")`},
	{"pattern constants", `process where a : (1, 2.5, true, null)`, `process where a: (1, 2.5, true, null)`},
	{"in", `process where a in ("x", 1, b, 1 + 2)`, `process where a in ("x", 1, b, 1 + 2)`},
	{"in~", `process where a in~ ("x")`, `process where a in~ ("x")`},
	{"not in", `process where a not in (1)`, `process where not (a in (1))`},
	{"not in~", `process where a not in~ ("x", "y")`, `process where not (a in~ ("x", "y"))`},
	{"not before in", `process where not a in (1)`, `process where not (a in (1))`},
	{"match of call", `process where lower(a) : "x"`, `process where lower(a): "x"`},
	{"match of group", `process where (a + 1) : "x"`, `process where (a + 1): "x"`},
	{"match compared", `process where a : "x" == true`, `process where (a: "x") == true`},
	{"match binds tighter than plus", `process where a + b : "x"`, `process where a + (b: "x")`},

	// Functions.
	{"call no args", `process where f()`, `process where f()`},
	{"call @", `process where @f(x)`, `process where @f(x)`},
	{"call tilde", `process where startsWith~(a, "x", 1)`, `process where startsWith~(a, "x", 1)`},
	{"keyword tilde call", `process where and~(x)`, `process where and~(x)`},
	{"nested calls", `process where f(g(h(a)), -b)`, `process where f(g(h(a)), -b)`},

	// Fields.
	{"special names", "process where @timestamp > 0 and _id == \"x\" and ?user.id != null and `my field`.x == 1",
		"process where @timestamp > 0 and _id == \"x\" and ?user.id != null and `my field`.x == 1"},
	{"backtick doubled", "process where `a``b` == 1", "process where `a``b` == 1"},
	{"backtick keyword", "process where `and`.`in` == 1", "process where `and`.`in` == 1"},
	{"backtick plain", "process where `abc`.`d` == 1", "process where abc.d == 1"},
	{"backtick dotted", "process where `a.b` == 1", "process where `a.b` == 1"},
	{"at inside name", "process where `a@b` == a@b", "process where a@b == a@b"},
	{"spaced dots", `process where a . b == 1`, `process where a.b == 1`},
	{"optional backtick", "process where ?`x y` == 1", "process where ?`x y` == 1"},
	{"contextual words", `process where maxspan == runs`, `process where maxspan == runs`},

	// Strings.
	{"escapes", `process where a == "\"\\\n\r\t\b\f\/\'"`, `process where a == "\"\\\n\r\t\u{8}\u{c}/'"`},
	{"unicode", `process where a == "\u{41}\u{00e9}\u{1F600}\u{0}"`, "process where a == \"A\u00e9\U0001F600\\u{0}\""},
	{"raw", `process where a == """C:\Windows\"x"""`, `process where a == "C:\\Windows\\\"x"`},
	{"raw trailing quotes", `process where a == """a"""""`, `process where a == "a\"\""`},
	{"raw empty", `process where a == """"""`, `process where a == ""`},
	{"raw leading quote", `process where a == """"a"""`, `process where a == "\"a"`},
	{"utf8", `process where a == "日本語" and "é" : "É"`, `process where a == "日本語" and "é": "É"`},

	// Comments and blanks.
	{"comments", "process /* c /* nested */ c */ where // line\n a == 1 // end", `process where a == 1`},
	{"blanks", "process\twhere\r\n\ta\n==\n1", `process where a == 1`},

	// Pipes.
	{"head tail", `process where true | head 5 | tail 2`, `process where true | head 5 | tail 2`},
	{"generic pipes", `process where true | unique a, b | count`, `process where true | unique a, b | count`},
	{"pipe expr", `process where true | filter a == 1 or b`, `process where true | filter a == 1 or b`},

	// Sequences.
	{"sequence", `sequence [a where true] [b where true]`, `sequence [a where true] [b where true]`},
	{"sequence full", `sequence by x, y with maxspan=30s [a where true] by p [b where true] by q until [c where true] by r`,
		`sequence by x, y with maxspan=30s [a where true] by p [b where true] by q until [c where true] by r`},
	{"maxspan bare", `sequence with maxspan=1000 [a where true] [b where true]`,
		`sequence with maxspan=1000 [a where true] [b where true]`},
	{"maxspan spaced", `sequence with maxspan = 5 m [a where true] [b where true]`,
		`sequence with maxspan=5m [a where true] [b where true]`},
	{"runs alone", `sequence [a where true] with runs=3`, `sequence [a where true] with runs=3`},
	{"runs by", `sequence [a where true] by x with runs=2 [b where true] by y`,
		`sequence [a where true] by x with runs=2 [b where true] by y`},
	{"missing middle", `sequence with maxspan=1h [a where true] ![b where true] [c where true]`,
		`sequence with maxspan=1h [a where true] ![b where true] [c where true]`},
	{"missing first", `sequence by k with maxspan=5s ![a where true] [b where true]`,
		`sequence by k with maxspan=5s ![a where true] [b where true]`},
	{"optional key", `sequence by ?process.entity_id [a where true] [b where true]`,
		`sequence by ?process.entity_id [a where true] [b where true]`},
	{"brief sequence", `sequence by host.id with maxspan=1m [process where true] by process.entity_id ![file where file.name == "x"] [network where true] until [process where event.type == "end"] | head 3`,
		`sequence by host.id with maxspan=1m [process where true] by process.entity_id ![file where file.name == "x"] [network where true] until [process where event.type == "end"] | head 3`},
	{"sequence multiline", "sequence by host.id with maxspan=1m\n  [process where true] by process.entity_id\n  [file where true] by process.entity_id\n",
		`sequence by host.id with maxspan=1m [process where true] by process.entity_id [file where true] by process.entity_id`},
	{"quoted step category", `sequence ["a-b" where true] [any where true]`, `sequence ["a-b" where true] [any where true]`},

	// Samples.
	{"sample", `sample by host [any where true] [any where true]`, `sample by host [any where true] [any where true]`},
	{"sample keys", `sample by a [x where true] by b [y where true] by c | head 2`,
		`sample by a [x where true] by b [y where true] by c | head 2`},
	{"sample no keys", `sample [a where true] [b where true]`, `sample [a where true] [b where true]`},
}

func TestParse(t *testing.T) {
	for _, tt := range parseTests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := Parse(tt.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.src, err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
			checkRoundTrip(t, q)
		})
	}
}

// exprTests are bare conditions and their canonical printing.
var exprTests = []struct {
	name, src, want string
}{
	{"field", `a`, `a`},
	{"compare", `a == 1`, `a == 1`},
	{"logic", `not a or b and c`, `not a or (b and c)`},
	{"call", `endsWith~(file.name, ".exe")`, `endsWith~(file.name, ".exe")`},
	{"match", `process.name : ("a", "b")`, `process.name: ("a", "b")`},
	{"arith", `1 + 2 * 3`, `1 + (2 * 3)`},
	{"string", `"x"`, `"x"`},
	{"neg", `-x`, `-x`},
	{"comment only around", `/* a */ a /* b */`, `a`},
}

func TestParseExpr(t *testing.T) {
	for _, tt := range exprTests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := ParseExpr(tt.src)
			if err != nil {
				t.Fatalf("ParseExpr(%q): %v", tt.src, err)
			}
			if got := x.String(); got != tt.want {
				t.Errorf("ParseExpr(%q)\n got %s\nwant %s", tt.src, got, tt.want)
			}
			y, err := ParseExpr(x.String())
			if err != nil {
				t.Fatalf("ParseExpr(%q) of printed tree: %v", x, err)
			}
			if !sameTree(x, y) {
				t.Errorf("%q: tree changed after printing and parsing again", tt.src)
			}
		})
	}
}

// errorTests are invalid queries, the error message, and where it points.
// Rows marked expr go through ParseExpr.
var errorTests = []struct {
	name, src, msg, at string
	expr               bool
}{
	// Structure.
	{"empty", ``, `expected event category, found end of query`, "1:1", false},
	{"only comment", `// nothing`, `expected event category, found end of query`, "1:11", false},
	{"missing where", `process foo`, `expected "where", found "foo"`, "1:9", false},
	{"uppercase where", `process WHERE a`, `expected "where", found "WHERE" (keywords are lowercase: "where")`, "1:9", false},
	{"uppercase and", `process where a AND b`, `expected end of query, found "AND" (keywords are lowercase: "and")`, "1:17", false},
	{"keyword category", `not where true`, `expected event category, found "not"`, "1:1", false},
	{"trailing", `process where a b`, `expected end of query, found "b"`, "1:17", false},
	{"unclosed paren", `process where (a`, `expected ")", found end of query`, "1:17", false},
	{"no condition", `process where`, `expected expression, found end of query`, "1:14", false},
	{"join", `join [a where true] [b where true]`, `"join" is not supported; use "sequence"`, "1:1", false},
	{"relationship", `process where descendant of [process where true]`,
		`process relationships ("descendant of [...]") are not supported`, "1:15", false},
	{"array index", `process where process.args[0] == "x"`, `array indexes are not supported`, "1:27", false},
	{"multiline", "process where\n  a == 1 and\n  b = 2", `"=" is not a comparison; use "==", or ":" to compare strings case-insensitively`, "3:5", false},
	{"rune columns", `process where "é" = 1`, `"=" is not a comparison; use "==", or ":" to compare strings case-insensitively`, "1:19", false},

	// Operators.
	{"single equals", `process where a = 1`, `"=" is not a comparison; use "==", or ":" to compare strings case-insensitively`, "1:17", false},
	{"chained", `process where 1 < a < 2`, `comparisons cannot be chained; join them with "and"`, "1:21", false},
	{"and and", `process where a && b`, `unexpected "&"; use "and"`, "1:17", false},
	{"or or", `process where a || b`, `unexpected "||"; use "or"`, "1:17", false},
	{"bang", `process where !a`, `unexpected "!"; use "not" for negation`, "1:15", false},
	{"tilde", `process where a ~ b`, `unexpected character '~'`, "1:17", false},
	{"hash", `process where a == #`, `unexpected character '#'`, "1:20", false},
	{"not like", `process where a not like "x"`, `expected "in" or "in~" after "not", found "like"`, "1:21", false},
	{"pattern field", `process where a : b`, `expected a constant pattern after ":", found "b"`, "1:19", false},
	{"pattern list field", `process where a like ("x", b)`, `expected a constant pattern after "like", found "b"`, "1:28", false},
	{"pattern negative", `process where a : -1`, `expected a constant pattern after ":", found "-"`, "1:19", false},
	{"in no paren", `process where a in "x"`, `expected "(", found string "x"`, "1:20", false},
	{"in empty", `process where a in ()`, `expected expression, found ")"`, "1:21", false},
	{"in unclosed", `process where a in (1, 2`, `expected ")", found end of query`, "1:25", false},
	{"tilde not call", `process where foo~ == 1`, `expected "(", found "=="`, "1:20", false},
	{"call unclosed", `process where f(a`, `expected ")", found end of query`, "1:18", false},
	{"optional number", `process where ?1 == 1`, `expected field name, found "1"`, "1:16", false},
	{"dot keyword", `process where a.in == 1`, `expected field name, found "in"`, "1:17", false},
	{"dot number", `process where a.1 == 1`, `expected end of query, found ".1"`, "1:16", false},
	{"nested too deeply", "process where " + strings.Repeat("(", 2000) + "a", `expression nested too deeply`, "1:1015", false},
	{"not too deeply", "process where " + strings.Repeat("not ", 2000) + "a", `expression nested too deeply`, "1:4011", false},
	{"minus too deeply", "process where " + strings.Repeat("-", 2000) + "a", `expression nested too deeply`, "1:1014", false},
	{"number too large", `process where a == 1e999`, `number 1e999 is too large`, "1:20", false},

	// Lexical errors.
	{"single quotes", `process where a == 'x'`, `single-quoted strings are not supported in EQL; use double quotes`, "1:20", false},
	{"question raw", `process where a == ?"x"`, `?" raw strings are not supported in EQL; use """...""" for a raw string`, "1:20", false},
	{"question raw single", `process where a == ?'x'`, `?' raw strings are not supported in EQL; use """...""" for a raw string`, "1:20", false},
	{"unterminated string", `process where a == "abc`, `unterminated string`, "1:20", false},
	{"newline in string", "process where a == \"ab\ncd\"", `unterminated string`, "1:20", false},
	{"backslash at end", `process where a == "ab\`, `unterminated string`, "1:20", false},
	{"unterminated raw", `process where a == """abc""`, `unterminated string`, "1:20", false},
	{"newline in raw", "process where a == \"\"\"ab\ncd\"\"\"", `unterminated string`, "1:20", false},
	{"unknown escape", `process where a == "x\q"`, `unknown escape \q`, "1:22", false},
	{"unknown escape rune", `process where a == "x\é"`, `unknown escape \é`, "1:22", false},
	{"unicode no brace", `process where a == "\u0041"`, `malformed unicode escape; use \u{XXXX} with 1 to 8 hex digits`, "1:21", false},
	{"unicode empty", `process where a == "\u{}"`, `malformed unicode escape; use \u{XXXX} with 1 to 8 hex digits`, "1:21", false},
	{"unicode long", `process where a == "\u{123456789}"`, `malformed unicode escape; use \u{XXXX} with 1 to 8 hex digits`, "1:21", false},
	{"unicode not hex", `process where a == "\u{12g}"`, `malformed unicode escape; use \u{XXXX} with 1 to 8 hex digits`, "1:21", false},
	{"unicode unclosed", `process where a == "\u{12`, `malformed unicode escape; use \u{XXXX} with 1 to 8 hex digits`, "1:21", false},
	{"surrogate", `process where a == "\u{D800}"`, `invalid code point \u{D800}`, "1:21", false},
	{"beyond unicode", `process where a == "\u{110000}"`, `invalid code point \u{110000}`, "1:21", false},
	{"unterminated comment", `process where /* x /* y */`, `unterminated comment`, "1:15", false},
	{"unterminated backtick", "process where `abc", `unterminated quoted name`, "1:15", false},
	{"empty backtick", "process where `` == 1", `empty quoted name`, "1:15", false},
	{"invalid utf8", "process where a == \"\xff\"", `invalid UTF-8 encoding`, "1:21", false},
	{"syntax error before lexical", `process where a b "unterminated`, `expected end of query, found "b"`, "1:17", false},

	// Sequences and samples.
	{"by after with", `sequence with maxspan=5m by x [a where true] [b where true]`, `"by" must come before "with maxspan", not after`, "1:26", false},
	{"maxspan unit", `sequence with maxspan=5x [a where true] [b where true]`, `unknown time unit "x" in maxspan; use ms, s, m, h or d`, "1:24", false},
	{"maxspan zero", `sequence with maxspan=0s [a where true] [b where true]`, `maxspan must be positive`, "1:23", false},
	{"maxspan decimal", `sequence with maxspan=1.5s [a where true] [b where true]`, `maxspan must be a whole number`, "1:23", false},
	{"maxspan too large", `sequence with maxspan=9999999999999d [a where true] [b where true]`, `maxspan is too large`, "1:23", false},
	{"maxspan overflow", `sequence with maxspan=99999999999999999999 [a where true] [b where true]`, `maxspan is too large`, "1:23", false},
	{"maxspan missing", `sequence with maxspan=[a where true] [b where true]`, `expected maxspan value, found "["`, "1:23", false},
	{"maxspan negative", `sequence with maxspan=-5s [a where true] [b where true]`, `expected maxspan value, found "-"`, "1:23", false},
	{"with not maxspan", `sequence with runs=3 [a where true] [b where true]`, `expected "maxspan", found "runs"`, "1:15", false},
	{"maxspan double equals", `sequence with maxspan==5s [a where true] [b where true]`, `expected "=", found "=="`, "1:22", false},
	{"runs zero", `sequence [a where true] with runs=0 [b where true]`, `runs must be between 1 and 100`, "1:35", false},
	{"runs too many", `sequence [a where true] with runs=101`, `runs must be between 1 and 100`, "1:35", false},
	{"runs name", `sequence [a where true] with repeat=2 [b where true]`, `expected "runs", found "repeat"`, "1:30", false},
	{"runs value", `sequence [a where true] with runs=x [b where true]`, `expected number of runs, found "x"`, "1:35", false},
	{"one step", `sequence [a where true]`, `a sequence needs at least two steps`, "1:24", false},
	{"one step until", `sequence [a where true] until [b where true]`, `a sequence needs at least two steps`, "1:25", false},
	{"one run", `sequence [a where true] with runs=1`, `a sequence needs at least two steps`, "1:36", false},
	{"no steps", `sequence by x`, `expected "[", found end of query`, "1:14", false},
	{"sequence where", `sequence where true`, `expected "[", found "where"`, "1:10", false},
	{"unclosed step", `sequence [a where true [b where true]`, `expected "]", found "["`, "1:24", false},
	{"until no step", `sequence [a where true] [b where true] until c`, `expected "[", found "c"`, "1:46", false},
	{"missing needs maxspan", `sequence [a where true] ![b where true]`, `a missing-event step needs "with maxspan" on the sequence`, "1:25", false},
	{"all missing", `sequence with maxspan=1s ![a where true] ![b where true]`, `a sequence needs at least one step that is not a missing event`, "1:57", false},
	{"missing until", `sequence with maxspan=1s [a where true] [b where true] until ![c where true]`, `an "until" step cannot be a missing event`, "1:62", false},
	{"space in missing", `sequence with maxspan=1s [a where true] ! [b where true]`, `unexpected "!"; use "not" for negation`, "1:41", false},
	{"earliest error wins", `sequence with maxspan=0s [a where true] [b where`, `maxspan must be positive`, "1:23", false},
	{"sample with", `sample by x with maxspan=1s [a where true] [b where true]`, `samples do not support "with"`, "1:13", false},
	{"sample runs", `sample [a where true] with runs=2 [b where true]`, `samples do not support "with"`, "1:23", false},
	{"sample until", `sample [a where true] [b where true] until [c where true]`, `samples do not support "until"`, "1:38", false},
	{"sample missing", `sample ![a where true] [b where true]`, `samples do not support missing events`, "1:8", false},
	{"sample one step", `sample by x [a where true]`, `a sample needs at least two steps`, "1:27", false},

	// Pipes.
	{"pipe no name", `process where true |`, `expected pipe name, found end of query`, "1:21", false},
	{"pipe keyword", `process where true | where x`, `expected pipe name, found "where"`, "1:22", false},
	{"head no arg", `process where true | head`, `head takes one argument, found 0`, "1:22", false},
	{"head two args", `process where true | head 1, 2`, `head takes one argument, found 2`, "1:22", false},
	{"head negative", `process where true | head -1`, `head takes a non-negative integer, found -1`, "1:27", false},
	{"tail string", `process where true | tail "x"`, `tail takes a non-negative integer, found "x"`, "1:27", false},

	// Bare conditions.
	{"expr empty", ``, `expected expression, found end of query`, "1:1", true},
	{"expr dangling", `a ==`, `expected expression, found end of query`, "1:5", true},
	{"expr trailing", `a == 1 where`, `expected end of query, found "where"`, "1:8", true},
	{"expr pipe", `a == 1 | head 1`, `expected end of query, found "|"`, "1:8", true},
	{"expr bad string", `a == "\x"`, `unknown escape \x`, "1:7", true},
}

func TestErrors(t *testing.T) {
	for _, tt := range errorTests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.expr {
				_, err = ParseExpr(tt.src)
			} else {
				_, err = Parse(tt.src)
			}
			if err == nil {
				t.Fatalf("parsing %q: no error, want %q", tt.src, tt.msg)
			}
			var e *ast.Error
			if !errors.As(err, &e) {
				t.Fatalf("parsing %q: error %T, want *ast.Error", tt.src, err)
			}
			line, col := ast.LineCol(tt.src, e.Pos)
			if at := fmt.Sprintf("%d:%d", line, col); e.Msg != tt.msg || at != tt.at {
				t.Errorf("parsing %q:\n got %s: %s\nwant %s: %s", tt.src, at, e.Msg, tt.at, tt.msg)
			}
		})
	}
}

// TestValues checks what the printed form cannot show: literal values,
// durations, flags.
func TestValues(t *testing.T) {
	x, err := ParseExpr(`f("a\tb\u{1F600}", """raw\n""", 42, -7, 1.5e3, true, null, ?x.y, ` + "`a b`.c" + `)`)
	if err != nil {
		t.Fatal(err)
	}
	args := x.(*ast.Call).Args
	want := []ast.Expr{
		&ast.Literal{Kind: ast.String, Str: "a\tb\U0001F600"},
		&ast.Literal{Kind: ast.String, Str: `raw\n`},
		&ast.Literal{Kind: ast.Int, Int: 42},
		&ast.Literal{Kind: ast.Int, Int: -7},
		&ast.Literal{Kind: ast.Float, Float: 1500},
		&ast.Literal{Kind: ast.Bool, Bool: true},
		&ast.Literal{Kind: ast.Null},
		&ast.Field{Path: []string{"x", "y"}, Optional: true},
		&ast.Field{Path: []string{"a b", "c"}},
	}
	if !sameTree(args, want) {
		t.Errorf("arguments:\n got %#v\nwant %#v", args, want)
	}

	q, err := Parse(`sequence by k with maxspan=90m [a where true] with runs=5 ![b where true] [c where true] until [d where true]`)
	if err != nil {
		t.Fatal(err)
	}
	seq := q.Body.(*ast.Sequence)
	if seq.MaxSpan != 90*time.Minute || seq.MaxSpanText != "90m" {
		t.Errorf("maxspan = %v %q, want 1h30m0s \"90m\"", seq.MaxSpan, seq.MaxSpanText)
	}
	if s := seq.Steps; len(s) != 3 || s[0].Runs != 5 || s[0].Missing || !s[1].Missing || s[1].Runs != 0 || seq.Until == nil {
		t.Errorf("steps = %v, until %v", s, seq.Until)
	}

	for text, want := range map[string]time.Duration{
		"250ms": 250 * time.Millisecond, "1000": time.Second, "30s": 30 * time.Second,
		"5m": 5 * time.Minute, "2h": 2 * time.Hour, "1d": 24 * time.Hour,
	} {
		q, err := Parse("sequence with maxspan=" + text + " [a where true] [b where true]")
		if err != nil {
			t.Fatal(err)
		}
		if got := q.Body.(*ast.Sequence).MaxSpan; got != want {
			t.Errorf("maxspan=%s: %v, want %v", text, got, want)
		}
	}

	x, err = ParseExpr(`a == -9223372036854775808 and b == 99999999999999999999`)
	if err != nil {
		t.Fatal(err)
	}
	l := x.(*ast.Logical)
	if lit := l.X.(*ast.Compare).Y.(*ast.Literal); lit.Kind != ast.Int || lit.Int != math.MinInt64 {
		t.Errorf("min int64 = %#v", lit)
	}
	if lit := l.Y.(*ast.Compare).Y.(*ast.Literal); lit.Kind != ast.Float || lit.Float != 1e20 {
		t.Errorf("large integer = %#v", lit)
	}
}

// TestPositions checks the byte offsets stored in the nodes.
func TestPositions(t *testing.T) {
	src := `process where (a or b) and not c == -1 and ?d.e : "x" and f(g) in (1) and x not in (2)`
	q, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) ast.Pos {
		i := strings.Index(src, s)
		if i < 0 {
			t.Fatalf("%q not in source", s)
		}
		return ast.Pos(i)
	}
	eq := q.Body.(*ast.EventQuery)
	and3 := eq.Where.(*ast.Logical)
	and2 := and3.X.(*ast.Logical)
	and1 := and2.X.(*ast.Logical)
	and0 := and1.X.(*ast.Logical)
	or := and0.X.(*ast.Logical)
	not := and0.Y.(*ast.Not)
	cmp := not.X.(*ast.Compare)
	match := and1.Y.(*ast.Match)
	in := and2.Y.(*ast.In)
	notIn := and3.Y.(*ast.Not)
	for _, c := range []struct {
		name string
		node ast.Node
		want ast.Pos
	}{
		{"event query", eq, 0},
		{"where", and3, at("(a or")},
		{"or", or, at("a or")},
		{"b", or.Y, at("b)")},
		{"not", not, at("not c")},
		{"compare", cmp, at("c ==")},
		{"negative literal", cmp.Y, at("-1")},
		{"match", match, at("?d.e")},
		{"optional field", match.X, at("?d.e")},
		{"pattern", match.Patterns[0], at(`"x"`)},
		{"in", in, at("f(g)")},
		{"call arg", in.X.(*ast.Call).Args[0], at("g)")},
		{"not in", notIn, at("x not")},
		{"in of not in", notIn.X, at("x not")},
	} {
		if got := c.node.Position(); got != c.want {
			t.Errorf("%s: position %d, want %d", c.name, got, c.want)
		}
	}

	q, err = Parse(`sequence with maxspan=1s [a where true] ![b where true] | head 1`)
	if err != nil {
		t.Fatal(err)
	}
	seq := q.Body.(*ast.Sequence)
	if seq.P != 0 || seq.Steps[1].P != 40 || seq.Steps[1].Query.P != 42 || q.Pipes[0].P != 58 {
		t.Errorf("positions: sequence %d, step %d, query %d, pipe %d; want 0 40 42 58",
			seq.P, seq.Steps[1].P, seq.Steps[1].Query.P, q.Pipes[0].P)
	}
}

// TestGolden parses the queries in testdata/*.eql, which include the seed
// rule queries, and compares their printing with the .golden files.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			q, err := Parse(string(src))
			if err != nil {
				e := err.(*ast.Error)
				line, col := ast.LineCol(string(src), e.Pos)
				t.Fatalf("%s:%d:%d: %s\n%s", file, line, col, e.Msg, ast.Caret(string(src), e.Pos))
			}
			checkRoundTrip(t, q)
			got := q.String() + "\n"
			golden := strings.TrimSuffix(file, ".eql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s:\n got %s\nwant %s", file, got, want)
			}
		})
	}
}

// TestPanicFree checks that odd inputs give errors, not panics or internal
// errors.
func TestPanicFree(t *testing.T) {
	for _, src := range []string{
		"[", "]", "![", "|", "sequence", "sample", "sequence by", "sequence with", "sequence with maxspan",
		"sequence with maxspan=", "sequence with maxspan=1", "sequence [", "sequence [a", "sequence [a where",
		"sequence [a where true]", "sequence [a where true] with", "sequence [a where true] with runs",
		"sequence [a where true] with runs=", "sequence [a where true] until", "process where true | head |",
		"process where f(", "process where f(a,", "process where a in", "process where a :", "process where a : (",
		"process where ?", "process where a.", "process where a not", "process where -", "process where not",
		"\"", "`", "/*", "\"\"\"", "process where \"\\u{", "process where \"\\",
	} {
		for _, parse := range []func(string) error{
			func(s string) error { _, err := Parse(s); return err },
			func(s string) error { _, err := ParseExpr(s); return err },
		} {
			err := parse(src)
			if err == nil {
				continue
			}
			var e *ast.Error
			if !errors.As(err, &e) || strings.HasPrefix(e.Msg, "internal error") || e.Pos < 0 || int(e.Pos) > len(src) {
				t.Errorf("%q: bad error %v", src, err)
			}
		}
	}
}

// checkRoundTrip checks that q prints to text that parses to the same tree.
func checkRoundTrip(t *testing.T, q *ast.Query) {
	t.Helper()
	s := q.String()
	q2, err := Parse(s)
	if err != nil {
		t.Fatalf("printed query %q does not parse: %v", s, err)
	}
	if s2 := q2.String(); s2 != s {
		t.Fatalf("printing is not stable:\n first %s\nsecond %s", s, s2)
	}
	if !sameTree(q, q2) {
		t.Fatalf("tree of %q changed after printing and parsing again", s)
	}
}

// sameTree reports whether two trees are equal apart from positions.
func sameTree(a, b any) bool {
	a, b = clearPos(a), clearPos(b)
	return reflect.DeepEqual(a, b)
}

var posType = reflect.TypeFor[ast.Pos]()

// clearPos sets every position in the tree v to 0, in place, and returns v.
func clearPos(v any) any {
	var walk func(reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := range v.NumField() {
				if f := v.Field(i); f.Type() == posType {
					f.SetInt(0)
				} else {
					walk(f)
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(v))
	return v
}
