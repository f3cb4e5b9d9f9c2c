// Package match compiles query trees (rules/ast, from the EQL and KQL
// parsers) into predicates over events, and evaluates them.
//
// Compilation resolves field paths, folds case and builds wildcard and
// regular-expression matchers once; a Program is then immutable and safe for
// concurrent use by every scan worker. The semantics are Elasticsearch's:
// EQL ==, !=, in, like and regex are case-sensitive while :, like~, regex~
// and in~ are not; a field holding an array matches when any element does;
// not and != are must_not clauses, so they hold for an event that lacks the
// field; KQL on keyword fields is exact and case-sensitive.
package match

import (
	"strconv"
	"strings"

	"dredge/event"
	"dredge/rules/ast"

	"github.com/valyala/fastjson"
)

// Options are settings of a compilation.
type Options struct {
	// CategoryField is the field an EQL event category tests;
	// event.category when empty.
	CategoryField string
}

// Program is a compiled query.
type Program struct {
	root node
	// Fields lists the fields the query tests, in first-seen order.
	Fields []string
}

// Match reports whether the event v satisfies the query.
func (p *Program) Match(v *fastjson.Value) bool { return p.root.eval(v) }

type compiler struct {
	opts   Options
	paths  map[string]*event.Path
	fields []string
}

func newCompiler(opts Options) *compiler {
	if opts.CategoryField == "" {
		opts.CategoryField = "event.category"
	}
	return &compiler{opts: opts, paths: map[string]*event.Path{}}
}

func (c *compiler) path(parts []string) *event.Path {
	name := strings.Join(parts, ".")
	if p, ok := c.paths[name]; ok {
		return p
	}
	p := event.NewPathParts(parts)
	c.paths[name] = p
	c.fields = append(c.fields, name)
	return p
}

func (c *compiler) program(root node) *Program {
	return &Program{root: root, Fields: c.fields}
}

// CompileEQL compiles an EQL event query. Sequences, samples and pipes are
// not compiled here: the scan's stateful stage runs them.
func CompileEQL(q *ast.Query, opts Options) (*Program, error) {
	eq, ok := q.Body.(*ast.EventQuery)
	if !ok {
		return nil, ast.Errorf(q.Position(), "only event queries can be compiled to a single-event predicate")
	}
	if len(q.Pipes) > 0 {
		return nil, ast.Errorf(q.Pipes[0].P, "pipes are not supported in this position")
	}
	c := newCompiler(opts)
	n, err := c.eventQuery(eq)
	if err != nil {
		return nil, err
	}
	return c.program(n), nil
}

func (c *compiler) eventQuery(eq *ast.EventQuery) (node, error) {
	cond, err := c.eql(eq.Where)
	if err != nil {
		return nil, err
	}
	if eq.Category == "any" {
		return cond, nil
	}
	cat := &eqNode{path: c.path(strings.Split(c.opts.CategoryField, ".")), want: eq.Category}
	return and(cat, cond), nil
}

func and(x, y node) node {
	var out andNode
	for _, n := range []node{x, y} {
		switch n := n.(type) {
		case andNode:
			out = append(out, n...)
		case constNode:
			if !n {
				return constNode(false)
			}
		default:
			out = append(out, n)
		}
	}
	switch len(out) {
	case 0:
		return constNode(true)
	case 1:
		return out[0]
	}
	return out
}

func or(x, y node) node {
	var out orNode
	for _, n := range []node{x, y} {
		switch n := n.(type) {
		case orNode:
			out = append(out, n...)
		case constNode:
			if n {
				return constNode(true)
			}
		default:
			out = append(out, n)
		}
	}
	switch len(out) {
	case 0:
		return constNode(false)
	case 1:
		return out[0]
	}
	return out
}

func not(x node) node {
	switch x := x.(type) {
	case notNode:
		return x.x
	case constNode:
		return !x
	}
	return notNode{x}
}

