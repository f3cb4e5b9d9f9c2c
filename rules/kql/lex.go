package kql

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"dredge/rules/ast"
)

// itemType is the kind of a lexical item.
type itemType int

const (
	itemError  itemType = iota // lexical error; val is the message
	itemEOF                    // end of the query
	itemText                   // unquoted literal; val is its value, see item.wild
	itemString                 // quoted string; val is the unescaped text
	itemLParen                 // (
	itemRParen                 // )
	itemLBrace                 // {
	itemRBrace                 // }
	itemColon                  // :
	itemLt                     // <
	itemLe                     // <=
	itemGt                     // >
	itemGe                     // >=
	itemAnd                    // and, any case
	itemOr                     // or, any case
	itemNot                    // not, any case
)

// item is a token: its kind, where it is in the source, and its value.
type item struct {
	typ itemType
	pos ast.Pos // byte offset of the first byte
	end ast.Pos // byte offset after the last byte
	val string
	// wild is set on an itemText holding an unescaped *. Then val is a
	// pattern: \* is a literal star and \\ a backslash; otherwise val is the
	// plain unescaped text.
	wild bool
}

// special are the bytes that end an unquoted literal. \ and * are special
// in Kibana's grammar too, but they continue a literal: \ starts an escape
// and * is a wildcard.
const special = `():<>"{}`

// lexer holds the state of the scanner. Its states run in a loop as the
// parser asks for the next item (see peek); each emits at most one item and
// returns the next state. The parser looks no further than the next item,
// so the lexer holds one item, not a slice of all of them.
//
// KQL's words depend on where they stand, so the lexer tracks it in its
// states: lexOperand where an operand may start (at the start, after "(",
// "{", ":", a range operator or a keyword), lexOperator after an operand.
// "and" and "or" are keywords only after an operand with whitespace on
// both sides; elsewhere they are plain words ("a:or" is a value).
type lexer struct {
	src   string
	start int // start of the item being scanned
	pos   int // current position
	state stateFn
	item  item // the next item, when ready
	ready bool
}

// stateFn is a state of the lexer, returning the next state (nil to stop).
type stateFn func(*lexer) stateFn

// newLexer returns a lexer of src.
func newLexer(src string) *lexer {
	return &lexer{src: src, state: lexOperand}
}

// peek returns the next item. The last item is itemEOF, or itemError when
// the source cannot be scanned; it is returned again at every call.
func (l *lexer) peek() item {
	for !l.ready && l.state != nil {
		l.state = l.state(l)
	}
	return l.item
}

// pop consumes the next item.
func (l *lexer) pop() {
	if l.state != nil {
		l.ready = false
	}
}

func (l *lexer) emit(t itemType, val string, wild bool) {
	l.item, l.ready = item{typ: t, pos: ast.Pos(l.start), end: ast.Pos(l.pos), val: val, wild: wild}, true
	l.start = l.pos
}

// errorf emits an error item at pos and stops the scan.
func (l *lexer) errorf(pos int, format string, args ...any) stateFn {
	l.item, l.ready = item{typ: itemError, pos: ast.Pos(pos), end: ast.Pos(l.pos), val: fmt.Sprintf(format, args...)}, true
	return nil
}

// skipSpace skips whitespace and reports whether there was any.
func (l *lexer) skipSpace() bool {
	p := l.pos
	for n := spaceAt(l.src, l.pos); n > 0; n = spaceAt(l.src, l.pos) {
		l.pos += n
	}
	l.start = l.pos
	return l.pos > p
}

// lexOperand scans where an operand may start.
func lexOperand(l *lexer) stateFn {
	l.skipSpace()
	return lexToken
}

// lexOperator scans after an operand, where whitespace, "and" or "or",
// and whitespace again make a keyword.
func lexOperator(l *lexer) stateFn {
	if l.skipSpace() {
		if wordAt(l.src, l.pos, "and") && spaceAt(l.src, l.pos+3) > 0 {
			l.pos += 3
			l.emit(itemAnd, "", false)
			return lexOperand
		}
		if wordAt(l.src, l.pos, "or") && spaceAt(l.src, l.pos+2) > 0 {
			l.pos += 2
			l.emit(itemOr, "", false)
			return lexOperand
		}
	}
	return lexToken
}

