package match

import (
	"dredge/event"
	"dredge/rules/ast"

	"github.com/valyala/fastjson"
)

// cond turns a checked and rewritten condition into nodes, the way
// Elasticsearch's query translator does: and, or and not become a bool
// query (two-valued: not holds where its operand does not, a missing field
// included), but the not of a script is a script of the not (three-valued); a field compared with a constant, a null check, in, :, like
// and regex on a field become term, range, exists, terms, wildcard and
// regexp queries, and so fast nodes; startsWith, endsWith, stringContains
// and cidrMatch of a field and constants become prefix, wildcard and terms
// queries; everything else is a script (scriptNode).
//
// Each fast node holds when any value of its field does, as a query does;
// a script holds when any binding of values to its fields makes it true, so
// the two agree on every event for the shapes that have both.
func (c *compiler) cond(x *ir) (node, error) {
	switch x.kind {
	case irConst:
		switch x.val.k {
		case kBool:
			return constNode(x.val.b), nil
		case kNull:
			return constNode(false), nil // a null condition filters everything out
		}
		return nil, conditionError(x)
	case irLogic:
		// A chain a or b or c... is a tree leaning left: its operands
		// are compiled in order and joined at once.
		var right []*ir
		y := x
		for ; y.kind == irLogic && y.and == x.and; y = y.args[0] {
			right = append(right, y.args[1])
		}
		ns := make([]node, 0, len(right)+1)
		n, err := c.cond(y)
		if err != nil {
			return nil, err
		}
		ns = append(ns, n)
		for i := len(right) - 1; i >= 0; i-- {
			n, err := c.cond(right[i])
			if err != nil {
				return nil, err
			}
			ns = append(ns, n)
		}
		if x.and {
			return joinAll[andNode](ns, true), nil
		}
		return joinAll[orNode](ns, false), nil
	case irNot:
		a, err := c.cond(x.args[0])
		if err != nil {
			return nil, err
		}
		if _, ok := a.(*scriptNode); ok {
			// Elasticsearch's translator makes the not of a script a
			// script of the whole not (QL's Nots.doTranslate), so that
			// null stays null: not endsWith(x, null) does not match,
			// where the not of a query would.
			return c.script(x), nil
		}
		return not(a), nil
	case irField:
		return &eqNode{path: c.path(x.field.Path), want: "true"}, nil
	case irCmp:
		if n, ok, err := c.fieldCompare(x); ok || err != nil {
			return n, err
		}
	case irIsNull:
		if a := x.args[0]; a.isField() {
			return not(existsNode{c.path(a.field.Path)}), nil
		}
	case irIn:
		if n, ok, err := c.fieldIn(x); ok || err != nil {
			return n, err
		}
	case irMatch:
		if a := x.args[0]; a.isField() {
			return c.fieldMatch(a.field, x)
		}
	case irCall:
		if n, ok := c.fieldCall(x); ok {
			return n, nil
		}
	}
	if x.typ != tBool && x.typ != tAny && x.typ != tNull {
		return nil, conditionError(x)
	}
	return c.script(x), nil
}

