package eql

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"dredge/rules/ast"
)

// tokKind identifies the kind of a token.
type tokKind int

const (
	tokEOF   tokKind = iota
	tokError         // a lexical error; val holds the message

	tokIdent       // process, @timestamp, _id
	tokTildeIdent  // name~ (a case-insensitive function); val holds the name
	tokQuotedIdent // `my field`; val holds the unquoted name
	tokString      // "..." or """..."""; val holds the value
	tokInt         // 42
	tokFloat       // 1.5, .5, 1e3

	// Keywords. They are reserved and case-sensitive, as in Elasticsearch.
	tokAnd
	tokAny
	tokBy
	tokFalse
	tokIn
	tokInInsensitive // in~
	tokJoin
	tokLike
	tokLikeInsensitive // like~
	tokNot
	tokNull
	tokOf
	tokOr
	tokRegex
	tokRegexInsensitive // regex~
	tokSample
	tokSequence
	tokTrue
	tokUntil
	tokWhere
	tokWith

	// Operators and punctuation.
	tokColon    // :
	tokAssign   // =
	tokEq       // ==
	tokNotEq    // !=
	tokLt       // <
	tokLe       // <=
	tokGt       // >
	tokGe       // >=
	tokPlus     // +
	tokMinus    // -
	tokStar     // *
	tokSlash    // /
	tokPercent  // %
	tokDot      // .
	tokComma    // ,
	tokLBrack   // [
	tokRBrack   // ]
	tokLParen   // (
	tokRParen   // )
	tokPipe     // |
	tokQuestion // ? (optional field)
	tokMissing  // ![ (missing-event step)
)

// tokNames are the spellings of the fixed tokens, for error messages.
var tokNames = [...]string{
	tokEOF: "end of query", tokIdent: "name", tokTildeIdent: "function name",
	tokQuotedIdent: "quoted name", tokString: "string", tokInt: "integer", tokFloat: "number",
	tokAnd: "and", tokAny: "any", tokBy: "by", tokFalse: "false", tokIn: "in",
	tokInInsensitive: "in~", tokJoin: "join", tokLike: "like", tokLikeInsensitive: "like~",
	tokNot: "not", tokNull: "null", tokOf: "of", tokOr: "or", tokRegex: "regex",
	tokRegexInsensitive: "regex~", tokSample: "sample", tokSequence: "sequence",
	tokTrue: "true", tokUntil: "until", tokWhere: "where", tokWith: "with",
	tokColon: ":", tokAssign: "=", tokEq: "==", tokNotEq: "!=", tokLt: "<", tokLe: "<=",
	tokGt: ">", tokGe: ">=", tokPlus: "+", tokMinus: "-", tokStar: "*", tokSlash: "/",
	tokPercent: "%", tokDot: ".", tokComma: ",", tokLBrack: "[", tokRBrack: "]",
	tokLParen: "(", tokRParen: ")", tokPipe: "|", tokQuestion: "?", tokMissing: "![",
}

// String quotes the spelling of a fixed token: "where", "(".
func (k tokKind) String() string {
	if k >= tokAnd {
		return `"` + tokNames[k] + `"`
	}
	return tokNames[k]
}

// keyword returns the kind of a reserved word, or tokIdent.
func keyword(s string) tokKind {
	switch s {
	case "and":
		return tokAnd
	case "any":
		return tokAny
	case "by":
		return tokBy
	case "false":
		return tokFalse
	case "in":
		return tokIn
	case "join":
		return tokJoin
	case "like":
		return tokLike
	case "not":
		return tokNot
	case "null":
		return tokNull
	case "of":
		return tokOf
	case "or":
		return tokOr
	case "regex":
		return tokRegex
	case "sample":
		return tokSample
	case "sequence":
		return tokSequence
	case "true":
		return tokTrue
	case "until":
		return tokUntil
	case "where":
		return tokWhere
	case "with":
		return tokWith
	}
	return tokIdent
}

// token is one lexical token with the byte offset where it starts.
type token struct {
	kind tokKind
	pos  ast.Pos
	text string // the token as written in the source
	val  string // strings and quoted names: the value; tokTildeIdent: the name; tokError: the message
}

