package match

import (
	"strconv"
	"strings"

	"dredge/rules/ast"
)

// This file turns an EQL condition into a typed intermediate tree (ir),
// checks its types as Elasticsearch's analyzer does, rewrites it as
// Elasticsearch's optimizer does where that changes answers (null checks,
// constant folding, f(...) == true), and leaves it to cond (translate.go)
// to pick a fast node or a script for each part.

// typ is the static type of an expression, as far as the query tells it.
// A field's type is only known from the events, so it is tAny and passes
// every check, as a field of the right type would in Elasticsearch.
type typ uint8

const (
	tAny    typ = iota // a field
	tNull              // the constant null
	tBool              // boolean
	tInt               // integer: integer constants, length(), indexOf()
	tLong              // long: integer constants beyond 32 bits
	tDouble            // double
	tNum               // a number of unknown width: arithmetic over fields
	tStr               // keyword: strings
)

// name is the type's name in Elasticsearch's messages.
func (t typ) name() string {
	switch t {
	case tNull:
		return "null"
	case tBool:
		return "boolean"
	case tInt:
		return "integer"
	case tLong:
		return "long"
	case tDouble:
		return "double"
	case tNum:
		return "numeric"
	case tStr:
		return "keyword"
	}
	return "unknown"
}

func (t typ) numeric() bool {
	switch t {
	case tAny, tNull, tInt, tLong, tDouble, tNum:
		return true
	}
	return false
}

// compatible is Elasticsearch's DataTypes.areCompatible, with tAny
// compatible with everything.
func compatible(a, b typ) bool {
	switch {
	case a == b, a == tAny, b == tAny, a == tNull, b == tNull:
		return true
	case a.numeric() && b.numeric():
		return true
	}
	return false
}

// irKind tells what an ir node is.
type irKind uint8

const (
	irField  irKind = iota // a field
	irConst                // a constant (folded)
	irCall                 // a function call
	irArith                // x op y
	irNeg                  // -x
	irCmp                  // x op y, a comparison
	irIsNull               // x == null
	irNot                  // not x
	irLogic                // x and y, x or y
	irIn                   // x in (list): args[0] is x, args[1:] the list
	irMatch                // x : patterns, like, regex
)

// ir is a node of the typed tree.
type ir struct {
	kind irKind
	src  ast.Expr // the source node, for messages and positions
	typ  typ
	args []*ir

	field *ast.Field  // irField
	val   value       // irConst
	fn    *fnDef      // irCall
	cmp   ast.CmpOp   // irCmp
	arith arithOp     // irArith
	and   bool        // irLogic: and, or else or
	ci    bool        // ~ on a call, in~, : and the ~ operators
	mop   ast.MatchOp // irMatch
	pats  []string    // irMatch: the patterns, nulls left out
}

func (x *ir) pos() ast.Pos { return x.src.Position() }

// isConst reports whether x is a constant; isField whether a field.
func (x *ir) isConst() bool { return x.kind == irConst }
func (x *ir) isField() bool { return x.kind == irField }

// hasFields reports whether any field occurs in x.
func (x *ir) hasFields() bool {
	if x.kind == irField {
		return true
	}
	for _, a := range x.args {
		if a.hasFields() {
			return true
		}
	}
	return false
}

// isFunction is Elasticsearch's "instanceof Function": anything but a
// field or a constant.
func (x *ir) isFunction() bool { return x.kind != irField && x.kind != irConst }

// ordinals name argument positions as Elasticsearch's messages do.
var ordinals = [...]string{"first ", "second ", "third ", "fourth ", "fifth "}

func ordinal(i int) string {
	if i < len(ordinals) {
		return ordinals[i]
	}
	return ""
}

// nth is 1st, 2nd, 3rd, 4th... for the elements of an "in" list.
func nth(n int) string {
	suffix := "th"
	switch n % 10 {
	case 1:
		suffix = "st"
	case 2:
		suffix = "nd"
	case 3:
		suffix = "rd"
	}
	if n%100 >= 11 && n%100 <= 13 {
		suffix = "th"
	}
	return strconv.Itoa(n) + suffix
}

