package scan

import (
	"bytes"

	"dredge/event"

	"github.com/valyala/fastjson"
)

// fieldSet is a set of fields read from each event in one walk, for the
// rule index: the walk goes down only the objects on the way to a field of
// the set, and looks each key up once, where reading the fields one by one
// (event.Path) would search each object again for each field and each way
// of writing its name. It finds what event.Path finds, in every layout
// (nested, dotted, mixed, arrays): a key written twice in an object is
// taken the first time, arrays of values are flattened as deep as
// event.Path flattens them. A field whose name has a part with a dot in it
// is read as the field of the same dotted name, which may give more
// values. Built once, read-only.
type fieldSet struct {
	names []string
	root  *fieldNode
}

// fieldNode is a node of the tree of the set's field names, by part.
type fieldNode struct {
	children map[string]*fieldNode
	field    int // the field ending here, or -1
}

func newFieldSet() *fieldSet {
	return &fieldSet{root: &fieldNode{field: -1}}
}

// add adds a dotted field name and returns its index.
func (s *fieldSet) add(name string) int {
	n := s.root
	for part := range bytes.SplitSeq([]byte(name), []byte{'.'}) {
		c := n.children[string(part)]
		if c == nil {
			c = &fieldNode{field: -1}
			if n.children == nil {
				n.children = map[string]*fieldNode{}
			}
			n.children[string(part)] = c
		}
		n = c
	}
	if n.field < 0 {
		n.field = len(s.names)
		s.names = append(s.names, name)
	}
	return n.field
}

// fieldValues are the values of a fieldSet's fields in one event, as
// keyword text (event.Text); strings share the parser's memory.
type fieldValues struct {
	set     *fieldSet
	vals    [][]string
	touched []int
	taken   []string // keys of the objects being walked
}

func newFieldValues(s *fieldSet) *fieldValues {
	return &fieldValues{set: s, vals: make([][]string, len(s.names))}
}

// read collects the values of event v.
func (r *fieldValues) read(v *fastjson.Value) {
	for _, f := range r.touched {
		r.vals[f] = r.vals[f][:0]
	}
	r.touched = r.touched[:0]
	if v.Type() == fastjson.TypeObject {
		o, _ := v.Object()
		r.object(o, r.set.root)
	}
}

// get returns the values of field f.
func (r *fieldValues) get(f int) []string { return r.vals[f] }

// first returns the first value of field f, or "".
func (r *fieldValues) first(f int) string {
	if len(r.vals[f]) == 0 {
		return ""
	}
	return r.vals[f][0]
}

// maxLeafDepth is how deep arrays of values are flattened, as
// event.Path does.
const maxLeafDepth = 64

func (r *fieldValues) object(o *fastjson.Object, n *fieldNode) {
	// The keys of the object that lead to fields, from base on in
	// r.taken: a key written twice is taken once, the first time, as
	// event.Path takes it.
	base := len(r.taken)
	o.Visit(func(key []byte, x *fastjson.Value) {
		if len(key) == 0 {
			return
		}
		// Down the tree by the parts of the key (a dotted key such as
		// "process.name" is two parts).
		m, k := n, key
		for m != nil {
			i := 0
			for i < len(k) && k[i] != '.' {
				i++
			}
			m = m.children[string(k[:i])]
			if i == len(k) {
				break
			}
			k = k[i+1:]
			if len(k) == 0 {
				m = nil // a name ending with a dot
			}
		}
		if m == nil {
			return
		}
		for _, t := range r.taken[base:] {
			if t == string(key) {
				return
			}
		}
		r.taken = append(r.taken, bytesString(key))
		r.value(x, m, 0)
	})
	r.taken = r.taken[:base]
}

// value takes the value x of node n: its leaves when a field ends there,
// and the fields under it. arrays is how many arrays x is in since n.
func (r *fieldValues) value(x *fastjson.Value, n *fieldNode, arrays int) {
	switch x.Type() {
	case fastjson.TypeObject:
		if n.children != nil {
			o, _ := x.Object()
			r.object(o, n)
		}
	case fastjson.TypeArray:
		a, _ := x.Array()
		for _, e := range a {
			// Beyond maxLeafDepth, only objects are looked into.
			if arrays < maxLeafDepth || n.children != nil {
				r.value(e, n, arrays+1)
			}
		}
	default:
		if n.field >= 0 && arrays <= maxLeafDepth {
			if s, ok := event.Text(x); ok {
				if len(r.vals[n.field]) == 0 {
					r.touched = append(r.touched, n.field)
				}
				r.vals[n.field] = append(r.vals[n.field], s)
			}
		}
	}
}
