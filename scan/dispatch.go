package scan

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"

	"dredge/event"
	"dredge/rules/match"

	"github.com/valyala/fastjson"
)

// The rule index. With a whole collection loaded (some 1,700 rules), most
// rules cannot match a given event: they are for another index, OS, event
// category or action, or another process. The index picks, for each event,
// the rules that may match it, from what every matching event must hold
// (match.Requirement), and the workers evaluate only those:
//
//   - A few low-cardinality fields (event.category, host.os.type,
//     event.type, event.action...) and the event's index make its
//     signature. A worker reads them once per event; for each signature it
//     has not seen, it finds the rules whose index patterns and whose
//     requirements on those fields the event meets, and keeps the answer.
//     A dump has few signatures, so this is a map lookup per event.
//   - A rule may also have a key: a requirement on other fields, such as
//     process.name in (...). Rules with a key are candidates only when a
//     value of the event is one of the key's: each key field has a map from
//     value to the rules whose key holds it, and only the key fields of the
//     signature's rules are read.
//
// The requirements are necessary conditions, so the rules left out could
// not have matched: the hits are those of evaluating every rule
// (TestDispatchEquivalence checks it).

// sigFields are fields of few distinct values, which may make an event's
// signature.
var sigFields = map[string]bool{
	"event.category": true, "event.type": true, "event.kind": true, "event.outcome": true, "event.action": true,
	"event.module": true, "event.dataset": true, "event.provider": true, "event.code": true,
	"data_stream.dataset": true, "data_stream.type": true, "data_stream.namespace": true,
	"host.os.type": true, "host.os.family": true, "host.os.platform": true, "host.os.name": true,
	"agent.type": true, "network.direction": true, "network.transport": true, "network.protocol": true, "network.type": true,
	"winlog.channel": true, "winlog.provider_name": true, "winlog.logon.type": true,
	"endgame.event_subtype_full": true, "endgame.metadata.type": true,
}

// maxSigFields bounds the fields read for the signature, the most used
// first; maxSignatures bounds the signatures a worker remembers.
const (
	maxSigFields  = 12
	maxSignatures = 1 << 14
)

// dispatch is the rule index of a scan: built once, read-only, shared by
// the workers.
type dispatch struct {
	n     int // rules
	words int // of a bitset of the rules
	// Index patterns: rules with the same list share a group.
	groups      []*indexPattern
	allIndices  bool
	skipUnknown bool
	evalAll     bool
	paths       *indexPaths
	sig         []*event.Path
	keys        []keyField
	rules       []dispRule
}

// dispRule is what the index knows of one rule.
type dispRule struct {
	group int
	never bool
	// sig are the requirements on signature fields only.
	sig [][]sigValues
	// key is the index in dispatch.keys of each field of the rule's key;
	// empty when it has none.
	key []int
}

// sigValues is a requirement's values on one signature field.
type sigValues struct {
	field int
	exact []string
	fold  []string // folded by match.AppendFold
}

// keyField is a field of rules' keys: the rules by value.
type keyField struct {
	path  *event.Path
	exact map[string][]int32
	fold  map[string][]int32 // by folded value
}

