// Package kql parses Kibana's query language, KQL (also called kuery), into
// the syntax tree of rules/ast. It knows nothing of events or field types:
// values stay text, and rules/match decides what they mean for each field.
//
// The grammar is Kibana's (kbn-es-query's grammar.peggy):
//
//	host.os.type:linux and not process.name:(bash or sh)
//	@timestamp >= "2024-01-01" and file.path:/var/run/*
//	process.args:{ name:x }
//
// The tree: and/or/not give ast.Logical and ast.Not; field:value gives an
// ast.Term (Field is nil for a value without a field); field:(a or b) gives
// the same tree as field:a or field:b; field:* gives ast.Exists;
// field:{ query } gives ast.Nested; field < value gives an ast.Compare of
// the field with a string ast.Literal, marked KQL.
//
// An unquoted value runs up to a special character ( ) : < > " { }, or up
// to whitespace before a keyword, so it may hold spaces: "a:b c" is the
// value "b c", and, as in Kibana, "a:b or" at the end is the value "b or".
// Its escapes are \ before a special character, \\, \*, \t \r \n,
// \uXXXX, and \and \or \not for the words; an unescaped * makes it a
// wildcard. A quoted value takes \" \\ \t \r \n \uXXXX, any other backslash
// is itself, and its * is a plain star.
//
// Field names are split at the dots; * in a field name is always a
// wildcard, even when escaped or quoted, since a field name cannot hold a
// star. Range values are kept as text with every escape resolved.
//
// Where this parser differs from Kibana's:
//   - "\ " is an escaped space in an unquoted value (Kibana has none).
//   - "\not" is the escaped word "not"; Kibana reads it as \n and "ot".
//   - "not" is a keyword before "(" too, and "not not x" is allowed.
//   - "not" ends an unquoted value only at the start of a word: Kibana
//     rejects "a:cannot be".
//   - An empty query is an error, not a match-all.
package kql

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"dredge/rules/ast"
)

// maxDepth bounds the nesting of parentheses, braces and "not", so that
// a hostile query cannot exhaust the stack here or in the compiler.
const maxDepth = 1000

// Parse parses a KQL query. A syntax error is an *ast.Error holding the
// byte offset of the offending token.
func Parse(src string) (x ast.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			x = nil
			if e, ok := r.(*ast.Error); ok {
				err = e
				return
			}
			err = ast.Errorf(0, "internal error: %v", r)
		}
	}()
	p := &parser{src: src, lx: newLexer(src)}
	return p.parseQuery(), nil
}

// parser is a recursive-descent parser over the items of the query.
// Errors are raised with panic(*ast.Error) and recovered in Parse.
type parser struct {
	src   string
	lx    *lexer
	depth int
}

// peek returns the next item. A lexical error is raised here, so that it
// is reported when the parser reaches it.
func (p *parser) peek() item {
	it := p.lx.peek()
	if it.typ == itemError {
		panic(&ast.Error{Pos: it.pos, Msg: it.val})
	}
	return it
}

// next consumes the next item.
func (p *parser) next() item {
	it := p.peek()
	if it.typ != itemEOF {
		p.lx.pop()
	}
	return it
}

func (p *parser) errorf(pos ast.Pos, format string, args ...any) {
	panic(ast.Errorf(pos, format, args...))
}

// enter goes one level deeper at the item open.
func (p *parser) enter(open item) {
	p.depth++
	if p.depth > maxDepth {
		p.errorf(open.pos, "query nested too deeply")
	}
}

// text quotes the source of an item for an error message.
func (p *parser) text(it item) string {
	if it.typ == itemEOF {
		return "end of query"
	}
	s := p.src[it.pos:it.end]
	if utf8.RuneCountInString(s) > 24 {
		r := []rune(s)
		s = string(r[:20]) + "..."
	}
	return strconv.Quote(s)
}

