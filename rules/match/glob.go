package match

import (
	"strings"
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
	// flit and folded are lit and toks folded (AppendFold) when the glob
	// ignores case, to be compared with values folded once.
	flit   string
	folded []tok
	fold   bool
	// numeric is set when the pattern's literal text could be in a
	// number's text, so that the text of a number can match.
	numeric bool
}

// eqlGlob builds a matcher for an EQL pattern: * and ? are wildcards and
// there is no escape character (a backslash is a backslash).
func eqlGlob(pattern string, fold bool) *glob {
	toks := make([]tok, 0, 2*strings.Count(pattern, "*")+2*strings.Count(pattern, "?")+1)
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

// newGlob builds the matcher of the pattern toks, which it may change.
func newGlob(toks []tok, fold bool) *glob {
	// Runs of stars are one star.
	clean := toks[:0]
	for _, t := range toks {
		if t.kind == tokStar && len(clean) > 0 && clean[len(clean)-1].kind == tokStar {
			continue
		}
		clean = append(clean, t)
	}
	if len(clean) == 0 {
		clean = nil
	}
	g := &glob{toks: clean, fold: fold, kind: globGeneral, numeric: true}
	g.folded = clean
	if fold {
		g.folded = make([]tok, len(clean))
		for i, t := range clean {
			if t.kind == tokLit {
				t.s = foldString(t.s)
			}
			g.folded[i] = t
		}
	}
	for _, t := range clean {
		g.numeric = g.numeric && (t.kind != tokLit || numberish(t.s))
	}
	isLit := func(i int) bool { return i < len(clean) && clean[i].kind == tokLit }
	isStar := func(i int) bool { return i < len(clean) && clean[i].kind == tokStar }
	lit := -1 // the token of g.lit
	switch {
	case len(clean) == 0:
		g.kind, g.lit = globExact, ""
	case len(clean) == 1 && isLit(0):
		g.kind, lit = globExact, 0
	case len(clean) == 1 && isStar(0):
		g.kind = globAny
	case len(clean) == 2 && isLit(0) && isStar(1):
		g.kind, lit = globPrefix, 0
	case len(clean) == 2 && isStar(0) && isLit(1):
		g.kind, lit = globSuffix, 1
	case len(clean) == 3 && isStar(0) && isLit(1) && isStar(2):
		g.kind, lit = globContains, 1
	}
	if lit >= 0 {
		g.lit, g.flit = clean[lit].s, g.folded[lit].s
	}
	return g
}

// foldString is AppendFold of s as a string.
func foldString(s string) string {
	var buf [128]byte
	return string(AppendFold(buf[:0], s))
}

// match reports whether the whole of s matches.
func (g *glob) match(s string) bool {
	if !g.fold {
		return g.matchFolded(s)
	}
	var buf [256]byte
	return g.matchFolded(bytesString(AppendFold(buf[:0], s)))
}

// matchFolded reports whether the whole of s matches, s being folded
// (AppendFold) when the glob ignores case: comparing the folded texts
// byte by byte is comparing the texts rune by rune with simple case
// folding, and folding a value once serves every pattern of a list.
func (g *glob) matchFolded(s string) bool {
	switch g.kind {
	case globExact:
		return s == g.flit
	case globAny:
		return true
	case globPrefix:
		return strings.HasPrefix(s, g.flit)
	case globSuffix:
		return strings.HasSuffix(s, g.flit)
	case globContains:
		return strings.Contains(s, g.flit)
	}
	return g.general(s)
}

// general matches token by token, backtracking to the last star.
func (g *glob) general(s string) bool {
	toks := g.folded
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
				if strings.HasPrefix(s[si:], t.s) {
					si += len(t.s)
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
