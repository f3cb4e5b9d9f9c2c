// Package eql parses Elastic's Event Query Language into the shared syntax
// tree of rules/ast.
//
// It accepts the language of Elasticsearch's EQL (event queries, sequences
// with join keys, maxspan, runs, missing events and until, samples, and
// pipes) and reports what Elasticsearch's parser rejects: "=" for "==",
// single-quoted strings, ?"..." strings, chained comparisons, "join",
// process relationships, a misplaced "by", bad maxspan or runs values,
// and misused missing events. Keywords are lowercase
// and case-sensitive, as in Elasticsearch.
//
// The parser knows nothing of events: whether a function, pipe or field
// exists, and whether the types of an expression fit, is left to the
// compiler in rules/match.
package eql

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dredge/rules/ast"
)

// maxDepth bounds the nesting of expressions, so that a hostile query cannot
// exhaust the stack.
const maxDepth = 1000

// Parse parses a whole EQL query: an event query, sequence or sample, and
// pipes. An error is an *ast.Error holding the byte offset of the first
// problem in src.
func Parse(src string) (*ast.Query, error) {
	var q *ast.Query
	err := run(src, func(p *parser) { q = p.parseStatement() })
	if err != nil {
		return nil, err
	}
	return q, nil
}

// ParseExpr parses a bare condition, what follows "where" in an event query.
func ParseExpr(src string) (ast.Expr, error) {
	var x ast.Expr
	err := run(src, func(p *parser) {
		x = p.parseExpr()
		p.expect(tokEOF)
	})
	if err != nil {
		return nil, err
	}
	return x, nil
}

// run lexes src and calls parse. It turns the parser's panics into the first
// error, so that no panic leaves the package.
func run(src string, parse func(*parser)) (err error) {
	if i := invalidUTF8(src); i >= 0 {
		return ast.Errorf(ast.Pos(i), "invalid UTF-8 encoding")
	}
	p := &parser{lx: newLexer(src)}
	defer func() {
		if e := recover(); e != nil {
			if _, ok := e.(bailout); !ok {
				p.errs = append(p.errs, ast.Errorf(p.lx.peek(0).pos, "internal error: %v", e))
			}
		}
		if len(p.errs) > 0 {
			sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].Pos < p.errs[j].Pos })
			err = p.errs[0]
		}
	}()
	parse(p)
	return nil
}

func invalidUTF8(s string) int {
	if utf8.ValidString(s) { // fast, and nearly always so
		return -1
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// parser is a recursive-descent parser over the token slice. A syntax error
// panics with bailout after recording the error; errors that leave the
// parser in step (a bad maxspan or runs value...) are recorded and
// parsing goes on, so that the earliest problem in the source is reported.
type parser struct {
	lx    *lexer
	depth int
	errs  []*ast.Error
}

// bailout is the panic value that ends parsing after a syntax error.
type bailout struct{}

// errorf records an error and goes on parsing.
func (p *parser) errorf(pos ast.Pos, format string, args ...any) {
	p.errs = append(p.errs, ast.Errorf(pos, format, args...))
}

// failf records an error and stops parsing.
func (p *parser) failf(pos ast.Pos, format string, args ...any) {
	p.errorf(pos, format, args...)
	panic(bailout{})
}

// peekAt returns the token n places ahead (0 or 1) without consuming it.
// A lexical error is reported when the parser reaches it.
func (p *parser) peekAt(n int) token {
	if n == 0 {
		return *p.cur()
	}
	t := p.lx.peek(n)
	if t.kind == tokError {
		p.failf(t.pos, "%s", t.val)
	}
	return t
}

// cur returns the next token, which the lexer always holds, without
// consuming it or copying it. It is valid until the next token is
// consumed.
func (p *parser) cur() *token {
	t := &p.lx.queue[0]
	if t.kind == tokError {
		p.lexError()
	}
	return t
}

// lexError fails with the lexical error that is the next token.
func (p *parser) lexError() {
	t := p.lx.queue[0]
	p.failf(t.pos, "%s", t.val)
}

func (p *parser) peek() token { return *p.cur() }

// kind is the kind of the next token; pos where it starts.
func (p *parser) kind() tokKind { return p.cur().kind }
func (p *parser) pos() ast.Pos  { return p.cur().pos }

// next consumes a token.
func (p *parser) next() token {
	t := *p.cur()
	if t.kind != tokEOF {
		p.lx.pop()
	}
	return t
}

// skip consumes a token, as next does, when it is known.
func (p *parser) skip() {
	if p.cur().kind != tokEOF {
		p.lx.pop()
	}
}

// accept consumes the next token if it is of kind k.
func (p *parser) accept(k tokKind) bool {
	if p.kind() == k {
		p.skip()
		return true
	}
	return false
}

// expect consumes a token of kind k or fails.
func (p *parser) expect(k tokKind) token {
	t := p.peek()
	if t.kind != k {
		p.unexpected(t, k.String())
	}
	return p.next()
}

// unexpected fails with "expected WANT, found TOKEN".
func (p *parser) unexpected(t token, want string) {
	p.failf(t.pos, "expected %s, found %s", want, describe(t))
}

// describe names a token in an error message. An uppercase spelling of a
// keyword gets a hint, since keywords are case-sensitive.
func describe(t token) string {
	switch t.kind {
	case tokEOF:
		return "end of query"
	case tokString:
		return "string " + shorten(t.text)
	}
	s := `"` + shorten(t.text) + `"`
	if t.kind == tokIdent {
		if low := strings.ToLower(t.text); low != t.text && keyword(low) != tokIdent {
			s += ` (keywords are lowercase: "` + low + `")`
		}
	}
	return s
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:37]) + "..."
	}
	return s
}