// conditionError is Elasticsearch's refusal of a condition that is not
// boolean.
func conditionError(x *ir) *ast.Error {
	name := x.typ.name()
	if x.isConst() {
		name = constType(x.val).name()
	}
	return ast.Errorf(x.pos(), "condition expression needs to be boolean, found [%s]", upper(name))
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func constType(v value) typ {
	switch v.k {
	case kBool:
		return tBool
	case kInt:
		return tInt
	case kLong:
		return tLong
	case kDouble:
		return tDouble
	case kStr:
		return tStr
	}
	return tNull
}

// script compiles x as a script condition.
func (c *compiler) script(x *ir) node {
	s := &slotAlloc{c: c}
	e := compileExpr(x, s)
	return &scriptNode{paths: s.paths, x: e}
}

// literal turns a folded constant back into a literal for the fast nodes.
func literal(v value, pos ast.Pos) *ast.Literal {
	switch v.k {
	case kStr:
		return &ast.Literal{Kind: ast.String, Str: v.s, P: pos}
	case kInt, kLong:
		return &ast.Literal{Kind: ast.Int, Int: v.n, P: pos}
	case kDouble:
		return &ast.Literal{Kind: ast.Float, Float: v.f, P: pos}
	case kBool:
		return &ast.Literal{Kind: ast.Bool, Bool: v.b, P: pos}
	}
	return &ast.Literal{Kind: ast.Null, P: pos}
}

var flipped = map[ast.CmpOp]ast.CmpOp{ast.Eq: ast.Eq, ast.NotEq: ast.NotEq, ast.Lt: ast.Gt, ast.Le: ast.Ge, ast.Gt: ast.Lt, ast.Ge: ast.Le}

// fieldCompare compiles field OP constant (either way round) as a term or
// range query; ok is false for any other comparison.
func (c *compiler) fieldCompare(x *ir) (n node, ok bool, err error) {
	a, b, op := x.args[0], x.args[1], x.cmp
	if a.isConst() && b.isField() {
		a, b, op = b, a, flipped[op]
	}
	if !a.isField() || !b.isConst() || b.val.k == kNull {
		return nil, false, nil
	}
	path := c.path(a.field.Path)
	lit := literal(b.val, b.pos())
	if op == ast.NotEq {
		n, err := c.cmp(path, ast.Eq, lit)
		if err != nil {
			return nil, true, err
		}
		return not(n), true, nil
	}
	n, err = c.cmp(path, op, lit)
	return n, true, err
}

// fieldIn compiles field in (constants) as a terms query: a null in the
// list matches nothing, as Elasticsearch leaves it out of the terms.
func (c *compiler) fieldIn(x *ir) (node, bool, error) {
	f := x.args[0]
	if !f.isField() {
		return nil, false, nil
	}
	for _, l := range x.args[1:] {
		if !l.isConst() {
			return nil, false, nil
		}
	}
	path := c.path(f.field.Path)
	var strs []string
	var rest node = constNode(false)
	for _, l := range x.args[1:] {
		switch l.val.k {
		case kNull:
		case kStr:
			strs = append(strs, l.val.s)
		default:
			n, err := c.cmp(path, ast.Eq, literal(l.val, l.pos()))
			if err != nil {
				return nil, true, err
			}
			rest = or(rest, n)
		}
	}
	if len(strs) == 0 {
		return rest, true, nil
	}
	return or(newIn(path, strs, x.ci), rest), true, nil
}

// fieldMatch compiles :, like and regex on a field as wildcard and regexp
// queries.
func (c *compiler) fieldMatch(f *ast.Field, x *ir) (node, error) {
	path := c.path(f.Path)
	if len(x.pats) == 0 {
		return constNode(false), nil
	}
	if x.mop == ast.Regex {
		n := &regexNode{path: path}
		for _, p := range x.pats {
			re, err := luceneRegexp(p, x.ci)
			if err != nil {
				return nil, ast.Errorf(x.pos(), "%v", err)
			}
			n.res = append(n.res, re)
		}
		return n, nil
	}
	n := &globNode{path: path}
	for _, p := range x.pats {
		n.pats = append(n.pats, eqlGlob(p, x.ci))
	}
	return n, nil
}

// fieldCall compiles the functions Elasticsearch turns into queries when
// their first argument is a field and the rest constants: startsWith is a
// prefix query, endsWith and stringContains wildcard queries, cidrMatch a
// terms query on an ip field. Each holds when any value of the field does.
// The constant is taken literally (a * in it is a star), and an empty one
// matches every value, as the queries do.
func (c *compiler) fieldCall(x *ir) (node, bool) {
	if len(x.args) < 2 || !x.args[0].isField() {
		return nil, false
	}
	for _, a := range x.args[1:] {
		if !a.isConst() {
			return nil, false
		}
	}
	path := c.path(x.args[0].field.Path)
	k := x.args[1].val
	switch x.fn.name {
	case "startswith", "endswith", "stringcontains":
		if k.k != kStr {
			return nil, false
		}
		var g *glob
		switch x.fn.name {
		case "startswith":
			g = newGlob([]tok{{tokLit, k.s}, {kind: tokStar}}, x.ci)
		case "endswith":
			g = newGlob([]tok{{kind: tokStar}, {tokLit, k.s}}, x.ci)
		default:
			g = newGlob([]tok{{kind: tokStar}, {tokLit, k.s}, {kind: tokStar}}, x.ci)
		}
		return &globNode{path: path, pats: []*glob{g}}, true
	case "cidrmatch":
		n := &cidrNode{path: path}
		for _, a := range x.args[1:] {
			if a.val.k == kStr {
				r, _ := parseCIDR(a.val.s)
				n.ranges = append(n.ranges, r)
			}
		}
		return n, true
	}
	return nil, false
}

// cidrNode holds when any value of the field is an address in one of the
// ranges.
type cidrNode struct {
	path   *event.Path
	ranges []ipRange
}

func (n *cidrNode) eval(d *event.Doc) bool {
	return n.path.VisitDoc(d, func(x *fastjson.Value) bool {
		if x.Type() != fastjson.TypeString {
			return false
		}
		s, _ := event.Text(x)
		a, ok := parseIP(s)
		if !ok {
			return false
		}
		for _, r := range n.ranges {
			if r.contains(a) {
				return true
			}
		}
		return false
	})
}
