package match

import (
	"cmp"
	"math"
	"regexp"
	"strconv"
	"time"

	"dredge/event"

	"github.com/valyala/fastjson"
	"github.com/valyala/fastjson/fastfloat"
)

// node is one compiled condition. Nodes are immutable and safe for
// concurrent use: all per-evaluation state lives on the stack.
type node interface {
	eval(d *event.Doc) bool
}

type andNode []node

func (n andNode) eval(d *event.Doc) bool {
	for _, x := range n {
		if !x.eval(d) {
			return false
		}
	}
	return true
}

type orNode []node

func (n orNode) eval(d *event.Doc) bool {
	for _, x := range n {
		if x.eval(d) {
			return true
		}
	}
	return false
}

// notNode is Elasticsearch's must_not: true when the inner condition does
// not hold, a missing field included.
type notNode struct{ x node }

func (n notNode) eval(d *event.Doc) bool { return !n.x.eval(d) }

type constNode bool

func (n constNode) eval(*event.Doc) bool { return bool(n) }

// existsNode holds when the field has a value that is not null.
type existsNode struct{ path *event.Path }

func (n existsNode) eval(d *event.Doc) bool { return n.path.ExistsDoc(d) }

// eqNode holds when any value of the field, read as keyword text, equals want.
type eqNode struct {
	path *event.Path
	want string
	fold bool
}

func (n *eqNode) eval(d *event.Doc) bool { return n.path.VisitDoc(d, n.test) }

// test is the condition on one value; KQL's field-name walks use it alone.
func (n *eqNode) test(x *fastjson.Value) bool {
	if x.Type() == fastjson.TypeNumber && !numberMayBe(x, n.want) {
		return false
	}
	s, ok := event.Text(x)
	return ok && equal(s, n.want, n.fold)
}

// The text of a number costs an allocation (event.Text), so the keyword
// tests first rule out, for free, the constants no number's text can be.

