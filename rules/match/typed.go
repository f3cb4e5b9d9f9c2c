package match

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"dredge/event"

	"github.com/valyala/fastjson"
)

// The tests of KQL values on ip, number, date and boolean fields. Each
// reads a value of the event as Elasticsearch indexes it in such a field;
// a value it cannot read (a string that is no address in an ip field)
// matches nothing, as such a document would not have been indexed.

// valueTest is a condition on one value of a field. The nodes of named
// fields visit the field's values with it; the walks of wildcard field
// names and free text (walk.go) call it on each field they find.
type valueTest interface {
	test(x *fastjson.Value) bool
}

// numberTest compares a number field with a constant.
type numberTest struct {
	op  cmpOp
	num float64
}

func (t *numberTest) test(x *fastjson.Value) bool {
	f, ok := numberValue(x)
	return ok && t.op.holds(cmp.Compare(f, t.num))
}

// numberValue reads a value of a number field: a number, or a string that
// holds one, as Elasticsearch coerces it.
func numberValue(x *fastjson.Value) (float64, bool) {
	switch x.Type() {
	case fastjson.TypeNumber:
		f, err := x.Float64()
		return f, err == nil
	case fastjson.TypeString:
		s, _ := event.Text(x)
		return parseNumber(strings.TrimSpace(s))
	}
	return 0, false
}

// parseNumber reads a decimal number. Infinities and NaN are not numbers
// here; the syntax is checked first so that a failure costs no allocation.
func parseNumber(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', c == '.', c == 'e', c == 'E', c == '+', c == '-':
		default:
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// dateTest holds when a date is in [lo, hi], in epoch milliseconds.
type dateTest struct {
	lo, hi int64
}

func (t *dateTest) test(x *fastjson.Value) bool {
	ms, ok := dateValue(x)
	return ok && t.lo <= ms && ms <= t.hi
}

// dateValue reads a value of a date field in epoch milliseconds, which is
// what a date field stores: finer digits are dropped.
func dateValue(x *fastjson.Value) (int64, bool) {
	switch x.Type() {
	case fastjson.TypeNumber, fastjson.TypeString:
	default:
		return 0, false
	}
	t, ok := event.ValueTime(x)
	if !ok {
		return 0, false
	}
	return t.UnixMilli(), true
}

// dateBounds turns a KQL date value into an inclusive range, as
// Elasticsearch's range query on a date field rounds it (field:value is
// gte and lte the value): gte and lt take the first millisecond of what the
// value leaves out, gt and lte the last ("2024-05-01" is all of that day).
// now is the time date math counts from; the zero time refuses date math.
func dateBounds(op cmpOp, s string, now time.Time) (lo, hi int64, err error) {
	lo, hi = math.MinInt64, math.MaxInt64
	down, err := parseDateMath(s, false, now)
	if err != nil {
		return 0, 0, err
	}
	up, err := parseDateMath(s, true, now)
	if err != nil {
		return 0, 0, err
	}
	switch op {
	case opEq:
		lo, hi = down, up
	case opGt:
		lo = up + 1
	case opGe:
		lo = down
	case opLt:
		hi = down - 1
	case opLe:
		hi = up
	}
	return lo, hi, nil
}

// parseDateMath reads a date with Elasticsearch's date math: "now" or
// "<date>||", then operations such as +1d, -2h or /d (round to the day: to
// its start, or to its last millisecond when roundUp is set). The units are
// y, M, w, d, h (or H), m and s, in UTC.
func parseDateMath(s string, roundUp bool, now time.Time) (int64, error) {
	var t time.Time
	var ops string
	switch i := strings.Index(s, "||"); {
	case strings.HasPrefix(s, "now"):
		if now.IsZero() {
			return 0, fmt.Errorf("date math (%q) needs a time for \"now\", and none was given", s)
		}
		t, ops = now.UTC(), s[len("now"):]
	case i >= 0:
		ms, ok := parseDate(s[:i], false)
		if !ok {
			return 0, fmt.Errorf("%q is not a date (ISO 8601 or epoch milliseconds)", s[:i])
		}
		t, ops = time.UnixMilli(ms).UTC(), s[i+2:]
	default:
		ms, ok := parseDate(s, roundUp)
		if !ok {
			return 0, fmt.Errorf("%q is not a date (ISO 8601 or epoch milliseconds)", s)
		}
		return ms, nil
	}
	for ops != "" {
		op := ops[0]
		if op != '+' && op != '-' && op != '/' {
			return 0, fmt.Errorf("date math %q: expected +, - or / at %q", s, ops)
		}
		ops = ops[1:]
		n := 1
		if d := len(ops) - len(strings.TrimLeft(ops, "0123456789")); d > 0 {
			if op == '/' {
				return 0, fmt.Errorf("date math %q: rounding takes a unit, not a number", s)
			}
			v, err := strconv.Atoi(ops[:d])
			if err != nil {
				return 0, fmt.Errorf("date math %q: %v", s, err)
			}
			n, ops = v, ops[d:]
		}
		if ops == "" {
			return 0, fmt.Errorf("date math %q: missing unit", s)
		}
		unit := ops[0]
		ops = ops[1:]
		if op == '/' {
			start, next, ok := roundDate(t, unit)
			if !ok {
				return 0, fmt.Errorf("date math %q: unknown unit %q", s, unit)
			}
			t = start
			if roundUp {
				t = next.Add(-time.Millisecond)
			}
			continue
		}
		if op == '-' {
			n = -n
		}
		var ok bool
		if t, ok = addDate(t, n, unit); !ok {
			return 0, fmt.Errorf("date math %q: unknown unit %q", s, unit)
		}
	}
	return t.UnixMilli(), nil
}

// addDate adds n of a date-math unit to t.
func addDate(t time.Time, n int, unit byte) (time.Time, bool) {
	switch unit {
	case 'y':
		return t.AddDate(n, 0, 0), true
	case 'M':
		return t.AddDate(0, n, 0), true
	case 'w':
		return t.AddDate(0, 0, 7*n), true
	case 'd':
		return t.AddDate(0, 0, n), true
	case 'h', 'H':
		return t.Add(time.Duration(n) * time.Hour), true
	case 'm':
		return t.Add(time.Duration(n) * time.Minute), true
	case 's':
		return t.Add(time.Duration(n) * time.Second), true
	}
	return t, false
}

// roundDate gives the start of the date-math unit t is in, and the start
// of the next one. Weeks start on Monday.
func roundDate(t time.Time, unit byte) (start, next time.Time, ok bool) {
	y, mo, d := t.Date()
	switch unit {
	case 'y':
		start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	case 'M':
		start = time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC)
	case 'w':
		back := (int(t.Weekday()) + 6) % 7
		start = time.Date(y, mo, d-back, 0, 0, 0, 0, time.UTC)
		return start, start.AddDate(0, 0, 7), true
	case 'd':
		start = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	case 'h', 'H':
		start = t.Truncate(time.Hour)
	case 'm':
		start = t.Truncate(time.Minute)
	case 's':
		start = t.Truncate(time.Second)
	default:
		return t, t, false
	}
	next, _ = addDate(start, 1, unit)
	return start, next, true
}