// eql compiles an EQL condition.
func (c *compiler) eql(e ast.Expr) (node, error) {
	switch e := e.(type) {
	case *ast.Logical:
		x, err := c.eql(e.X)
		if err != nil {
			return nil, err
		}
		y, err := c.eql(e.Y)
		if err != nil {
			return nil, err
		}
		if e.Op == ast.And {
			return and(x, y), nil
		}
		return or(x, y), nil
	case *ast.Not:
		x, err := c.eql(e.X)
		if err != nil {
			return nil, err
		}
		return not(x), nil
	case *ast.Literal:
		if e.Kind == ast.Bool {
			return constNode(e.Bool), nil
		}
		return nil, ast.Errorf(e.P, "expected a condition, found %s", e)
	case *ast.Field:
		return &eqNode{path: c.path(e.Path), want: "true"}, nil
	case *ast.Compare:
		return c.compare(e)
	case *ast.In:
		f, ok := e.X.(*ast.Field)
		if !ok {
			return nil, ast.Errorf(e.X.Position(), "in: expected a field on the left, found %s", e.X)
		}
		return c.in(f, e.List, e.Insensitive)
	case *ast.Match:
		return c.match(e)
	case *ast.Call:
		return nil, ast.Errorf(e.P, "function %s is not supported yet", e.Name)
	}
	return nil, ast.Errorf(e.Position(), "expected a condition, found %s", e)
}

func (c *compiler) compare(e *ast.Compare) (node, error) {
	f, fok := e.X.(*ast.Field)
	lit, lok := e.Y.(*ast.Literal)
	op := e.Op
	if !fok || !lok {
		// constant on the left: flip the comparison.
		f2, fok2 := e.Y.(*ast.Field)
		lit2, lok2 := e.X.(*ast.Literal)
		if !fok2 || !lok2 {
			return nil, ast.Errorf(e.P, "comparisons between %s and %s are not supported yet", e.X, e.Y)
		}
		f, lit = f2, lit2
		op = map[ast.CmpOp]ast.CmpOp{ast.Eq: ast.Eq, ast.NotEq: ast.NotEq, ast.Lt: ast.Gt, ast.Le: ast.Ge, ast.Gt: ast.Lt, ast.Ge: ast.Le}[op]
	}
	path := c.path(f.Path)
	if lit.Kind == ast.Null {
		switch op {
		case ast.Eq:
			return not(existsNode{path}), nil
		case ast.NotEq:
			return existsNode{path}, nil
		}
		return nil, ast.Errorf(lit.P, "null cannot be ordered with %s", op)
	}
	if op == ast.NotEq {
		n, err := c.cmp(path, ast.Eq, lit)
		if err != nil {
			return nil, err
		}
		return not(n), nil
	}
	return c.cmp(path, op, lit)
}

