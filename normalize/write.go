package normalize

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/valyala/fastjson"

	"dredge/event"
)

// target is an ECS field compiled for testing and writing: its presence is
// tested with event.Path, in any layout; a new value goes in nested objects,
// created as needed, unless a level on the way holds something other than
// an object, in which case the rest of the name is written there as one
// dotted key (event.Path finds both).
//
// Targets are numbered (id) and know their first part (seg): an event that
// had no top-level key of that first part (nested or dotted) has a value
// for the target only if Apply wrote one, which the writer remembers; only
// the other targets are looked up in the event. No target lies under
// another that Apply writes as a whole object (TestTable checks it).
type target struct {
	fpath
	name   string
	id     int
	keep   uint8 // > 0: the writer keeps the value Apply writes, in vals[keep]
	self   int8  // the prefix of this name, when other fields lie under it; -1: none
	parts  []string
	suffix []string // suffix[i] is parts[i:] joined with dots
}

// fpath is a field name compiled for the writer's lookups: the whole path,
// walked from the event's root, and the prefix (all parts but the last)
// whose object the writer finds once per event, with the key of the last
// part to look up there.
type fpath struct {
	path *event.Path
	key  string // the last part
	seg  uint8  // the first part's number
	pre  int8   // the prefix; -1 for a name of one part
}

// prefix is a name of several fields' parent objects ("process",
// "process.parent"), numbered in Normalizer.prefixes.
type prefix struct {
	key    string // its last part
	parent int8   // the prefix it lies in; -1 at the top level
	seg    uint8
}

// Bounds of the tables (New panics beyond them).
const (
	maxTargets  = 512 // fields written
	maxSegs     = 64  // their first parts
	maxPrefixes = 64  // the parents of fields looked up
	maxKeep     = 16  // fields whose written value is read back
)

// writer fills one event. It remembers, for each first part (seg), the
// value of the event's top-level key of that name, and finds the object
// of each prefix at most once, so that a lookup does not walk from the
// root again; any write that changes objects on the way forgets what it
// found under that seg.
type writer struct {
	n       *Normalizer
	a       *fastjson.Arena
	root    *fastjson.Value
	obj     *fastjson.Object
	orig    uint64 // the first parts (target.seg) the event had at the top level
	dotted  uint64 // those of them it had in a dotted key
	created uint64 // the segs whose top-level object Apply created
	keys    topKeys
	added   int
	written [maxTargets / 64]uint64
	vals    [maxKeep]*fastjson.Value
	// tops[seg] is the value of the event's first top-level key named seg
	// (a seg of orig), or the object Apply created (a seg of created).
	tops [maxSegs]*fastjson.Value
	// Prefixes found: known has a bit for each prefix looked up, complex
	// for those that need the whole walk (an array or a dotted key on the
	// way), and objs holds the others' object, nil when there is none.
	// plain has a bit for each prefix object known to have no dotted key.
	known, complex, plainKnown, plain uint64
	objs                              [maxPrefixes]*fastjson.Object
}

// reset readies w, a zero writer, for the event v.
func (w *writer) reset(n *Normalizer, a *fastjson.Arena, v *fastjson.Value) {
	w.n, w.a, w.root = n, a, v
	w.obj, _ = v.Object()
	w.scanTop()
}

// topKeys are the top-level keys that tell a shape.
type topKeys uint16

const (
	keyEventID     topKeys = 1 << iota // event_id
	keyLogName                         // log_name
	keySourceName                      // source_name
	keyFlatEventID                     // EventID, EventId
	keyFlatChannel                     // Channel, SourceName, ProviderName
	keyEndgame                         // event_type_full, serial_event_id
)

