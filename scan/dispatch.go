package scan

import (
	"encoding/binary"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unsafe"

	"dredge/event"
	"dredge/rules/match"
)

// The rule index. With a whole collection loaded (some 1,700 rules), most
// rules cannot match a given event: they are for another index, OS, event
// category or action, or another process. The index picks, for each event,
// the rules (and the steps of sequences and samples) that may match it, from
// what every matching event must hold (match.Requirement), and the workers
// evaluate only those (docs/indices.md):
//
//   - The event's index and its values of a dozen fields of few distinct
//     values (event.category, host.os.type, event.type, event.action...)
//     make its signature. For each signature it has not seen, a worker
//     finds the rules whose index patterns and whose requirements on those
//     fields the event meets, and keeps the answer: a dump has few
//     signatures, so this is a map lookup per event.
//   - A rule may also have up to three keys: requirements on other fields,
//     such as process.name in (...), or a string that a pattern on
//     process.command_line needs. It is a candidate only when the event
//     meets them all: a map from value to rules, and one Aho-Corasick pass
//     over each folded value (ac.go), find the rules whose keys it meets.
//   - A field is read only when the signature or a key needs it, through
//     the event's Doc (fields.go), whose memo the rules then read it from;
//     the conditions the index has checked are left out of the predicates
//     the workers evaluate (match.Program.Without).
//
// The requirements are necessary conditions, so the rules left out could
// not have matched: the hits are those of evaluating every rule
// (TestDispatchEquivalence checks it against Config.evalAll).

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
	maxSignatures = 4096
)

// fewUnits is the number of units up to which the rules are picked by
// their indices only.
const fewUnits = 32

// maxKeys is how many keys a rule may have: a rule with several is a
// candidate when the event meets them all.
const maxKeys = 3

// dispatch is the rule index of a scan: built once, read-only, shared by
// the workers. What it selects are units: an event query, or one step of a
// sequence or sample, so that an event is given to the steps it may match
// only. Units are in rule order, and a rule's steps in step order.
type dispatch struct {
	units []unit
	words int // of a bitset of the units
	// Index patterns: rules with the same list share a group.
	groups      []*indexPattern
	allIndices  bool
	skipUnknown bool
	evalAll     bool
	// fields are the fields read from every event: those of its index,
	// of the signature and of the keys.
	fields *fieldSet
	idx    indexFields
	sig    []int // the signature's fields, in fields
	keys   []keyField
	// first is the first unit of each rule.
	first []int
}

// unit is what the index knows of one rule or step.
type unit struct {
	// rule is the unit's index in the plan's rules; steps the bitset of
	// the steps of a sequence or sample it stands for, by their index in
	// planRule.steps (all for an event query).
	rule  int
	steps uint64
	// prog is the unit's predicate without the conditions the index checks
	// (match.Program.Without); nil for a unit of several steps.
	prog  *match.Program
	group int
	never bool
	// sig are the requirements on signature fields only.
	sig [][]sigValues
	// keys are the rule's keys, the most selective first.
	keys []ruleKey
}

// ruleKey is a requirement a rule is keyed by.
type ruleKey struct {
	// fields are the indices in dispatch.keys of its fields not in the
	// signature. sig is the rest, on signature fields: when the signature
	// meets it, so does the event, and the fields need not be read.
	fields []int
	sig    []sigValues
}

// sigValues is a requirement's values on one signature field.
type sigValues struct {
	field    int
	exact    []string
	fold     []string // folded by match.AppendFold
	contains bool     // a value holds one of them
}

// keyField is a field of units' keys: the units by value, and by string a
// value holds. A unit is written u<<2 | k, its k'th key.
type keyField struct {
	field int // in dispatch.fields
	exact map[string][]int32
	fold  map[string][]int32 // by folded value
	// subs finds the strings of the keys, folded, in a folded value, and
	// subRules are the rules of each; built from strs.
	subs     *substrings
	subRules [][]int32
	strs     map[string][]int32
}

