package match

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// fnDef is an EQL function: its arity, the types its arguments must have
// and how it computes. The semantics are those of Elasticsearch's EQL
// function processors, null handling included.
type fnDef struct {
	name     string // as Elasticsearch registers it, lowercase: "startswith"
	min, max int    // arity; max < 0 for any number
	arity    string // the arity as Elasticsearch words it in its error
	ci       bool   // has a case-insensitive form, name~(...)
	out      typ
	// args are the types the arguments must have, in order; the last one
	// repeats for variadic functions. tAny accepts anything.
	args []argKind
	eval func(a []value, ci bool) value
}

// argKind is what an argument must be.
type argKind uint8

const (
	argAny argKind = iota
	argString
	argInteger
	argNumeric
	argBoolean
	argIP
	argConstString // a constant string: cidrMatch's blocks
)

// functions are the EQL functions by lowercase name. cidrMatch is compiled
// with its blocks parsed once, so its eval here is only for folding.
var functions map[string]*fnDef

func init() {
	functions = map[string]*fnDef{}
	for _, f := range []*fnDef{
		{name: "add", min: 2, max: 2, arity: "expects exactly two arguments", out: tNum,
			args: []argKind{argNumeric, argNumeric}, eval: func(a []value, _ bool) value { return arith(opAdd, a[0], a[1]) }},
		{name: "between", min: 3, max: 4, arity: "expects three or four arguments", ci: true, out: tStr,
			args: []argKind{argString, argString, argString, argBoolean}, eval: evalBetween},
		{name: "cidrmatch", min: 2, max: -1, arity: "expects at least two arguments", out: tBool,
			args: []argKind{argIP, argConstString}, eval: evalCIDRMatch},
		{name: "concat", min: 1, max: -1, arity: "expects at least one argument", out: tStr,
			args: []argKind{argAny}, eval: evalConcat},
		{name: "divide", min: 2, max: 2, arity: "expects exactly two arguments", out: tNum,
			args: []argKind{argNumeric, argNumeric}, eval: func(a []value, _ bool) value { return arith(opDiv, a[0], a[1]) }},
		{name: "endswith", min: 2, max: 2, arity: "expects exactly two arguments", ci: true, out: tBool,
			args: []argKind{argString, argString}, eval: evalEndsWith},
		{name: "indexof", min: 2, max: 3, arity: "expects two or three arguments", ci: true, out: tInt,
			args: []argKind{argString, argString, argInteger}, eval: evalIndexOf},
		{name: "length", min: 1, max: 1, arity: "expects exactly one argument", out: tInt,
			args: []argKind{argString}, eval: evalLength},
		{name: "modulo", min: 2, max: 2, arity: "expects exactly two arguments", out: tNum,
			args: []argKind{argNumeric, argNumeric}, eval: func(a []value, _ bool) value { return arith(opMod, a[0], a[1]) }},
		{name: "multiply", min: 2, max: 2, arity: "expects exactly two arguments", out: tNum,
			args: []argKind{argNumeric, argNumeric}, eval: func(a []value, _ bool) value { return arith(opMul, a[0], a[1]) }},
		{name: "number", min: 1, max: 2, arity: "expects one or two arguments", out: tNum,
			args: []argKind{argString, argInteger}, eval: evalNumber},
		{name: "startswith", min: 2, max: 2, arity: "expects exactly two arguments", ci: true, out: tBool,
			args: []argKind{argString, argString}, eval: evalStartsWith},
		{name: "string", min: 1, max: 1, arity: "expects exactly one argument", out: tStr,
			args: []argKind{argAny}, eval: evalString},
		{name: "stringcontains", min: 2, max: 2, arity: "expects exactly two arguments", ci: true, out: tBool,
			args: []argKind{argString, argString}, eval: evalStringContains},
		{name: "substring", min: 2, max: 3, arity: "expects two or three arguments", out: tStr,
			args: []argKind{argString, argInteger, argInteger}, eval: evalSubstring},
		{name: "subtract", min: 2, max: 2, arity: "expects exactly two arguments", out: tNum,
			args: []argKind{argNumeric, argNumeric}, eval: func(a []value, _ bool) value { return arith(opSub, a[0], a[1]) }},
	} {
		functions[f.name] = f
	}
}

// argKindAt is the kind the i-th argument must have.
func (f *fnDef) argKindAt(i int) argKind {
	if i < len(f.args) {
		return f.args[i]
	}
	return f.args[len(f.args)-1]
}

