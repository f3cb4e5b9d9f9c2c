// Package match compiles query trees (rules/ast, from the EQL and KQL
// parsers) into predicates over events, and evaluates them.
//
// Compilation resolves field paths, folds case and builds wildcard and
// regular-expression matchers once; a Program is then immutable and safe for
// concurrent use by every scan worker. The semantics are Elasticsearch's:
// EQL ==, !=, in, like and regex are case-sensitive while :, like~, regex~
// and in~ are not; a field holding an array matches when any element does;
// not and != are must_not clauses, so they hold for an event that lacks the
// field, except that the not of what runs as a script (see below) is a
// script itself, where a null operand gives null and no match.
//
// EQL's whole expression language is compiled: arithmetic, the functions
// (add, between, cidrMatch, concat, divide, endsWith, indexOf, length,
// modulo, multiply, number, startsWith, string, stringContains, substring,
// subtract, with their ~ forms), comparisons of any two expressions and
// ?optional fields. Like Elasticsearch, the compiler turns what a search
// query can express (a field against constants) into fast nodes and runs
// the rest as a script with three-valued logic, where null propagates and
// a null condition does not match (script.go). Types are checked as
// Elasticsearch's analyzer checks them, so a query it refuses is refused
// here with its message. Fields have no mapping here: a field's type is
// whatever the event holds, and a function that needs a string takes a
// number's text, one that needs a number parses a string.
//
// What differs from Elasticsearch, knowingly: a comparison of two fields
// (or a field in an "in" list) is evaluated, where Elasticsearch refuses
// it; a script error that Elasticsearch reports for the whole search (a
// division by zero, number("x"), an integer overflow) makes the condition
// null for that event only; a constant expression that fails is a compile
// error.
//
// KQL is compiled as Kibana's detection engine translates it into
// Elasticsearch queries, and those depend on the field's mapping type,
// taken here from ECS (package ecs): keyword and wildcard fields compare
// exactly, text fields by analysed tokens (analyze.go), ip fields by
// address and CIDR block, numbers and dates by value. Wildcard field names,
// free text and nested queries are compiled too. kql.go lists the rules.
package match

import (
	"strconv"
	"strings"
	"time"

	"dredge/event"
	"dredge/rules/ast"

	"github.com/valyala/fastjson"
)

// Options are settings of a compilation.
type Options struct {
	// CategoryField is the field an EQL event category tests;
	// event.category when empty.
	CategoryField string
	// Now is the time KQL's date math ("now-30d/d") counts from. When it
	// is zero, a query with date math does not compile: an offline scan
	// has no "now" of its own, and the caller chooses one (the time of the
	// scan, or of the newest event).
	Now time.Time
	// Paths, when set, holds the field paths compiled so far, for the
	// compilation to reuse and add to: rules of a collection test the
	// same fields, and a path is read-only, shared by every rule.
	Paths *Paths
}

// Paths holds compiled field paths by their parts, for compilations to
// share (see Options). It is not safe for concurrent use: a caller that
// compiles on several goroutines gives each its own.
type Paths struct {
	m   map[string]*event.Path
	key []byte
}

// get returns the path of parts, compiled once.
func (ps *Paths) get(parts []string) *event.Path {
	if ps == nil {
		return event.NewPathParts(parts)
	}
	if ps.m == nil {
		ps.m = map[string]*event.Path{}
	}
	// The key is the parts joined by a byte no field name holds, since
	// the parts a.b and the parts a, b are different paths.
	ps.key = ps.key[:0]
	for i, s := range parts {
		if i > 0 {
			ps.key = append(ps.key, 0)
		}
		ps.key = append(ps.key, s...)
	}
	p, ok := ps.m[string(ps.key)]
	if !ok {
		p = event.NewPathParts(parts)
		ps.m[string(ps.key)] = p
	}
	return p
}

// Program is a compiled query.
type Program struct {
	root node
	// Fields lists the fields the query tests, in first-seen order.
	Fields []string
}

// Match reports whether the event v satisfies the query.
func (p *Program) Match(v *fastjson.Value) bool { return p.root.eval(&event.Doc{V: v}) }