// enter guards against deep nesting; leave undoes it.
func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failf(p.pos(), "expression nested too deeply")
	}
}

func (p *parser) leave() { p.depth-- }

// parseStatement parses a whole query.
//
//	statement = query { pipe } EOF .
//	query     = sequence | sample | eventQuery .
func (p *parser) parseStatement() *ast.Query {
	q := &ast.Query{}
	switch t := p.peek(); t.kind {
	case tokSequence:
		q.Body = p.parseSequence()
	case tokSample:
		q.Body = p.parseSample()
	case tokJoin:
		p.failf(t.pos, `"join" is not supported; use "sequence"`)
	default:
		q.Body = p.parseEventQuery()
	}
	for p.kind() == tokPipe {
		q.Pipes = append(q.Pipes, p.parsePipe())
	}
	if t := p.peek(); t.kind != tokEOF {
		p.unexpected(t, "end of query")
	}
	return q
}

// parseEventQuery parses an event category and its condition.
//
//	eventQuery = ( "any" | IDENT | STRING ) "where" expression .
func (p *parser) parseEventQuery() *ast.EventQuery {
	t := p.peek()
	eq := &ast.EventQuery{P: t.pos}
	switch t.kind {
	case tokAny, tokIdent:
		eq.Category = t.text
	case tokString:
		eq.Category = t.val
	default:
		p.unexpected(t, "event category")
	}
	p.skip()
	p.expect(tokWhere)
	eq.Where = p.parseExpr()
	return eq
}

// parseSequence parses a sequence.
//
//	sequence = "sequence" [ joinKeys ] [ "with" "maxspan" "=" timeUnit ]
//	           step { step } [ "until" step ] .
//
// Elasticsearch wants "by" before "with"; "by" after it is reported.
func (p *parser) parseSequence() *ast.Sequence {
	seq := &ast.Sequence{P: p.expect(tokSequence).pos}
	if p.kind() == tokBy {
		seq.By = p.parseJoinKeys()
	}
	if p.kind() == tokWith {
		p.parseMaxSpan(seq)
		if t := p.peek(); t.kind == tokBy {
			p.errorf(t.pos, `"by" must come before "with maxspan", not after`)
			seq.By = p.parseJoinKeys()
		}
	}
	runs := 0 // steps, counting repeats
	missing := 0
	for {
		k := p.kind()
		if k != tokLBrack && k != tokMissing {
			break
		}
		s := p.parseStep(true)
		if s.Missing {
			missing++
			if seq.MaxSpanText == "" {
				p.errorf(s.P, `a missing-event step needs "with maxspan" on the sequence`)
			}
		}
		runs += max(s.Runs, 1)
		seq.Steps = append(seq.Steps, s)
	}
	if t := p.peek(); len(seq.Steps) == 0 {
		p.unexpected(t, `"["`)
	} else if runs < 2 {
		p.errorf(t.pos, "a sequence needs at least two steps")
	} else if missing == len(seq.Steps) {
		p.errorf(t.pos, "a sequence needs at least one step that is not a missing event")
	}
	if p.accept(tokUntil) {
		t := p.peek()
		if t.kind != tokLBrack && t.kind != tokMissing {
			p.unexpected(t, `"["`)
		}
		s := p.parseStep(true)
		if s.Missing {
			p.errorf(s.P, `an "until" step cannot be a missing event`)
		}
		seq.Until = s
	}
	return seq
}