// A string/char is required: the message of Elasticsearch's processors.
func needString(v value) value {
	return errValue("a string/char is required; received [" + v.String() + "]")
}

// stringArg reads a value that must be a string. A number or boolean read
// from an event is taken as its text, as a keyword field would index it.
func stringArg(v value) (string, bool) {
	if v.k == kNull || v.k == kErr {
		return "", false
	}
	return v.text()
}

// numberArg reads a value that must be a number. A string read from an
// event is parsed, as a numeric field would index it.
func numberArg(v value) (value, bool) {
	switch v.k {
	case kInt, kLong, kDouble:
		return v, true
	case kStr:
		n := parseJSONNumber([]byte(strings.TrimSpace(v.s)))
		return n, n.k != kNull
	}
	return v, false
}

// firstErr returns the first error among the arguments: Java evaluates
// every argument before the function, and an exception in one ends it.
func firstErr(a []value) (value, bool) {
	for _, v := range a {
		if v.k == kErr {
			return v, true
		}
	}
	return value{}, false
}

// evalBetween is between(source, left, right[, greedy]): the text of source
// between the first left and the next (or, greedy, the last) right.
func evalBetween(a []value, ci bool) value {
	if e, ok := firstErr(a); ok {
		return e
	}
	if a[0].k == kNull {
		return nullValue
	}
	s, _ := stringArg(a[0])
	left, ok := stringArg(a[1])
	if !ok {
		return needString(a[1])
	}
	right, ok := stringArg(a[2])
	if !ok {
		return needString(a[2])
	}
	greedy := false
	if len(a) > 3 {
		g, ok := boolArg(a[3])
		if !ok {
			return errValue("a boolean is required; received [" + a[3].String() + "]")
		}
		greedy = g
	}
	out, ok := between(s, left, right, greedy, ci)
	if !ok {
		return errValue("begin/end out of range in between(" + quote(s) + ")")
	}
	return strValue(out)
}

func boolArg(v value) (bool, bool) {
	switch v.k {
	case kBool:
		return v.b, true
	case kStr:
		if v.s == "true" || v.s == "false" {
			return v.s == "true", true
		}
	}
	return false, false
}

// between follows Elasticsearch's StringUtils.between on UTF-16 indexes:
// an empty source, left or right gives the source back; a left or right not
// found gives "". ok is false where Java would throw (a greedy right that
// ends before the left).
func between(s, left, right string, greedy, ci bool) (string, bool) {
	if s == "" || left == "" || right == "" {
		return s, true
	}
	ms := s
	if ci {
		ms, left, right = javaLower(s), javaLower(left), javaLower(right)
	}
	if isASCII(ms) && isASCII(left) && isASCII(right) && len(ms) == len(s) {
		i := strings.Index(ms, left)
		if i < 0 {
			return "", true
		}
		start := i + len(left)
		var end int
		if greedy {
			end = strings.LastIndex(ms, right)
		} else if end = strings.Index(ms[start:], right); end >= 0 {
			end += start
		}
		if end < 0 {
			return "", true
		}
		if end < start {
			return "", false
		}
		return s[start:end], true
	}
	mu, lu, ru, su := units(ms), units(left), units(right), units(s)
	i := index16(mu, lu, 0)
	if i < 0 {
		return "", true
	}
	start := i + len(lu)
	var end int
	if greedy {
		end = lastIndex16(mu, ru)
	} else {
		end = index16(mu, ru, start)
	}
	if end < 0 {
		return "", true
	}
	if end < start || end > len(su) {
		return "", false
	}
	return str(su[start:end]), true
}

// index16 is Java's String.indexOf(target, from) on UTF-16 units.
func index16(s, t []uint16, from int) int {
	from = max(from, 0)
	if from >= len(s) {
		if len(t) == 0 {
			return len(s)
		}
		return -1
	}
	for i := from; i+len(t) <= len(s); i++ {
		if eq16(s[i:i+len(t)], t) {
			return i
		}
	}
	return -1
}

func lastIndex16(s, t []uint16) int {
	for i := len(s) - len(t); i >= 0; i-- {
		if eq16(s[i:i+len(t)], t) {
			return i
		}
	}
	return -1
}

func eq16(a, b []uint16) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// ipRange is an inclusive range of addresses in 16-byte form (IPv4 mapped
// into IPv6), as Elasticsearch's CIDRUtils compares them.
type ipRange struct{ lo, hi [16]byte }