// newDispatch builds the index of the plan's rules.
func newDispatch(p *plan, cfg Config) *dispatch {
	d := &dispatch{n: len(p.rules), words: (len(p.rules) + 63) / 64, allIndices: cfg.AllIndices,
		skipUnknown: cfg.SkipUnknownIndex, evalAll: cfg.evalAll, paths: newIndexPaths()}
	reqs := make([][]match.Requirement, len(p.rules))
	uses := map[string]int{}
	for ri := range p.rules {
		reqs[ri] = p.rules[ri].query.Requirements()
		for _, r := range reqs[ri] {
			if onSig(r, sigFields) {
				for _, fv := range r {
					uses[fv.Field]++
				}
			}
		}
	}
	var names []string
	for f := range uses {
		names = append(names, f)
	}
	slices.SortFunc(names, func(a, b string) int {
		if uses[a] != uses[b] {
			return uses[b] - uses[a]
		}
		return strings.Compare(a, b)
	})
	sig := map[string]bool{}
	for _, f := range names[:min(len(names), maxSigFields)] {
		sig[f] = true
		d.sig = append(d.sig, event.NewPath(f))
	}
	sigIndex := func(f string) int {
		return slices.IndexFunc(d.sig, func(p *event.Path) bool { return p.Name() == f })
	}
	groupOf := map[string]int{}
	keyOf := map[string]int{}
	var fold []byte
	for ri := range p.rules {
		rule := p.rules[ri].rule
		dr := dispRule{group: -1}
		if !d.allIndices && len(rule.Index) > 0 {
			name := strings.Join(rule.Index, "\x00")
			g, ok := groupOf[name]
			if !ok {
				g = len(d.groups)
				groupOf[name] = g
				d.groups = append(d.groups, compileIndexPattern(rule.Index))
			}
			if !d.groups[g].any() {
				dr.group = g
			}
		}
		var key match.Requirement
		for _, r := range reqs[ri] {
			switch {
			case len(r) == 0:
				dr.never = true
			case onSig(r, sig):
				var sr []sigValues
				for _, fv := range r {
					sv := sigValues{field: sigIndex(fv.Field)}
					for _, v := range fv.Values {
						if fv.Fold {
							fold = match.AppendFold(fold[:0], v)
							sv.fold = append(sv.fold, string(fold))
						} else {
							sv.exact = append(sv.exact, v)
						}
					}
					sr = append(sr, sv)
				}
				dr.sig = append(dr.sig, sr)
			case key == nil || narrower(r, key):
				key = r
			}
		}
		for _, fv := range key {
			k, ok := keyOf[fv.Field]
			if !ok {
				k = len(d.keys)
				keyOf[fv.Field] = k
				d.keys = append(d.keys, keyField{path: event.NewPath(fv.Field)})
			}
			kf := &d.keys[k]
			for _, v := range fv.Values {
				if fv.Fold {
					fold = match.AppendFold(fold[:0], v)
					kf.fold = addRule(kf.fold, string(fold), ri)
				} else {
					kf.exact = addRule(kf.exact, v, ri)
				}
			}
			if !slices.Contains(dr.key, k) {
				dr.key = append(dr.key, k)
			}
		}
		d.rules = append(d.rules, dr)
	}
	return d
}

// onSig reports whether every field of r is one of fields.
func onSig(r match.Requirement, fields map[string]bool) bool {
	for _, fv := range r {
		if !fields[fv.Field] {
			return false
		}
	}
	return true
}

// narrower reports whether requirement a is likely to be met by fewer
// events than b: it lists fewer values, or as many on fewer fields.
func narrower(a, b match.Requirement) bool {
	na, nb := 0, 0
	for _, fv := range a {
		na += len(fv.Values)
	}
	for _, fv := range b {
		nb += len(fv.Values)
	}
	if na != nb {
		return na < nb
	}
	return len(a) < len(b)
}

func addRule(m map[string][]int32, v string, ri int) map[string][]int32 {
	if m == nil {
		m = map[string][]int32{}
	}
	if l := m[v]; len(l) == 0 || l[len(l)-1] != int32(ri) {
		m[v] = append(l, int32(ri))
	}
	return m
}

// sigEntry is what a worker knows of one signature.
type sigEntry struct {
	// base are the rules to evaluate whatever the key fields hold; keyed
	// those to evaluate when a value of the event is in their key.
	base, keyed []uint64
	// fields are the key fields of the keyed rules.
	fields []int
}

// selector is a worker's use of the index: its memory of signatures and
// its scratch space.
type selector struct {
	d       *dispatch
	entries map[string]*sigEntry
	index   []byte // the current event's index
	sigKey  []byte
	vals    [][]string // the current event's values of each signature field
	fold    []byte
	cand    []uint64
	// noIndex counts the events whose index is unknown.
	noIndex int64
}

func newSelector(d *dispatch) *selector {
	return &selector{d: d, entries: map[string]*sigEntry{}, vals: make([][]string, len(d.sig)), cand: make([]uint64, d.words)}
}