// parseSample parses a sample.
//
//	sample = "sample" [ joinKeys ] sampleStep { sampleStep } .
func (p *parser) parseSample() *ast.Sample {
	smp := &ast.Sample{P: p.expect(tokSample).pos}
	if p.kind() == tokBy {
		smp.By = p.parseJoinKeys()
	}
	if t := p.peek(); t.kind == tokWith {
		p.failf(t.pos, `samples do not support "with"`)
	}
	for p.kind() == tokLBrack || p.kind() == tokMissing {
		smp.Steps = append(smp.Steps, p.parseStep(false))
	}
	switch t := p.peek(); {
	case len(smp.Steps) == 0:
		p.unexpected(t, `"["`)
	case t.kind == tokUntil:
		p.failf(t.pos, `samples do not support "until"`)
	case len(smp.Steps) < 2:
		p.errorf(t.pos, "a sample needs at least two steps")
	}
	return smp
}

// parseStep parses one bracketed query of a sequence (inSequence) or a
// sample. Whether the steps have as many join keys as each other is left to
// the compiler.
//
//	step       = ( "[" | "![" ) eventQuery "]" [ joinKeys ] [ "with" "runs" "=" INT ] .
//	sampleStep = "[" eventQuery "]" [ joinKeys ] .
func (p *parser) parseStep(inSequence bool) *ast.Step {
	t := p.next()
	s := &ast.Step{P: t.pos, Missing: t.kind == tokMissing}
	if s.Missing && !inSequence {
		p.errorf(t.pos, "samples do not support missing events")
	}
	s.Query = p.parseEventQuery()
	p.expect(tokRBrack)
	if p.kind() == tokBy {
		s.By = p.parseJoinKeys()
	}
	if t := p.peek(); t.kind == tokWith {
		if !inSequence {
			p.failf(t.pos, `samples do not support "with"`)
		}
		p.skip()
		if t := p.peek(); t.kind != tokIdent || t.text != "runs" {
			p.unexpected(t, `"runs"`)
		}
		p.skip()
		p.expect(tokAssign)
		n := p.peek()
		if n.kind != tokInt {
			p.unexpected(n, "number of runs")
		}
		p.skip()
		v, err := strconv.Atoi(n.text)
		if err != nil || v < 1 || v > 100 {
			p.errorf(n.pos, "runs must be between 1 and 100")
			v = 1
		}
		s.Runs = v
	}
	return s
}

// parseMaxSpan parses the time limit of a sequence into seq. A number
// without a unit is milliseconds (Elasticsearch asks for a unit).
//
//	"with" "maxspan" "=" timeUnit .
//	timeUnit = INT [ "ms" | "s" | "m" | "h" | "d" ] .
func (p *parser) parseMaxSpan(seq *ast.Sequence) {
	p.expect(tokWith)
	if t := p.peek(); t.kind != tokIdent || t.text != "maxspan" {
		p.unexpected(t, `"maxspan"`)
	}
	p.skip()
	p.expect(tokAssign)
	n := p.peek()
	switch n.kind {
	case tokInt:
	case tokFloat:
		p.errorf(n.pos, "maxspan must be a whole number")
	default:
		p.unexpected(n, "maxspan value")
	}
	p.skip()
	seq.MaxSpanText = n.text
	unit := time.Millisecond
	if u := p.peek(); u.kind == tokIdent {
		p.skip()
		seq.MaxSpanText += u.text
		switch u.text {
		case "ms":
		case "s":
			unit = time.Second
		case "m":
			unit = time.Minute
		case "h":
			unit = time.Hour
		case "d":
			unit = 24 * time.Hour
		default:
			p.errorf(u.pos, `unknown time unit "%s" in maxspan; use ms, s, m, h or d`, u.text)
		}
	}
	if n.kind != tokInt {
		return
	}
	v, err := strconv.ParseInt(n.text, 10, 64)
	switch {
	case err != nil || v > math.MaxInt64/int64(unit):
		p.errorf(n.pos, "maxspan is too large")
	case v == 0:
		p.errorf(n.pos, "maxspan must be positive")
	default:
		seq.MaxSpan = time.Duration(v) * unit
	}
}

