package match

import (
	"dredge/event"
	"strings"
	"unsafe"

	"dredge/ecs"

	"github.com/valyala/fastjson"
)

// fieldKind is how a KQL value compares with a field, from the field's mapping
// type in ECS.
type fieldKind uint8

const (
	kindKeyword fieldKind = iota // keyword, constant_keyword, wildcard: the exact text
	kindText                     // text, match_only_text: analysed
	kindIP                       // ip
	kindNumber                   // the numeric types
	kindDate                     // date
	kindBool                     // boolean
	kindDynamic                  // a field ECS does not define: keyword terms; ranges by the values' own type
	numKinds
)

var kindNames = [...]string{kindKeyword: "keyword", kindText: "text", kindIP: "ip", kindNumber: "number",
	kindDate: "date", kindBool: "boolean", kindDynamic: "keyword"}

func (k fieldKind) String() string { return kindNames[k] }

// article names the kind of field with its article: "an ip field".
func (k fieldKind) article() string {
	if k == kindIP {
		return "an ip field"
	}
	return "a " + k.String() + " field"
}

// kindOf is the kind of a field by its full dotted name.
func kindOf(name string) fieldKind {
	if !ecs.Known(name) {
		return kindDynamic
	}
	switch ecs.TypeOf(name) {
	case ecs.Text:
		return kindText
	case ecs.IP:
		return kindIP
	case ecs.Number:
		return kindNumber
	case ecs.Date:
		return kindDate
	case ecs.Bool:
		return kindBool
	}
	// Keyword, Wildcard, and Object, whose values are objects that match
	// no term.
	return kindKeyword
}

// maxWalkDepth bounds the descent into nested objects and arrays.
const maxWalkDepth = 64

// fieldsNode is a KQL query on every field whose dotted name matches a
// pattern: a wildcard field name (process.hash.*:*), or all fields for free
// text and *:value. Kibana expands the pattern against the mapping and
// joins one query per field with or; here the fields are those the event
// holds, and each is tested by its own kind. The ECS text multi-fields of
// the fields found (process.command_line.text) are fields too.
type fieldsNode struct {
	// start is the dotted name of the object the walk starts at: empty at
	// the top of the event, the nested field's name inside a nested query.
	start string
	// pat matches the full dotted names; nil matches all.
	pat *glob
	// lit is the pattern up to its first *, to leave out the subtrees
	// that cannot match.
	lit string
	// tests is the test for each kind of field; nil where the value does
	// not apply to that kind (a word in a number field), which Kibana's
	// lenient all-field queries skip too.
	tests [numKinds]valueTest
}

func (n *fieldsNode) eval(d *event.Doc) bool {
	var buf [256]byte
	name := append(buf[:0], n.start...)
	if d.V.Type() != fastjson.TypeObject {
		return false
	}
	return n.object(d.V, name, 0)
}

func (n *fieldsNode) object(x *fastjson.Value, name []byte, depth int) bool {
	if depth >= maxWalkDepth {
		return false
	}
	o, _ := x.Object()
	found := false
	o.Visit(func(k []byte, e *fastjson.Value) {
		if found {
			return
		}
		full := name
		if len(full) > 0 {
			full = append(full, '.')
		}
		full = append(full, k...)
		if n.mayMatch(full) {
			found = n.value(e, full, depth+1)
		}
	})
	return found
}

// value visits the value x of the field named name.
func (n *fieldsNode) value(x *fastjson.Value, name []byte, depth int) bool {
	switch x.Type() {
	case fastjson.TypeObject:
		return n.object(x, name, depth)
	case fastjson.TypeArray:
		if depth >= maxWalkDepth {
			return false
		}
		a, _ := x.Array()
		for _, e := range a {
			if n.value(e, name, depth+1) {
				return true
			}
		}
		return false
	case fastjson.TypeNull:
		return false
	}
	return n.leaf(x, name)
}

// leaf tests a value of the field named name, and of the field's text
// multi-field.
func (n *fieldsNode) leaf(x *fastjson.Value, name []byte) bool {
	s := bytesString(name)
	if n.pat == nil || n.pat.match(s) {
		if t := n.tests[kindOf(s)]; t != nil && t.test(x) {
			return true
		}
	}
	t := n.tests[kindText]
	if t == nil {
		return false
	}
	multi := append(name, ".text"...)
	s = bytesString(multi)
	return (n.pat == nil || n.pat.match(s)) && ecs.Known(s) && ecs.TypeOf(s) == ecs.Text && t.test(x)
}

// mayMatch reports whether the field named name, or a field under it, may
// match the pattern.
func (n *fieldsNode) mayMatch(name []byte) bool {
	if len(name) <= len(n.lit) {
		return strings.HasPrefix(n.lit, bytesString(name))
	}
	return strings.HasPrefix(bytesString(name), n.lit)
}

// bytesString views b as a string without copying, for a lookup or a
// comparison that does not keep it.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
