package scan

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"sort"
	"time"

	"dredge/event"
	"dredge/report"
)

// A new_terms rule alerts on an event whose combination of values of the
// rule's fields did not occur, in an event matching its query, within the
// history window before the event. Taken in time order, the occurrences of
// one combination fall into runs, each occurrence within the window of the
// one before: only the first occurrence of a run is new. So a worker keeps,
// per rule and per combination, its runs (start, end and where the start
// event is), not its events: the state grows with the distinct
// combinations, not with the events, and the events may come in any order.
// The workers' runs are merged at the end, which gives the runs of all the
// occurrences. The documents of run starts go to the worker's docStore.

// termTable is one worker's state of one new_terms rule: per combination
// seen (its key, termKey), its runs in time order, each more than history
// after the one before. A combination costs its key's bytes, a map entry
// and a termRun, about 170 bytes (BenchmarkNewTermsState), none of it
// holding a pointer: millions of combinations give the garbage collector
// nothing to scan.
type termTable struct {
	history int64 // the rule's history window, in microseconds
	// ids finds the combinations by the hash of their keys (the next
	// hash up on a collision); keys[id] is the key of combination id in
	// arena, first[id] its first run and more[id] its later runs, for the
	// few that have some.
	ids   map[uint64]uint32
	keys  []keyRef
	arena [][]byte
	first []termRun
	more  map[uint32][]termRun
	// scratch holds the runs of a combination being changed.
	scratch []termRun
}

// keyRef is where a key is in a termTable's arena.
type keyRef struct {
	block, off, n uint32
}

// termSeed is the seed of the hashes of combinations' keys.
var termSeed = maphash.MakeSeed()

// arenaBlock is the size of the arena's blocks.
const arenaBlock = 1 << 20

// key returns the key of combination id.
func (t *termTable) key(id uint32) []byte {
	k := t.keys[id]
	return t.arena[k.block][k.off : k.off+k.n]
}

// lookup returns the combination of key, or its hash to add it under.
func (t *termTable) lookup(key []byte) (id uint32, ok bool, h uint64) {
	for h = maphash.Bytes(termSeed, key); ; h++ {
		id, ok = t.ids[h]
		if !ok || bytes.Equal(t.key(id), key) {
			return id, ok, h
		}
	}
}

// insert adds combination key, with its hash h from lookup, with one run.
func (t *termTable) insert(key []byte, h uint64, r termRun) {
	n := len(t.arena) - 1
	if n < 0 || len(key) > cap(t.arena[n])-len(t.arena[n]) {
		t.arena = append(t.arena, make([]byte, 0, max(arenaBlock, len(key))))
		n++
	}
	off := len(t.arena[n])
	t.arena[n] = append(t.arena[n], key...)
	t.ids[h] = uint32(len(t.first))
	t.keys = append(t.keys, keyRef{uint32(n), uint32(off), uint32(len(key))})
	t.first = append(t.first, r)
}

// runs appends the runs of combination id to dst.
func (t *termTable) runs(dst []termRun, id uint32) []termRun {
	return append(append(dst, t.first[id]), t.more[id]...)
}

// setRuns makes runs (at least one) those of combination id.
func (t *termTable) setRuns(id uint32, runs []termRun) {
	t.first[id] = runs[0]
	switch {
	case len(runs) > 1:
		if t.more == nil {
			t.more = map[uint32][]termRun{}
		}
		t.more[id] = append(t.more[id][:0], runs[1:]...)
	case t.more != nil:
		delete(t.more, id)
	}
}

// termRun is a run of occurrences of one combination: from start to end
// (Unix microseconds), each occurrence within history of the one before.
// at is where its first event is.
type termRun struct {
	start, end int64
	at         termAt
}

// termAt is an event that starts a run: where it was read (its file and
// index as names of worker w's termNames), which of its combinations it is
// (n), and its document in worker w's docStore.
type termAt struct {
	line  int
	file  uint32
	index uint32
	pos   int32
	input int32
	n     int32
	w     int32
	doc   docRef
}

// termNames numbers the file and index names of a worker's run starts, so
// that a run keeps two numbers instead of two strings.
type termNames struct {
	ids   map[string]uint32
	names []string
}

// id returns the number of name.
func (tn *termNames) id(name string) uint32 {
	id, ok := tn.ids[name]
	if !ok {
		if tn.ids == nil {
			tn.ids = map[string]uint32{}
		}
		id = uint32(len(tn.names))
		tn.ids[name] = id
		tn.names = append(tn.names, name)
	}
	return id
}

// before orders two events of the same time as the report does: by input,
// line, place in the line, then combination.
func (a *termAt) before(b *termAt) bool {
	if a.input != b.input {
		return a.input < b.input
	}
	if a.line != b.line {
		return a.line < b.line
	}
	if a.pos != b.pos {
		return a.pos < b.pos
	}
	return a.n < b.n
}

func newTermTable(history time.Duration) *termTable {
	return &termTable{history: history.Microseconds(), ids: map[uint64]uint32{}}
}

// add records an occurrence of the combination key at time us (Unix
// microseconds) by the event at. When the occurrence starts a run, doc is
// called for the event's document.
func (t *termTable) add(key []byte, us int64, at termAt, doc func() docRef) {
	id, ok, h := t.lookup(key)
	if !ok {
		at.doc = doc()
		t.insert(key, h, termRun{start: us, end: us, at: at})
		return
	}
	if r := &t.first[id]; us >= r.start && us <= r.end && t.more[id] == nil {
		// The common case: seen already, within its one run.
		if us == r.start && at.before(&r.at) {
			r.at = at
			r.at.doc = doc()
		}
		return
	}
	runs, i, first := insertRun(t.runs(t.scratch[:0], id), termRun{start: us, end: us, at: at}, t.history)
	if first {
		runs[i].at.doc = doc()
	}
	t.setRuns(id, runs)
	t.scratch = runs
}