// parseJoinKeys parses the join keys of a sequence, a sample or a step.
//
//	joinKeys = "by" expression { "," expression } .
func (p *parser) parseJoinKeys() []ast.Expr {
	p.expect(tokBy)
	return p.parseList()
}

// parseList parses expressions separated by commas.
//
//	list = expression { "," expression } .
func (p *parser) parseList() []ast.Expr {
	list := []ast.Expr{p.parseExpr()}
	for p.accept(tokComma) {
		list = append(list, p.parseExpr())
	}
	return list
}

// parsePipe parses a pipe. Its name and arguments are checked by the
// compiler, except that head and tail take one non-negative integer.
//
//	pipe = "|" IDENT [ expression { "," expression } ] .
func (p *parser) parsePipe() *ast.Pipe {
	p.expect(tokPipe)
	t := p.peek()
	if t.kind != tokIdent {
		p.unexpected(t, "pipe name")
	}
	p.skip()
	pipe := &ast.Pipe{Name: t.text, P: t.pos}
	if k := p.kind(); k != tokPipe && k != tokEOF {
		pipe.Args = p.parseList()
	}
	if pipe.Name == "head" || pipe.Name == "tail" {
		if len(pipe.Args) != 1 {
			p.errorf(t.pos, "%s takes one argument, found %d", pipe.Name, len(pipe.Args))
		} else if lit, ok := pipe.Args[0].(*ast.Literal); !ok || lit.Kind != ast.Int || lit.Int < 0 {
			p.errorf(pipe.Args[0].Position(), "%s takes a non-negative integer, found %s", pipe.Name, pipe.Args[0])
		}
	}
	return pipe
}

// parseExpr parses a condition or value.
//
//	expression = orExpr .
//	orExpr     = andExpr { "or" andExpr } .
func (p *parser) parseExpr() ast.Expr {
	p.enter()
	defer p.leave()
	start := p.pos()
	x := p.parseAnd()
	for p.accept(tokOr) {
		x = &ast.Logical{Op: ast.Or, X: x, Y: p.parseAnd(), P: start}
	}
	return x
}

// parseAnd parses a conjunction.
//
//	andExpr = notExpr { "and" notExpr } .
func (p *parser) parseAnd() ast.Expr {
	start := p.pos()
	x := p.parseNot()
	for p.accept(tokAnd) {
		x = &ast.Logical{Op: ast.And, X: x, Y: p.parseNot(), P: start}
	}
	return x
}

// parseNot parses a negation. Process relationships ("descendant of [...]")
// are part of the grammar but not supported, as in Elasticsearch.
//
//	notExpr = "not" notExpr | comparison .
func (p *parser) parseNot() ast.Expr {
	t := p.peek()
	if t.kind == tokNot {
		p.enter()
		defer p.leave()
		p.skip()
		return &ast.Not{X: p.parseNot(), P: t.pos}
	}
	if t.kind == tokIdent && p.peekAt(1).kind == tokOf {
		p.failf(t.pos, `process relationships ("%s of [...]") are not supported`, t.text)
	}
	return p.parseComparison()
}

// parseComparison parses a comparison. Comparisons do not chain.
//
//	comparison = arith [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) arith ] .
func (p *parser) parseComparison() ast.Expr {
	start := p.pos()
	x := p.parseArith()
	op, ok := p.compareOp()
	if !ok {
		return x
	}
	p.skip()
	x = &ast.Compare{Op: op, X: x, Y: p.parseArith(), P: start}
	if _, ok := p.compareOp(); ok {
		p.failf(p.pos(), `comparisons cannot be chained; join them with "and"`)
	}
	return x
}

// compareOp reports the comparison operator at the next token. A single "="
// is an error.
func (p *parser) compareOp() (ast.CmpOp, bool) {
	switch t := p.peek(); t.kind {
	case tokEq:
		return ast.Eq, true
	case tokNotEq:
		return ast.NotEq, true
	case tokLt:
		return ast.Lt, true
	case tokLe:
		return ast.Le, true
	case tokGt:
		return ast.Gt, true
	case tokGe:
		return ast.Ge, true
	case tokAssign:
		p.failf(t.pos, `"=" is not a comparison; use "==", or ":" to compare strings case-insensitively`)
	}
	return 0, false
}