// parseQuery parses a whole query.
//
//	query = or EOF
func (p *parser) parseQuery() ast.Expr {
	if t := p.peek(); t.typ == itemEOF {
		p.errorf(t.pos, "empty query")
	}
	x := p.parseOr(item{})
	switch t := p.peek(); t.typ {
	case itemEOF:
	case itemRParen:
		p.errorf(t.pos, "unbalanced parenthesis")
	case itemRBrace:
		p.errorf(t.pos, "unbalanced brace")
	default:
		p.errorf(t.pos, `expected "and", "or" or end of query, found %s`, p.text(t))
	}
	return x
}

// parseOr parses a disjunction; after is the item before it, for errors.
//
//	or = and { "or" and }
func (p *parser) parseOr(after item) ast.Expr {
	x := p.parseAnd(after)
	for p.peek().typ == itemOr {
		op := p.next()
		y := p.parseAnd(op)
		x = &ast.Logical{Op: ast.Or, X: x, Y: y, P: x.Position()}
	}
	return x
}

// parseAnd parses a conjunction.
//
//	and = not { "and" not }
func (p *parser) parseAnd(after item) ast.Expr {
	x := p.parseNot(after)
	for p.peek().typ == itemAnd {
		op := p.next()
		y := p.parseNot(op)
		x = &ast.Logical{Op: ast.And, X: x, Y: y, P: x.Position()}
	}
	return x
}

// parseNot parses a negation.
//
//	not = "not" not | primary
func (p *parser) parseNot(after item) ast.Expr {
	t := p.peek()
	if t.typ != itemNot {
		return p.parsePrimary(after)
	}
	p.next()
	// "not (" is one level, as the print "not (x)" of any "not x" is.
	deeper := p.peek().typ != itemLParen
	if deeper {
		p.enter(t)
	}
	x := p.parseNot(t)
	if deeper {
		p.depth--
	}
	return &ast.Not{X: x, P: t.pos}
}

// parsePrimary parses a query in parentheses, an expression on a field or
// a value without a field.
//
//	primary = "(" or ")" | field ":" fieldValue | field range | literal
//	field   = literal
//	literal = text | string
func (p *parser) parsePrimary(after item) ast.Expr {
	t := p.peek()
	switch t.typ {
	case itemLParen:
		p.next()
		p.enter(t)
		x := p.parseOr(t)
		p.close(t)
		p.depth--
		return x
	case itemText, itemString:
		p.next()
		switch op := p.peek(); op.typ {
		case itemColon:
			p.next()
			return p.parseFieldValue(p.field(t), op)
		case itemLt, itemLe, itemGt, itemGe:
			p.next()
			return p.parseRange(p.field(t), op)
		}
		return value(nil, t, t.pos)
	}
	if after == (item{}) {
		switch t.typ {
		case itemRParen:
			p.errorf(t.pos, "unbalanced parenthesis")
		case itemRBrace:
			p.errorf(t.pos, "unbalanced brace")
		}
		p.errorf(t.pos, "expected query, found %s", p.text(t))
	}
	p.errorf(t.pos, "expected query after %s", p.text(after))
	return nil
}

// close consumes the ")" or "}" that closes the item open.
func (p *parser) close(open item) {
	want, what := itemRParen, `")"`
	if open.typ == itemLBrace {
		want, what = itemRBrace, `"}"`
	}
	t := p.peek()
	switch {
	case t.typ == want:
		p.next()
		return
	case t.typ != itemEOF:
		p.errorf(t.pos, `expected "and", "or" or %s, found %s`, what, p.text(t))
	case want == itemRParen:
		p.errorf(open.pos, "unbalanced parenthesis")
	default:
		p.errorf(open.pos, "unbalanced brace")
	}
}

// parseFieldValue parses what follows "field:".
//
//	fieldValue = "{" or "}" | "(" orValues ")" | literal
func (p *parser) parseFieldValue(f *ast.Field, colon item) ast.Expr {
	t := p.peek()
	switch t.typ {
	case itemLBrace:
		p.next()
		p.enter(t)
		x := p.parseOr(t)
		p.close(t)
		p.depth--
		return &ast.Nested{Field: f, X: x, P: f.P}
	case itemText, itemString:
		p.next()
		return value(f, t, f.P)
	}
	// The node for the whole list starts at the field.
	x := p.parseValues(f, colon)
	switch n := x.(type) {
	case *ast.Logical:
		n.P = f.P
	case *ast.Not:
		n.P = f.P
	case *ast.Term:
		n.P = f.P
	case *ast.Exists:
		n.P = f.P
	}
	return x
}