// MatchDoc reports whether the event of d satisfies the query, reading its
// fields through d's memo: a scanner that evaluates many queries on each
// event gives them all the same Doc.
func (p *Program) MatchDoc(d *event.Doc) bool { return p.root.eval(d) }

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

// path returns the path of parts. Within a query, the first path of a
// name serves every later one of the same name.
func (c *compiler) path(parts []string) *event.Path {
	if c.opts.Paths == nil {
		name := strings.Join(parts, ".")
		if p, ok := c.paths[name]; ok {
			return p
		}
		p := event.NewPathParts(parts)
		c.paths[name] = p
		c.fields = append(c.fields, name)
		return p
	}
	p := c.opts.Paths.get(parts)
	name := p.Name()
	if q, ok := c.paths[name]; ok {
		return q
	}
	c.paths[name] = p
	c.fields = append(c.fields, name)
	return p
}

func (c *compiler) program(root node) *Program {
	return &Program{root: root, Fields: c.fields}
}

// CompileEQL compiles an EQL event query. Sequences, samples and pipes are
// not compiled here: the scan's stateful stage runs them. An error is an
// *ast.Error at the offending node.
func CompileEQL(q *ast.Query, opts Options) (p *Program, err error) {
	defer func() {
		if e := recover(); e != nil {
			p, err = nil, ast.Errorf(q.Position(), "internal error: %v", e)
		}
	}()
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

// joinAll is the left fold of and (T andNode, unit true) or of or (T
// orNode, unit false) over ns: join(...join(join(ns[0], ns[1]), ns[2])...),
// node for node. It builds one slice, where each join copies its left
// operand, which for a chain of n operands costs n².
func joinAll[T interface {
	~[]node
	node
}](ns []node, unit constNode) node {
	if len(ns) == 1 {
		return ns[0]
	}
	var out T
	// take adds n as join adds an operand; false for the absorbing
	// constant, which ends the fold.
	take := func(n node) bool {
		switch n := n.(type) {
		case T:
			out = append(out, n...)
		case constNode:
			return n == unit
		default:
			out = append(out, n)
		}
		return true
	}
	if !take(ns[0]) {
		return !unit
	}
	for i, n := range ns[1:] {
		if i > 0 && len(out) == 1 {
			// out stands for the join made so far, the left
			// operand of this one: a list of two or more is taken
			// back as it is, a single node is taken as itself.
			n0 := out[0]
			out = out[:0]
			if !take(n0) {
				return !unit
			}
		}
		if !take(n) {
			return !unit
		}
	}
	switch len(out) {
	case 0:
		return unit
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

// eql compiles an EQL condition: it is typed and checked (build), rewritten
// as Elasticsearch's optimizer would (rewrite), then translated into fast
// nodes and scripts (cond).
func (c *compiler) eql(e ast.Expr) (node, error) {
	x, err := c.build(e)
	if err != nil {
		return nil, err
	}
	if x.typ != tBool && x.typ != tAny && x.typ != tNull {
		return nil, conditionError(x)
	}
	if x, err = c.rewrite(x); err != nil {
		return nil, err
	}
	return c.cond(x)
}

// cmp compiles field OP literal for ==, <, <=, >, >=.
func (c *compiler) cmp(path *event.Path, op ast.CmpOp, lit *ast.Literal) (node, error) {
	cop := map[ast.CmpOp]cmpOp{ast.Eq: opEq, ast.Lt: opLt, ast.Le: opLe, ast.Gt: opGt, ast.Ge: opGe}[op]
	switch lit.Kind {
	case ast.String:
		t, isTime := parseTime(lit.Str)
		isTime = isTime && !isNumber(lit.Str)
		if op == ast.Eq {
			if isTime {
				return &timeEqNode{path: path, want: lit.Str, tm: t}, nil
			}
			return &eqNode{path: path, want: lit.Str}, nil
		}
		if isTime {
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

// parseTime is event.ParseTime, which most literals are not worth: a time
// it reads starts with a digit (a year, or epoch milliseconds) or with the
// minus of negative milliseconds, and failing costs an error of package
// time for each layout it tries. TestParseTime checks that it agrees.
func parseTime(s string) (time.Time, bool) {
	if s == "" || (s[0] < '0' || s[0] > '9') && s[0] != '-' {
		return time.Time{}, false
	}
	return event.ParseTime(s)
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
