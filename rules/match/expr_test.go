package match

import (
	"testing"

	"dredge/rules/eql"

	"github.com/valyala/fastjson"
)

// evalValue computes an EQL expression on an event the way a script does,
// each field taking its first value (or null), without folding constants,
// and prints the result as a constant: "x", 3, 1.5, true, null, or
// error(message) where Elasticsearch would fail.
func evalValue(t *testing.T, src, doc string) string {
	t.Helper()
	e, err := eql.ParseExpr(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	c := newCompiler(Options{})
	x, err := c.build(e)
	if err != nil {
		t.Fatalf("build %q: %v", src, err)
	}
	s := &slotAlloc{c: c}
	xe := compileExpr(x, s)
	v := fastjson.MustParse(doc)
	slots := make([]value, len(s.paths))
	for i, p := range s.paths {
		p.Visit(v, func(x *fastjson.Value) bool {
			val, ok := load(x)
			if ok {
				slots[i] = val
			}
			return ok
		})
	}
	return xe.eval(slots).String()
}

// TestEQLFunctionValues pins what each function and operator returns,
// nulls and Elasticsearch's errors included.
func TestEQLFunctionValues(t *testing.T) {
	tests := []struct{ name, expr, event, want string }{
		// add, subtract, multiply, divide, modulo and the operators
		{"add ints", `add(4, 5)`, `{}`, `9`},
		{"add int float", `add(4, 0.5)`, `{}`, `4.5`},
		{"add null", `add(null, 4)`, `{}`, `null`},
		{"add missing field", `add(n, 4)`, `{}`, `null`},
		{"add field", `add(n, 4)`, `{"n":4}`, `8`},
		{"add field float", `add(n, 4)`, `{"n":4.5}`, `8.5`},
		{"add numeric string field", `add(n, 4)`, `{"n":"4"}`, `8`},
		{"add text field", `add(n, 4)`, `{"n":"four"}`, `error(a number is required; received "four")`},
		{"subtract negative", `subtract(n, -5)`, `{"n":1}`, `6`},
		{"multiply", `multiply(6, n)`, `{"n":5}`, `30`},
		{"divide whole", `divide(30, 4)`, `{}`, `7`},
		{"divide float", `divide(30, 4.0)`, `{}`, `7.5`},
		{"divide truncates toward zero", `-7 / 2`, `{}`, `-3`},
		{"divide by zero", `n / 0`, `{"n":5}`, `null`},
		{"divide float by zero", `n / 0`, `{"n":5.0}`, `Infinity`},
		{"divide long by long", `n / 2`, `{"n":83}`, `41`},
		{"modulo", `modulo(11, 10)`, `{}`, `1`},
		{"modulo sign of dividend", `-7 % 3`, `{}`, `-1`},
		{"modulo by zero", `7 % 0`, `{}`, `null`},
		{"modulo float", `7.5 % 2`, `{}`, `1.5`},
		{"integer overflow", `2147483647 + 1`, `{}`, `error(integer overflow)`},
		{"long arithmetic", `2147483647 + n`, `{"n":1}`, `2147483648`},
		{"long overflow", `n * 2`, `{"n":9223372036854775807}`, `error(long overflow)`},
		{"precedence", `n + (1 + 3) * 2 / (3 - 1) * 2`, `{"n":46}`, `54`},
		{"negate", `-n + 100`, `{"n":82}`, `18`},
		{"negate null", `-n`, `{}`, `null`},
		{"big json number is a double", `n + 0`, `{"n":18446744073709551616}`, `1.8446744073709552E19`},

		// between
		{"between", `between(p, "System32\\", ".exe")`, `{"p":"C:\\Windows\\System32\\cmd.exe"}`, `"cmd"`},
		{"between case-sensitive", `between(p, "system32\\", ".exe")`, `{"p":"C:\\Windows\\System32\\cmd.exe"}`, `""`},
		{"between~", `between~(p, "system32\\", ".exe")`, `{"p":"C:\\Windows\\System32\\cmd.exe"}`, `"cmd"`},
		{"between not greedy", `between(p, "\\", "\\")`, `{"p":"C:\\Windows\\System32\\cmd.exe"}`, `"Windows"`},
		{"between greedy", `between(p, "\\", "\\", true)`, `{"p":"C:\\Windows\\System32\\cmd.exe"}`, `"Windows\\System32"`},
		{"between greedy right before left", `between("ba", "a", "b", true)`, `{}`, `error(begin/end out of range in between("ba"))`},
		{"between left missing", `between("abc", "x", "c")`, `{}`, `""`},
		{"between empty left", `between("abc", "", "c")`, `{}`, `"abc"`},
		{"between null source", `between(p, "a", "b")`, `{}`, `null`},
		{"between null left", `between("abc", null, "b")`, `{}`, `error(a string/char is required; received [null])`},
		{"between utf16", `between("a😀b😀c", "😀", "c")`, `{}`, `"b😀"`},

		// cidrMatch
		{"cidrMatch", `cidrMatch(ip, "10.0.0.0/8")`, `{"ip":"10.6.48.157"}`, `true`},
		{"cidrMatch no", `cidrMatch(ip, "192.168.0.0/16")`, `{"ip":"10.6.48.157"}`, `false`},
		{"cidrMatch several", `cidrMatch(ip, "192.168.0.0/16", "10.6.48.157/8")`, `{"ip":"10.6.48.157"}`, `true`},
		{"cidrMatch address", `cidrMatch(ip, "10.6.48.157")`, `{"ip":"10.6.48.157"}`, `true`},
		{"cidrMatch all", `cidrMatch(ip, "0.0.0.0/0")`, `{"ip":"10.6.48.157"}`, `true`},
		{"cidrMatch ipv6", `cidrMatch(ip, "fe80::/10")`, `{"ip":"fe80::1"}`, `true`},
		{"cidrMatch v4 in v6 block", `cidrMatch(ip, "::ffff:0:0/96")`, `{"ip":"10.0.0.1"}`, `true`},
		{"cidrMatch null block skipped", `cidrMatch(ip, null, "10.0.0.0/8")`, `{"ip":"10.0.0.1"}`, `true`},
		{"cidrMatch null", `cidrMatch(ip, "10.0.0.0/8")`, `{}`, `null`},
		{"cidrMatch bad address", `cidrMatch(ip, "10.0.0.0/8")`, `{"ip":"nope"}`, `error('nope' is not an IP string literal.)`},

		// concat
		{"concat", `concat(n, ":", p, o)`, `{"n":5,"p":"wininit.exe","o":3}`, `"5:wininit.exe3"`},
		{"concat types", `concat("a", 1, true, 1.5, 1e7)`, `{}`, `"a1true1.51.0E7"`},
		{"concat one", `concat(n)`, `{"n":1}`, `"1"`},
		{"concat null", `concat("a", null)`, `{}`, `null`},
		{"concat missing", `concat(p, q)`, `{"p":"a"}`, `null`},

		// endsWith, startsWith, stringContains
		{"endsWith", `endsWith(f, "lorer.exe")`, `{"f":"explorer.exe"}`, `true`},
		{"endsWith case", `endsWith(f, "loREr.exe")`, `{"f":"explorer.exe"}`, `false`},
		{"endsWith~", `endsWith~(f, "loREr.exe")`, `{"f":"explorer.exe"}`, `true`},
		{"endsWith null", `endsWith(f, "x")`, `{}`, `null`},
		{"endsWith null pattern", `endsWith("x", null)`, `{}`, `null`},
		{"startsWith", `startsWith(f, "explorer.")`, `{"f":"explorer.exe"}`, `true`},
		{"startsWith~", `startsWith~(f, "EXPLORER.")`, `{"f":"explorer.exe"}`, `true`},
		{"startsWith empty", `startsWith(f, "")`, `{"f":"x"}`, `true`},
		{"startsWith constant source", `startsWith("explorer.exeaaaa", f)`, `{"f":"explorer.exe"}`, `true`},
		{"stringContains", `stringContains("ABCexplorer.exeJKL", f)`, `{"f":"explorer.exe"}`, `true`},
		{"stringContains case", `stringContains("ABCexplorer.exeJKL", f)`, `{"f":"EXPLORER.EXE"}`, `false`},
		{"stringContains~", `stringContains~("ABCexplorer.exeJKL", f)`, `{"f":"EXPLORER.EXE"}`, `true`},
		{"stringContains empty", `stringContains("abc", "")`, `{}`, `false`},
		{"stringContains null", `stringContains(f, "a")`, `{}`, `null`},
		{"stringContains null substring", `stringContains("abc", f)`, `{}`, `error(a string/char is required; received [null])`},

		// indexOf
		{"indexOf", `indexOf(f, "plore")`, `{"f":"explorer.exe"}`, `2`},
		{"indexOf start", `indexOf(f, "e", 1)`, `{"f":"explorer.exe"}`, `6`},
		{"indexOf start at", `indexOf(f, "plorer.", 2)`, `{"f":"explorer.exe"}`, `2`},
		{"indexOf start past", `indexOf(f, "plorer.", 4)`, `{"f":"explorer.exe"}`, `null`},
		{"indexOf negative start", `indexOf(f, "x", -5)`, `{"f":"explorer.exe"}`, `1`},
		{"indexOf start beyond", `indexOf(f, "plore", 100)`, `{"f":"explorer.exe"}`, `null`},
		{"indexOf empty beyond", `indexOf("abc", "", 10)`, `{}`, `3`},
		{"indexOf case", `indexOf(f, "PLORE")`, `{"f":"explorer.exe"}`, `null`},
		{"indexOf~", `indexOf~(f, "PLORE")`, `{"f":"explorer.exe"}`, `2`},
		{"indexOf null start", `indexOf("foobarbaz", "o", null)`, `{}`, `1`},
		{"indexOf null", `indexOf(f, "x")`, `{}`, `null`},
		{"indexOf utf16", `indexOf("😀x", "x")`, `{}`, `2`},

		// length
		{"length", `length(f)`, `{"f":"explorer.exe"}`, `12`},
		{"length empty", `length("")`, `{}`, `0`},
		{"length null", `length(null)`, `{}`, `null`},
		{"length missing", `length(f)`, `{}`, `null`},
		{"length utf16", `length("é😀")`, `{}`, `3`},
		{"length of a number field", `length(f)`, `{"f":12345}`, `5`},

		// number
		{"number", `number("5")`, `{}`, `5`},
		{"number float", `number("1.5")`, `{}`, `1.5`},
		{"number exponent", `number("1e3")`, `{}`, `1000.0`},
		{"number hex prefix", `number("0x1F")`, `{}`, `31`},
		{"number hex base", `number("0x1F", 16)`, `{}`, `31`},
		{"number base 16", `number("32", 16)`, `{}`, `50`},
		{"number base 13", `number("31", 13)`, `{}`, `40`},
		{"number null base", `number("17", null)`, `{}`, `17`},
		{"number big", `number("9223372036854775808")`, `{}`, `9.223372036854776E18`},
		{"number null", `number(null)`, `{}`, `null`},
		{"number bad", `number("foo")`, `{}`, `error(unable to convert [foo] to number of base [10])`},
		{"number hex in base 10", `number("0x1F", 10)`, `{}`, `error(unable to convert [0x1F] to number of base [10])`},
		{"number negative hex", `number("-0x1", 16)`, `{}`, `error(unable to convert [-0x1] to number of base [16])`},
		{"number float in base 16", `number("1.5", 16)`, `{}`, `error(unable to convert [1.5] to number of base [16])`},
		{"number java suffix", `number("2.5d")`, `{}`, `2.5`},
		{"number go-only syntax", `number("inf")`, `{}`, `error(unable to convert [inf] to number of base [10])`},

		// string
		{"string long", `string(n)`, `{"n":17}`, `"17"`},
		{"string double", `string(1.0)`, `{}`, `"1.0"`},
		{"string big double", `string(1.0e20)`, `{}`, `"1.0E20"`},
		{"string small double", `string(0.0001)`, `{}`, `"1.0E-4"`},
		{"string bool", `string(true)`, `{}`, `"true"`},
		{"string null", `string(null)`, `{}`, `null`},
		{"string of a comparison", `string(n == 1)`, `{"n":1}`, `"true"`},

		// substring
		{"substring", `substring(f, 1, 3)`, `{"f":"explorer.exe"}`, `"xp"`},
		{"substring to end", `substring(f, 5)`, `{"f":"hello world"}`, `" world"`},
		{"substring negative", `substring(f, -4)`, `{"f":"explorer.exe"}`, `".exe"`},
		{"substring negative both", `substring(f, -4, -1)`, `{"f":"explorer.exe"}`, `".ex"`},
		{"substring crossed", `substring("hello", 3, 1)`, `{}`, `""`},
		{"substring beyond", `substring("hello", 2, 100)`, `{}`, `"llo"`},
		{"substring before start", `substring("hello", -100, 2)`, `{}`, `"he"`},
		{"substring null start", `substring("hello world", null, 5)`, `{}`, `"hello world"`},
		{"substring null end", `substring("hello world", 6, null)`, `{}`, `"world"`},
		{"substring null", `substring(f, 1)`, `{}`, `null`},
		{"substring utf16", `substring("a😀b", 1, 3)`, `{}`, `"😀"`},

		// comparisons, as scripts compare
		{"eq numbers", `1 == 1.0`, `{}`, `true`},
		{"eq string number", `"1" == 1`, `{}`, `null`},
		{"eq null", `n == 1`, `{}`, `null`},
		{"ne null", `n != 1`, `{}`, `null`},
		{"lt strings", `"a" < "b"`, `{}`, `true`},
		{"lt case", `"B" < "a"`, `{}`, `true`},
		{"eq bools", `true == (1 < 2)`, `{}`, `true`},
		{"utf16 order", `"\u{FFFF}" < "😀"`, `{}`, `false`},

		// three-valued logic
		{"and null false", `n == 1 and false`, `{}`, `false`},
		{"and null true", `n == 1 and true`, `{}`, `null`},
		{"or null true", `n == 1 or true`, `{}`, `true`},
		{"or null false", `n == 1 or false`, `{}`, `null`},
		{"not null", `not (n == 1)`, `{}`, `null`},

		// in, :, like, regex over computed values
		{"in", `length(f) in (1, 12)`, `{"f":"explorer.exe"}`, `true`},
		{"in null element", `length(f) in (null, 1)`, `{"f":"explorer.exe"}`, `null`},
		{"in~", `string(f) in~ ("EXPLORER.exe")`, `{"f":"explorer.exe"}`, `true`},
		{"in~ no wildcard", `string(f) in~ ("exp*")`, `{"f":"explorer.exe"}`, `false`},
		{"seq wildcard", `string(n) : "1*"`, `{"n":17}`, `true`},
		{"seq case", `concat(f) : "EXPLORER.EXE"`, `{"f":"explorer.exe"}`, `true`},
		{"like", `string(n) like "1?"`, `{"n":17}`, `true`},
		{"like case", `concat(f) like "EXPLORER.EXE"`, `{"f":"explorer.exe"}`, `false`},
		{"regex java", `substring(f, 1) regex ".*plorer\\.exe"`, `{"f":"explorer.exe"}`, `true`},
		{"match null", `concat(f) : "x"`, `{}`, `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := evalValue(t, tt.expr, tt.event); got != tt.want {
				t.Errorf("%s on %s = %s, want %s", tt.expr, tt.event, got, tt.want)
			}
		})
	}
}

// TestEQLConditions pins which events a condition matches: fast nodes and
// scripts side by side, nulls, arrays and optional fields.
func TestEQLConditions(t *testing.T) {
	tests := []struct {
		name, cond, event string
		want              bool
	}{
		// A script holds when some value of each field occurrence makes it true.
		{"function on array", `length(a) > 3`, `{"a":["ab","abcd"]}`, true},
		{"function on array none", `length(a) > 3`, `{"a":["ab","abc"]}`, false},
		{"each leaf binds alone", `length(a) >= 3 and length(a) == 1`, `{"a":["abc","x"]}`, true},
		{"each occurrence binds alone", `length(a) + length(a) == 4`, `{"a":["abc","x"]}`, true},
		{"null value is missing", `length(a) == null`, `{"a":null}`, true},
		{"empty array is missing", `length(a) == null`, `{"a":[]}`, true},

		// Null propagates in scripts; a null condition does not match.
		{"script null", `length(a) > 3`, `{}`, false},
		{"script != null", `length(a) != 3`, `{}`, false},
		{"script != value", `length(a) != 3`, `{"a":"ab"}`, true},
		{"concat == null", `concat(a, b) == null`, `{"a":"x"}`, true},
		{"concat == null no", `concat(a, b) == null`, `{"a":"x","b":"y"}`, false},
		{"concat != null", `concat(a, b) != null`, `{"a":"x"}`, false},
		{"concat != null yes", `concat(a, b) != null`, `{"a":"x","b":"y"}`, true},
		{"not == null", `not (concat(a, b) == null)`, `{"a":"x","b":"y"}`, true},
		{"concat with null constant", `concat(a, null) == null`, `{"a":"x"}`, true},
		{"null == null", `null == null`, `{}`, true},
		{"null != null", `null != null`, `{}`, false},
		{"null condition", `null`, `{}`, false},
		{"null == comparison missing", `null == (exit_code > -1)`, `{}`, true},
		{"null == comparison present", `null == (exit_code > -1)`, `{"exit_code":0}`, false},
		{"null == reversed comparison", `null == (-1 < exit_code)`, `{}`, true},

		// not over a script is a script of the not, as Elasticsearch's
		// translator makes it (QL's Nots.doTranslate): null stays null, so a
		// missing field does not match, and on a multi-valued field it holds
		// when some value makes it true. not over a query (startsWith of a
		// field and a constant) is must_not, which a missing field meets.
		{"not script missing", `not length(a) > 3`, `{}`, false},
		{"not script true", `not length(a) > 3`, `{"a":"abcd"}`, false},
		{"not script any value", `not length(a) > 3`, `{"a":["ab","abcd"]}`, true},
		{"not in script missing", `string(a) not in ("1")`, `{}`, false},
		{"not startsWith missing", `not startsWith(a, "x")`, `{}`, true},
		{"== false is not", `startsWith(a, "x") == false`, `{}`, true},
		{"== false value", `startsWith(a, "x") == false`, `{"a":"xy"}`, false},
		{"!= true is not", `startsWith(a, "x") != true`, `{"a":"ab"}`, true},
		{"== true", `cidrMatch(ip, "10.0.0.0/8") == true`, `{"ip":"10.1.2.3"}`, true},
		{"true ==", `true == cidrMatch(ip, "10.0.0.0/8")`, `{"ip":"11.1.2.3"}`, false},
		{"not not", `not not length(a) == 1`, `{"a":"x"}`, true},

		// Fast nodes for a field and constants.
		{"startsWith field", `startsWith(a, "ex")`, `{"a":["x","explorer"]}`, true},
		{"startsWith~ field", `startsWith~(a, "EX")`, `{"a":"explorer"}`, true},
		{"startsWith star literal", `startsWith(a, "e*")`, `{"a":"explorer"}`, false},
		{"endsWith field", `endsWith(a, ".exe")`, `{"a":"x.exe"}`, true},
		{"stringContains field", `stringContains(a, "plo")`, `{"a":"explorer"}`, true},
		{"stringContains~ field", `stringContains~(a, "PLO")`, `{"a":"explorer"}`, true},
		{"stringContains question literal", `stringContains(a, "pl?")`, `{"a":"explorer"}`, false},
		{"cidrMatch field", `cidrMatch(ip, "10.0.0.0/8", "192.168.0.0/16")`, `{"ip":["8.8.8.8","192.168.1.1"]}`, true},
		{"cidrMatch field none", `cidrMatch(ip, "10.0.0.0/8")`, `{"ip":"8.8.8.8"}`, false},
		{"cidrMatch field missing", `cidrMatch(ip, "10.0.0.0/8")`, `{}`, false},

		// Arithmetic compared with constants.
		{"field math", `n - 1 == 81`, `{"n":82}`, true},
		{"field math integer division", `n / 2 == 41`, `{"n":83}`, true},
		{"field math float division", `n / 2.0 == 41`, `{"n":83}`, false},
		{"field math float field", `n / 2 == 41`, `{"n":83.0}`, false},
		{"field math division by zero", `n / 0 == 0`, `{"n":5}`, false},
		{"constant on the left", `83 - n == 1`, `{"n":82}`, true},
		{"folded function", `n == number("0x32", 16)`, `{"n":50}`, true},
		{"folded to the left", `add(0, 1) == n`, `{"n":1}`, true},
		{"folded in list", `n in (1 + 1, 3)`, `{"n":2}`, true},
		{"folded constant condition", `divide(30, 4.0) == 7.5`, `{}`, true},

		// Comparisons of two expressions (Elasticsearch refuses these).
		{"field == field", `a == b`, `{"a":1,"b":1}`, true},
		{"field == field array", `a == b`, `{"a":[1,2],"b":2}`, true},
		{"field == field differ", `a == b`, `{"a":1,"b":2}`, false},
		{"field == field missing", `a == b`, `{"a":1}`, false},
		{"field != field", `a != b`, `{"a":1,"b":2}`, true},
		{"field != field missing", `a != b`, `{"a":1}`, false},
		{"field < field", `a < b`, `{"a":"abc","b":"abd"}`, true},
		{"function == field", `length(a) == n`, `{"a":"abc","n":3}`, true},
		{"field in fields", `a in (b, "x")`, `{"a":"y","b":"y"}`, true},

		// ?optional fields are null when missing.
		{"optional null", `?x == null`, `{}`, true},
		{"optional value", `?x == 1`, `{}`, false},
		{"optional present", `?x == 1`, `{"x":1}`, true},
		{"optional alone", `?x`, `{}`, false},
		{"optional in function", `concat(?x, "a") == null`, `{}`, true},
		{"optional nested", `?x.y : "a*"`, `{"x":{"y":"abc"}}`, true},
		// A missing optional field is the constant null, and x == null a
		// null check: two missing optional fields are equal.
		{"optional == optional missing", `?x == ?y`, `{}`, true},
		{"optional == optional one missing", `?x == ?y`, `{"y":1}`, false},
		{"optional == optional equal", `?x == ?y`, `{"x":1,"y":1}`, true},
		{"optional != optional missing", `?x != ?y`, `{}`, false},
		{"optional != optional one missing", `?x != ?y`, `{"x":"a"}`, true},
		{"optional == field missing", `?x == y`, `{}`, true},
		{"field == field missing", `x == y`, `{}`, false},

		// Dates: a date constant compares as an instant.
		{"date equal millis", `@timestamp == "2017-08-30T20:47:33Z"`, `{"@timestamp":1504126053000}`, true},
		{"date equal iso", `@timestamp == "2017-08-30T20:47:33Z"`, `{"@timestamp":"2017-08-30T20:47:33.000Z"}`, true},
		{"date equal other", `@timestamp == "2017-08-30T20:47:33Z"`, `{"@timestamp":"2017-08-30T20:47:34Z"}`, false},
		{"date millis against iso", `@timestamp > 1504126052999`, `{"@timestamp":"2017-08-30T20:47:33Z"}`, true},
		{"date equal millis constant", `@timestamp == 1504126053000`, `{"@timestamp":1504126053000}`, true},

		// Patterns on computed values.
		{"seq on function", `between~(p, "s", "E") : "yst"`, `{"p":"System Idle Process"}`, true},
		{"like on function", `string(n) like ("1*")`, `{"n":10}`, true},
		{"regex on function", `substring(c, 5) regex (".*?net[1]?  localgroup.*?", ".*? myappserver.py .*?")`, `{"c":"cmd /c net1  localgroup admins"}`, true},
		{"in~ on function", `string(n) in~ ("1")`, `{"n":1}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := eql.Parse("any where " + tt.cond)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.cond, err)
			}
			p, err := CompileEQL(q, Options{})
			if err != nil {
				t.Fatalf("compile %q: %v", tt.cond, err)
			}
			if got := p.Match(fastjson.MustParse(tt.event)); got != tt.want {
				t.Errorf("%s on %s = %v, want %v", tt.cond, tt.event, got, tt.want)
			}
		})
	}
}