// parseOrValues parses a disjunction of values for the field f.
//
//	orValues = andValues { "or" andValues }
func (p *parser) parseOrValues(f *ast.Field, after item) ast.Expr {
	x := p.parseAndValues(f, after)
	for p.peek().typ == itemOr {
		op := p.next()
		y := p.parseAndValues(f, op)
		x = &ast.Logical{Op: ast.Or, X: x, Y: y, P: x.Position()}
	}
	return x
}

// parseAndValues parses a conjunction of values for the field f.
//
//	andValues = notValues { "and" notValues }
func (p *parser) parseAndValues(f *ast.Field, after item) ast.Expr {
	x := p.parseNotValues(f, after)
	for p.peek().typ == itemAnd {
		op := p.next()
		y := p.parseNotValues(f, op)
		x = &ast.Logical{Op: ast.And, X: x, Y: y, P: x.Position()}
	}
	return x
}

// parseNotValues parses a negated value for the field f.
//
//	notValues = "not" notValues | values
func (p *parser) parseNotValues(f *ast.Field, after item) ast.Expr {
	t := p.peek()
	if t.typ != itemNot {
		return p.parseValues(f, after)
	}
	p.next()
	deeper := p.peek().typ != itemLParen
	if deeper {
		p.enter(t)
	}
	x := p.parseNotValues(f, t)
	if deeper {
		p.depth--
	}
	return &ast.Not{X: x, P: t.pos}
}

// parseValues parses a value, or a list of values in parentheses, for the
// field f.
//
//	values = "(" orValues ")" | literal
func (p *parser) parseValues(f *ast.Field, after item) ast.Expr {
	t := p.peek()
	switch t.typ {
	case itemLParen:
		p.next()
		p.enter(t)
		x := p.parseOrValues(f, t)
		p.close(t)
		p.depth--
		return x
	case itemText, itemString:
		p.next()
		return value(f, t, t.pos)
	}
	p.errorf(t.pos, "expected value after %s", p.text(after))
	return nil
}

// parseRange parses the value of a range expression.
//
//	range = ( "<" | "<=" | ">" | ">=" ) literal
func (p *parser) parseRange(f *ast.Field, op item) ast.Expr {
	t := p.peek()
	if t.typ != itemText && t.typ != itemString {
		p.errorf(t.pos, "expected value after %s", p.text(op))
	}
	p.next()
	v := t.val
	if t.wild {
		v = ast.UnescapePattern(v)
	}
	var cmp ast.CmpOp
	switch op.typ {
	case itemLt:
		cmp = ast.Lt
	case itemLe:
		cmp = ast.Le
	case itemGt:
		cmp = ast.Gt
	default:
		cmp = ast.Ge
	}
	return &ast.Compare{
		Op:  cmp,
		X:   f,
		Y:   &ast.Literal{Kind: ast.String, Str: v, P: t.pos},
		KQL: true,
		P:   f.P,
	}
}

// field makes a field from a literal.
func (p *parser) field(t item) *ast.Field {
	name := t.val
	if t.wild {
		name = ast.UnescapePattern(name)
	}
	return &ast.Field{Path: strings.Split(name, "."), P: t.pos}
}

// value makes the node for the value t of the field f (nil for a value
// without a field), starting at pos.
func value(f *ast.Field, t item, pos ast.Pos) ast.Expr {
	if f != nil && t.typ == itemText && t.wild && t.val == "*" {
		return &ast.Exists{Field: f, P: pos}
	}
	return &ast.Term{Field: f, Value: t.val, Quoted: t.typ == itemString, Wildcard: t.wild, P: pos}
}
