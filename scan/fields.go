package scan

import (
	"dredge/event"
)

// fieldSet is the set of fields the rule index reads from events, each
// with its Path. Built once, read-only.
type fieldSet struct {
	names []string
	paths []*event.Path
	index map[string]int
}

func newFieldSet() *fieldSet {
	return &fieldSet{index: map[string]int{}}
}

// add adds a dotted field name and returns its index.
func (s *fieldSet) add(name string) int {
	if f, ok := s.index[name]; ok {
		return f
	}
	f := len(s.names)
	s.index[name] = f
	s.names = append(s.names, name)
	s.paths = append(s.paths, event.NewPath(name))
	return f
}

// fieldValues are the values of a fieldSet's fields in one event, as
// keyword text (event.Text), read when first asked for through the event's
// Doc, whose memo the rules then read them from; strings share the
// parser's memory.
type fieldValues struct {
	set  *fieldSet
	doc  *event.Doc
	vals [][]string
	// stamp[f] is gen when vals[f] holds the current event's values.
	stamp []uint32
	gen   uint32
}

func newFieldValues(s *fieldSet) *fieldValues {
	return &fieldValues{set: s, vals: make([][]string, len(s.names)), stamp: make([]uint32, len(s.names))}
}

// read makes the event of d the current one.
func (r *fieldValues) read(d *event.Doc) {
	r.doc = d
	if r.gen++; r.gen == 0 {
		clear(r.stamp)
		r.gen = 1
	}
}

// get returns the values of field f.
func (r *fieldValues) get(f int) []string {
	if r.stamp[f] == r.gen {
		return r.vals[f]
	}
	r.stamp[f] = r.gen
	vals := r.vals[f][:0]
	for _, x := range r.set.paths[f].Values(r.doc) {
		if s, ok := event.Text(x); ok {
			vals = append(vals, s)
		}
	}
	r.vals[f] = vals
	return vals
}

// first returns the first value of field f, or "".
func (r *fieldValues) first(f int) string {
	if vals := r.get(f); len(vals) > 0 {
		return vals[0]
	}
	return ""
}