// shapeKeys are the keys of topKeys.
var shapeKeys = []struct {
	name string
	key  topKeys
}{
	{"event_id", keyEventID}, {"log_name", keyLogName}, {"source_name", keySourceName},
	{"EventID", keyFlatEventID}, {"EventId", keyFlatEventID},
	{"Channel", keyFlatChannel}, {"SourceName", keyFlatChannel}, {"ProviderName", keyFlatChannel},
	{"event_type_full", keyEndgame}, {"serial_event_id", keyEndgame},
}

// topTable finds what a top-level key is to Apply: the first part of
// fields (a seg), whether nested ("process") or dotted ("process.pid"),
// and a key that tells a shape. Every top-level key of every event is
// looked up, so the table is an open-addressed hash of the key's first two
// bytes, which need not find where the first part ends: a lookup is a
// probe or two and a comparison of prefixes.
type topTable struct {
	slots [topSlots]topEntry
	n     int
}

// topSlots is the size of topTable: a power of two, well above the number
// of names (maxSegs and shapeKeys).
const topSlots = 256

type topEntry struct {
	name string
	seg  int8    // -1: a shape key only
	key  topKeys // when the key is name itself
}

func topHash(k string) int {
	h := int(k[0]) * 31
	if len(k) > 1 && k[1] != '.' {
		h += int(k[1])
	}
	return h & (topSlots - 1)
}

// add enters name as a seg (seg >= 0) or as the shape key key.
func (t *topTable) add(name string, seg int8, key topKeys) {
	i := topHash(name)
	for ; t.slots[i].name != ""; i = (i + 1) & (topSlots - 1) {
		if e := &t.slots[i]; e.name == name {
			if seg >= 0 {
				e.seg = seg
			}
			e.key |= key
			return
		}
	}
	if t.n == topSlots/2 {
		panic("normalize: top-level key table full")
	}
	t.n++
	t.slots[i] = topEntry{name: name, seg: seg, key: key}
}

// lookup finds the entry of the top-level key k: its name is k, or, for a
// seg, k's part before its first dot (dotted is then true).
func (t *topTable) lookup(k string) (e *topEntry, dotted bool) {
	for i := topHash(k); ; i = (i + 1) & (topSlots - 1) {
		e := &t.slots[i]
		n := len(e.name)
		switch {
		case n == 0:
			return nil, false
		case len(k) == n:
			if k == e.name {
				return e, false
			}
		case len(k) > n && k[n] == '.' && e.seg >= 0:
			if k[:n] == e.name {
				return e, true
			}
		}
	}
}

// scanTop notes, in one pass over the event's top-level keys, the segs it
// has keys of (nested or dotted) and the value of each one's first key of
// the seg's name, those it has dotted keys of, and the keys that tell its
// shape.
func (w *writer) scanTop() {
	w.obj.Visit(func(k []byte, x *fastjson.Value) {
		if len(k) == 0 {
			return
		}
		e, dotted := w.n.top.lookup(b2s(k))
		if e == nil {
			return
		}
		if !dotted {
			w.keys |= e.key
		}
		if e.seg < 0 {
			return
		}
		bit := uint64(1) << e.seg
		if dotted {
			w.dotted |= bit
		} else if w.tops[e.seg] == nil {
			w.tops[e.seg] = x
		}
		w.orig |= bit
	})
}

// hasSeg reports whether the event had a top-level key of seg.
func (w *writer) hasSeg(seg uint8) bool { return w.orig&(1<<seg) != 0 }

// had reports whether the event had t's first part when Apply began.
func (w *writer) had(t *target) bool { return w.orig&(1<<t.seg) != 0 }

func (w *writer) wrote(t *target) bool { return w.written[t.id/64]&(1<<(t.id%64)) != 0 }

// has reports whether the event has a value, other than null, for t.
func (w *writer) has(t *target) bool {
	return w.wrote(t) || w.had(t) && w.exists(&t.fpath)
}