// parseCIDR reads a CIDR block ("10.0.0.0/8") or a single address.
func parseCIDR(s string) (ipRange, bool) {
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return ipRange{}, false
		}
		b := a.Unmap().As16()
		return ipRange{b, b}, true
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return ipRange{}, false
	}
	a, bits := p.Addr(), p.Bits()
	if a.Is4() {
		bits += 96
	}
	b := a.As16()
	var r ipRange
	for i := range 16 {
		keep := min(max(bits-8*i, 0), 8)
		mask := byte(0xff << (8 - keep))
		r.lo[i] = b[i] & mask
		r.hi[i] = b[i] | ^mask
	}
	return r, true
}

func (r ipRange) contains(a [16]byte) bool {
	return string(a[:]) >= string(r.lo[:]) && string(a[:]) <= string(r.hi[:])
}

// parseIP reads an address as Elasticsearch's ip field does.
func parseIP(s string) ([16]byte, bool) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return [16]byte{}, false
	}
	return a.Unmap().As16(), true
}

// cidrMatch reports whether addr is in any of the ranges; an address that
// does not parse is an error in Elasticsearch.
func cidrMatch(v value, ranges []ipRange) value {
	switch v.k {
	case kNull, kErr:
		return v
	}
	s, _ := stringArg(v)
	a, ok := parseIP(s)
	if !ok {
		return errValue("'" + s + "' is not an IP string literal.")
	}
	for _, r := range ranges {
		if r.contains(a) {
			return trueValue
		}
	}
	return falseValue
}

// evalCIDRMatch is cidrMatch for folding constants: the blocks are parsed
// on each call.
func evalCIDRMatch(a []value, _ bool) value {
	if e, ok := firstErr(a); ok {
		return e
	}
	var ranges []ipRange
	for _, c := range a[1:] {
		if c.k == kNull {
			continue
		}
		r, ok := parseCIDR(c.s)
		if !ok {
			return errValue("invalid CIDR block " + quote(c.s))
		}
		ranges = append(ranges, r)
	}
	return cidrMatch(a[0], ranges)
}

// evalConcat joins the text of its arguments; any null makes it null.
func evalConcat(a []value, _ bool) value {
	if e, ok := firstErr(a); ok {
		return e
	}
	var b strings.Builder
	for _, v := range a {
		s, ok := v.text()
		if !ok {
			return nullValue
		}
		b.WriteString(s)
	}
	return strValue(b.String())
}

// prefixArgs reads the two strings of startsWith and endsWith: a null
// source or pattern gives null.
func prefixArgs(a []value, ci bool) (s, p string, r value, done bool) {
	if e, ok := firstErr(a); ok {
		return "", "", e, true
	}
	if a[0].k == kNull || a[1].k == kNull {
		return "", "", nullValue, true
	}
	s, _ = stringArg(a[0])
	p, _ = stringArg(a[1])
	if ci {
		s, p = javaLower(s), javaLower(p)
	}
	return s, p, value{}, false
}

func evalStartsWith(a []value, ci bool) value {
	s, p, r, done := prefixArgs(a, ci)
	if done {
		return r
	}
	return boolValue(strings.HasPrefix(s, p))
}

func evalEndsWith(a []value, ci bool) value {
	s, p, r, done := prefixArgs(a, ci)
	if done {
		return r
	}
	return boolValue(strings.HasSuffix(s, p))
}

// evalStringContains: a null string gives null; a null substring is an
// error; an empty string or substring never contains.
func evalStringContains(a []value, ci bool) value {
	if e, ok := firstErr(a); ok {
		return e
	}
	if a[0].k == kNull {
		return nullValue
	}
	s, _ := stringArg(a[0])
	sub, ok := stringArg(a[1])
	if !ok {
		return needString(a[1])
	}
	if s == "" || sub == "" {
		return falseValue
	}
	if ci {
		s, sub = javaLower(s), javaLower(sub)
	}
	return boolValue(strings.Contains(s, sub))
}

