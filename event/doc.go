package event

import (
	"bytes"
	"strings"
	"sync"

	"github.com/valyala/fastjson"
)

// Doc is an event as many rules read it: its parsed value, and the values
// of the fields read so far. With a thousand rules, the same few dozen
// fields (process.name, process.args, host.os.type...) are read over and
// over; through a Doc each is looked up once per event, and read again from
// the memo. A Doc belongs to one goroutine; Reset it for each event. The
// zero Doc with V set keeps no memo (every read walks V).
type Doc struct {
	V *fastjson.Value
	// gen is the current event's number; stamp[id] == gen when the values
	// of the field of that id are span[id] of leaves.
	gen    uint32
	stamp  []uint32
	span   [][2]int32
	leaves []*fastjson.Value
	sub    *Doc // Sub's
	// Top-level objects: dotted is set when some key of the event's
	// object has a dot (process.name as one key), known when dottedKnown;
	// tops[id] is the value of the key of that id (a first part) when
	// topStamp[id] == gen.
	dotted, dottedKnown bool
	topStamp            []uint32
	tops                []*fastjson.Value
}

// NewDoc returns a Doc that keeps a memo, on v.
func NewDoc(v *fastjson.Value) *Doc {
	d := &Doc{}
	d.Reset(v)
	return d
}

// Reset makes d the Doc of event v, forgetting the fields read from the
// one before.
func (d *Doc) Reset(v *fastjson.Value) {
	d.V = v
	d.leaves = d.leaves[:0]
	d.dottedKnown = false
	if d.gen++; d.gen == 0 {
		// Stamps of 4 billion events ago could look current.
		clear(d.stamp)
		clear(d.topStamp)
		d.gen = 1
	}
}

// Sub returns a Doc without a memo on v, an object inside d's event, for
// a query on that object alone (KQL's field:{...}). It is d's own, valid
// until the next call of Sub on d.
func (d *Doc) Sub(v *fastjson.Value) *Doc {
	if d.sub == nil {
		d.sub = &Doc{}
	}
	d.sub.V = v
	return d.sub
}

// Values returns the field's values in d as Visit passes them (arrays
// flattened, nulls included), read once per event when d keeps a memo. The
// slice is valid until the next Reset; it must not be changed.
func (p *Path) Values(d *Doc) []*fastjson.Value {
	if d.gen == 0 {
		var out []*fastjson.Value
		p.Visit(d.V, func(x *fastjson.Value) bool {
			out = append(out, x)
			return false
		})
		return out
	}
	id := int(p.id)
	if id < len(d.stamp) && d.stamp[id] == d.gen {
		s := d.span[id]
		return d.leaves[s[0]:s[1]:s[1]]
	}
	if id >= len(d.stamp) {
		n := max(id+1, 2*len(d.stamp), 64)
		d.stamp = append(d.stamp, make([]uint32, n-len(d.stamp))...)
		d.span = append(d.span, make([][2]int32, n-len(d.span))...)
	}
	start := len(d.leaves)
	add := func(x *fastjson.Value) bool {
		d.leaves = append(d.leaves, x)
		return false
	}
	if top, ok := d.top(p); ok {
		if top != nil {
			p.visit(top, 1, add)
		}
	} else {
		p.Visit(d.V, add)
	}
	d.stamp[id], d.span[id] = d.gen, [2]int32{int32(start), int32(len(d.leaves))}
	return d.leaves[start:len(d.leaves):len(d.leaves)]
}

// top returns the value of the event's key p.parts[0], read once per
// event, when only that key can lead to the field: p has several parts,
// and no key of the event's object has a dot in it (the usual nested
// layout), so that process.name is to be found under "process" alone.
// ok is false when the whole walk is needed.
func (d *Doc) top(p *Path) (v *fastjson.Value, ok bool) {
	if p.first < 0 || d.V.Type() != fastjson.TypeObject {
		return nil, false
	}
	o, _ := d.V.Object()
	if !d.dottedKnown {
		d.dotted, d.dottedKnown = false, true
		o.Visit(func(k []byte, _ *fastjson.Value) {
			if !d.dotted && bytes.IndexByte(k, '.') >= 0 {
				d.dotted = true
			}
		})
	}
	if d.dotted {
		return nil, false
	}
	id := int(p.first)
	if id >= len(d.topStamp) {
		n := max(id+1, 2*len(d.topStamp), 64)
		d.topStamp = append(d.topStamp, make([]uint32, n-len(d.topStamp))...)
		d.tops = append(d.tops, make([]*fastjson.Value, n-len(d.tops))...)
	}
	if d.topStamp[id] != d.gen {
		d.topStamp[id], d.tops[id] = d.gen, o.Get(p.parts[0])
	}
	return d.tops[id], true
}

// VisitDoc is Visit on the event of d, through its memo.
func (p *Path) VisitDoc(d *Doc, fn func(*fastjson.Value) bool) (stopped bool) {
	if d.gen == 0 {
		return p.Visit(d.V, fn)
	}
	for _, x := range p.Values(d) {
		if fn(x) {
			return true
		}
	}
	return false
}

// ExistsDoc is Exists on the event of d, through its memo.
func (p *Path) ExistsDoc(d *Doc) bool {
	return p.VisitDoc(d, func(x *fastjson.Value) bool { return x.Type() != fastjson.TypeNull })
}

// paths numbers the distinct field names (by their parts) of all the Paths
// made, so that a Doc's memo serves every Path of the same field.
var paths struct {
	sync.Mutex
	ids map[string]int32
}

func pathID(parts []string) int32 {
	key := strings.Join(parts, "\x00")
	paths.Lock()
	defer paths.Unlock()
	id, ok := paths.ids[key]
	if !ok {
		if paths.ids == nil {
			paths.ids = map[string]int32{}
		}
		id = int32(len(paths.ids))
		paths.ids[key] = id
	}
	return id
}
