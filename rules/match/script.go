package match

import (
	"regexp"

	"dredge/event"
	"dredge/rules/ast"

	"github.com/valyala/fastjson"
)

// This file is the generic evaluator: what Elasticsearch runs as a Painless
// script. Inside a script, null propagates through operators and functions
// (three-valued logic). Elasticsearch makes its scripts aware of
// multi-valued fields: every occurrence of a field in the script takes, in
// turn, each value the field has (a missing field is one null), and the
// script matches when any combination makes it true.

// xexpr is a compiled expression of a script. slots holds the value bound
// to each field occurrence for this evaluation.
type xexpr interface {
	eval(slots []value) value
}

// slotAlloc numbers the field occurrences of a script.
type slotAlloc struct {
	c     *compiler
	paths []*event.Path
}

// compileExpr compiles x for evaluation; s numbers its fields (nil when x
// has none, for folding).
func compileExpr(x *ir, s *slotAlloc) xexpr {
	args := make([]xexpr, len(x.args))
	for i, a := range x.args {
		args[i] = compileExpr(a, s)
	}
	switch x.kind {
	case irField:
		s.paths = append(s.paths, s.c.path(x.field.Path))
		return slotX(len(s.paths) - 1)
	case irConst:
		return constX{x.val}
	case irCall:
		if x.fn.name == "cidrmatch" {
			n := &cidrX{x: args[0]}
			for _, a := range x.args[1:] {
				if a.val.k == kStr {
					r, _ := parseCIDR(a.val.s)
					n.ranges = append(n.ranges, r)
				}
			}
			return n
		}
		return &callX{fn: x.fn, args: args, ci: x.ci}
	case irArith:
		return &arithX{op: x.arith, x: args[0], y: args[1]}
	case irNeg:
		return &negX{args[0]}
	case irCmp:
		if x.cmp == ast.Eq || x.cmp == ast.NotEq {
			ox, oy := isOptional(x.args[0]), isOptional(x.args[1])
			if ox || oy {
				return &optEqX{neq: x.cmp == ast.NotEq, x: args[0], y: args[1], ox: ox, oy: oy}
			}
		}
		return &cmpX{op: x.cmp, x: args[0], y: args[1]}
	case irIsNull:
		return &isNullX{args[0]}
	case irNot:
		return &notX{args[0]}
	case irLogic:
		return &logicX{and: x.and, x: args[0], y: args[1]}
	case irIn:
		return &inX{x: args[0], list: args[1:], ci: x.ci}
	case irMatch:
		n := &matchX{x: args[0], ci: x.ci}
		for _, p := range x.pats {
			if x.mop == ast.Regex {
				n.res = append(n.res, javaRegexp(p, x.ci))
			} else {
				n.globs = append(n.globs, eqlGlob(p, x.ci))
			}
		}
		return n
	}
	panic("match: unknown ir kind")
}

// javaRegexp compiles a pattern as Java's Pattern.matches runs it in a
// script: anchored to the whole value, . not matching a newline. The
// compiler checks the pattern first (checkJavaRegexp).
func javaRegexp(p string, fold bool) *regexp.Regexp {
	re, err := compileJavaRegexp(p, fold)
	if err != nil {
		panic(err)
	}
	return re
}

func compileJavaRegexp(p string, fold bool) (*regexp.Regexp, error) {
	prefix := ""
	if fold {
		prefix = "(?i)"
	}
	return regexp.Compile(prefix + `^(?:` + p + `)$`)
}

type slotX int

func (x slotX) eval(s []value) value { return s[x] }

type constX struct{ v value }

func (x constX) eval([]value) value { return x.v }

type callX struct {
	fn   *fnDef
	args []xexpr
	ci   bool
}

func (x *callX) eval(s []value) value {
	var buf [6]value
	a := buf[:0]
	if len(x.args) > len(buf) {
		a = make([]value, 0, len(x.args))
	}
	for _, e := range x.args {
		a = append(a, e.eval(s))
	}
	return x.fn.eval(a, x.ci)
}

type cidrX struct {
	x      xexpr
	ranges []ipRange
}

func (x *cidrX) eval(s []value) value { return cidrMatch(x.x.eval(s), x.ranges) }

type arithX struct {
	op   arithOp
	x, y xexpr
}

func (x *arithX) eval(s []value) value { return arith(x.op, x.x.eval(s), x.y.eval(s)) }

type negX struct{ x xexpr }

func (x *negX) eval(s []value) value { return negate(x.x.eval(s)) }

type cmpX struct {
	op   ast.CmpOp
	x, y xexpr
}

func (x *cmpX) eval(s []value) value {
	a, b := x.x.eval(s), x.y.eval(s)
	if a.k == kErr {
		return a
	}
	if b.k == kErr {
		return b
	}
	c, ok := compareValues(a, b)
	if !ok {
		return nullValue
	}
	return boolValue(cmpHolds(x.op, c))
}

func cmpHolds(op ast.CmpOp, c int) bool {
	switch op {
	case ast.Eq:
		return c == 0
	case ast.NotEq:
		return c != 0
	case ast.Lt:
		return c < 0
	case ast.Le:
		return c <= 0
	case ast.Gt:
		return c > 0
	}
	return c >= 0
}