// evalIndexOf is indexOf(source, substring[, start]): the first UTF-16
// index at or after start, or null when there is none. A null source or
// substring gives null; a null start is 0.
func evalIndexOf(a []value, ci bool) value {
	if e, ok := firstErr(a); ok {
		return e
	}
	if a[0].k == kNull || a[1].k == kNull {
		return nullValue
	}
	s, _ := stringArg(a[0])
	sub, _ := stringArg(a[1])
	from := 0
	if len(a) > 2 && a[2].k != kNull {
		n, ok := numberArg(a[2])
		if !ok {
			return errValue("a number is required; received [" + a[2].String() + "]")
		}
		from = javaIntValue(n)
	}
	if ci {
		s, sub = javaLower(s), javaLower(sub)
	}
	var i int
	if isASCII(s) && isASCII(sub) {
		i = index16ASCII(s, sub, from)
	} else {
		i = index16(units(s), units(sub), from)
	}
	if i < 0 {
		return nullValue
	}
	return intValue(int64(i))
}

func index16ASCII(s, t string, from int) int {
	from = max(from, 0)
	if from >= len(s) {
		if t == "" {
			return len(s)
		}
		return -1
	}
	i := strings.Index(s[from:], t)
	if i < 0 {
		return -1
	}
	return i + from
}

// javaIntValue is Number.intValue: a Long keeps its low 32 bits, a Double
// is truncated toward zero and saturates.
func javaIntValue(v value) int {
	switch v.k {
	case kDouble:
		switch {
		case math.IsNaN(v.f):
			return 0
		case v.f >= math.MaxInt32:
			return math.MaxInt32
		case v.f <= math.MinInt32:
			return math.MinInt32
		}
		return int(int32(v.f))
	}
	return int(int32(v.n))
}

// evalLength is the length of a string in UTF-16 units.
func evalLength(a []value, _ bool) value {
	switch a[0].k {
	case kNull, kErr:
		return a[0]
	}
	s, _ := stringArg(a[0])
	return intValue(int64(len16(s)))
}

// evalString is string(value): its Java text, or null.
func evalString(a []value, _ bool) value {
	switch a[0].k {
	case kNull, kErr:
		return a[0]
	}
	s, _ := a[0].text()
	return strValue(s)
}

// evalSubstring is substring(source, start[, end]) with Python's slice
// semantics: negative indexes count from the end. A null start gives the
// source back; a null end is the end.
func evalSubstring(a []value, _ bool) value {
	if e, ok := firstErr(a); ok {
		return e
	}
	if a[0].k == kNull {
		return nullValue
	}
	s, _ := stringArg(a[0])
	if a[1].k == kNull {
		return strValue(s)
	}
	n, ok := numberArg(a[1])
	if !ok {
		return errValue("a number is required; received [" + a[1].String() + "]")
	}
	start := javaIntValue(n)
	ascii := isASCII(s)
	length := len(s)
	if !ascii {
		length = len16(s)
	}
	end := length
	if len(a) > 2 && a[2].k != kNull {
		n, ok := numberArg(a[2])
		if !ok {
			return errValue("a number is required; received [" + a[2].String() + "]")
		}
		end = javaIntValue(n)
	}
	if s == "" {
		return strValue(s)
	}
	if start < 0 {
		start += length
	}
	start = max(start, 0)
	if end < 0 {
		end += length
	}
	end = min(max(end, 0), length)
	if start >= end {
		return strValue("")
	}
	if ascii {
		return strValue(s[start:end])
	}
	return strValue(str(units(s)[start:end]))
}

// evalNumber is number(string[, base]): a "0x" prefix means base 16 when
// no base is given; base 10 reads a Long, or else a Double, as Java does;
// other bases read a Long.
func evalNumber(a []value, _ bool) value {
	if e, ok := firstErr(a); ok {
		return e
	}
	if a[0].k == kNull {
		return nullValue
	}
	s, _ := stringArg(a[0])
	radix := 10
	if strings.HasPrefix(s, "0x") {
		radix = 16
	}
	if len(a) > 1 && a[1].k != kNull {
		if a[1].k != kInt {
			return errValue("an integer base is required; received [" + a[1].String() + "]")
		}
		radix = int(a[1].n)
	}
	if radix == 16 && strings.HasPrefix(s, "0x") {
		s = s[2:]
	}
	fail := errValue("unable to convert [" + s + "] to number of base [" + strconv.Itoa(radix) + "]")
	if radix == 10 {
		if javaLong(s) {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return longValue(n)
			}
		}
		f, ok := javaParseDouble(s)
		if !ok {
			return fail
		}
		return doubleValue(f)
	}
	if radix < 2 || radix > 36 || strings.Contains(s, "_") {
		return fail
	}
	n, err := strconv.ParseInt(s, radix, 64)
	if err != nil {
		return fail
	}
	return longValue(n)
}

