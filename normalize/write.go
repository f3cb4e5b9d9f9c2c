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
	name   string
	id     int
	seg    uint8
	keep   uint8 // > 0: the writer keeps the value Apply writes, in vals[keep]
	parts  []string
	suffix []string // suffix[i] is parts[i:] joined with dots
	path   *event.Path
}

func newTarget(name string, id int, seg uint8) *target {
	parts := strings.Split(name, ".")
	t := &target{name: name, id: id, seg: seg, parts: parts, path: event.NewPathParts(parts)}
	for i := range parts {
		t.suffix = append(t.suffix, strings.Join(parts[i:], "."))
	}
	return t
}

// Bounds of the tables (New panics beyond them).
const (
	maxTargets = 512 // fields written
	maxSegs    = 64  // their first parts
	maxKeep    = 16  // fields whose written value is read back
	maxTops    = 24  // top-level objects one Apply creates
)

// writer fills one event.
type writer struct {
	a       *fastjson.Arena
	root    *fastjson.Value
	obj     *fastjson.Object
	orig    uint64 // the first parts (target.seg) the event had at the top level
	dotted  uint64 // those of them it had in a dotted key
	keys    topKeys
	added   int
	written [maxTargets / 64]uint64
	vals    [maxKeep]*fastjson.Value
	tops    [maxTops]top
	ntops   int
}

// top is a top-level object Apply created.
type top struct {
	seg uint8
	obj *fastjson.Object
}

// reset readies w for the event v, noting which of segs it has at the top.
func (w *writer) reset(a *fastjson.Arena, v *fastjson.Value, segs map[string]uint8) {
	*w = writer{a: a, root: v}
	w.obj, _ = v.Object()
	w.orig, w.dotted, w.keys = scanTop(w.obj, segs)
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

// scanTop gives, in one pass over the event's top-level keys, the segs
// it has keys of (nested or dotted), those it has dotted keys of, and the
// keys that tell its shape.
func scanTop(o *fastjson.Object, segs map[string]uint8) (all, dotted uint64, keys topKeys) {
	o.Visit(func(k []byte, _ *fastjson.Value) {
		switch b2s(k) {
		case "event_id":
			keys |= keyEventID
		case "log_name":
			keys |= keyLogName
		case "source_name":
			keys |= keySourceName
		case "EventID", "EventId":
			keys |= keyFlatEventID
		case "Channel", "SourceName", "ProviderName":
			keys |= keyFlatChannel
		case "event_type_full", "serial_event_id":
			keys |= keyEndgame
		}
		if len(k) == 0 || (k[0] < 'a' || k[0] > 'z') && k[0] != '@' && k[0] != '_' {
			return // fields start with a lower-case letter, @ or _; event data keys do not
		}
		key := b2s(k)
		i := strings.IndexByte(key, '.')
		if i >= 0 {
			key = key[:i]
		}
		if s, ok := segs[key]; ok {
			all |= 1 << s
			if i >= 0 {
				dotted |= 1 << s
			}
		}
	})
	return all, dotted, keys
}

// hasSeg reports whether the event had a top-level key of seg.
func (w *writer) hasSeg(seg uint8) bool { return w.orig&(1<<seg) != 0 }

// had reports whether the event had t's first part when Apply began.
func (w *writer) had(t *target) bool { return w.orig&(1<<t.seg) != 0 }

func (w *writer) wrote(t *target) bool { return w.written[t.id/64]&(1<<(t.id%64)) != 0 }

// has reports whether the event has a value, other than null, for t.
func (w *writer) has(t *target) bool {
	return w.wrote(t) || w.had(t) && t.path.Exists(w.root)
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
	return firstOf(w.root, t.path)
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
	cur, start := w.obj, 0
	if !w.had(t) && last > 0 {
		cur = nil
		for i := range w.ntops {
			if w.tops[i].seg == t.seg {
				cur = w.tops[i].obj
				break
			}
		}
		if cur == nil && w.ntops == maxTops {
			// The cache is full: the object, if there, is Apply's own.
			if x := w.obj.Get(t.parts[0]); x != nil {
				cur, _ = x.Object()
			}
		}
		if cur == nil {
			obj := w.a.NewObject()
			w.obj.Set(t.parts[0], obj)
			cur, _ = obj.Object()
			if w.ntops < maxTops {
				w.tops[w.ntops] = top{t.seg, cur}
				w.ntops++
			}
		}
		start = 1
	}
	for i := start; i < last; i++ {
		p := t.parts[i]
		next := cur.Get(p)
		if next == nil {
			obj := w.a.NewObject()
			cur.Set(p, obj)
			cur, _ = obj.Object()
			continue
		}
		o, err := next.Object()
		if err != nil {
			cur.Set(t.suffix[i], v)
			return
		}
		cur = o
	}
	cur.Set(t.parts[last], v)
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
	obj.Set(key, v)
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
