package match

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// luceneRegexp compiles a Lucene regular expression (the syntax of
// Elasticsearch's regexp query and of EQL's regex operator) into a Go
// regexp anchored to the whole value. Lucene has no anchors: ^ and $ are
// ordinary characters, and . matches any character, newline included.
// The optional operators (@ & ~ # <n-m>) are not enabled, so they are
// literal, as with Lucene's NONE flag; \d \w \s and their negations are
// classes, any other escaped character is itself, and "..." is a literal
// string.
func luceneRegexp(pattern string, fold bool) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString("(?s")
	if fold {
		b.WriteByte('i')
	}
	b.WriteString(")^(?:")
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\':
			if i+1 >= len(pattern) {
				return nil, fmt.Errorf("regex %q ends with a lone backslash", pattern)
			}
			i++
			n := pattern[i]
			switch n {
			case 'd', 'D', 's', 'S', 'w', 'W':
				b.WriteByte('\\')
				b.WriteByte(n)
			default:
				switch r, size := utf8.DecodeRuneInString(pattern[i:]); {
				case r < utf8.RuneSelf && (unicode.IsPunct(r) || unicode.IsSymbol(r)):
					// Go accepts any escaped ASCII punctuation, in a
					// class too (where QuoteMeta would leave "-" bare).
					b.WriteByte('\\')
					b.WriteByte(n)
				default:
					b.WriteString(regexp.QuoteMeta(pattern[i : i+size]))
					i += size - 1
				}
			}
		case inClass:
			switch c {
			case ']':
				inClass = false
				b.WriteByte(c)
			case '[':
				b.WriteString(`\[`)
			default:
				b.WriteByte(c)
			}
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(pattern) && pattern[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(pattern) && pattern[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case c == '"':
			end := strings.IndexByte(pattern[i+1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("regex %q has an unterminated quoted string", pattern)
			}
			b.WriteString(regexp.QuoteMeta(pattern[i+1 : i+1+end]))
			i += end + 1
		case strings.IndexByte("^$@&~#<>", c) >= 0:
			b.WriteString(regexp.QuoteMeta(string(c)))
		default:
			b.WriteByte(c)
		}
	}
	if inClass {
		return nil, fmt.Errorf("regex %q has an unterminated character class", pattern)
	}
	b.WriteString(")$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("regex %q: %s", pattern, regexpProblem(err))
	}
	return re, nil
}

// regexpProblem words a regexp compile error without the expression it was
// rewritten into.
func regexpProblem(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return se.Code.String()
	}
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}