// parseArith parses a sum or difference.
//
//	arith = term { ( "+" | "-" ) term } .
func (p *parser) parseArith() ast.Expr {
	start := p.pos()
	x := p.parseTerm()
	for {
		var op ast.ArithOp
		switch p.kind() {
		case tokPlus:
			op = ast.Add
		case tokMinus:
			op = ast.Sub
		default:
			return x
		}
		p.skip()
		x = &ast.Arith{Op: op, X: x, Y: p.parseTerm(), P: start}
	}
}

// parseTerm parses a product, quotient or remainder.
//
//	term = unary { ( "*" | "/" | "%" ) unary } .
func (p *parser) parseTerm() ast.Expr {
	start := p.pos()
	x := p.parseUnary()
	for {
		var op ast.ArithOp
		switch p.kind() {
		case tokStar:
			op = ast.Mul
		case tokSlash:
			op = ast.Div
		case tokPercent:
			op = ast.Mod
		default:
			return x
		}
		p.skip()
		x = &ast.Arith{Op: op, X: x, Y: p.parseUnary(), P: start}
	}
}

// parseUnary parses a sign. A minus right before a number is part of the
// number; a minus before a parenthesised number folds into it too, so that
// the tree prints back the same. Unary plus does nothing.
//
//	unary = ( "-" | "+" ) unary | predicate .
func (p *parser) parseUnary() ast.Expr {
	t := p.peek()
	if t.kind != tokMinus && t.kind != tokPlus {
		return p.parsePredicate()
	}
	p.enter()
	defer p.leave()
	p.skip()
	if t.kind == tokPlus {
		return p.parseUnary()
	}
	if n := p.peek(); n.kind == tokInt || n.kind == tokFloat {
		p.skip()
		return p.parsePredicateOf(p.number(n, "-", t.pos), t.pos)
	}
	x := p.parseUnary()
	if lit, ok := x.(*ast.Literal); ok {
		switch {
		case lit.Kind == ast.Int && lit.Int != math.MinInt64:
			return &ast.Literal{Kind: ast.Int, Int: -lit.Int, P: t.pos}
		case lit.Kind == ast.Float:
			return &ast.Literal{Kind: ast.Float, Float: -lit.Float, P: t.pos}
		}
	}
	return &ast.Neg{X: x, P: t.pos}
}

// parsePredicate parses a value with an optional lookup or pattern match.
//
//	predicate = primary [ [ "not" ] ( "in" | "in~" ) "(" expression { "," expression } ")"
//	                    | ( ":" | "like" | "like~" | "regex" | "regex~" ) patterns ] .
//	patterns  = constant | "(" constant { "," constant } ")" .
func (p *parser) parsePredicate() ast.Expr {
	start := p.pos()
	return p.parsePredicateOf(p.parsePrimary(), start)
}

// parsePredicateOf parses the optional predicate after the value x, which
// starts at start.
func (p *parser) parsePredicateOf(x ast.Expr, start ast.Pos) ast.Expr {
	t := p.peek()
	switch t.kind {
	case tokNot:
		p.skip()
		in := p.peek()
		if in.kind != tokIn && in.kind != tokInInsensitive {
			p.unexpected(in, `"in" or "in~" after "not"`)
		}
		return &ast.Not{X: p.parseIn(x, start), P: start}
	case tokIn, tokInInsensitive:
		return p.parseIn(x, start)
	case tokColon, tokLike, tokLikeInsensitive, tokRegex, tokRegexInsensitive:
		p.skip()
		m := &ast.Match{X: x, P: start}
		switch t.kind {
		case tokColon:
			m.Op, m.Insensitive = ast.Seq, true
		case tokLike:
			m.Op = ast.Like
		case tokLikeInsensitive:
			m.Op, m.Insensitive = ast.Like, true
		case tokRegex:
			m.Op = ast.Regex
		case tokRegexInsensitive:
			m.Op, m.Insensitive = ast.Regex, true
		}
		if p.accept(tokLParen) {
			m.Paren = true
			m.Patterns = append(m.Patterns, p.parsePattern(t))
			for p.accept(tokComma) {
				m.Patterns = append(m.Patterns, p.parsePattern(t))
			}
			p.expect(tokRParen)
		} else {
			m.Patterns = []ast.Expr{p.parsePattern(t)}
		}
		return m
	}
	return x
}

