// Package event reads fields and times out of parsed JSON events.
//
// An event is a fastjson value. The same ECS field may be written nested
// ({"process": {"name": "x"}}), flat with dots ({"process.name": "x"}) or a
// mix of both, and any level may be an array of values or of objects; Path
// finds the field's values in all of these layouts, the way Elasticsearch
// indexes them. The package knows nothing of rules or files.
package event

import (
	"strings"

	"github.com/valyala/fastjson"
)

// Path is a field name compiled for lookups. Build it once with NewPath and
// share it: it is read-only.
type Path struct {
	name  string
	id    int32 // the same for paths of the same parts (Doc's memo)
	first int32 // the id of the first part alone; -1 for a one-part name
	parts []string
	// keys[i][j-i-1] is parts[i:j] joined with dots: every key that can hold
	// the rest of the path from part i on, longest first.
	keys [][]string
}

// NewPath compiles a dotted field name such as "process.parent.name".
func NewPath(name string) *Path { return NewPathParts(strings.Split(name, ".")) }

// NewPathParts compiles a field name given as its parts.
func NewPathParts(parts []string) *Path {
	p := &Path{name: strings.Join(parts, "."), parts: parts, id: pathID(parts), first: -1}
	if len(parts) > 1 {
		p.first = pathID(parts[:1])
	}
	p.keys = make([][]string, len(parts))
	for i := range parts {
		for j := len(parts); j > i; j-- {
			p.keys[i] = append(p.keys[i], strings.Join(parts[i:j], "."))
		}
	}
	return p
}

// Name is the dotted field name.
func (p *Path) Name() string { return p.name }

// Parts returns the parts of the field name, as given to NewPathParts (a
// part may hold a dot). The slice must not be changed.
func (p *Path) Parts() []string { return p.parts }

// Visit calls fn for each value of the field in v, arrays flattened, until fn
// returns false. Null values are passed on; a missing field gives no call.
// It reports whether fn asked to stop.
func (p *Path) Visit(v *fastjson.Value, fn func(*fastjson.Value) bool) (stopped bool) {
	if v == nil {
		return false
	}
	return p.visit(v, 0, fn)
}

func (p *Path) visit(v *fastjson.Value, i int, fn func(*fastjson.Value) bool) bool {
	if i == len(p.parts) {
		return leaves(v, fn, 0)
	}
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		for k, key := range p.keys[i] {
			if c := o.Get(key); c != nil {
				if p.visit(c, len(p.parts)-k, fn) {
					return true
				}
			}
		}
	case fastjson.TypeArray:
		a, _ := v.Array()
		for _, e := range a {
			if p.visit(e, i, fn) {
				return true
			}
		}
	}
	return false
}

// maxDepth bounds the flattening of nested arrays.
const maxDepth = 64

// Leaves calls fn as Visit does once it has found a field's key: for x,
// the key's value, or for each value of the array x, nested arrays
// flattened, until fn returns true. It reports whether fn did. It is for
// callers that find the object holding a field on their own.
func Leaves(x *fastjson.Value, fn func(*fastjson.Value) bool) bool {
	return leaves(x, fn, 0)
}

func leaves(v *fastjson.Value, fn func(*fastjson.Value) bool, depth int) bool {
	if v.Type() == fastjson.TypeArray {
		if depth >= maxDepth {
			return false
		}
		a, _ := v.Array()
		for _, e := range a {
			if leaves(e, fn, depth+1) {
				return true
			}
		}
		return false
	}
	return fn(v)
}

// Exists reports whether the field has a value that is not null.
func (p *Path) Exists(v *fastjson.Value) bool {
	return p.Visit(v, func(x *fastjson.Value) bool { return x.Type() != fastjson.TypeNull })
}

// String returns the field's first value as text: a string as is, a number
// or boolean as JSON writes it. It returns "" when the field is missing,
// null, or holds only objects.
func (p *Path) String(v *fastjson.Value) string {
	var out string
	p.Visit(v, func(x *fastjson.Value) bool {
		s, ok := Text(x)
		if ok {
			out = strings.Clone(s)
		}
		return ok
	})
	return out
}

// Strings returns every value of the field as text (see String).
func (p *Path) Strings(v *fastjson.Value) []string {
	var out []string
	p.Visit(v, func(x *fastjson.Value) bool {
		if s, ok := Text(x); ok {
			out = append(out, strings.Clone(s))
		}
		return false
	})
	return out
}

// Text gives a scalar value as Elasticsearch indexes it in a keyword field:
// strings as they are, numbers and booleans as their JSON text. Objects,
// arrays and null give ok == false. A string shares the parser's memory:
// use it before the parser is reused, or clone it.
func Text(x *fastjson.Value) (s string, ok bool) {
	switch x.Type() {
	case fastjson.TypeString:
		b, _ := x.StringBytes()
		return b2s(b), true
	case fastjson.TypeNumber:
		return x.String(), true
	case fastjson.TypeTrue:
		return "true", true
	case fastjson.TypeFalse:
		return "false", true
	}
	return "", false
}