// lexer holds the state of the scanner. It runs state functions in a loop
// as the parser asks for tokens (see peek), and queues the tokens scanned
// and not yet consumed: the parser looks one token ahead, so the queue is
// short and a query is scanned without a slice of all its tokens. The last
// token is tokEOF or tokError; it stays in the queue once scanned.
type lexer struct {
	src   string
	start int // start of the token being scanned
	pos   int // current position
	state stateFn
	queue [2]token
	n     int // tokens in queue
}

// stateFn is one state of the lexer; it returns the next state, or nil when
// done. A state emits at most one token.
type stateFn func(*lexer) stateFn

// newLexer returns a lexer of src, holding its first token.
func newLexer(src string) *lexer {
	l := &lexer{src: src, state: lexToken}
	l.fill(0)
	return l
}

// fill scans until the queue holds the token n places ahead, or the last
// token.
func (l *lexer) fill(n int) {
	for l.n <= n && l.state != nil {
		l.state = l.state(l)
	}
}

// peek returns the token n places ahead (0 or 1), or the last token when
// the query ends before.
func (l *lexer) peek(n int) token {
	l.fill(n)
	return l.queue[min(n, l.n-1)]
}

// pop consumes the first token of the queue, which is never the last
// token, and scans the next one if need be: queue[0] is always a token.
func (l *lexer) pop() {
	l.queue[0] = l.queue[1]
	l.n--
	l.fill(0)
}

// emit adds the token src[start:pos] and starts a new one.
func (l *lexer) emit(k tokKind) {
	l.emitVal(k, "")
}

func (l *lexer) emitVal(k tokKind, val string) {
	l.queue[l.n] = token{kind: k, pos: ast.Pos(l.start), text: l.src[l.start:l.pos], val: val}
	l.n++
	l.start = l.pos
}

// errorf ends scanning with an error at byte offset pos.
func (l *lexer) errorf(pos int, format string, args ...any) stateFn {
	l.queue[l.n] = token{kind: tokError, pos: ast.Pos(pos), val: fmt.Sprintf(format, args...)}
	l.n++
	return nil
}