// cmp compiles field OP literal for ==, <, <=, >, >=.
func (c *compiler) cmp(path *event.Path, op ast.CmpOp, lit *ast.Literal) (node, error) {
	cop := map[ast.CmpOp]cmpOp{ast.Eq: opEq, ast.Lt: opLt, ast.Le: opLe, ast.Gt: opGt, ast.Ge: opGe}[op]
	switch lit.Kind {
	case ast.String:
		if op == ast.Eq {
			return &eqNode{path: path, want: lit.Str}, nil
		}
		if t, ok := event.ParseTime(lit.Str); ok && !isNumber(lit.Str) {
			return &cmpNode{path: path, op: cop, kind: cmpTime, tm: t}, nil
		}
		return &cmpNode{path: path, op: cop, kind: cmpString, str: lit.Str}, nil
	case ast.Int:
		return &cmpNode{path: path, op: cop, kind: cmpNumber, num: float64(lit.Int)}, nil
	case ast.Float:
		return &cmpNode{path: path, op: cop, kind: cmpNumber, num: lit.Float}, nil
	case ast.Bool:
		if op == ast.Eq {
			return &eqNode{path: path, want: strconv.FormatBool(lit.Bool)}, nil
		}
	}
	return nil, ast.Errorf(lit.P, "%s cannot be compared with %s", lit, op)
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func (c *compiler) in(f *ast.Field, list []ast.Expr, fold bool) (node, error) {
	path := c.path(f.Path)
	var strs []string
	var rest node = constNode(false)
	for _, e := range list {
		lit, ok := e.(*ast.Literal)
		if !ok {
			return nil, ast.Errorf(e.Position(), "in: expected a constant, found %s", e)
		}
		switch lit.Kind {
		case ast.String:
			strs = append(strs, lit.Str)
		case ast.Null:
			rest = or(rest, not(existsNode{path}))
		default:
			n, err := c.cmp(path, ast.Eq, lit)
			if err != nil {
				return nil, err
			}
			rest = or(rest, n)
		}
	}
	if len(strs) == 0 {
		return rest, nil
	}
	return or(newIn(path, strs, fold), rest), nil
}

func (c *compiler) match(e *ast.Match) (node, error) {
	f, ok := e.X.(*ast.Field)
	if !ok {
		return nil, ast.Errorf(e.X.Position(), "expected a field on the left, found %s", e.X)
	}
	path := c.path(f.Path)
	var pats []string
	for _, p := range e.Patterns {
		lit, ok := p.(*ast.Literal)
		if !ok || lit.Kind != ast.String {
			return nil, ast.Errorf(p.Position(), "expected a string pattern, found %s", p)
		}
		pats = append(pats, lit.Str)
	}
	if e.Op == ast.Regex {
		n := &regexNode{path: path}
		for i, p := range pats {
			re, err := luceneRegexp(p, e.Insensitive)
			if err != nil {
				return nil, ast.Errorf(e.Patterns[i].Position(), "%v", err)
			}
			n.res = append(n.res, re)
		}
		return n, nil
	}
	n := &globNode{path: path}
	for _, p := range pats {
		n.pats = append(n.pats, eqlGlob(p, e.Insensitive))
	}
	return n, nil
}

// CompileKQL compiles a KQL query. Every field is taken as an ECS keyword
// field: values compare exactly and case-sensitively, * is a wildcard.
func CompileKQL(e ast.Expr, opts Options) (*Program, error) {
	c := newCompiler(opts)
	n, err := c.kql(e)
	if err != nil {
		return nil, err
	}
	return c.program(n), nil
}

func (c *compiler) kql(e ast.Expr) (node, error) {
	switch e := e.(type) {
	case *ast.Logical:
		x, err := c.kql(e.X)
		if err != nil {
			return nil, err
		}
		y, err := c.kql(e.Y)
		if err != nil {
			return nil, err
		}
		if e.Op == ast.And {
			return and(x, y), nil
		}
		return or(x, y), nil
	case *ast.Not:
		x, err := c.kql(e.X)
		if err != nil {
			return nil, err
		}
		return not(x), nil
	case *ast.Term:
		if e.Field == nil {
			return nil, ast.Errorf(e.P, "free-text search (a value with no field) is not supported yet")
		}
		if err := plainField(e.Field); err != nil {
			return nil, err
		}
		path := c.path(e.Field.Path)
		if e.Wildcard {
			return &globNode{path: path, pats: []*glob{kqlGlob(e.Value, false)}}, nil
		}
		return &eqNode{path: path, want: e.Value}, nil
	case *ast.Exists:
		if err := plainField(e.Field); err != nil {
			return nil, err
		}
		return existsNode{c.path(e.Field.Path)}, nil
	case *ast.Compare:
		f, ok := e.X.(*ast.Field)
		lit, lok := e.Y.(*ast.Literal)
		if !ok || !lok || lit.Kind != ast.String {
			return nil, ast.Errorf(e.P, "expected field <, <=, > or >= value")
		}
		if err := plainField(f); err != nil {
			return nil, err
		}
		v := lit.Str
		path := c.path(f.Path)
		if n, err := strconv.ParseFloat(v, 64); err == nil {
			return c.cmp(path, e.Op, &ast.Literal{Kind: ast.Float, Float: n, P: lit.P})
		}
		return c.cmp(path, e.Op, lit)
	case *ast.Nested:
		return nil, ast.Errorf(e.P, "nested field queries are not supported yet")
	}
	return nil, ast.Errorf(e.Position(), "unexpected %s in a KQL query", e)
}

func plainField(f *ast.Field) error {
	for _, p := range f.Path {
		if strings.Contains(p, "*") {
			return ast.Errorf(f.P, "wildcards in field names are not supported yet")
		}
	}
	return nil
}