// merge adds the runs of o, another worker's table of the same rule.
func (t *termTable) merge(o *termTable) {
	for oid := range uint32(len(o.first)) {
		id, ok, h := t.lookup(o.key(oid))
		if !ok {
			t.insert(o.key(oid), h, o.first[oid])
			if rest := o.more[oid]; rest != nil {
				t.setRuns(uint32(len(t.first)-1), o.runs(nil, oid))
			}
			continue
		}
		runs := t.runs(t.scratch[:0], id)
		for _, r := range o.runs(nil, oid) {
			runs, _, _ = insertRun(runs, r, t.history)
		}
		t.setRuns(id, runs)
		t.scratch = runs
	}
}

// insertRun adds run r to runs, merging it with the runs it comes within
// history of. It returns the runs, the place of the run that holds r, and
// whether r's first event is that run's first.
func insertRun(runs []termRun, r termRun, history int64) ([]termRun, int, bool) {
	// The runs are apart by more than history, so their ends are in
	// order too: those that touch r are one stretch.
	i := sort.Search(len(runs), func(i int) bool { return runs[i].end >= r.start-history })
	j := i
	for j < len(runs) && runs[j].start <= r.end+history {
		j++
	}
	if i == j {
		return slices.Insert(runs, i, r), i, true
	}
	m, first := r, true
	for _, x := range runs[i:j] {
		if x.start < m.start || x.start == m.start && x.at.before(&m.at) {
			m.start, m.at, first = x.start, x.at, false
		}
		m.end = max(m.end, x.end)
	}
	runs[i] = m
	return slices.Delete(runs, i+1, j), i, first
}

// termKey appends the key of a combination of values: each value's length,
// then its bytes, so that no value can pass for two.
func termKey(key []byte, vals []string) []byte {
	for _, v := range vals {
		key = binary.AppendUvarint(key, uint64(len(v)))
		key = append(key, v...)
	}
	return key
}

// termValues returns the values of a combination's key.
func termValues(key string) []string {
	var vals []string
	for len(key) > 0 {
		n, k := binary.Uvarint([]byte(key[:min(len(key), binary.MaxVarintLen64)]))
		if k <= 0 || uint64(len(key)-k) < n {
			break
		}
		vals = append(vals, key[k:k+int(n)])
		key = key[k+int(n):]
	}
	return vals
}

// terms records the combinations of the rule's new_terms fields in the
// current event, one per element of each field's values (an event missing
// a field has none), at time t.
func (w *worker) terms(ri int, t time.Time, at termAt, doc func() docRef) {
	r := &w.plan.rules[ri]
	tt := w.newTerms[ri]
	if tt == nil {
		tt = newTermTable(r.rule.NewTerms.History)
		w.newTerms[ri] = tt
	}
	// The distinct values of each field, in scratch kept by the worker.
	if len(w.termVals) < len(r.newTerms) {
		w.termVals = make([][]string, len(r.newTerms))
		w.termIdx = make([]int, len(r.newTerms))
		w.termCombo = make([]string, len(r.newTerms))
	}
	vals := w.termVals[:len(r.newTerms)]
	for f, p := range r.newTerms {
		vs := vals[f][:0]
		for _, x := range p.Values(&w.doc) {
			if s, ok := event.Text(x); ok && !slices.Contains(vs, s) {
				vs = append(vs, s)
			}
		}
		vals[f] = vs
		if len(vs) == 0 {
			return
		}
	}
	// Every combination, the last field's values changing fastest.
	us := t.UnixMicro()
	idx, combo := w.termIdx[:len(vals)], w.termCombo[:len(vals)]
	clear(idx)
	for n := int32(0); ; n++ {
		for f, i := range idx {
			combo[f] = vals[f][i]
		}
		w.termBuf = termKey(w.termBuf[:0], combo)
		at.n = n
		tt.add(w.termBuf, us, at, doc)
		f := len(idx) - 1
		for ; f >= 0; f-- {
			if idx[f]++; idx[f] < len(vals[f]) {
				break
			}
			idx[f] = 0
		}
		if f < 0 {
			return
		}
	}
}

// termHits merges the workers' tables of new_terms rule ri and returns a
// hit for the first event of each run; names and docs are the workers'.
func (p *plan) termHits(ri int, tables []*termTable, names []*termNames, docs []*docStore) []hit {
	var all *termTable
	for _, t := range tables {
		switch {
		case t == nil:
		case all == nil:
			all = t
		default:
			all.merge(t)
		}
	}
	if all == nil {
		return nil
	}
	r := p.rules[ri].rule
	var hits []hit
	for id := range uint32(len(all.first)) {
		vals := termValues(string(all.key(id)))
		for _, run := range all.runs(nil, id) {
			at := &run.at
			tn := names[at.w]
			h := report.Hit{Rule: r, Time: time.UnixMicro(run.start).UTC(), Origin: report.Origin{File: tn.names[at.file], Line: at.line},
				Index: tn.names[at.index], Document: docs[at.w].get(at.doc), NewTerms: vals}
			h.Fields = p.docFields(h.Document, h.Index)
			ord := ordinal{ms: h.Time.UnixMilli(), hasTime: true, input: int(at.input), line: at.line, pos: int(at.pos), n: int(at.n)}
			hits = append(hits, hit{Hit: h, ord: ord})
		}
	}
	return hits
}