// TestEQLTypeErrors pins the errors Elasticsearch reports while analysing a
// query, with the offset of the offending node.
func TestEQLTypeErrors(t *testing.T) {
	tests := []struct{ cond, want string }{
		// functions
		{`length(1) > 0`, `offset 17: argument of [length(1)] must be [string], found value [1] type [integer]`},
		{`startsWith(x, 5)`, `offset 24: second argument of [startsWith(x, 5)] must be [string], found value [5] type [integer]`},
		{`between(x, 1, 2) == ""`, `offset 21: second argument of [between(x, 1, 2)] must be [string], found value [1] type [integer]`},
		{`between(x, "a", "b", 1) == ""`, `offset 31: fourth argument of [between(x, "a", "b", 1)] must be [boolean], found value [1] type [integer]`},
		{`between(x, "a", "b", "true") == ""`, `offset 31: fourth argument of [between(x, "a", "b", "true")] must be [boolean], found value ["true"] type [keyword]`},
		{`substring(x, 1.5) == ""`, `offset 23: second argument of [substring(x, 1.5)] must be [integer], found value [1.5] type [double]`},
		{`indexOf(x, "a", "b") == 1`, `offset 26: third argument of [indexOf(x, "a", "b")] must be [integer], found value ["b"] type [keyword]`},
		{`number(5) == 5`, `offset 17: first argument of [number(5)] must be [string], found value [5] type [integer]`},
		{`number("5", 1.0) == 5`, `offset 22: second argument of [number("5", 1.0)] must be [integer], found value [1.0] type [double]`},
		{`length(length(x)) > 0`, `offset 17: argument of [length(length(x))] must be [string], found value [length(x)] type [integer]`},
		{`add(x, "a") == 1`, `offset 17: second argument of [add(x, "a")] must be [numeric], found value ["a"] type [keyword]`},
		{`cidrMatch("10.0.0.1", "10.0.0.0/8")`, `offset 20: first argument of [cidrMatch("10.0.0.1", "10.0.0.0/8")] must be [ip], found value ["10.0.0.1"] type [keyword]`},
		{`cidrMatch(ip, host)`, `offset 24: second argument of [cidrMatch(ip, host)] must be a constant, received [host]`},
		{`cidrMatch(ip, 12345)`, `offset 24: argument of [cidrMatch(ip, 12345)] must be [string], found value [12345] type [integer]`},
		{`cidrMatch(ip, "10.0.0.0/8", "10.0.0.0/33")`, `offset 38: third argument of [cidrMatch(ip, "10.0.0.0/8", "10.0.0.0/33")] is not a CIDR block or an IP address: "10.0.0.0/33"`},
		{`foo(x)`, `offset 10: unknown function [foo]`},
		{`length~(x) > 1`, `offset 10: function [length] has no case-insensitive form length~`},
		{`length(x, y) > 1`, `offset 10: error building [length]: expects exactly one argument`},
		{`between(x) == ""`, `offset 10: error building [between]: expects three or four arguments`},
		{`cidrMatch(ip)`, `offset 10: error building [cidrmatch]: expects at least two arguments`},
		{`indexOf(x) == 1`, `offset 10: error building [indexof]: expects two or three arguments`},
		// operators
		{`x + "a" == 1`, `offset 14: second argument of [x + "a"] must be [numeric], found value ["a"] type [keyword]`},
		{`-"a" == 1`, `offset 11: argument of [-"a"] must be [numeric], found value ["a"] type [keyword]`},
		{`length(x) : "3"`, `offset 10: first argument of [:] must be [string], found value [length(x)] type [integer]; consider using [==] instead`},
		{`length(x) like "3"`, `offset 10: argument of [length(x) like "3"] must be [string], found value [length(x)] type [integer]`},
		{`length(x) in (1, "a")`, `offset 27: 2nd argument of [length(x) in (1, "a")] must be [integer], found value ["a"] type [keyword]`},
		{`x in (1, "a")`, `offset 19: 2nd argument of [x in (1, "a")] must be [integer], found value ["a"] type [keyword]`},
		{`x == 1 and 2`, `offset 21: second argument of [x == 1 and 2] must be [boolean], found value [2] type [integer]`},
		{`not length(x)`, `offset 14: argument of [not length(x)] must be [boolean], found value [length(x)] type [integer]`},
		{`x < null`, `offset 14: null cannot be ordered with <`},
		// conditions
		{`length(x)`, `offset 10: condition expression needs to be boolean, found [INTEGER]`},
		{`x + 1`, `offset 10: condition expression needs to be boolean, found [NUMERIC]`},
		{`1.5`, `offset 10: condition expression needs to be boolean, found [DOUBLE]`},
		// constants that fail
		{`number("foo") == 1`, `offset 10: number("foo"): unable to convert [foo] to number of base [10]`},
		{`2147483647 + 1 == 0`, `offset 10: 2147483647 + 1: integer overflow`},
		{`between("ba", "a", "b", true) == ""`, `offset 10: between("ba", "a", "b", true): begin/end out of range in between("ba")`},
		// patterns
		{`x : 5`, `offset 14: expected a string pattern, found 5`},
		{`x regex "a("`, `offset 18: regex "a(": missing closing )`},
		{`concat(x) regex "a("`, `offset 26: regex "a(": missing closing )`},
	}
	for _, tt := range tests {
		q, err := eql.Parse("any where " + tt.cond)
		if err != nil {
			t.Fatalf("parse %q: %v", tt.cond, err)
		}
		_, err = CompileEQL(q, Options{})
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v\n\twant %s", tt.cond, err, tt.want)
		}
	}
}