// value returns t's first value and its text.
func (w *writer) value(t *target) (*fastjson.Value, string) {
	if t.keep > 0 {
		if v := w.vals[t.keep]; v != nil {
			s, _ := event.Text(v)
			return v, s
		}
	}
	if !w.had(t) && !w.wrote(t) {
		return nil, ""
	}
	return w.first(&t.fpath)
}

// visit is p.path.Visit on the event, started from p's prefix object when
// the writer can find it.
func (w *writer) visit(p *fpath, fn func(*fastjson.Value) bool) bool {
	if p.pre >= 0 {
		if o, ok := w.prefix(p.pre); ok {
			if o == nil {
				return false
			}
			x := o.Get(p.key)
			return x != nil && event.Leaves(x, fn)
		}
	}
	return p.path.Visit(w.root, fn)
}

func notNull(x *fastjson.Value) bool { return x.Type() != fastjson.TypeNull }

// exists is p.path.Exists on the event.
func (w *writer) exists(p *fpath) bool { return w.visit(p, notNull) }

// first is firstOf on the event.
func (w *writer) first(p *fpath) (*fastjson.Value, string) {
	var found *fastjson.Value
	w.visit(p, func(x *fastjson.Value) bool {
		if x.Type() == fastjson.TypeNull {
			return false
		}
		found = x
		return true
	})
	if found == nil {
		return nil, ""
	}
	s, _ := event.Text(found)
	return found, s
}

// prefix returns the object of prefix id in the event, or nil when there
// is none: ok is false when only the whole walk finds the fields under it
// (an array on the way, or a dotted key that may hold them).
func (w *writer) prefix(id int8) (o *fastjson.Object, ok bool) {
	i := uint8(id) % maxPrefixes
	if w.known>>i&1 != 0 {
		return w.objs[i], w.complex>>i&1 == 0
	}
	return w.resolve(id)
}

// resolve is prefix for a prefix not known.
func (w *writer) resolve(id int8) (o *fastjson.Object, ok bool) {
	if w.n.reference {
		return nil, false
	}
	pr := &w.n.prefixes[id]
	var x *fastjson.Value
	if pr.parent < 0 {
		seg := uint64(1) << pr.seg
		switch {
		case w.dotted&seg != 0:
		case (w.orig|w.created)&seg != 0:
			x, ok = w.tops[pr.seg], true
		default:
			ok = true
		}
	} else {
		po, pok := w.prefix(pr.parent)
		switch {
		case !pok || po != nil && !w.plainObject(pr.parent, po):
		case po != nil:
			x, ok = po.Get(pr.key), true
		default:
			ok = true
		}
	}
	if ok && x != nil {
		switch x.Type() {
		case fastjson.TypeObject:
			o, _ = x.Object()
		case fastjson.TypeArray:
			ok = false // only the whole walk reads into arrays
		}
		// A scalar or null: no field lies under it.
	}
	bit := uint64(1) << id
	w.known |= bit
	if ok {
		w.complex &^= bit
	} else {
		w.complex |= bit
	}
	w.objs[id] = o
	return o, ok
}

// plainObject reports whether o, the object of prefix id, has no dotted
// key, which would hold the fields of deeper prefixes in its own way.
func (w *writer) plainObject(id int8, o *fastjson.Object) bool {
	bit := uint64(1) << id
	if w.plainKnown&bit == 0 {
		w.plainKnown |= bit
		plain := true
		o.Visit(func(k []byte, _ *fastjson.Value) {
			for _, c := range k { // keys are short: a loop beats IndexByte's call
				if c == '.' {
					plain = false
				}
			}
		})
		if plain {
			w.plain |= bit
		} else {
			w.plain &^= bit
		}
	}
	return w.plain&bit != 0
}

// changed forgets the prefixes found under seg after a write there, which
// may have put an object where there was none; a dotted key may have
// made an object not plain. Writes never replace an object (they fill
// what is missing or null, or replace text), so an object found stays
// the object of its prefix.
func (w *writer) changed(seg uint8, dotted bool) {
	m := w.n.segPre[seg]
	w.known &^= m
	if dotted {
		w.plainKnown &^= m
	}
}

