package match

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"dredge/event"

	"github.com/valyala/fastjson"
)

// kind is the runtime type of a value in an expression, as Elasticsearch's
// EQL scripts see it: Java's Integer, Long, Double, Boolean and String.
type kind uint8

const (
	kNull   kind = iota // null: a missing field, or null propagated
	kBool               // Boolean
	kInt                // Integer: integer literals and integer results
	kLong               // Long: whole numbers read from events
	kDouble             // Double
	kStr                // String (keyword)
	kErr                // an error Elasticsearch raises while running the script
)

// value is one value of an expression. Strings read from an event share the
// parser's memory: a value never outlives the evaluation of one event.
type value struct {
	k kind
	b bool
	n int64   // kInt, kLong
	f float64 // kDouble
	s string  // kStr; the message for kErr
}

var (
	nullValue  = value{}
	trueValue  = value{k: kBool, b: true}
	falseValue = value{k: kBool}
)

func boolValue(b bool) value  { return value{k: kBool, b: b} }
func strValue(s string) value { return value{k: kStr, s: s} }
func intValue(n int64) value  { return value{k: kInt, n: n} }
func longValue(n int64) value { return value{k: kLong, n: n} }
func doubleValue(f float64) value {
	return value{k: kDouble, f: f}
}
func errValue(msg string) value { return value{k: kErr, s: msg} }

func (v value) isNum() bool { return v.k == kInt || v.k == kLong || v.k == kDouble }

// float is a number as a Double.
func (v value) float() float64 {
	if v.k == kDouble {
		return v.f
	}
	return float64(v.n)
}

// text is the value as Java's toString gives it; ok is false for null.
func (v value) text() (string, bool) {
	switch v.k {
	case kStr:
		return v.s, true
	case kInt, kLong:
		return strconv.FormatInt(v.n, 10), true
	case kDouble:
		return javaDouble(v.f), true
	case kBool:
		return strconv.FormatBool(v.b), true
	}
	return "", false
}

// String prints the value as an EQL constant, for messages and tests.
func (v value) String() string {
	switch v.k {
	case kNull:
		return "null"
	case kStr:
		return quote(v.s)
	case kErr:
		return "error(" + v.s + ")"
	}
	s, _ := v.text()
	return s
}

func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// javaDouble formats f as Java's Double.toString does: the shortest digits
// that read back as f, in plain notation for 1e-3 <= |f| < 1e7 and in
// computerized scientific notation ("1.0E10") otherwise.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// load reads one scalar JSON value of an event. Null, objects and arrays
// give ok == false: Elasticsearch indexes no value for them.
func load(x *fastjson.Value) (value, bool) {
	switch x.Type() {
	case fastjson.TypeString:
		s, _ := event.Text(x)
		return strValue(s), true
	case fastjson.TypeNumber:
		var buf [64]byte
		return parseJSONNumber(x.MarshalTo(buf[:0])), true
	case fastjson.TypeTrue:
		return trueValue, true
	case fastjson.TypeFalse:
		return falseValue, true
	}
	return nullValue, false
}

// parseJSONNumber reads a JSON number: a whole number that fits is a Long,
// anything else a Double.
func parseJSONNumber(b []byte) value {
	integral := len(b) > 0 && len(b) <= 19
	for i, c := range b {
		if (c < '0' || c > '9') && !(i == 0 && c == '-' && len(b) > 1) {
			integral = false
			break
		}
	}
	if integral {
		var n int64
		neg := b[0] == '-'
		digits := b
		if neg {
			digits = b[1:]
		}
		ok := true
		for _, c := range digits {
			d := int64(c - '0')
			if n > (math.MaxInt64-d)/10 {
				ok = false
				break
			}
			n = n*10 + d
		}
		if ok {
			if neg {
				n = -n
			}
			return longValue(n)
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil && !math.IsInf(f, 0) {
		return nullValue
	}
	return doubleValue(f)
}

// compareValues compares two values as Elasticsearch's scripts do
// (ql Comparisons.compare): numbers by value (Double.compare when either is
// a Double), strings and booleans with their compareTo. ok is false when
// either is null or the types do not compare.
func compareValues(a, b value) (c int, ok bool) {
	switch {
	case a.isNum() && b.isNum():
		if a.k == kDouble || b.k == kDouble {
			return javaDoubleCompare(a.float(), b.float()), true
		}
		return cmp.Compare(a.n, b.n), true
	case a.k == kStr && b.k == kStr:
		return javaCompare(a.s, b.s), true
	case a.k == kBool && b.k == kBool:
		switch {
		case a.b == b.b:
			return 0, true
		case b.b:
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

// javaDoubleCompare is Java's Double.compare: -0.0 is below 0.0 and NaN is
// above everything, itself included equal.
func javaDoubleCompare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	ab, bb := int64(math.Float64bits(a)), int64(math.Float64bits(b))
	if math.IsNaN(a) {
		ab = 0x7ff8000000000000
	}
	if math.IsNaN(b) {
		bb = 0x7ff8000000000000
	}
	return cmp.Compare(ab, bb)
}

// javaCompare is Java's String.compareTo: UTF-16 code unit order.
func javaCompare(a, b string) int {
	if isASCII(a) && isASCII(b) {
		return strings.Compare(a, b)
	}
	for a != "" && b != "" {
		ra, na := utf8.DecodeRuneInString(a)
		rb, nb := utf8.DecodeRuneInString(b)
		if ra != rb {
			ua, ub := firstUnit(ra), firstUnit(rb)
			if ua != ub {
				return cmp.Compare(int64(ua), int64(ub))
			}
			// Same high surrogate: the low surrogates decide.
			la, lb := lowUnit(ra), lowUnit(rb)
			return cmp.Compare(int64(la), int64(lb))
		}
		a, b = a[na:], b[nb:]
	}
	return cmp.Compare(int64(len16(a)), int64(len16(b)))
}

func firstUnit(r rune) rune {
	if r >= 0x10000 {
		hi, _ := utf16.EncodeRune(r)
		return hi
	}
	return r
}

func lowUnit(r rune) rune {
	_, lo := utf16.EncodeRune(r)
	return lo
}

// len16 is the length of s in UTF-16 code units, Java's String.length.
func len16(s string) int {
	if isASCII(s) {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// units is s as UTF-16 code units; str turns them back.
func units(s string) []uint16 { return utf16.Encode([]rune(s)) }
func str(u []uint16) string   { return string(utf16.Decode(u)) }

// javaLower is Java's toLowerCase(Locale.ROOT), close enough: Unicode
// simple lowercase mapping, with U+0130 (İ) becoming "i̇" as Java makes it.
func javaLower(s string) string {
	if isASCII(s) {
		return string(lowerASCII(nil, s))
	}
	var b strings.Builder
	for _, r := range s {
		if r == 'İ' {
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