func isOptional(x *ir) bool { return x.isField() && x.field.Optional }

// optEqX is == or != with an ?optional field on either side. Elasticsearch
// replaces an optional field it does not know with the constant null, and
// x == null with a null check; here an optional field missing from the
// event is that null: ?x == ?y holds when both are missing.
type optEqX struct {
	neq    bool
	x, y   xexpr
	ox, oy bool // the operand is an optional field
}

func (x *optEqX) eval(s []value) value {
	a, b := x.x.eval(s), x.y.eval(s)
	if a.k == kErr {
		return a
	}
	if b.k == kErr {
		return b
	}
	var eq bool
	switch {
	case x.ox && a.k == kNull:
		eq = b.k == kNull
	case x.oy && b.k == kNull:
		eq = a.k == kNull
	default:
		c, ok := compareValues(a, b)
		if !ok {
			return nullValue
		}
		eq = c == 0
	}
	return boolValue(eq != x.neq)
}

type isNullX struct{ x xexpr }

func (x *isNullX) eval(s []value) value {
	v := x.x.eval(s)
	if v.k == kErr {
		return v
	}
	return boolValue(v.k == kNull)
}

type notX struct{ x xexpr }

func (x *notX) eval(s []value) value {
	v := x.x.eval(s)
	if v.k != kBool {
		if v.k == kErr {
			return v
		}
		return nullValue
	}
	return boolValue(!v.b)
}

// logicX is three-valued and/or: false and null is false, true or null is
// true, otherwise null wins.
type logicX struct {
	and  bool
	x, y xexpr
}

func (x *logicX) eval(s []value) value {
	a, b := x.x.eval(s), x.y.eval(s)
	if a.k == kErr {
		return a
	}
	if b.k == kErr {
		return b
	}
	decisive := !x.and // false decides "and", true decides "or"
	if (a.k == kBool && a.b == decisive) || (b.k == kBool && b.b == decisive) {
		return boolValue(decisive)
	}
	if a.k != kBool || b.k != kBool {
		return nullValue
	}
	return boolValue(!decisive)
}

// inX is x in (list): true when x equals an element; null when it does
// not but some comparison was null; false otherwise. in~ compares strings
// ignoring case.
type inX struct {
	x    xexpr
	list []xexpr
	ci   bool
}

func (x *inX) eval(s []value) value {
	v := x.x.eval(s)
	if v.k == kErr {
		return v
	}
	result := falseValue
	for _, e := range x.list {
		w := e.eval(s)
		if w.k == kErr {
			return w
		}
		var c int
		var ok bool
		if x.ci && v.k == kStr && w.k == kStr {
			c, ok = 1, true
			if equal(v.s, w.s, true) {
				c = 0
			}
		} else {
			c, ok = compareValues(v, w)
		}
		switch {
		case !ok:
			result = nullValue
		case c == 0:
			return trueValue
		}
	}
	return result
}

// matchX is x : patterns, x like patterns or x regex patterns on a value
// computed by the script.
type matchX struct {
	x     xexpr
	globs []*glob
	res   []*regexp.Regexp
	ci    bool
}

func (x *matchX) eval(s []value) value {
	v := x.x.eval(s)
	if v.k == kNull || v.k == kErr {
		return v
	}
	str, _ := stringArg(v)
	for _, g := range x.globs {
		if g.match(str) {
			return trueValue
		}
	}
	for _, re := range x.res {
		if re.MatchString(str) {
			return trueValue
		}
	}
	return falseValue
}

// maxBindings bounds the combinations of values one script tries on one
// event, so that an event with huge arrays cannot stall a worker: past it,
// the script does not match.
const maxBindings = 1 << 16

// scriptNode is a condition Elasticsearch runs as a script: it holds when
// some binding of values to its field occurrences makes it true.
type scriptNode struct {
	paths []*event.Path
	x     xexpr
}

func (n *scriptNode) eval(d *event.Doc) bool {
	if len(n.paths) == 0 {
		r := n.x.eval(nil)
		return r.k == kBool && r.b
	}
	b := binder{n: n, d: d, budget: maxBindings}
	var buf [8]value
	if len(n.paths) <= len(buf) {
		b.slots = buf[:len(n.paths)]
	} else {
		b.slots = make([]value, len(n.paths))
	}
	return b.bind(0)
}

type binder struct {
	n      *scriptNode
	d      *event.Doc
	slots  []value
	budget int
	spent  bool // the budget ran out: stop, without a match
}

// bind binds occurrence i and the following ones, and reports whether some
// binding makes the script true.
func (b *binder) bind(i int) bool {
	if i == len(b.slots) {
		if b.budget <= 0 {
			b.spent = true
			return false
		}
		b.budget--
		r := b.n.x.eval(b.slots)
		return r.k == kBool && r.b
	}
	seen := false
	hit := b.n.paths[i].VisitDoc(b.d, func(x *fastjson.Value) bool {
		if b.spent {
			return true
		}
		val, ok := load(x)
		if !ok {
			return false
		}
		seen = true
		b.slots[i] = val
		return b.bind(i + 1)
	})
	if b.spent {
		return false
	}
	if hit {
		return true
	}
	if !seen {
		b.slots[i] = nullValue
		return b.bind(i + 1)
	}
	return false
}