// javaLong reports whether s has the syntax of Long.parseLong: a sign and
// decimal digits.
func javaLong(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// javaParseDouble reads s as Java's Double.valueOf: surrounding whitespace
// is trimmed, "NaN" and "Infinity" are spelled so, a trailing f, F, d or D
// is allowed, and hexadecimal needs a binary exponent.
func javaParseDouble(s string) (float64, bool) {
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	body := s
	if body != "" && (body[0] == '+' || body[0] == '-') {
		body = body[1:]
	}
	switch body {
	case "NaN":
		return math.NaN(), true
	case "Infinity":
		if s[0] == '-' {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	if n := len(s); n > 0 && strings.IndexByte("fFdD", s[n-1]) >= 0 && !isHex(body) {
		s = s[:n-1]
		body = body[:len(body)-1]
	}
	if isHex(body) {
		if !strings.ContainsAny(body, "pP") || strings.Contains(body, "_") {
			return 0, false
		}
	} else if !decimalSyntax(body) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func isHex(s string) bool { return len(s) > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') }

// decimalSyntax is digits with an optional point and exponent, at least one
// digit before the exponent.
func decimalSyntax(s string) bool {
	digits := 0
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// arithOp is an arithmetic operation.
type arithOp uint8

const (
	opAdd arithOp = iota
	opSub
	opMul
	opDiv
	opMod
)

// arith computes x op y with Java's widening: Double if either is a Double,
// else Long if either is a Long, else Integer. Integer and Long overflow is
// an error (Math.addExact...); a null operand gives null. Division or
// remainder of whole numbers by zero gives null (Elasticsearch fails the
// query with "/ by zero").
func arith(op arithOp, x, y value) value {
	if x.k == kErr {
		return x
	}
	if y.k == kErr {
		return y
	}
	if x.k == kNull || y.k == kNull {
		return nullValue
	}
	xn, okx := numberArg(x)
	yn, oky := numberArg(y)
	if !okx {
		return errValue("a number is required; received " + x.String())
	}
	if !oky {
		return errValue("a number is required; received " + y.String())
	}
	x, y = xn, yn
	if x.k == kDouble || y.k == kDouble {
		a, b := x.float(), y.float()
		switch op {
		case opAdd:
			return doubleValue(a + b)
		case opSub:
			return doubleValue(a - b)
		case opMul:
			return doubleValue(a * b)
		case opDiv:
			return doubleValue(a / b)
		}
		return doubleValue(math.Mod(a, b))
	}
	a, b := x.n, y.n
	long := x.k == kLong || y.k == kLong
	var r int64
	switch op {
	case opAdd:
		r = a + b
		if (r > a) != (b > 0) {
			return overflow(long)
		}
	case opSub:
		r = a - b
		if (r < a) != (b > 0) {
			return overflow(long)
		}
	case opMul:
		if a != 0 && b != 0 {
			r = a * b
			if r/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
				return overflow(long)
			}
		}
	case opDiv, opMod:
		if b == 0 {
			return nullValue
		}
		if !long {
			a, b = int64(int32(a)), int64(int32(b))
		}
		if op == opDiv {
			r = a / b
		} else {
			r = a % b
		}
		if !long {
			r = int64(int32(r)) // MinInt32 / -1 wraps in Java
		}
	}
	if long {
		return longValue(r)
	}
	if r > math.MaxInt32 || r < math.MinInt32 {
		return overflow(false)
	}
	return intValue(r)
}

func overflow(long bool) value {
	if long {
		return errValue("long overflow")
	}
	return errValue("integer overflow")
}

// negate is unary minus: Math.negateExact for whole numbers.
func negate(x value) value {
	switch x.k {
	case kNull, kErr:
		return x
	}
	n, ok := numberArg(x)
	if !ok {
		return errValue("a number is required; received " + x.String())
	}
	x = n
	switch x.k {
	case kDouble:
		if x.f == math.SmallestNonzeroFloat64 { // as Elasticsearch's Arithmetics.negate
			return errValue("double overflow")
		}
		return doubleValue(-x.f)
	case kLong:
		if x.n == math.MinInt64 {
			return overflow(true)
		}
		return longValue(-x.n)
	}
	if x.n == math.MinInt32 {
		return overflow(false)
	}
	return intValue(-x.n)
}