// newDispatch builds the index of the plan's rules.
func newDispatch(p *plan, cfg Config) *dispatch {
	d := &dispatch{allIndices: cfg.AllIndices, skipUnknown: cfg.SkipUnknownIndex, evalAll: cfg.evalAll, fields: newFieldSet()}
	d.idx = addIndexFields(d.fields)
	var reqs [][]match.Requirement
	for ri := range p.rules {
		pr := &p.rules[ri]
		d.first = append(d.first, len(d.units))
		switch {
		case pr.query.Kind == match.Events:
			d.units = append(d.units, unit{rule: ri, steps: ^uint64(0), prog: pr.query.Event})
			reqs = append(reqs, pr.query.Requirements())
		case len(pr.steps) > 64:
			d.units = append(d.units, unit{rule: ri, steps: ^uint64(0)})
			reqs = append(reqs, pr.query.Requirements())
		default:
			for j, ps := range pr.steps {
				d.units = append(d.units, unit{rule: ri, steps: 1 << j, prog: ps.step.Program})
				reqs = append(reqs, ps.step.Program.Requirements())
			}
		}
	}
	d.words = (len(d.units) + 63) / 64
	if len(d.units) <= fewUnits {
		// Reading the fields would cost more than evaluating the
		// rules: only their indices are looked at.
		clear(reqs)
	}
	uses := map[string]int{}
	for u := range d.units {
		for _, r := range reqs[u] {
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
		d.sig = append(d.sig, d.fields.add(f))
	}
	sigIndex := func(f string) int {
		return slices.Index(d.sig, d.fields.add(f))
	}
	var fold []byte
	sigValuesOf := func(fv match.FieldValues) sigValues {
		sv := sigValues{field: sigIndex(fv.Field), contains: fv.Contains}
		for _, v := range fv.Values {
			if fv.Fold {
				fold = match.AppendFold(fold[:0], v)
				sv.fold = append(sv.fold, string(fold))
			} else {
				sv.exact = append(sv.exact, v)
			}
		}
		return sv
	}
	groupOf := map[string]int{}
	keyOf := map[string]int{}
	for ui := range d.units {
		dr := &d.units[ui]
		rule := p.rules[dr.rule].rule
		dr.group = -1
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
		var keys, proven []match.Requirement
		for _, r := range reqs[ui] {
			switch {
			case len(r) == 0:
				dr.never = true
			case onSig(r, sig):
				proven = append(proven, r)
				var sr []sigValues
				for _, fv := range r {
					sr = append(sr, sigValuesOf(fv))
				}
				dr.sig = append(dr.sig, sr)
			default:
				keys = append(keys, r)
			}
		}
		keys = pickKeys(keys, sig)
		proven = append(proven, keys...)
		if dr.prog != nil && !d.evalAll {
			// What the index checks need not be tested again.
			dr.prog = dr.prog.Without(func(fv match.FieldValues) bool {
				return slices.ContainsFunc(proven, func(r match.Requirement) bool { return len(r) == 1 && sameValues(r[0], fv) })
			})
		}
		for k, key := range keys {
			var rk ruleKey
			for _, fv := range key {
				if sig[fv.Field] {
					rk.sig = append(rk.sig, sigValuesOf(fv))
					continue
				}
				f, ok := keyOf[fv.Field]
				if !ok {
					f = len(d.keys)
					keyOf[fv.Field] = f
					d.keys = append(d.keys, keyField{field: d.fields.add(fv.Field)})
				}
				kf := &d.keys[f]
				id := int32(ui<<2 | k)
				for _, v := range fv.Values {
					switch {
					case fv.Contains:
						// A value that holds v holds it folded:
						// one pass over the folded value finds
						// both kinds.
						fold = match.AppendFold(fold[:0], v)
						kf.strs = addRule(kf.strs, string(fold), id)
					case fv.Fold:
						fold = match.AppendFold(fold[:0], v)
						kf.fold = addRule(kf.fold, string(fold), id)
					default:
						kf.exact = addRule(kf.exact, v, id)
					}
				}
				rk.fields = append(rk.fields, f)
			}
			dr.keys = append(dr.keys, rk)
		}
	}
	// The matchers of the key fields, each on its own.
	var wg sync.WaitGroup
	for k := range d.keys {
		kf := &d.keys[k]
		if len(kf.strs) > 0 {
			wg.Go(func() { kf.subs, kf.subRules = substringsOf(kf.strs) })
		}
	}
	wg.Wait()
	return d
}

// pickKeys chooses the keys of a rule among its requirements that are not
// on signature fields alone: the most selective, and a few more that
// narrow it on other fields.
func pickKeys(reqs []match.Requirement, sig map[string]bool) []match.Requirement {
	slices.SortStableFunc(reqs, func(a, b match.Requirement) int { return cost(a, sig) - cost(b, sig) })
	var out []match.Requirement
	for _, r := range reqs {
		if len(out) == maxKeys {
			break
		}
		if len(out) > 0 && cost(r, sig) >= weak {
			break
		}
		// Another key on the same fields narrows little.
		if slices.ContainsFunc(out, func(k match.Requirement) bool { return sameFields(k, r) }) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func sameFields(a, b match.Requirement) bool {
	if len(a) != len(b) {
		return false
	}
	for _, fv := range a {
		if !slices.ContainsFunc(b, func(x match.FieldValues) bool { return x.Field == fv.Field }) {
			return false
		}
	}
	return true
}

// sameValues reports whether a and b are the same condition (their values
// are sorted).
func sameValues(a, b match.FieldValues) bool {
	return a.Field == b.Field && a.Fold == b.Fold && !a.Contains && !b.Contains && slices.Equal(a.Values, b.Values)
}

// program returns the predicate of step i of rule ri to evaluate on the
// events the index gives it: prog without what the index checked.
func (d *dispatch) program(ri, i int, prog *match.Program) *match.Program {
	if u := d.first[ri] + i; i < 64 && u < len(d.units) && d.units[u].rule == ri && d.units[u].prog != nil {
		return d.units[u].prog
	}
	return prog
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

// weak is the cost from which a requirement is not worth a second key.
const weak = 300

// cost ranks the requirements a rule may be keyed by, the most selective
// first: a requirement that a signature field may meet (event.type
// "start" or a process name) is met by many events; then the more values
// a requirement lists, the more events meet it, and a string a value
// holds is met more often than a value, a short one (-c) much more.
func cost(r match.Requirement, sig map[string]bool) int {
	c := 0
	for _, fv := range r {
		if sig[fv.Field] {
			c += 1000
		}
		if !fv.Contains {
			c += len(fv.Values)
			continue
		}
		for _, v := range fv.Values {
			c += 3
			if len(v) < 3 {
				c += weak
			}
		}
	}
	return c
}

func addRule(m map[string][]int32, v string, id int32) map[string][]int32 {
	if m == nil {
		m = map[string][]int32{}
	}
	if l := m[v]; len(l) == 0 || l[len(l)-1] != id {
		m[v] = append(l, id)
	}
	return m
}

// substringsOf builds the matcher of the strings of m, and the rules of
// each string by its id; nil when m is empty.
func substringsOf(m map[string][]int32) (*substrings, [][]int32) {
	if len(m) == 0 {
		return nil, nil
	}
	strs := slices.Sorted(maps.Keys(m))
	var rules [][]int32
	for _, s := range strs {
		rules = append(rules, m[s])
	}
	return newSubstrings(strs), rules
}

// sigEntry is what a worker knows of one signature.
type sigEntry struct {
	// base are the rules to evaluate whatever the key fields hold; keyed
	// those to evaluate when the event meets their keys. met[k] are the
	// rules whose k'th key the signature meets, or that have none.
	base, keyed []uint64
	met         [maxKeys][]uint64
	// slots[k] are the fields of the k'th keys of the keyed rules that
	// the signature does not meet. The keys of a rule come most selective
	// first, so the fields of slot k are read only while some keyed rule
	// has met its keys before k: most events are told apart by slot 0.
	slots [maxKeys][]int
}

// selector is a worker's use of the index: its memory of signatures and
// its scratch space.
type selector struct {
	d       *dispatch
	entries map[string]*sigEntry
	index   []byte // the current event's index
	sigKey  []byte
	vals    *fieldValues // the current event's
	fold    []byte
	cand    []uint64
	hit     [maxKeys][]uint64 // the rules whose k'th key the event meets
	// seenBy[f][id] is vgen when the value of key field f being read was
	// found to hold string id.
	seenBy [][]uint32
	vgen   uint32
	// memos[f] holds, for values of key field f seen lately, the keys
	// their folded forms and strings meet; found is scratch for one.
	memos []map[string][]int32
	found []int32
	// alive is scratch for pick; fdone[f] is fgen when key field f was
	// read for the current event.
	alive []uint64
	fdone []uint32
	fgen  uint32
	// noIndex counts the events whose index is unknown.
	noIndex int64
}

func newSelector(d *dispatch) *selector {
	s := &selector{d: d, entries: map[string]*sigEntry{}, vals: newFieldValues(d.fields), cand: make([]uint64, d.words)}
	for k := range s.hit {
		s.hit[k] = make([]uint64, d.words)
	}
	return s
}

// pick selects the rules that may match the event of doc, whose wrapped hit named
// the index wrapped ("" when none), and returns them as a bitset over the
// plan's rules, valid until the next call.
func (s *selector) pick(doc *event.Doc, wrapped string) []uint64 {
	d, v := s.d, doc.V
	// The index: the hit's, or the usual data_stream object's, without
	// reading the other fields when no signature or key needs them.
	var known bool
	if wrapped != "" {
		s.index, known = append(s.index[:0], normalIndex(wrapped)...), true
	} else {
		s.index, known = dataStreamIndex(s.index[:0], v)
	}
	s.vals.read(doc)
	if !known {
		s.index = d.idx.index(s.index[:0], s.vals, "")
	}
	if len(s.index) == 0 {
		s.noIndex++
	}
	if d.evalAll {
		clear(s.cand)
		for u := range d.units {
			if d.applies(u, s.index) {
				s.cand[u>>6] |= 1 << (u & 63)
			}
		}
		return s.cand
	}
	// The signature: the index, then for each field 0 and its values, each
	// 1, its length and its bytes.
	key := s.sigKey[:0]
	if !d.allIndices {
		key = append(binary.AppendUvarint(key, uint64(len(s.index))), s.index...)
	}
	for _, f := range d.sig {
		key = append(key, 0)
		for _, t := range s.vals.get(f) {
			key = append(binary.AppendUvarint(append(key, 1), uint64(len(t))), t...)
		}
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
	if len(e.slots[0]) == 0 && len(e.slots[1]) == 0 && len(e.slots[2]) == 0 {
		return cand
	}
	for k := range s.hit {
		copy(s.hit[k], e.met[k])
	}
	mark := func(ids []int32) {
		for _, id := range ids {
			ri := id >> 2
			s.hit[id&3][ri>>6] |= 1 << (ri & 63)
		}
	}
	// The keyed rules still possible, narrowed slot by slot; a field of
	// several slots is read once (its values mark every slot).
	alive := append(s.alive[:0], e.keyed...)
	s.alive = alive
	if s.fgen++; s.fgen == 0 {
		clear(s.fdone)
		s.fgen = 1
	}
	if len(s.fdone) < len(d.keys) {
		s.fdone = make([]uint32, len(d.keys))
	}
	for k := range maxKeys {
		for _, f := range e.slots[k] {
			if s.fdone[f] != s.fgen {
				s.fdone[f] = s.fgen
				s.keyField(f, mark)
			}
		}
		h, any := s.hit[k], uint64(0)
		for w := range alive {
			alive[w] &= h[w]
			any |= alive[w]
		}
		if any == 0 {
			return cand
		}
	}
	for w := range cand {
		cand[w] |= alive[w]
	}
	return cand
}

// keyField reads key field f of the current event and marks, through
// mark, the keys its values meet.
func (s *selector) keyField(f int, mark func([]int32)) {
	d := s.d
	{
		kf := &d.keys[f]
		for _, t := range s.vals.get(kf.field) {
			if kf.exact != nil {
				mark(kf.exact[t])
			}
			if kf.fold == nil && kf.subs == nil {
				continue
			}
			// The same values come back event after event (a service's
			// command line, a program's path): what they meet is kept.
			memo := s.memo(f)
			if ids, ok := memo[t]; ok {
				mark(ids)
				continue
			}
			found := s.found[:0]
			s.fold = match.AppendFold(s.fold[:0], t)
			if kf.fold != nil {
				found = append(found, kf.fold[bytesString(s.fold)]...)
			}
			if kf.subs != nil {
				// A string found again in the value is taken once.
				seen := s.seen(f)
				if s.vgen++; s.vgen == 0 {
					for _, x := range s.seenBy {
						clear(x)
					}
					s.vgen = 1
				}
				kf.subs.find(bytesString(s.fold), func(id int32) {
					if seen[id] != s.vgen {
						seen[id] = s.vgen
						found = append(found, kf.subRules[id]...)
					}
				})
			}
			s.found = found
			mark(found)
			if len(memo) >= maxMemo {
				clear(memo)
			}
			memo[strings.Clone(t)] = slices.Clone(found)
		}
	}
}

// maxMemo bounds the values a selector remembers per key field.
const maxMemo = 4096

// memo returns the values of key field f remembered.
func (s *selector) memo(f int) map[string][]int32 {
	if s.memos == nil {
		s.memos = make([]map[string][]int32, len(s.d.keys))
	}
	if s.memos[f] == nil {
		s.memos[f] = map[string][]int32{}
	}
	return s.memos[f]
}

// seen returns the stamps of the strings of key field f.
func (s *selector) seen(f int) []uint32 {
	if s.seenBy == nil {
		s.seenBy = make([][]uint32, len(s.d.keys))
	}
	if s.seenBy[f] == nil {
		s.seenBy[f] = make([]uint32, len(s.d.keys[f].subRules))
	}
	return s.seenBy[f]
}

// bytesString views b as a string without copying.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// entry finds the rules of the current event's signature.
func (s *selector) entry() *sigEntry {
	d := s.d
	e := &sigEntry{base: make([]uint64, d.words), keyed: make([]uint64, d.words)}
	for k := range e.met {
		e.met[k] = make([]uint64, d.words)
	}
	known := len(s.index) > 0
	index := string(s.index)
	groups := make([]int8, len(d.groups)) // 0 unknown, 1 applies, -1 does not
	var fold []byte
	met := func(sv sigValues) bool {
		for _, t := range s.vals.get(d.sig[sv.field]) {
			if len(sv.fold) > 0 {
				fold = match.AppendFold(fold[:0], t)
			}
			if !sv.contains {
				if slices.Contains(sv.exact, t) || slices.Contains(sv.fold, string(fold)) {
					return true
				}
				continue
			}
			has := func(sub string) bool { return strings.Contains(t, sub) }
			hasFold := func(sub string) bool { return strings.Contains(string(fold), sub) }
			if slices.ContainsFunc(sv.exact, has) || slices.ContainsFunc(sv.fold, hasFold) {
				return true
			}
		}
		return false
	}
units:
	for ri := range d.units {
		r := &d.units[ri]
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
				continue units
			}
		}
		bit := uint64(1) << (ri & 63)
		keyed := false
		for k := range maxKeys {
			if k >= len(r.keys) || slices.ContainsFunc(r.keys[k].sig, met) {
				e.met[k][ri>>6] |= bit
				continue
			}
			keyed = true
			for _, f := range r.keys[k].fields {
				if !slices.Contains(e.slots[k], f) {
					e.slots[k] = append(e.slots[k], f)
				}
			}
		}
		if keyed {
			e.keyed[ri>>6] |= bit
		} else {
			e.base[ri>>6] |= bit
		}
	}
	for k := range e.slots {
		slices.Sort(e.slots[k])
	}
	return e
}

// nextUnit returns the first unit at or after ri in the bitset, or -1.
func nextUnit(set []uint64, ri int) int {
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

// applies reports whether unit u reads the index of an event, without the
// rule index: the reference path (Config.evalAll).
func (d *dispatch) applies(u int, index []byte) bool {
	g := d.units[u].group
	if g < 0 {
		return true
	}
	if len(index) == 0 {
		return !d.skipUnknown
	}
	return d.groups[g].match(string(index))
}
