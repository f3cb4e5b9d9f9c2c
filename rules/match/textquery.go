package match

import (
	"cmp"
	"strings"

	"dredge/event"
	"dredge/rules/ast"

	"github.com/valyala/fastjson"
)

// The tests of KQL values on text fields. A value of the event is analysed
// in place (analyze.go) and never copied; the query's side was analysed at
// compile time. Numbers and booleans are read as their text, as
// Elasticsearch coerces them into a text field.

// textAnyTest is a match query: it holds when any token of the query is a
// token of the value (the match query's default operator is or). A match
// query whose text has no token matches nothing.
type textAnyTest struct {
	toks    []string            // lowercased
	set     map[string]struct{} // the same, for long lists
	numeric bool                // a token may be in a number's text
}

func newTextAny(toks []string) *textAnyTest {
	t := &textAnyTest{}
	seen := map[string]bool{}
	for _, s := range toks {
		if !seen[s] {
			seen[s] = true
			t.toks = append(t.toks, s)
			t.numeric = t.numeric || numberish(s)
		}
	}
	if len(t.toks) > 8 {
		t.set = make(map[string]struct{}, len(t.toks))
		for _, s := range t.toks {
			t.set[s] = struct{}{}
		}
	}
	return t
}

func (t *textAnyTest) test(x *fastjson.Value) bool {
	if x.Type() == fastjson.TypeNumber && !t.numeric {
		return false
	}
	s, ok := event.Text(x)
	if !ok {
		return false
	}
	var buf [128]byte
	for i := 0; ; {
		start, end := nextToken(s, i)
		if start < 0 {
			return false
		}
		tok := s[start:end]
		if t.set != nil && len(tok) <= len(buf)/2 {
			// A lowercased rune is at most one byte longer than the rune.
			if _, ok := t.set[string(appendLower(buf[:0], tok))]; ok {
				return true
			}
		} else {
			for _, w := range t.toks {
				if tokenIs(tok, w) {
					return true
				}
			}
		}
		i = end
	}
}

// textPhraseTest is a match_phrase query: the query's tokens are tokens of
// one value, adjacent and in order. A phrase with no token matches nothing.
type textPhraseTest struct {
	toks []string // lowercased
}

func (t *textPhraseTest) test(x *fastjson.Value) bool {
	if x.Type() == fastjson.TypeNumber {
		for _, w := range t.toks {
			if !numberish(w) {
				return false
			}
		}
	}
	s, ok := event.Text(x)
	if !ok || len(t.toks) == 0 {
		return false
	}
	if len(t.toks) > 64 {
		return t.long(s)
	}
	// Shift-and: bit k of state is set when the last k+1 tokens of the
	// value are the first k+1 tokens of the phrase.
	var state uint64
	last := uint64(1) << (len(t.toks) - 1)
	for i := 0; ; {
		start, end := nextToken(s, i)
		if start < 0 {
			return false
		}
		tok := s[start:end]
		var hits uint64
		for k, w := range t.toks {
			if tokenIs(tok, w) {
				hits |= 1 << k
			}
		}
		state = (state<<1 | 1) & hits
		if state&last != 0 {
			return true
		}
		i = end
	}
}

// long matches a phrase of more than 64 tokens by brute force.
func (t *textPhraseTest) long(s string) bool {
	var bounds [][2]int
	for i := 0; ; {
		start, end := nextToken(s, i)
		if start < 0 {
			break
		}
		bounds = append(bounds, [2]int{start, end})
		i = end
	}
	for i := 0; i+len(t.toks) <= len(bounds); i++ {
		k := 0
		for k < len(t.toks) && tokenIs(s[bounds[i+k][0]:bounds[i+k][1]], t.toks[k]) {
			k++
		}
		if k == len(t.toks) {
			return true
		}
	}
	return false
}

// textWildcardTest is KQL's wildcard value on a text field, which Kibana
// sends as a query_string query: the value is cut at whitespace into
// clauses, any of which may match (the default operator is or). A clause
// with a * is a wildcard query on the tokens, its literal text lowercased
// as Elasticsearch normalises it; a lone * is an exists query; a clause
// without * is analysed, any of its tokens matching.
type textWildcardTest struct {
	globs  []*glob // case-folding, over single tokens
	any    *textAnyTest
	exists bool
}

func newTextWildcard(pattern string) *textWildcardTest {
	t := &textWildcardTest{}
	var plain []string
	for _, clause := range splitClauses(pattern) {
		switch {
		case clause == "*":
			t.exists = true
		case hasWildcard(clause):
			t.globs = append(t.globs, kqlGlob(clause, true))
		default:
			plain = append(plain, analyze(ast.UnescapePattern(clause))...)
		}
	}
	if len(plain) > 0 {
		t.any = newTextAny(plain)
	}
	return t
}

func (t *textWildcardTest) test(x *fastjson.Value) bool {
	if x.Type() == fastjson.TypeNumber && !t.exists && (t.any == nil || !t.any.numeric) && !anyNumeric(t.globs) {
		return false
	}
	s, ok := event.Text(x)
	if !ok {
		return false
	}
	if t.exists || t.any != nil && t.any.test(x) {
		return true
	}
	for i := 0; ; {
		start, end := nextToken(s, i)
		if start < 0 {
			return false
		}
		for _, g := range t.globs {
			if g.match(s[start:end]) {
				return true
			}
		}
		i = end
	}
}

// splitClauses cuts a KQL pattern (\* a literal star, \\ a backslash) at
// whitespace, as the query_string parser separates terms.
func splitClauses(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\r', '\u3000':
			return true
		}
		return false
	})
}

// hasWildcard reports whether a KQL pattern holds an unescaped *.
func hasWildcard(p string) bool {
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '*':
			return true
		}
	}
	return false
}

// textCmpTest is a range on a text field: it holds when a token of the
// value, lowercased, compares with the bound as op says. The bound is not
// analysed, as Elasticsearch leaves it.
type textCmpTest struct {
	op  cmpOp
	str string
}

func (t *textCmpTest) test(x *fastjson.Value) bool {
	s, ok := event.Text(x)
	if !ok {
		return false
	}
	var buf [256]byte
	for i := 0; ; {
		start, end := nextToken(s, i)
		if start < 0 {
			return false
		}
		low := appendLower(buf[:0], s[start:end])
		if t.op.holds(cmp.Compare(bytesString(low), t.str)) {
			return true
		}
		i = end
	}
}
