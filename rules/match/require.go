package match

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// This file finds what every event a query matches must hold, so that a
// scanner can pick, for each event, the few rules that may match it out of
// thousands without evaluating the others (an index of rules by event
// category, OS, action, process name...). It reads compiled nodes and never
// changes them.

// FieldValues is a condition on one field: some value of the field, read as
// keyword text (a string as it is, a number or boolean as its JSON text), is
// one of Values, compared ignoring case (as AppendFold folds it) when Fold
// is set.
type FieldValues struct {
	Field  string
	Values []string
	Fold   bool
}

// Requirement is a necessary condition of a query: every event the query
// matches meets at least one of its FieldValues. An empty Requirement is
// never met: the query matches no event.
type Requirement []FieldValues

// maxRequirements bounds the requirements kept for one node, and
// maxRequirementFields the fields of one requirement: an or of ors would
// otherwise multiply them. Leaving some out is sound: fewer requirements
// rule out fewer events.
const (
	maxRequirements      = 16
	maxRequirementFields = 8
)

// Requirements returns necessary conditions of the program: every event it
// matches meets every one of them. They are found in the top-level and of
// the query, from the tests of a field against exact values (==, in, : and
// like without wildcards, KQL terms on keyword fields); an or gives the
// conditions all its branches share, joined; a not, a comparison, a pattern
// or a script gives none. No requirement means any event may match.
func (p *Program) Requirements() []Requirement {
	if p == nil {
		return nil
	}
	return reqNode(p.root)
}

// Requirements returns necessary conditions of every event that a query
// may use: for an event query those of its predicate, for a sequence or a
// sample those that every step (the until step included) shares, since an
// event that matches any step is used.
func (q *Query) Requirements() []Requirement {
	if q.Kind == Events {
		return q.Event.Requirements()
	}
	var out []Requirement
	steps := q.Steps
	if q.Until != nil {
		steps = append(slices.Clip(steps), q.Until)
	}
	for i, s := range steps {
		r := s.Program.Requirements()
		if i == 0 {
			out = r
			continue
		}
		out = reqOr(out, r)
	}
	return out
}

// reqNode returns the requirements of a node; a list holding an empty
// Requirement when the node never holds.
func reqNode(n node) []Requirement {
	switch n := n.(type) {
	case constNode:
		if !n {
			return []Requirement{{}}
		}
	case andNode:
		var out []Requirement
		for _, x := range n {
			out = reqAnd(out, reqNode(x))
		}
		return out
	case orNode:
		var out []Requirement
		for i, x := range n {
			r := reqNode(x)
			if i == 0 {
				out = r
				continue
			}
			out = reqOr(out, r)
		}
		return out
	case *eqNode:
		if n.path != nil {
			return []Requirement{{{Field: n.path.Name(), Values: []string{n.want}, Fold: n.fold}}}
		}
	case *inNode:
		if n.path != nil {
			return []Requirement{{{Field: n.path.Name(), Values: slices.Clone(n.list), Fold: n.fold}}}
		}
	case *globNode:
		// Patterns without wildcards are exact values.
		if n.path == nil || len(n.pats) == 0 {
			break
		}
		fv := FieldValues{Field: n.path.Name()}
		for _, g := range n.pats {
			if g.kind != globExact {
				return nil
			}
			fv.Values = append(fv.Values, g.lit)
			fv.Fold = fv.Fold || g.fold
		}
		return []Requirement{{fv}}
	}
	return nil
}

// never reports whether the requirements can never be met.
func never(rs []Requirement) bool {
	for _, r := range rs {
		if len(r) == 0 {
			return true
		}
	}
	return false
}

// reqAnd is the requirements of x and y: both lists.
func reqAnd(x, y []Requirement) []Requirement {
	if never(x) {
		return x
	}
	if never(y) {
		return y
	}
	out := slices.Clip(x)
	for _, r := range y {
		if len(out) >= maxRequirements {
			break
		}
		out = append(out, r)
	}
	return out
}

// reqOr is the requirements of x or y: each requirement of x joined with
// each of y (the distribution of or over and). The narrowest are kept:
// those of the fewest fields, then of the fewest values.
func reqOr(x, y []Requirement) []Requirement {
	if never(x) {
		return y
	}
	if never(y) {
		return x
	}
	var out []Requirement
	for _, a := range x {
		for _, b := range y {
			if r, ok := reqJoin(a, b); ok {
				out = append(out, r)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Requirement) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return a.values() - b.values()
	})
	// A requirement that a narrower one implies says nothing more.
	var kept []Requirement
	for _, r := range out {
		if !slices.ContainsFunc(kept, func(k Requirement) bool { return k.implies(r) }) {
			kept = append(kept, r)
		}
	}
	return kept[:min(len(kept), maxRequirements)]
}

// implies reports whether meeting r means meeting s: each field of r is a
// field of s, with values among those of s.
func (r Requirement) implies(s Requirement) bool {
	for _, a := range r {
		i := slices.IndexFunc(s, func(b FieldValues) bool { return b.Field == a.Field && (b.Fold || !a.Fold) })
		if i < 0 {
			return false
		}
		for _, v := range a.Values {
			if !slices.Contains(s[i].Values, v) {
				return false
			}
		}
	}
	return true
}

// values is how many values the requirement lists.
func (r Requirement) values() int {
	n := 0
	for _, fv := range r {
		n += len(fv.Values)
	}
	return n
}

// reqJoin is a or b: the values of a field in both are joined (folded when
// either is). ok is false when the result has too many fields to be worth
// keeping.
func reqJoin(a, b Requirement) (Requirement, bool) {
	out := make(Requirement, 0, len(a)+len(b))
	for _, fv := range a {
		out = append(out, FieldValues{Field: fv.Field, Values: slices.Clone(fv.Values), Fold: fv.Fold})
	}
	for _, fv := range b {
		i := slices.IndexFunc(out, func(o FieldValues) bool { return o.Field == fv.Field })
		if i < 0 {
			out = append(out, FieldValues{Field: fv.Field, Values: slices.Clone(fv.Values), Fold: fv.Fold})
			continue
		}
		out[i].Fold = out[i].Fold || fv.Fold
		for _, v := range fv.Values {
			if !slices.Contains(out[i].Values, v) {
				out[i].Values = append(out[i].Values, v)
			}
		}
	}
	return out, len(out) <= maxRequirementFields
}

// AppendFold appends s to dst folded so that two strings fold to the same
// bytes exactly when the case-insensitive comparisons of the compiled
// queries find them equal (strings.EqualFold's simple folding): each
// character becomes the smallest of its case-folding orbit (an ASCII
// letter its upper case). Invalid bytes become U+FFFD, as EqualFold reads
// them.
func AppendFold(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		dst = utf8.AppendRune(dst, low)
	}
	return dst
}