// setKey sets key in o, an object of the event under seg, to v, noting a
// change of the event's top-level keys; dotted says whether key has a dot.
func (w *writer) setKey(o *fastjson.Object, key string, dotted bool, v *fastjson.Value, seg uint8) {
	o.Set(key, v)
	if o == w.obj {
		if dotted {
			w.dotted |= 1 << seg
		} else {
			w.tops[seg] = v
		}
	}
	w.changed(seg, dotted)
}

// set gives t the value v unless the event already has one. It reports
// whether it did.
func (w *writer) set(t *target, v *fastjson.Value) bool {
	if v == nil || w.has(t) {
		return false
	}
	w.put(t, v)
	return true
}

// put writes v at t, over a null if there is one.
func (w *writer) put(t *target, v *fastjson.Value) {
	w.written[t.id/64] |= 1 << (t.id % 64)
	if t.keep > 0 {
		w.vals[t.keep] = v
	}
	w.added++
	last := len(t.parts) - 1
	if t.pre >= 0 {
		// The usual case: the object that holds t is there.
		if o, ok := w.prefix(t.pre); ok && o != nil {
			o.Set(t.key, v)
			if t.self >= 0 {
				w.changed(t.seg, false)
			}
			return
		}
	}
	cur, start := w.obj, 0
	if !w.had(t) && last > 0 {
		bit := uint64(1) << t.seg
		if w.created&bit == 0 {
			w.tops[t.seg] = w.a.NewObject()
			w.obj.Set(t.parts[0], w.tops[t.seg])
			w.created |= bit
		}
		cur, _ = w.tops[t.seg].Object()
		start = 1
	}
	for i := start; i < last; i++ {
		p := t.parts[i]
		next := cur.Get(p)
		if next == nil {
			obj := w.a.NewObject()
			w.setKey(cur, p, false, obj, t.seg)
			cur, _ = obj.Object()
			continue
		}
		o, err := next.Object()
		if err != nil {
			w.setKey(cur, t.suffix[i], true, v, t.seg)
			return
		}
		cur = o
	}
	w.setKey(cur, t.parts[last], false, v, t.seg)
}

// setString gives t the text s unless the event has a value for it.
func (w *writer) setString(t *target, s string) bool {
	if s == "" || w.has(t) {
		return false
	}
	w.put(t, newString(w.a, s))
	return true
}

// setTime gives t the time in RFC 3339 with the fraction it has.
func (w *writer) setTime(t *target, tm time.Time) bool {
	if w.has(t) {
		return false
	}
	var buf [40]byte
	w.put(t, w.a.NewStringBytes(tm.AppendFormat(buf[:0], time.RFC3339Nano)))
	return true
}

// setStrings gives t an array of the texts.
func (w *writer) setStrings(t *target, ss []string) bool {
	if len(ss) == 0 || w.has(t) {
		return false
	}
	w.put(t, w.strings(ss))
	return true
}

func (w *writer) strings(ss []string) *fastjson.Value {
	arr := w.a.NewArray()
	for i, s := range ss {
		arr.SetArrayItem(i, newString(w.a, s))
	}
	return arr
}

// replace puts v in place of t's first value, where that value is (nested
// or dotted). It reports false when t has no value or its value is inside
// an array, which is left alone.
func (w *writer) replace(t *target, v *fastjson.Value) bool {
	obj, key := locate(w.obj, t, 0)
	if obj == nil {
		return false
	}
	w.setKey(obj, key, strings.IndexByte(key, '.') >= 0, v, t.seg)
	w.written[t.id/64] |= 1 << (t.id % 64)
	if t.keep > 0 {
		w.vals[t.keep] = v
	}
	w.added++
	return true
}