// numberish reports whether s could be part of a JSON number's text, which
// holds only digits, signs, points and exponents.
func numberish(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case '0' <= c && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

// numberMayBe reports whether the text of the number x may be s: the same
// text is the same number.
func numberMayBe(x *fastjson.Value, s string) bool {
	return numberish(s) && fastfloat.ParseBestEffort(s) == x.GetFloat64()
}

// inNode holds when any value of the field is one of a set of strings.
// Small sets are scanned; large ones use a map (lowercased when folding).
type inNode struct {
	path *event.Path
	list []string
	set  map[string]struct{}
	fold bool
	// nums are the numbers the strings of list that may be a number's
	// text read as, which spare reading the text of numbers.
	nums []float64
}

func newIn(path *event.Path, list []string, fold bool) *inNode {
	n := &inNode{path: path, list: list, fold: fold}
	for _, s := range list {
		if numberish(s) {
			n.nums = append(n.nums, fastfloat.ParseBestEffort(s))
		}
	}
	if len(list) > 8 {
		n.set = make(map[string]struct{}, len(list))
		for _, s := range list {
			if fold {
				s = string(lowerASCII(nil, s))
			}
			n.set[s] = struct{}{}
		}
	}
	return n
}

func (n *inNode) eval(d *event.Doc) bool { return n.path.VisitDoc(d, n.test) }

func (n *inNode) test(x *fastjson.Value) bool {
	if x.Type() == fastjson.TypeNumber {
		f := x.GetFloat64()
		found := false
		for _, w := range n.nums {
			found = found || w == f
		}
		if !found {
			return false
		}
	}
	s, ok := event.Text(x)
	if !ok {
		return false
	}
	if n.set != nil && (!n.fold || isASCII(s)) {
		if !n.fold {
			_, ok = n.set[s]
			return ok
		}
		var buf [256]byte
		if len(s) <= len(buf) {
			_, ok = n.set[string(lowerASCII(buf[:0], s))]
			return ok
		}
	}
	for _, w := range n.list {
		if equal(s, w, n.fold) {
			return true
		}
	}
	return false
}

// globNode holds when any value of the field matches any of the patterns.
type globNode struct {
	path *event.Path
	pats []*glob
}

func (n *globNode) eval(d *event.Doc) bool { return n.path.VisitDoc(d, n.test) }

func (n *globNode) test(x *fastjson.Value) bool {
	if x.Type() == fastjson.TypeNumber && !anyNumeric(n.pats) {
		return false
	}
	s, ok := event.Text(x)
	if !ok {
		return false
	}
	// The value is folded once for all the patterns that ignore case.
	var buf [256]byte
	var folded []byte
	for _, g := range n.pats {
		t := s
		if g.fold {
			if folded == nil {
				folded = AppendFold(buf[:0], s)
			}
			t = bytesString(folded)
		}
		if g.matchFolded(t) {
			return true
		}
	}
	return false
}

// anyNumeric reports whether some pattern could match a number's text.
func anyNumeric(gs []*glob) bool {
	for _, g := range gs {
		if g.numeric {
			return true
		}
	}
	return false
}

// regexNode holds when any value of the field matches any of the regexps.
type regexNode struct {
	path *event.Path
	res  []*regexp.Regexp
}

func (n *regexNode) eval(d *event.Doc) bool {
	return n.path.VisitDoc(d, func(x *fastjson.Value) bool {
		s, ok := event.Text(x)
		if !ok {
			return false
		}
		for _, re := range n.res {
			if re.MatchString(s) {
				return true
			}
		}
		return false
	})
}

// cmpKind is how an ordering comparison reads the field's values.
type cmpKind uint8

const (
	cmpNumber cmpKind = iota // numbers, and strings that parse as numbers
	cmpTime                  // times, as event.ParseTime reads them
	cmpString                // byte-wise
)

// cmpNode is field OP constant for ==, <, <=, >, >= on numbers, times or
// strings; it holds when any value of the field satisfies it.
type cmpNode struct {
	path *event.Path
	op   cmpOp
	kind cmpKind
	num  float64
	tm   time.Time
	str  string
}

type cmpOp uint8

const (
	opEq cmpOp = iota
	opLt
	opLe
	opGt
	opGe
)

func (n *cmpNode) eval(d *event.Doc) bool { return n.path.VisitDoc(d, n.test) }

func (n *cmpNode) test(x *fastjson.Value) bool {
	var c int
	switch n.kind {
	case cmpNumber:
		f, ok := number(x)
		if !ok {
			// A date field compared with a number compares epoch
			// milliseconds.
			if s, isStr := event.Text(x); !isStr || !looksLikeTime(s) {
				return false
			}
			t, isTime := event.ValueTime(x)
			if !isTime {
				return false
			}
			f = float64(t.UnixMilli())
		}
		c = cmp.Compare(f, n.num)
	case cmpTime:
		t, ok := event.ValueTime(x)
		if !ok {
			return false
		}
		c = t.Compare(n.tm)
	default:
		s, ok := event.Text(x)
		if !ok {
			return false
		}
		c = cmp.Compare(s, n.str)
	}
	return n.op.holds(c)
}

// holds reports whether a comparison that gave c (-1, 0 or 1) satisfies op.
func (op cmpOp) holds(c int) bool {
	switch op {
	case opEq:
		return c == 0
	case opLt:
		return c < 0
	case opLe:
		return c <= 0
	case opGt:
		return c > 0
	default:
		return c >= 0
	}
}

func number(x *fastjson.Value) (float64, bool) {
	switch x.Type() {
	case fastjson.TypeNumber:
		f, err := x.Float64()
		return f, err == nil
	case fastjson.TypeString:
		b, _ := x.StringBytes()
		f, err := strconv.ParseFloat(string(b), 64)
		return f, err == nil && !math.IsNaN(f)
	}
	return 0, false
}

// timeEqNode is field == "<date>": it holds when a value's text is the
// constant, or when the value reads as the same instant (epoch
// milliseconds, or another ISO form), as a date field compares.
type timeEqNode struct {
	path *event.Path
	want string
	tm   time.Time
}

func (n *timeEqNode) eval(d *event.Doc) bool {
	return n.path.VisitDoc(d, func(x *fastjson.Value) bool {
		switch x.Type() {
		case fastjson.TypeString:
			s, _ := event.Text(x)
			if s == n.want {
				return true
			}
			if !looksLikeTime(s) {
				return false
			}
		case fastjson.TypeNumber:
		default:
			return false
		}
		t, ok := event.ValueTime(x)
		return ok && t.Equal(n.tm)
	})
}

// looksLikeTime is a cheap test that s may be an ISO date (YYYY-MM-DD...),
// so that other strings are not parsed.
func looksLikeTime(s string) bool {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