// parseIn parses the list of "in" or "in~" after the value x.
//
//	( "in" | "in~" ) "(" expression { "," expression } ")" .
func (p *parser) parseIn(x ast.Expr, start ast.Pos) *ast.In {
	t := p.next()
	p.expect(tokLParen)
	in := &ast.In{X: x, List: p.parseList(), Insensitive: t.kind == tokInInsensitive, P: start}
	p.expect(tokRParen)
	return in
}

// parsePattern parses one pattern of the operator op: a constant, as in
// Elasticsearch.
//
//	pattern = STRING | INT | FLOAT | "true" | "false" | "null" .
func (p *parser) parsePattern(op token) ast.Expr {
	t := p.peek()
	switch t.kind {
	case tokString, tokInt, tokFloat, tokTrue, tokFalse, tokNull:
		return p.parsePrimary()
	}
	p.unexpected(t, fmt.Sprintf(`a constant pattern after "%s"`, op.text))
	return nil
}

// parsePrimary parses a constant, a function call, a field or a
// parenthesised expression.
//
//	primary  = constant | call | field | "(" expression ")" .
//	constant = STRING | INT | FLOAT | "true" | "false" | "null" .
func (p *parser) parsePrimary() ast.Expr {
	t := p.peek()
	switch t.kind {
	case tokString:
		p.skip()
		return &ast.Literal{Kind: ast.String, Str: t.val, P: t.pos}
	case tokInt, tokFloat:
		p.skip()
		return p.number(t, "", t.pos)
	case tokTrue, tokFalse:
		p.skip()
		return &ast.Literal{Kind: ast.Bool, Bool: t.kind == tokTrue, P: t.pos}
	case tokNull:
		p.skip()
		return &ast.Literal{Kind: ast.Null, P: t.pos}
	case tokTildeIdent:
		return p.parseCall()
	case tokIdent:
		if p.peekAt(1).kind == tokLParen {
			return p.parseCall()
		}
		return p.parseField()
	case tokQuotedIdent, tokQuestion:
		return p.parseField()
	case tokLParen:
		p.skip()
		x := p.parseExpr()
		p.expect(tokRParen)
		return x
	}
	p.unexpected(t, "expression")
	return nil
}

// number makes the literal of a number token, with sign "-" or "". An
// integer too large for int64 becomes a float, as in Elasticsearch.
func (p *parser) number(t token, sign string, pos ast.Pos) *ast.Literal {
	text := sign + t.text
	if t.kind == tokInt {
		if v, err := strconv.ParseInt(text, 10, 64); err == nil {
			return &ast.Literal{Kind: ast.Int, Int: v, P: pos}
		}
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil && math.IsInf(v, 0) {
		p.errorf(t.pos, "number %s is too large", shorten(t.text))
	}
	return &ast.Literal{Kind: ast.Float, Float: v, P: pos}
}

// parseCall parses a function call; name~ makes it case-insensitive.
//
//	call = ( IDENT | IDENT "~" ) "(" [ expression { "," expression } ] ")" .
func (p *parser) parseCall() *ast.Call {
	t := p.next()
	c := &ast.Call{Name: t.text, P: t.pos}
	if t.kind == tokTildeIdent {
		c.Name, c.Insensitive = t.val, true
	}
	p.expect(tokLParen)
	if !p.accept(tokRParen) {
		c.Args = p.parseList()
		p.expect(tokRParen)
	}
	return c
}

// parseField parses a field name; "?" marks it optional.
//
//	field = [ "?" ] name { "." name } .
//	name  = IDENT | QUOTED_IDENT .
func (p *parser) parseField() *ast.Field {
	f := &ast.Field{P: p.pos()}
	f.Optional = p.accept(tokQuestion)
	f.Path = append(f.Path, p.parseName())
	for p.accept(tokDot) {
		f.Path = append(f.Path, p.parseName())
	}
	if p.kind() == tokLBrack && p.peekAt(1).kind == tokInt {
		p.failf(p.pos(), "array indexes are not supported")
	}
	return f
}

// parseName parses one element of a field name.
//
//	name = IDENT | QUOTED_IDENT .
func (p *parser) parseName() string {
	t := p.peek()
	switch t.kind {
	case tokIdent:
		p.skip()
		return t.text
	case tokQuotedIdent:
		p.skip()
		return t.val
	}
	p.unexpected(t, "field name")
	return ""
}