// locate finds the object and key holding t's value from part i on, trying
// the longest dotted key first as event.Path does.
func locate(o *fastjson.Object, t *target, i int) (*fastjson.Object, string) {
	for j := len(t.parts); j > i; j-- {
		key := t.suffix[i]
		if j < len(t.parts) {
			key = strings.Join(t.parts[i:j], ".")
		}
		c := o.Get(key)
		if c == nil {
			continue
		}
		if j == len(t.parts) {
			if c.Type() == fastjson.TypeNull {
				continue
			}
			return o, key
		}
		if co, err := c.Object(); err == nil {
			if obj, k := locate(co, t, j); obj != nil {
				return obj, k
			}
		}
	}
	return nil, ""
}

// first returns the first value of any of the paths, and its text ("" when
// it is not a scalar).
func first(root *fastjson.Value, paths []*event.Path) (*fastjson.Value, string) {
	for _, p := range paths {
		if x, s := firstOf(root, p); x != nil {
			return x, s
		}
	}
	return nil, ""
}

// firstOf is first for one path.
func firstOf(root *fastjson.Value, p *event.Path) (*fastjson.Value, string) {
	var found *fastjson.Value
	p.Visit(root, func(x *fastjson.Value) bool {
		if x.Type() == fastjson.TypeNull {
			return false
		}
		found = x
		return true
	})
	if found == nil {
		return nil, ""
	}
	s, _ := event.Text(found)
	return found, s
}

// text is a scalar value's text, with the Windows ways of writing "no
// value" ("", "-" and the zero GUID) reported as missing. Other
// placeholders, such as "(null)", are values.
func text(v *fastjson.Value) (string, bool) {
	if v == nil {
		return "", false
	}
	if v.Type() == fastjson.TypeNumber {
		return numberText(v), true
	}
	s, ok := event.Text(v)
	if !ok || s == "" || s == "-" || s == "{00000000-0000-0000-0000-000000000000}" {
		return "", false
	}
	return s, true
}

// newString is a.NewString(s), but for text that fastjson would store
// wrongly. Arena.NewString escapes with strconv.AppendQuote when s holds a
// double quote, a backslash or a control character, and reads the result
// back as JSON: Go's escapes of other control characters (\x10, \a),
// of bytes that are not UTF-8 and of unprintable runes beyond the BMP
// (\U000e0001) are not JSON, and would come back as their escape text.
// Such text (attacker-controlled text, in a log) is made a value by
// parsing its correct JSON encoding instead.
func newString(a *fastjson.Arena, s string) *fastjson.Value {
	if quoteSafe(s) {
		return a.NewString(s)
	}
	buf := make([]byte, 0, len(s)+8)
	buf = append(buf, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			buf = append(buf, '\\', c)
		case c < 0x20:
			buf = append(buf, '\\', 'u', '0', '0', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
		default:
			buf = append(buf, c)
		}
	}
	buf = append(buf, '"')
	var p fastjson.Parser
	v, err := p.ParseBytes(buf)
	if err != nil {
		return a.NewString(s) // cannot happen: buf is a JSON string
	}
	return v
}

// quoteSafe reports whether Arena.NewString keeps s as it is.
func quoteSafe(s string) bool {
	special := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' || c == '\\' || c < 0x20 {
			special = true
			break
		}
	}
	if !special {
		return true // stored as it is
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\b' && c != '\f' && c != '\n' && c != '\r' && c != '\t' {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r > 0xffff && !strconv.IsPrint(r) {
			return false
		}
		i += size
	}
	return true
}

// numberText is a number's JSON text. fastjson keeps it but only gives it
// by marshalling, which allocates; integers are formatted without.
func numberText(v *fastjson.Value) string {
	if i, err := v.Int64(); err == nil && i >= 0 && i < 100 {
		return smallInts[i]
	}
	return v.String()
}

var smallInts = func() (s [100]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return
}()

// b2s views b as a string without copying; keys of the parsed event stay
// valid while the event does.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