// typeError is Elasticsearch's "[ordinal ]argument of [op] must be [want],
// found value [arg] type [type]", at the argument.
func typeError(ord string, op ast.Expr, want string, arg *ir) *ast.Error {
	return ast.Errorf(arg.pos(), "%sargument of [%s] must be [%s], found value [%s] type [%s]",
		ord, op, want, arg.src, arg.typ.name())
}

// check tests that arg fits kind k; op is the operation named in the
// message and ord the argument's ordinal ("" for a sole argument).
func check(k argKind, ord string, op ast.Expr, arg *ir) *ast.Error {
	t := arg.typ
	switch k {
	case argString:
		if t != tAny && t != tNull && t != tStr {
			return typeError(ord, op, "string", arg)
		}
	case argInteger:
		if t != tAny && t != tNull && t != tInt && t != tLong && t != tNum {
			return typeError(ord, op, "integer", arg)
		}
	case argNumeric:
		if !t.numeric() {
			return typeError(ord, op, "numeric", arg)
		}
	case argBoolean:
		if t != tAny && t != tNull && t != tBool {
			return typeError(ord, op, "boolean", arg)
		}
	case argIP:
		if t != tAny && t != tNull {
			return typeError(ord, op, "ip", arg)
		}
	}
	return nil
}

// build turns an EQL expression into the typed tree, checking types.
func (c *compiler) build(e ast.Expr) (*ir, error) {
	switch e := e.(type) {
	case *ast.Literal:
		return literalIR(e), nil
	case *ast.Field:
		return &ir{kind: irField, src: e, typ: tAny, field: e}, nil
	case *ast.Logical:
		x, y, err := c.build2(e.X, e.Y)
		if err != nil {
			return nil, err
		}
		if err := check(argBoolean, "first ", e, x); err != nil {
			return nil, err
		}
		if err := check(argBoolean, "second ", e, y); err != nil {
			return nil, err
		}
		return &ir{kind: irLogic, src: e, typ: tBool, args: []*ir{x, y}, and: e.Op == ast.And}, nil
	case *ast.Not:
		x, err := c.build(e.X)
		if err != nil {
			return nil, err
		}
		if err := check(argBoolean, "", e, x); err != nil {
			return nil, err
		}
		return &ir{kind: irNot, src: e, typ: tBool, args: []*ir{x}}, nil
	case *ast.Compare:
		x, y, err := c.build2(e.X, e.Y)
		if err != nil {
			return nil, err
		}
		if e.Op != ast.Eq && e.Op != ast.NotEq {
			for _, o := range []*ir{x, y} {
				if lit, ok := o.src.(*ast.Literal); ok && lit.Kind == ast.Null {
					return nil, ast.Errorf(lit.P, "null cannot be ordered with %s", e.Op)
				}
			}
		}
		return &ir{kind: irCmp, src: e, typ: tBool, args: []*ir{x, y}, cmp: e.Op}, nil
	case *ast.Arith:
		x, y, err := c.build2(e.X, e.Y)
		if err != nil {
			return nil, err
		}
		if err := check(argNumeric, "first ", e, x); err != nil {
			return nil, err
		}
		if err := check(argNumeric, "second ", e, y); err != nil {
			return nil, err
		}
		return &ir{kind: irArith, src: e, typ: arithType(x.typ, y.typ), args: []*ir{x, y}, arith: arithOp(e.Op)}, nil
	case *ast.Neg:
		x, err := c.build(e.X)
		if err != nil {
			return nil, err
		}
		if err := check(argNumeric, "", e, x); err != nil {
			return nil, err
		}
		t := x.typ
		if t == tAny || t == tNull {
			t = tNum
		}
		return &ir{kind: irNeg, src: e, typ: t, args: []*ir{x}}, nil
	case *ast.Call:
		return c.call(e)
	case *ast.In:
		return c.in(e)
	case *ast.Match:
		return c.match(e)
	}
	return nil, ast.Errorf(e.Position(), "unexpected %s in an EQL query", e)
}

