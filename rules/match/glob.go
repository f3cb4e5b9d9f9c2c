package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is a piece of a wildcard pattern.
type tokKind uint8

const (
	tokLit  tokKind = iota // literal text
	tokStar                // * : any run of characters, empty included
	tokOne                 // ? : exactly one character
)

type tok struct {
	kind tokKind
	s    string
}

// globKind is the shape of a pattern, which picks the fast matcher.
type globKind uint8

const (
	globExact    globKind = iota // text
	globPrefix                   // text*
	globSuffix                   // *text
	globContains                 // *text*
	globAny                      // *
	globGeneral                  // anything else
)

// glob matches a whole value against a wildcard pattern, optionally
// ignoring case. It is immutable once built.
type glob struct {
	kind globKind
	lit  string // the literal of the simple shapes
	toks []tok  // globGeneral
	fold bool
	// numeric is set when the pattern's literal text could be in a
	// number's text, so that the text of a number can match.
	numeric bool
}

// eqlGlob builds a matcher for an EQL pattern: * and ? are wildcards and
// there is no escape character (a backslash is a backslash).
func eqlGlob(pattern string, fold bool) *glob {
	var toks []tok
	lit := 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '*', '?':
			if i > lit {
				toks = append(toks, tok{tokLit, pattern[lit:i]})
			}
			k := tokStar
			if pattern[i] == '?' {
				k = tokOne
			}
			toks = append(toks, tok{kind: k})
			lit = i + 1
		}
	}
	if lit < len(pattern) {
		toks = append(toks, tok{tokLit, pattern[lit:]})
	}
	return newGlob(toks, fold)
}

// kqlGlob builds a matcher for a KQL wildcard value as the kql parser leaves
// it: * is a wildcard, \* a literal star and \\ a backslash.
func kqlGlob(pattern string, fold bool) *glob {
	var toks []tok
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			toks = append(toks, tok{tokLit, b.String()})
			b.Reset()
		}
	}
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			i++
			b.WriteByte(pattern[i])
		case c == '*':
			flush()
			toks = append(toks, tok{kind: tokStar})
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return newGlob(toks, fold)
}

func newGlob(toks []tok, fold bool) *glob {
	// Runs of stars are one star.
	var clean []tok
	for _, t := range toks {
		if t.kind == tokStar && len(clean) > 0 && clean[len(clean)-1].kind == tokStar {
			continue
		}
		clean = append(clean, t)
	}
	g := &glob{toks: clean, fold: fold, kind: globGeneral, numeric: true}
	for _, t := range clean {
		g.numeric = g.numeric && (t.kind != tokLit || numberish(t.s))
	}
	isLit := func(i int) bool { return i < len(clean) && clean[i].kind == tokLit }
	isStar := func(i int) bool { return i < len(clean) && clean[i].kind == tokStar }
	switch {
	case len(clean) == 0:
		g.kind, g.lit = globExact, ""
	case len(clean) == 1 && isLit(0):
		g.kind, g.lit = globExact, clean[0].s
	case len(clean) == 1 && isStar(0):
		g.kind = globAny
	case len(clean) == 2 && isLit(0) && isStar(1):
		g.kind, g.lit = globPrefix, clean[0].s
	case len(clean) == 2 && isStar(0) && isLit(1):
		g.kind, g.lit = globSuffix, clean[1].s
	case len(clean) == 3 && isStar(0) && isLit(1) && isStar(2):
		g.kind, g.lit = globContains, clean[1].s
	}
	return g
}

// match reports whether the whole of s matches.
func (g *glob) match(s string) bool {
	switch g.kind {
	case globExact:
		return equal(s, g.lit, g.fold)
	case globAny:
		return true
	case globPrefix:
		_, ok := prefix(s, g.lit, g.fold)
		return ok
	case globSuffix:
		if !g.fold {
			return strings.HasSuffix(s, g.lit)
		}
		if len(s) >= len(g.lit) {
			if tail := s[len(s)-len(g.lit):]; isASCII(tail) && isASCII(g.lit) {
				return equalFoldASCII(tail, g.lit)
			}
		}
		return g.general(s)
	case globContains:
		if !g.fold {
			return strings.Contains(s, g.lit)
		}
		return g.general(s)
	}
	return g.general(s)
}

// general matches token by token, backtracking to the last star.
func (g *glob) general(s string) bool {
	toks := g.toks
	ti, si := 0, 0
	starT, starS := -1, 0
	for ti < len(toks) || si < len(s) {
		if ti < len(toks) {
			t := toks[ti]
			switch t.kind {
			case tokStar:
				starT, starS = ti, si
				ti++
				continue
			case tokOne:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case tokLit:
				if n, ok := prefix(s[si:], t.s, g.fold); ok {
					si += n
					ti++
					continue
				}
			}
		}
		if starT >= 0 && starS < len(s) {
			_, n := utf8.DecodeRuneInString(s[starS:])
			starS += n
			ti, si = starT+1, starS
			continue
		}
		return false
	}
	return true
}

// equal compares two strings, ignoring case when fold is set.
func equal(a, b string, fold bool) bool {
	if !fold {
		return a == b
	}
	if isASCII(a) && isASCII(b) {
		return len(a) == len(b) && equalFoldASCII(a, b)
	}
	return strings.EqualFold(a, b)
}

// prefix reports whether s starts with p, and how many bytes of s matched.
func prefix(s, p string, fold bool) (int, bool) {
	if !fold {
		return len(p), strings.HasPrefix(s, p)
	}
	if len(s) >= len(p) && isASCII(p) && isASCII(s[:len(p)]) {
		return len(p), equalFoldASCII(s[:len(p)], p)
	}
	// Unicode: compare rune by rune with simple case folding.
	i := 0
	for _, pr := range p {
		if i >= len(s) {
			return 0, false
		}
		sr, n := utf8.DecodeRuneInString(s[i:])
		if sr != pr && !foldEq(sr, pr) {
			return 0, false
		}
		i += n
	}
	return i, true
}

func foldEq(a, b rune) bool {
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// equalFoldASCII compares equal-length ASCII strings ignoring case.
func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// lowerASCII appends s lowercased (ASCII letters only) to dst.
func lowerASCII(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