// peekByte returns the byte at pos+n, or 0 past the end.
func (l *lexer) peekByte(n int) byte {
	if l.pos+n < len(l.src) {
		return l.src[l.pos+n]
	}
	return 0
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// isIdentByte reports whether c may continue an identifier. Elasticsearch
// allows @ only first; we also accept it inside a name, where it has no
// other meaning, so that every name ast.Field prints bare reads back.
func isIdentByte(c byte) bool { return isLetter(c) || isDigit(c) || c == '_' || c == '@' }

// lexToken skips white space and comments and scans the next token.
func lexToken(l *lexer) stateFn {
	if !l.skipSpace() {
		return nil
	}
	l.start = l.pos
	if l.pos >= len(l.src) {
		l.emit(tokEOF)
		return nil
	}
	c := l.src[l.pos]
	switch {
	case isLetter(c) || c == '_' || c == '@':
		return lexIdent
	case isDigit(c) || c == '.' && isDigit(l.peekByte(1)):
		return lexNumber
	}
	one := func(k tokKind) stateFn {
		l.pos++
		l.emit(k)
		return lexToken
	}
	two := func(next byte, k2, k1 tokKind) stateFn {
		if l.peekByte(1) == next {
			l.pos += 2
			l.emit(k2)
			return lexToken
		}
		return one(k1)
	}
	switch c {
	case '"':
		if l.peekByte(1) == '"' && l.peekByte(2) == '"' {
			return lexRawString
		}
		return lexString
	case '`':
		return lexQuotedIdent
	case '\'':
		return l.errorf(l.pos, "single-quoted strings are not supported in EQL; use double quotes")
	case '?':
		if q := l.peekByte(1); q == '"' || q == '\'' {
			return l.errorf(l.pos, `?%c raw strings are not supported in EQL; use """...""" for a raw string`, q)
		}
		return one(tokQuestion)
	case '!':
		switch l.peekByte(1) {
		case '=':
			return two('=', tokNotEq, tokNotEq)
		case '[':
			return two('[', tokMissing, tokMissing)
		}
		return l.errorf(l.pos, `unexpected "!"; use "not" for negation`)
	case '=':
		return two('=', tokEq, tokAssign)
	case '<':
		return two('=', tokLe, tokLt)
	case '>':
		return two('=', tokGe, tokGt)
	case '&':
		return l.errorf(l.pos, `unexpected "&"; use "and"`)
	case '|':
		if l.peekByte(1) == '|' {
			return l.errorf(l.pos, `unexpected "||"; use "or"`)
		}
		return one(tokPipe)
	case ':':
		return one(tokColon)
	case '+':
		return one(tokPlus)
	case '-':
		return one(tokMinus)
	case '*':
		return one(tokStar)
	case '/':
		return one(tokSlash)
	case '%':
		return one(tokPercent)
	case '.':
		return one(tokDot)
	case ',':
		return one(tokComma)
	case '[':
		return one(tokLBrack)
	case ']':
		return one(tokRBrack)
	case '(':
		return one(tokLParen)
	case ')':
		return one(tokRParen)
	}
	r, _ := utf8.DecodeRuneInString(l.src[l.pos:])
	return l.errorf(l.pos, "unexpected character %q", r)
}

// skipSpace skips blanks and comments. It reports false after an error.
func (l *lexer) skipSpace() bool {
	for l.pos < len(l.src) {
		switch c := l.src[l.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			l.pos++
		case c == '/' && l.peekByte(1) == '/':
			end := strings.IndexByte(l.src[l.pos:], '\n')
			if end < 0 {
				l.pos = len(l.src)
			} else {
				l.pos += end + 1
			}
		case c == '/' && l.peekByte(1) == '*':
			if !l.skipBlockComment() {
				return false
			}
		default:
			return true
		}
	}
	return true
}

// skipBlockComment skips a /* comment */. Comments nest, as in Elasticsearch.
func (l *lexer) skipBlockComment() bool {
	start := l.pos
	depth := 0
	for l.pos < len(l.src) {
		switch {
		case l.src[l.pos] == '/' && l.peekByte(1) == '*':
			depth++
			l.pos += 2
		case l.src[l.pos] == '*' && l.peekByte(1) == '/':
			depth--
			l.pos += 2
			if depth == 0 {
				return true
			}
		default:
			l.pos++
		}
	}
	l.errorf(start, "unterminated comment")
	return false
}

// lexIdent scans a name, a keyword, a name~ or one of in~, like~, regex~.
func lexIdent(l *lexer) stateFn {
	for l.pos < len(l.src) && isIdentByte(l.src[l.pos]) {
		l.pos++
	}
	word := l.src[l.start:l.pos]
	if l.peekByte(0) == '~' {
		l.pos++
		switch word {
		case "in":
			l.emit(tokInInsensitive)
		case "like":
			l.emit(tokLikeInsensitive)
		case "regex":
			l.emit(tokRegexInsensitive)
		default:
			l.emitVal(tokTildeIdent, word)
		}
		return lexToken
	}
	l.emit(keyword(word))
	return lexToken
}

// lexNumber scans an integer or a decimal number:
//
//	INT     = DIGIT { DIGIT } .
//	DECIMAL = DIGIT { DIGIT } "." { DIGIT } [ EXP ] | "." DIGIT { DIGIT } [ EXP ] | DIGIT { DIGIT } EXP .
//	EXP     = ( "e" | "E" ) [ "+" | "-" ] DIGIT { DIGIT } .
func lexNumber(l *lexer) stateFn {
	kind := tokInt
	l.digits()
	if l.peekByte(0) == '.' {
		kind = tokFloat
		l.pos++
		l.digits()
	}
	if c := l.peekByte(0); c == 'e' || c == 'E' {
		n := 1
		if s := l.peekByte(1); s == '+' || s == '-' {
			n = 2
		}
		if isDigit(l.peekByte(n)) {
			kind = tokFloat
			l.pos += n
			l.digits()
		}
	}
	l.emit(kind)
	return lexToken
}

func (l *lexer) digits() {
	for l.pos < len(l.src) && isDigit(l.src[l.pos]) {
		l.pos++
	}
}

// lexString scans a double-quoted string with escapes. A string may not
// span lines.
func lexString(l *lexer) stateFn {
	// Most strings have no escape: their value is a slice of the query.
	for i := l.pos + 1; i < len(l.src); i++ {
		if c := l.src[i]; c == '"' {
			l.pos = i + 1
			l.emitVal(tokString, l.src[l.start+1:i])
			return lexToken
		} else if c == '\\' || c == '\n' || c == '\r' {
			break
		}
	}
	var b strings.Builder
	l.pos++ // opening quote
	for {
		if l.pos >= len(l.src) {
			return l.errorf(l.start, "unterminated string")
		}
		switch c := l.src[l.pos]; c {
		case '"':
			l.pos++
			l.emitVal(tokString, b.String())
			return lexToken
		case '\n', '\r':
			return l.errorf(l.start, "unterminated string")
		case '\\':
			if !l.escape(&b) {
				return nil
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
}

// escape scans one escape sequence of a string into b. It reports false
// after an error.
func (l *lexer) escape(b *strings.Builder) bool {
	start := l.pos
	l.pos++ // backslash
	if l.pos >= len(l.src) {
		l.errorf(l.start, "unterminated string")
		return false
	}
	c := l.src[l.pos]
	l.pos++
	switch c {
	case '"', '\'', '\\', '/':
		b.WriteByte(c)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		return l.unicodeEscape(b, start)
	case '\n', '\r':
		l.errorf(l.start, "unterminated string")
		return false
	default:
		r, _ := utf8.DecodeRuneInString(l.src[l.pos-1:])
		l.errorf(start, `unknown escape \%c`, r)
		return false
	}
	return true
}

// unicodeEscape scans the rest of \u{XXXX}: 1 to 8 hex digits naming a
// Unicode code point. (Elasticsearch asks for 2 to 8 digits; ast.Quote writes
// control characters with one, so one is accepted too.)
func (l *lexer) unicodeEscape(b *strings.Builder, start int) bool {
	bad := func() bool {
		l.errorf(start, `malformed unicode escape; use \u{XXXX} with 1 to 8 hex digits`)
		return false
	}
	if l.peekByte(0) != '{' {
		return bad()
	}
	end := strings.IndexByte(l.src[l.pos:], '}')
	if end < 0 {
		return bad()
	}
	hex := l.src[l.pos+1 : l.pos+end]
	if len(hex) < 1 || len(hex) > 8 {
		return bad()
	}
	code, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return bad()
	}
	if code > utf8.MaxRune || code >= 0xD800 && code <= 0xDFFF {
		l.errorf(start, `invalid code point \u{%s}`, hex)
		return false
	}
	l.pos += end + 1
	b.WriteRune(rune(code))
	return true
}

// lexRawString scans a """raw string""": no escapes, no line breaks. As in
// Elasticsearch, it ends at the first """, and up to two more quotes right
// after belong to the value.
func lexRawString(l *lexer) stateFn {
	l.pos += 3
	for {
		if l.pos >= len(l.src) || l.src[l.pos] == '\n' || l.src[l.pos] == '\r' {
			return l.errorf(l.start, "unterminated string")
		}
		if strings.HasPrefix(l.src[l.pos:], `"""`) {
			break
		}
		l.pos++
	}
	l.pos += 3
	for i := 0; i < 2 && l.peekByte(0) == '"'; i++ {
		l.pos++
	}
	l.emitVal(tokString, l.src[l.start+3:l.pos-3])
	return lexToken
}

// lexQuotedIdent scans a `quoted name`; a doubled backtick stands for one.
func lexQuotedIdent(l *lexer) stateFn {
	var b strings.Builder
	l.pos++
	for {
		if l.pos >= len(l.src) {
			return l.errorf(l.start, "unterminated quoted name")
		}
		c := l.src[l.pos]
		l.pos++
		if c != '`' {
			b.WriteByte(c)
			continue
		}
		if l.peekByte(0) == '`' {
			b.WriteByte('`')
			l.pos++
			continue
		}
		if b.Len() == 0 {
			return l.errorf(l.start, "empty quoted name")
		}
		l.emitVal(tokQuotedIdent, b.String())
		return lexToken
	}
}