// lexToken scans one item after any whitespace.
func lexToken(l *lexer) stateFn {
	if l.pos >= len(l.src) {
		l.emit(itemEOF, "", false)
		return nil
	}
	var t itemType
	next := lexOperand
	switch l.src[l.pos] {
	case '(':
		t = itemLParen
	case ')':
		t, next = itemRParen, lexOperator
	case '{':
		t = itemLBrace
	case '}':
		t, next = itemRBrace, lexOperator
	case ':':
		t = itemColon
	case '<':
		t = itemLt
		if strings.HasPrefix(l.src[l.pos+1:], "=") {
			t = itemLe
			l.pos++
		}
	case '>':
		t = itemGt
		if strings.HasPrefix(l.src[l.pos+1:], "=") {
			t = itemGe
			l.pos++
		}
	case '"':
		return lexQuoted
	default:
		if notAt(l.src, l.pos) {
			l.pos += 3
			l.emit(itemNot, "", false)
			return lexOperand
		}
		return lexText
	}
	l.pos++
	l.emit(t, "", false)
	return next
}

// lexQuoted scans a quoted string. As in Kibana, \" and \\ are escapes,
// \t \r \n are whitespace, \uXXXX is a UTF-16 code unit, and a backslash
// before anything else is itself.
func lexQuoted(l *lexer) stateFn {
	// Most strings have no escape: the value is a slice of the source.
	for i := l.pos + 1; i < len(l.src); i++ {
		if c := l.src[i]; c == '"' {
			l.pos = i + 1
			l.emit(itemString, l.src[l.start+1:i], false)
			return lexOperator
		} else if c == '\\' {
			break
		}
	}
	var b strings.Builder
	for i := l.pos + 1; ; {
		if i >= len(l.src) {
			return l.errorf(l.pos, "unterminated quoted string")
		}
		c := l.src[i]
		switch c {
		case '"':
			l.pos = i + 1
			l.emit(itemString, b.String(), false)
			return lexOperator
		case '\\':
			if i+1 < len(l.src) {
				switch e := l.src[i+1]; e {
				case 't', 'r', 'n':
					b.WriteByte(whitespaceEscape(e))
					i += 2
					continue
				case '\\', '"':
					b.WriteByte(e)
					i += 2
					continue
				case 'u':
					if r, end, ok := unicodeEscape(l.src, i); ok {
						b.WriteRune(r)
						i = end
						continue
					}
				}
			}
		}
		b.WriteByte(c)
		i++
	}
}

// lexText scans an unquoted literal. It may hold whitespace, except
// before a keyword or at its ends: "a b or c" is the value "a b", then
// "or", then "c".
func lexText(l *lexer) stateFn {
	// Most values have no escape: the value is the source as written.
	wild := false
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\\' {
			l.pos = l.start
			return lexEscapedText
		}
		if c == '*' {
			wild = true
		}
		if strings.IndexByte(special, c) >= 0 {
			break
		}
		if spaceAt(l.src, l.pos) > 0 {
			end := l.pos
			for n := spaceAt(l.src, end); n > 0; n = spaceAt(l.src, end) {
				end += n
			}
			if textEndsAt(l.src, end) {
				break
			}
			l.pos = end
			continue
		}
		l.pos++
	}
	l.emit(itemText, l.src[l.start:l.pos], wild)
	return lexOperator
}

// lexEscapedText scans an unquoted literal that holds an escape, as
// lexText does.
func lexEscapedText(l *lexer) stateFn {
	var b strings.Builder // the value as a pattern: \* and \\ escaped
	wild := false
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == '\\' {
			if !l.escape(&b) {
				return nil
			}
			continue
		}
		if c == '*' {
			wild = true
		}
		if strings.IndexByte(special, c) >= 0 {
			break
		}
		if spaceAt(l.src, l.pos) > 0 {
			end := l.pos
			for n := spaceAt(l.src, end); n > 0; n = spaceAt(l.src, end) {
				end += n
			}
			if textEndsAt(l.src, end) {
				break
			}
			b.WriteString(l.src[l.pos:end])
			l.pos = end
			continue
		}
		b.WriteByte(c)
		l.pos++
	}
	v := b.String()
	if !wild {
		v = ast.UnescapePattern(v)
	}
	l.emit(itemText, v, wild)
	return lexOperator
}

