package match

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"dredge/event"
)

// This file finds what every event a query matches must hold, so that a
// scanner can pick, for each event, the few rules that may match it out of
// thousands without evaluating the others (an index of rules by event
// category, OS, action, process name...). It reads compiled nodes and never
// changes them.

// FieldValues is a condition on one field: some value of the field, read as
// keyword text (a string as it is, a number or boolean as its JSON text), is
// one of Values, or holds one of them when Contains is set; compared
// ignoring case (as AppendFold folds both) when Fold is set. Values are
// sorted, each once, and shared: they must not be changed.
type FieldValues struct {
	Field    string
	Values   []string
	Fold     bool
	Contains bool
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
// like without wildcards, KQL terms on keyword fields) and against wildcard
// patterns (a value that matches holds the longest literal part of a
// pattern); an or gives the conditions all its branches share, joined; a
// not, a comparison, a regular expression or a script gives none. No
// requirement means any event may match.
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
			return []Requirement{{{Field: n.path.Name(), Values: sortedValues(n.list), Fold: n.fold}}}
		}
	case *globNode:
		// Patterns without wildcards are exact values; a value that
		// matches another holds its longest literal.
		if n.path == nil || len(n.pats) == 0 {
			break
		}
		fv := FieldValues{Field: n.path.Name()}
		for _, g := range n.pats {
			fv.Fold = fv.Fold || g.fold
			if g.kind == globExact {
				fv.Values = append(fv.Values, g.lit)
				continue
			}
			fv.Contains = true
			lit := ""
			for _, t := range g.toks {
				if t.kind == tokLit && len(t.s) > len(lit) {
					lit = t.s
				}
			}
			if lit == "" {
				return nil // * matches any value
			}
			fv.Values = append(fv.Values, lit)
		}
		fv.Values = sortedValues(fv.Values)
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
		i := slices.IndexFunc(s, func(b FieldValues) bool {
			return b.Field == a.Field && (b.Fold || !a.Fold) && (b.Contains || !a.Contains)
		})
		if i < 0 || !subset(a.Values, s[i].Values) {
			return false
		}
	}
	return true
}

// The values of a requirement are kept sorted and without repeats, so that
// joining two and telling whether one holds the other are merges.

// sortedValues returns the values sorted, each once.
func sortedValues(vs []string) []string {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	return slices.Compact(vs)
}

// subset reports whether the sorted values a are all in the sorted b.
func subset(a, b []string) bool {
	j := 0
	for _, v := range a {
		for j < len(b) && b[j] < v {
			j++
		}
		if j == len(b) || b[j] != v {
			return false
		}
	}
	return true
}

// union returns the sorted values of a and b, each once.
func union(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
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
// either is, substrings when either is: a value equal to a string holds
// it). ok is false when the result has too many fields to be worth
// keeping.
func reqJoin(a, b Requirement) (Requirement, bool) {
	out := make(Requirement, 0, len(a)+len(b))
	// The values are shared, never changed: a join makes new lists.
	out = append(out, a...)
	for _, fv := range b {
		i := slices.IndexFunc(out, func(o FieldValues) bool { return o.Field == fv.Field })
		if i < 0 {
			out = append(out, fv)
			continue
		}
		out[i].Fold = out[i].Fold || fv.Fold
		out[i].Contains = out[i].Contains || fv.Contains
		out[i].Values = union(out[i].Values, fv.Values)
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

// Without returns the program without the conditions of its top-level and
// that proven says every event it is given meets: a caller that has checked
// them (a rule index) need not test them again. Only a test of a field
// against exact values whose meaning is its FieldValues exactly is left
// out, so a caller that tests those as FieldValues says gets the same
// results. The conditions left are tested the cheapest first (an and of
// conditions without side effects holds whatever their order); p itself is
// returned when nothing changes.
func (p *Program) Without(proven func(FieldValues) bool) *Program {
	conds := []node{p.root}
	if and, ok := p.root.(andNode); ok {
		conds = and
	}
	var kept []node
	for _, n := range conds {
		if fv, ok := exactValues(n); ok && proven(fv) {
			continue
		}
		kept = append(kept, n)
	}
	sorted := slices.IsSortedFunc(kept, func(a, b node) int { return nodeCost(a) - nodeCost(b) })
	if len(kept) == len(conds) && sorted {
		return p
	}
	kept = slices.Clone(kept)
	slices.SortStableFunc(kept, func(a, b node) int { return nodeCost(a) - nodeCost(b) })
	var root node = constNode(true)
	for _, n := range kept {
		root = and(root, n)
	}
	return &Program{root: root, Fields: p.Fields}
}

// exactValues returns the condition of a test of a field against exact
// values, when FieldValues says exactly what the test does. A field whose
// name has a part with a dot in it (`a.b` quoted in EQL) is not told apart
// from the field of the same dotted name.
func exactValues(n node) (FieldValues, bool) {
	if p := pathOf(n); p == nil || slices.ContainsFunc(p.Parts(), func(s string) bool { return s == "" || strings.Contains(s, ".") }) {
		return FieldValues{}, false
	}
	switch n := n.(type) {
	case *eqNode:
		if n.path != nil {
			return FieldValues{Field: n.path.Name(), Values: []string{n.want}, Fold: n.fold}, true
		}
	case *inNode:
		// A large folded set is looked up lowercased (ASCII): a value
		// that only Unicode folding makes equal is not found there.
		if n.path == nil || n.fold && n.set != nil && slices.ContainsFunc(n.list, func(s string) bool { return !isASCII(s) }) {
			break
		}
		return FieldValues{Field: n.path.Name(), Values: sortedValues(n.list), Fold: n.fold}, true
	case *globNode:
		if n.path == nil || len(n.pats) == 0 {
			break
		}
		fv := FieldValues{Field: n.path.Name(), Fold: n.pats[0].fold}
		for _, g := range n.pats {
			if g.kind != globExact || g.fold != fv.Fold {
				return FieldValues{}, false
			}
			fv.Values = append(fv.Values, g.lit)
		}
		fv.Values = sortedValues(fv.Values)
		return fv, true
	}
	return FieldValues{}, false
}

// pathOf returns the field of a test node, or nil.
func pathOf(n node) *event.Path {
	switch n := n.(type) {
	case *eqNode:
		return n.path
	case *inNode:
		return n.path
	case *globNode:
		return n.path
	}
	return nil
}

// nodeCost is a rough cost of evaluating a condition: a field tested
// against values costs one lookup, each pattern more, a regular expression
// or a script much more.
func nodeCost(n node) int {
	switch n := n.(type) {
	case constNode:
		return 0
	case *eqNode, *inNode, existsNode, *cmpNode, *timeEqNode, *cidrNode:
		return 1
	case *globNode:
		c := 1
		for _, g := range n.pats {
			if g.kind == globGeneral {
				c += 4
			} else {
				c++
			}
		}
		return c
	case notNode:
		return nodeCost(n.x)
	case andNode:
		c := 0
		for _, x := range n {
			c += nodeCost(x)
		}
		return c
	case orNode:
		c := 0
		for _, x := range n {
			c += nodeCost(x)
		}
		return c
	case *regexNode:
		return 50
	}
	return 100 // scripts, text queries, walks over every field
}