func (c *compiler) build2(a, b ast.Expr) (*ir, *ir, error) {
	x, err := c.build(a)
	if err != nil {
		return nil, nil, err
	}
	y, err := c.build(b)
	if err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

func literalIR(e *ast.Literal) *ir {
	x := &ir{kind: irConst, src: e}
	switch e.Kind {
	case ast.String:
		x.val, x.typ = strValue(e.Str), tStr
	case ast.Int:
		if e.Int == int64(int32(e.Int)) {
			x.val, x.typ = intValue(e.Int), tInt
		} else {
			x.val, x.typ = longValue(e.Int), tLong
		}
	case ast.Float:
		x.val, x.typ = doubleValue(e.Float), tDouble
	case ast.Bool:
		x.val, x.typ = boolValue(e.Bool), tBool
	default:
		x.val, x.typ = nullValue, tNull
	}
	return x
}

// arithType is the type of x op y under Java's widening.
func arithType(a, b typ) typ {
	switch {
	case a == tDouble || b == tDouble:
		return tDouble
	case a == tAny || b == tAny || a == tNum || b == tNum:
		return tNum
	case a == tLong || b == tLong:
		return tLong
	}
	return tInt
}

// call builds a function call: the name is looked up ignoring case, as
// Elasticsearch does, then the arity and the argument types are checked.
func (c *compiler) call(e *ast.Call) (*ir, error) {
	name := strings.ToLower(e.Name)
	f := functions[name]
	if f == nil {
		return nil, ast.Errorf(e.P, "unknown function [%s]", e.Name)
	}
	if e.Insensitive && !f.ci {
		return nil, ast.Errorf(e.P, "function [%s] has no case-insensitive form %s~", e.Name, e.Name)
	}
	if len(e.Args) < f.min || (f.max >= 0 && len(e.Args) > f.max) {
		return nil, ast.Errorf(e.P, "error building [%s]: %s", name, f.arity)
	}
	x := &ir{kind: irCall, src: e, typ: f.out, fn: f, ci: e.Insensitive}
	for _, a := range e.Args {
		arg, err := c.build(a)
		if err != nil {
			return nil, err
		}
		x.args = append(x.args, arg)
	}
	if name == "cidrmatch" {
		return x, checkCIDRMatch(e, x.args)
	}
	for i, arg := range x.args {
		ord := ordinal(i)
		if f.max == 1 {
			ord = ""
		}
		if err := check(f.argKindAt(i), ord, e, arg); err != nil {
			return nil, err
		}
	}
	if f.out == tNum && name != "number" { // add, divide, modulo, multiply, subtract
		x.typ = arithType(x.args[0].typ, x.args[1].typ)
	}
	return x, nil
}

// checkCIDRMatch checks cidrMatch(ip, block...): an ip (a field) and
// constant strings that are valid CIDR blocks or addresses.
func checkCIDRMatch(e *ast.Call, args []*ir) error {
	if err := check(argIP, "first ", e, args[0]); err != nil {
		return err
	}
	for _, a := range args[1:] {
		if err := check(argString, "", e, a); err != nil {
			return err
		}
	}
	for i, a := range args[1:] {
		if !a.isConst() {
			return ast.Errorf(a.pos(), "%sargument of [%s] must be a constant, received [%s]", ordinal(i+1), e, a.src)
		}
		if a.val.k == kStr {
			if _, ok := parseCIDR(a.val.s); !ok {
				return ast.Errorf(a.pos(), "%sargument of [%s] is not a CIDR block or an IP address: %s", ordinal(i+1), e, a.src)
			}
		}
	}
	return nil
}

// in builds x in (list) and x in~ (list). The list's types must fit the
// type of x, or of each other when x is a field.
func (c *compiler) in(e *ast.In) (*ir, error) {
	x, err := c.build(e.X)
	if err != nil {
		return nil, err
	}
	n := &ir{kind: irIn, src: e, typ: tBool, args: []*ir{x}, ci: e.Insensitive}
	want := x.typ
	for i, le := range e.List {
		l, err := c.build(le)
		if err != nil {
			return nil, err
		}
		if want == tAny && l.isConst() && l.typ != tNull {
			want = l.typ
		} else if !compatible(want, l.typ) {
			return nil, ast.Errorf(l.pos(), "%s argument of [%s] must be [%s], found value [%s] type [%s]",
				nth(i+1), e, want.name(), l.src, l.typ.name())
		}
		n.args = append(n.args, l)
	}
	return n, nil
}

// match builds x : patterns, x like patterns and x regex patterns. The
// patterns are constant strings; x must be a string.
func (c *compiler) match(e *ast.Match) (*ir, error) {
	x, err := c.build(e.X)
	if err != nil {
		return nil, err
	}
	if x.typ != tAny && x.typ != tNull && x.typ != tStr {
		if e.Op == ast.Seq {
			return nil, ast.Errorf(x.pos(), "first argument of [:] must be [string], found value [%s] type [%s]; consider using [==] instead", x.src, x.typ.name())
		}
		return nil, typeError("", e, "string", x)
	}
	n := &ir{kind: irMatch, src: e, typ: tBool, args: []*ir{x}, ci: e.Insensitive, mop: e.Op}
	for _, p := range e.Patterns {
		lit, ok := p.(*ast.Literal)
		if ok && lit.Kind == ast.Null {
			continue
		}
		if !ok || lit.Kind != ast.String {
			return nil, ast.Errorf(p.Position(), "expected a string pattern, found %s", p)
		}
		if e.Op == ast.Regex {
			// A field is searched with Lucene's syntax, anything else by a
			// script with Java's.
			if x.isField() {
				if _, err := luceneRegexp(lit.Str, e.Insensitive); err != nil {
					return nil, ast.Errorf(p.Position(), "%v", err)
				}
			} else if _, err := compileJavaRegexp(lit.Str, e.Insensitive); err != nil {
				return nil, ast.Errorf(p.Position(), "regex %q: %s", lit.Str, regexpProblem(err))
			}
		}
		n.pats = append(n.pats, lit.Str)
	}
	return n, nil
}

// rewrite applies Elasticsearch's optimizer rules that change answers, bottom
// up: comparisons with null become null checks, constant parts fold, a
// boolean function compared with true or false becomes the function or its
// negation, and double negations cancel.
func (c *compiler) rewrite(x *ir) (*ir, error) {
	for i, a := range x.args {
		r, err := c.rewrite(a)
		if err != nil {
			return nil, err
		}
		x.args[i] = r
	}
	switch x.kind {
	case irCmp:
		a, b := x.args[0], x.args[1]
		if x.cmp == ast.Eq || x.cmp == ast.NotEq {
			var other *ir
			switch {
			case b.isConst() && b.val.k == kNull:
				other = a
			case a.isConst() && a.val.k == kNull:
				other = b
			}
			if other != nil {
				n := &ir{kind: irIsNull, src: x.src, typ: tBool, args: []*ir{other}}
				if x.cmp == ast.NotEq {
					n = &ir{kind: irNot, src: x.src, typ: tBool, args: []*ir{n}}
				}
				return c.rewrite(n)
			}
			// f == true is f; f == false is not f (BooleanFunctionEqualsElimination).
			if a.isConst() && !b.isConst() {
				a, b = b, a
			}
			if b.isConst() && b.val.k == kBool && a.isFunction() && a.typ == tBool {
				if b.val.b == (x.cmp == ast.Eq) {
					return a, nil
				}
				return c.rewrite(&ir{kind: irNot, src: x.src, typ: tBool, args: []*ir{a}})
			}
		}
	case irNot:
		if a := x.args[0]; a.kind == irNot {
			return a.args[0], nil
		}
	}
	if x.kind != irConst && x.kind != irField && !x.hasFields() {
		v := compileExpr(x, nil).eval(nil)
		if v.k == kErr {
			return nil, ast.Errorf(x.pos(), "%s: %s", x.src, v.s)
		}
		return &ir{kind: irConst, src: x.src, typ: x.typ, val: v}, nil
	}
	return x, nil
}