// parseDate reads a date in the default format of an Elasticsearch date
// field, strict_date_optional_time||epoch_millis, as epoch milliseconds:
// a year with, optionally, -MM, -dd, THH, :mm, :ss, a fraction of up to
// nine digits and a zone (Z, +HH, +HHmm or +HH:mm; UTC when left out), or
// else a count of milliseconds. The parts left out are the start of the
// period, or its last millisecond when roundUp is set, as Elasticsearch
// rounds the bounds of a range.
func parseDate(s string, roundUp bool) (int64, bool) {
	if ms, ok := parseISODate(s, roundUp); ok {
		return ms, true
	}
	// Epoch milliseconds, with a fraction that is dropped.
	whole := s
	if i := strings.IndexByte(s, '.'); i >= 0 {
		whole = s[:i]
		if !allDigits(s[i+1:]) {
			return 0, false
		}
	}
	digits := strings.TrimPrefix(whole, "-")
	if digits == "" || !allDigits(digits) {
		return 0, false
	}
	ms, err := strconv.ParseInt(whole, 10, 64)
	return ms, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseISODate(s string, roundUp bool) (int64, bool) {
	p := dateScanner{s: s}
	year, ok := p.digits(4)
	if !ok {
		return 0, false
	}
	month, day, hour, minute, sec, nsec := 1, 1, 0, 0, 0, 0
	// step is what rounding up adds: one of the unit the value stops at.
	step := func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }
	if p.lit('-') {
		if month, ok = p.digits(2); !ok {
			return 0, false
		}
		step = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
		if p.lit('-') {
			if day, ok = p.digits(2); !ok {
				return 0, false
			}
			step = func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
			if p.lit('T') {
				if hour, ok = p.digits(2); !ok {
					return 0, false
				}
				step = func(t time.Time) time.Time { return t.Add(time.Hour) }
				if p.lit(':') {
					if minute, ok = p.digits(2); !ok {
						return 0, false
					}
					step = func(t time.Time) time.Time { return t.Add(time.Minute) }
					if p.lit(':') {
						if sec, ok = p.digits(2); !ok {
							return 0, false
						}
						step = func(t time.Time) time.Time { return t.Add(time.Second) }
						if p.lit('.') || p.lit(',') {
							start := p.i
							for p.i < len(s) && p.i-start < 9 && '0' <= s[p.i] && s[p.i] <= '9' {
								p.i++
							}
							frac := s[start:p.i]
							if frac == "" {
								return 0, false
							}
							f, _ := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
							nsec = f
							step = nil // a fraction is exact
						}
					}
				}
			}
		}
	}
	zone := time.UTC
	if p.i < len(s) {
		z, ok := p.zone()
		if !ok || p.i != len(s) {
			return 0, false
		}
		zone = z
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, zone)
	if roundUp && step != nil {
		return step(t).UnixMilli() - 1, true
	}
	return t.UnixMilli(), true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

type dateScanner struct {
	s string
	i int
}

func (p *dateScanner) lit(c byte) bool {
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *dateScanner) digits(n int) (int, bool) {
	if p.i+n > len(p.s) || !allDigits(p.s[p.i:p.i+n]) {
		return 0, false
	}
	v, _ := strconv.Atoi(p.s[p.i : p.i+n])
	p.i += n
	return v, true
}

// zone reads Z, +HH, +HHmm or +HH:mm (or with -).
func (p *dateScanner) zone() (*time.Location, bool) {
	if p.lit('Z') {
		return time.UTC, true
	}
	sign := 1
	switch {
	case p.lit('+'):
	case p.lit('-'):
		sign = -1
	default:
		return nil, false
	}
	h, ok := p.digits(2)
	if !ok {
		return nil, false
	}
	m := 0
	if p.lit(':') {
		if m, ok = p.digits(2); !ok {
			return nil, false
		}
	} else if p.i < len(p.s) {
		if m, ok = p.digits(2); !ok {
			return nil, false
		}
	}
	if h > 18 || m > 59 {
		return nil, false
	}
	return time.FixedZone("", sign*(h*3600+m*60)), true
}

// ipRangeTest holds when an address is in one of the ranges: each an
// address, or a CIDR block, as an ip field's term query reads it.
type ipRangeTest struct{ ranges []ipRange }

func (t *ipRangeTest) test(x *fastjson.Value) bool {
	a, ok := ipValue(x)
	if !ok {
		return false
	}
	for _, r := range t.ranges {
		if r.contains(a) {
			return true
		}
	}
	return false
}

// ipCmpTest compares an address with a bound in the order of their 16-byte
// forms (IPv4 mapped into IPv6), as an ip field's range query does.
type ipCmpTest struct {
	op cmpOp
	a  [16]byte
}

func (t *ipCmpTest) test(x *fastjson.Value) bool {
	a, ok := ipValue(x)
	return ok && t.op.holds(bytes.Compare(a[:], t.a[:]))
}

func ipValue(x *fastjson.Value) ([16]byte, bool) {
	if x.Type() != fastjson.TypeString {
		return [16]byte{}, false
	}
	s, _ := event.Text(x)
	return parseIP(s)
}

// boolTest compares a boolean field with a constant, false before true.
type boolTest struct {
	op  cmpOp
	val bool
}

func (t *boolTest) test(x *fastjson.Value) bool {
	b, ok := readBool(x)
	if !ok {
		return false
	}
	return t.op.holds(boolInt(b) - boolInt(t.val))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readBool reads a value of a boolean field: true or false, or a string
// that says so ("" is false), as Elasticsearch accepts them.
func readBool(x *fastjson.Value) (bool, bool) {
	switch x.Type() {
	case fastjson.TypeTrue:
		return true, true
	case fastjson.TypeFalse:
		return false, true
	case fastjson.TypeString:
		s, _ := event.Text(x)
		return parseBool(s)
	}
	return false, false
}

func parseBool(s string) (bool, bool) {
	switch s {
	case "true":
		return true, true
	case "false", "":
		return false, true
	}
	return false, false
}

// presentTest is KQL's field:*, an exists query: a value that is not null;
// an object counts when a field under it has one.
type presentTest struct{}

func (presentTest) test(x *fastjson.Value) bool { return present(x, 0) }

func present(x *fastjson.Value, depth int) bool {
	switch x.Type() {
	case fastjson.TypeNull:
		return false
	case fastjson.TypeObject:
		if depth >= maxWalkDepth {
			return false
		}
		o, _ := x.Object()
		found := false
		o.Visit(func(_ []byte, v *fastjson.Value) {
			found = found || present(v, depth+1)
		})
		return found
	case fastjson.TypeArray:
		if depth >= maxWalkDepth {
			return false
		}
		a, _ := x.Array()
		for _, e := range a {
			if present(e, depth+1) {
				return true
			}
		}
		return false
	}
	return true
}

// valuesNode holds when a value of the field passes the test.
type valuesNode struct {
	path *event.Path
	t    valueTest
}

func (n *valuesNode) eval(d *event.Doc) bool { return n.path.VisitDoc(d, n.t.test) }

// nestedNode is KQL's field:{ query }: it holds when the query holds for
// one of the objects under the field, all its conditions on that object.
type nestedNode struct {
	path *event.Path
	x    node
}

func (n *nestedNode) eval(d *event.Doc) bool {
	return n.path.VisitDoc(d, func(o *fastjson.Value) bool {
		// The inner query reads the object's fields, not the event's.
		return o.Type() == fastjson.TypeObject && n.x.eval(d.Sub(o))
	})
}