// textEndsAt reports whether an unquoted literal ends at whitespace that is
// followed by src[i:]: at the end, before a special character, or before a
// keyword.
func textEndsAt(src string, i int) bool {
	return i >= len(src) ||
		strings.IndexByte(special, src[i]) >= 0 ||
		wordAt(src, i, "and") && spaceAt(src, i+3) > 0 ||
		wordAt(src, i, "or") && spaceAt(src, i+2) > 0 ||
		notAt(src, i)
}

// escape scans the escape sequence at l.pos in an unquoted literal and
// writes it to b in pattern form. It emits an error item and returns false
// when the sequence is not valid.
func (l *lexer) escape(b *strings.Builder) bool {
	i := l.pos + 1
	if i >= len(l.src) {
		l.errorf(l.pos, `unterminated escape sequence`)
		return false
	}
	// \and \or \not are the words themselves, as written. \not is the word,
	// not \n followed by "ot".
	for _, w := range [...]string{"not", "and", "or"} {
		if wordAt(l.src, i, w) {
			b.WriteString(l.src[i : i+len(w)])
			l.pos = i + len(w)
			return true
		}
	}
	switch c := l.src[i]; c {
	case 't', 'r', 'n':
		b.WriteByte(whitespaceEscape(c))
	case '\\', '*':
		b.WriteByte('\\')
		b.WriteByte(c)
	case '(', ')', ':', '<', '>', '"', '{', '}', ' ':
		b.WriteByte(c)
	case 'u':
		r, end, ok := unicodeEscape(l.src, l.pos)
		if !ok {
			l.errorf(l.pos, `invalid escape sequence "\u": want 4 hex digits`)
			return false
		}
		if r == '\\' || r == '*' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		l.pos = end
		return true
	default:
		r, _ := utf8.DecodeRuneInString(l.src[i:])
		if unicode.IsPrint(r) {
			l.errorf(l.pos, `invalid escape sequence "\%c"`, r)
		} else {
			l.errorf(l.pos, `invalid escape sequence: "\" before %U`, r)
		}
		return false
	}
	l.pos = i + 1
	return true
}

func whitespaceEscape(c byte) byte {
	switch c {
	case 't':
		return '\t'
	case 'r':
		return '\r'
	}
	return '\n'
}

// unicodeEscape decodes \uXXXX at src[i:], joining a UTF-16 surrogate pair
// written as two escapes. A lone surrogate gives U+FFFD. It returns the
// rune and the offset after the escape.
func unicodeEscape(src string, i int) (r rune, end int, ok bool) {
	u, ok := hex4(src, i)
	if !ok {
		return 0, 0, false
	}
	r, end = rune(u), i+6
	if utf16.IsSurrogate(r) {
		if u2, ok := hex4(src, end); ok {
			if p := utf16.DecodeRune(r, rune(u2)); p != utf8.RuneError {
				return p, end + 6, true
			}
		}
		return utf8.RuneError, end, true
	}
	return r, end, true
}

// hex4 reads \uXXXX at src[i:].
func hex4(src string, i int) (uint16, bool) {
	if i+6 > len(src) || src[i] != '\\' || src[i+1] != 'u' {
		return 0, false
	}
	var u uint16
	for _, c := range []byte(src[i+2 : i+6]) {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		u = u<<4 | uint16(c)
	}
	return u, true
}

// spaceAt returns the length of the whitespace character at src[i:], or 0.
// Whitespace is Kibana's: space, tab, CR, LF and no-break space.
func spaceAt(src string, i int) int {
	if i >= len(src) {
		return 0
	}
	switch src[i] {
	case ' ', '\t', '\r', '\n':
		return 1
	case 0xc2: // U+00A0 is C2 A0
		if i+1 < len(src) && src[i+1] == 0xa0 {
			return 2
		}
	}
	return 0
}

// wordAt reports whether src[i:] starts with the lower-case ASCII word w
// in any case.
func wordAt(src string, i int, w string) bool {
	if i+len(w) > len(src) {
		return false
	}
	for k := 0; k < len(w); k++ {
		if src[i+k]|0x20 != w[k] {
			return false
		}
	}
	return true
}

// notAt reports whether the keyword "not" starts at src[i:]: the word
// followed by whitespace, or by "(" (Kibana wants whitespace there).
func notAt(src string, i int) bool {
	return wordAt(src, i, "not") && (spaceAt(src, i+3) > 0 || strings.HasPrefix(src[i+3:], "("))
}