// pick selects the rules that may match event v, whose wrapped hit named
// the index wrapped ("" when none), and returns them as a bitset over the
// plan's rules, valid until the next call.
func (s *selector) pick(v *fastjson.Value, wrapped string) []uint64 {
	d := s.d
	s.index = d.paths.index(s.index[:0], v, wrapped)
	if len(s.index) == 0 {
		s.noIndex++
	}
	if d.evalAll {
		clear(s.cand)
		for ri := range d.rules {
			if d.applies(ri, s.index) {
				s.cand[ri>>6] |= 1 << (ri & 63)
			}
		}
		return s.cand
	}
	// The key: the index, then for each field 0 and its values, each 1,
	// its length and its bytes.
	key := s.sigKey[:0]
	if !d.allIndices {
		key = append(binary.AppendUvarint(key, uint64(len(s.index))), s.index...)
	}
	for i, p := range d.sig {
		key = append(key, 0)
		vals := s.vals[i][:0]
		p.Visit(v, func(x *fastjson.Value) bool {
			if t, ok := event.Text(x); ok {
				key = append(binary.AppendUvarint(append(key, 1), uint64(len(t))), t...)
				vals = append(vals, t)
			}
			return false
		})
		s.vals[i] = vals
	}
	s.sigKey = key
	e := s.entries[string(key)]
	if e == nil {
		e = s.entry()
		if len(s.entries) >= maxSignatures {
			clear(s.entries)
		}
		s.entries[string(key)] = e
	}
	cand := s.cand
	copy(cand, e.base)
	for _, k := range e.fields {
		kf := &d.keys[k]
		kf.path.Visit(v, func(x *fastjson.Value) bool {
			t, ok := event.Text(x)
			if !ok {
				return false
			}
			if kf.exact != nil {
				for _, ri := range kf.exact[t] {
					cand[ri>>6] |= e.keyed[ri>>6] & (1 << (ri & 63))
				}
			}
			if kf.fold != nil {
				s.fold = match.AppendFold(s.fold[:0], t)
				for _, ri := range kf.fold[string(s.fold)] {
					cand[ri>>6] |= e.keyed[ri>>6] & (1 << (ri & 63))
				}
			}
			return false
		})
	}
	return cand
}

// entry finds the rules of the current event's signature.
func (s *selector) entry() *sigEntry {
	d := s.d
	e := &sigEntry{base: make([]uint64, d.words), keyed: make([]uint64, d.words)}
	known := len(s.index) > 0
	index := string(s.index)
	groups := make([]int8, len(d.groups)) // 0 unknown, 1 applies, -1 does not
	var fold []byte
	met := func(sv sigValues) bool {
		for _, t := range s.vals[sv.field] {
			if slices.Contains(sv.exact, t) {
				return true
			}
			if len(sv.fold) > 0 {
				fold = match.AppendFold(fold[:0], t)
				if slices.Contains(sv.fold, string(fold)) {
					return true
				}
			}
		}
		return false
	}
rules:
	for ri := range d.rules {
		r := &d.rules[ri]
		if r.never {
			continue
		}
		if g := r.group; g >= 0 {
			if groups[g] == 0 {
				groups[g] = -1
				if known && d.groups[g].match(index) || !known && !d.skipUnknown {
					groups[g] = 1
				}
			}
			if groups[g] < 0 {
				continue
			}
		}
		for _, req := range r.sig {
			if !slices.ContainsFunc(req, met) {
				continue rules
			}
		}
		if len(r.key) == 0 {
			e.base[ri>>6] |= 1 << (ri & 63)
			continue
		}
		e.keyed[ri>>6] |= 1 << (ri & 63)
		for _, k := range r.key {
			if !slices.Contains(e.fields, k) {
				e.fields = append(e.fields, k)
			}
		}
	}
	slices.Sort(e.fields)
	return e
}

// nextRule returns the first rule at or after ri in the bitset, or -1.
func nextRule(set []uint64, ri int) int {
	w := ri >> 6
	if w >= len(set) {
		return -1
	}
	if b := set[w] >> (ri & 63); b != 0 {
		return ri + bits.TrailingZeros64(b)
	}
	for w++; w < len(set); w++ {
		if set[w] != 0 {
			return w<<6 + bits.TrailingZeros64(set[w])
		}
	}
	return -1
}

// applies reports whether rule ri reads the index of an event, without
// the rule index: the reference path (Config.evalAll).
func (d *dispatch) applies(ri int, index []byte) bool {
	g := d.rules[ri].group
	if g < 0 {
		return true
	}
	if len(index) == 0 {
		return !d.skipUnknown
	}
	return d.groups[g].match(string(index))
}
