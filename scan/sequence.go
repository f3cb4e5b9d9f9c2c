package scan

import (
	"slices"
	"time"
	"unsafe"

	"dredge/report"
	"dredge/rules/match"

	"github.com/valyala/fastjson"
)

// The ordered stage of EQL sequences and samples.
//
// A worker evaluates the predicate of every step of a sequence or sample
// rule on each event; an event that matches some step becomes a small
// candidate record: its place in the rule's order, the steps it matched
// with its join keys for each, and what the report shows of it. When all
// input has been read, the candidates of each rule are put in order and
// the matcher below runs over them once, in the manner of Elasticsearch's
// sequence matcher:
//
//   - A sequence is in flight per join key. An event of the first step
//     starts one; an event of step i takes, of the sequences of the same
//     key that have reached step i-1, the latest one before it, and drops
//     the older ones: they could only give the same match with older
//     events.
//   - A sequence that would then span more than maxspan is dropped, and so
//     is one with an until event of its key since its last step.
//   - A sequence is complete when it reaches the last step that is not a
//     missing event. Missing-event steps (![...]) are then checked: no
//     event of the step, with the sequence's key, between the events of the
//     steps around it; before the first step or after the last, none
//     within maxspan.
//   - Completed sequences come in the order of their last event.
//
// Memory is that of the candidate records, a few hundred bytes each (their
// documents wait in a temporary file, see docStore, and only those of the
// hits are read back), and of the sequences in flight, which maxspan
// bounds: sequences that can no longer complete within it are dropped as
// time goes on. Past a bound, a worker writes the records of sequences out
// to a temporary file too, in sorted runs that the ordered stage merges
// (spill.go); those of samples, and of sequences with missing-event steps,
// stay in memory.

// stateCand is an event that matched some step of a sequence or sample.
// It is kept small: there may be many. Its input and line are in ord.
type stateCand struct {
	ord ordinal
	// sec and nsec are the event's time by the rule's timestamp
	// settings; hasAt is false when it has none.
	sec   int64
	nsec  int32
	hasAt bool
	index string
	// The document is in the docStore of worker w, at doc.
	w   int32
	doc docRef
	// hits are the stages it matched, with its join keys for each.
	hits []stageHit
}

// event returns the candidate as the report shows it; names are the
// inputs' names.
func (c *stateCand) event(names []string, docs []*docStore) report.Event {
	e := report.Event{Origin: report.Origin{File: names[c.ord.input], Line: c.ord.line}, Index: c.index,
		Document: docs[c.w].get(c.doc)}
	if c.hasAt {
		e.Time = time.Unix(c.sec, int64(c.nsec)).UTC()
	}
	return e
}

type stageHit struct {
	stage int
	keys  []match.JoinKey
}

// candidate records the event v if it matches some step of rule ri, a
// sequence or a sample, among the steps of the bitset steps (the others
// cannot match it: dispatch.go).
func (w *worker) candidate(ri int, steps uint64, v *fastjson.Value, input int, origin report.Origin, pos int, index string, store func() docRef) {
	r := &w.plan.rules[ri]
	// The stages and keys are cut from the worker's slabs: one allocation
	// for many candidates.
	if cap(w.hitSlab)-len(w.hitSlab) < 2*len(r.steps) {
		w.hitSlab = make([]stageHit, 0, max(slabSize, 2*len(r.steps)))
	}
	start := len(w.hitSlab)
	// discard gives back what an event that is not recorded took of the
	// slabs, when they are still the same.
	hs, ks := w.hitSlab, w.keySlab
	discard := func() {
		if unsafe.SliceData(w.hitSlab) == unsafe.SliceData(hs) {
			w.hitSlab = hs
		}
		if unsafe.SliceData(w.keySlab) == unsafe.SliceData(ks) {
			w.keySlab = ks
		}
	}
	for i, ps := range r.steps {
		if i < 64 && steps&(1<<i) == 0 {
			continue
		}
		if !w.isCategory(r.cat, ps.step.Category) || !w.plan.disp.program(ri, i, ps.step.Program).MatchDoc(&w.doc) {
			continue
		}
		if cap(w.keySlab)-len(w.keySlab) < 16 {
			w.keySlab = make([]match.JoinKey, 0, slabSize)
		}
		from := len(w.keySlab)
		keys := ps.step.JoinKeys(w.keySlab, &w.doc)
		if len(keys) == from {
			continue // a join key that is not optional has no value
		}
		w.keySlab, keys = keys, keys[from:len(keys):len(keys)]
		for _, st := range ps.stages {
			w.hitSlab = append(w.hitSlab, stageHit{stage: st, keys: keys})
		}
	}
	hits := w.hitSlab[start:len(w.hitSlab):len(w.hitSlab)]
	if len(hits) == 0 {
		return
	}
	ord := w.ordinal(r, v, input, origin.Line, pos)
	if r.query.Kind == match.Sequences && !ord.hasTime {
		discard()
		return // an event without a time has no place in a sequence
	}
	if r.query.Kind == match.Sequences && onlyMissing(r.query, hits) {
		// Of an event that only missing-event steps take (such as every
		// event for ![any where ...]) the matcher needs only the time, by
		// step and join key: a few bytes rather than a record.
		w.addMissing(ri, len(r.query.Steps), ord.ms, hits)
		discard()
		return
	}
	if r.first >= 0 {
		for _, h := range hits {
			if h.stage == r.first {
				w.gate.start(ri) // its later steps may now match (gate.go)
				break
			}
		}
	}
	c := stateCand{ord: ord, index: index, w: int32(w.index), hits: hits}
	// Only the events of steps are reported: the document of an event
	// that only a missing-event step or the until step takes (such as
	// every event for ![any where ...]) is never read again.
	for _, h := range hits {
		if h.stage < len(r.query.Steps) && !r.query.Steps[h.stage].Missing {
			c.doc = store()
			break
		}
	}
	if t, ok := w.time(v, r.times); ok {
		c.sec, c.nsec, c.hasAt = t.Unix(), int32(t.Nanosecond()), true
	}
	w.stateful[ri].add(c)
	if w.plan.spillable(ri) {
		if w.memCands++; w.memCands >= w.plan.maxMemCands {
			w.spill()
		}
	}
}

// candList is a list of candidates in blocks, which grow to maxBlock:
// adding to it never copies what it holds.
type candList struct {
	blocks [][]stateCand
	n      int // all of them, spilled included
	// runs are those written out (spill.go), spilled how many.
	runs    []candRun
	spilled int
}

const maxBlock = 1024

func (l *candList) add(c stateCand) {
	if len(l.blocks) == 0 || len(l.blocks[len(l.blocks)-1]) == cap(l.blocks[len(l.blocks)-1]) {
		l.blocks = append(l.blocks, make([]stateCand, 0, min(maxBlock, max(16, l.n))))
	}
	b := &l.blocks[len(l.blocks)-1]
	*b = append(*b, c)
	l.n++
}

// slabSize is how many stage hits or join keys a worker allocates at once.
const slabSize = 1024

// onlyMissing reports whether every stage of hits is a missing-event step
// of sequence q.
func onlyMissing(q *match.Query, hits []stageHit) bool {
	for _, h := range hits {
		if h.stage >= len(q.Steps) || !q.Steps[h.stage].Missing {
			return false
		}
	}
	return true
}

// missingTimes are the times (milliseconds) of the events of one
// missing-event step of a sequence, by join key.
type missingTimes map[match.JoinKey][]int64

// addMissing records the time ms of an event for the missing-event steps
// of hits, of rule ri with n steps.
func (w *worker) addMissing(ri, n int, ms int64, hits []stageHit) {
	if w.missing[ri] == nil {
		w.missing[ri] = make([]missingTimes, n)
	}
	for _, h := range hits {
		m := w.missing[ri][h.stage]
		if m == nil {
			m = missingTimes{}
			w.missing[ri][h.stage] = m
		}
		for _, k := range h.keys {
			m[k] = append(m[k], ms)
		}
	}
}

// stateful runs the ordered stage of rule ri, a sequence or a sample, on
// its candidates from all workers, and returns its hits after its pipes.
// docs are the workers' document stores.
func (p *plan) stateful(ri int, cands []stateCand, merge *candMerge, missing [][]missingTimes, docs []*docStore) (hits []hit, err error) {
	r := &p.rules[ri]
	// An event's hits may be in two records, when a gated step's were
	// found when its chunk was read again (gate.go): the record with
	// steps comes first, as an event's steps are taken before its until
	// event in one record.
	n := len(r.query.Steps)
	var results []result
	switch {
	case merge != nil:
		results = matchSequences(r.query, merge.next, nil)
		if merge.err != nil {
			err = merge.err
		}
	case r.query.Kind == match.Sequences:
		sortCands(cands, n)
		var mi *missingIndex
		if slices.ContainsFunc(r.query.Steps, func(s *match.Step) bool { return s.Missing }) {
			mi = newMissingIndex(cands, r.query.Steps, missing)
		}
		i := 0
		results = matchSequences(r.query, func() *stateCand {
			if i == len(cands) {
				return nil
			}
			i++
			return &cands[i-1]
		}, mi)
	default:
		sortCands(cands, n)
		results = matchSamples(r.query, cands)
	}
	from, to := match.ApplyPipes(r.query.Pipes, len(results))
	hits = make([]hit, 0, to-from)
	for n, res := range results[from:to] {
		h := hit{Hit: report.Hit{Rule: r.rule, JoinKeys: res.key.Values()}}
		if h.JoinKeys == nil {
			h.JoinKeys = []*string{}
		}
		var last *stateCand
		for _, c := range res.events {
			if c == nil {
				h.Events = append(h.Events, report.Event{Missing: true})
				continue
			}
			e := c.event(p.names, docs)
			if last == nil {
				h.Time, h.Origin, h.Index, h.Document = e.Time, e.Origin, e.Index, e.Document
				h.Fields = p.docFields(e.Document, e.Index)
			}
			last = c
			h.Events = append(h.Events, e)
		}
		// A sequence takes the place of its last event; a sample its
		// place in the order of join keys.
		h.ord = ordinal{n: n}
		if r.query.Kind == match.Sequences && last != nil {
			h.ord = last.ord
			h.ord.n = n
		}
		hits = append(hits, h)
	}
	return hits, err
}

// result is a sequence or sample found: its join key and its events (nil
// for a missing-event step).
type result struct {
	key    match.JoinKey
	events []*stateCand
}

// pipes applies the head and tail pipes of event rules: per rule, in the
// rule's order.
func (p *plan) pipes(hits []hit) []hit {
	piped := false
	for i := range p.rules {
		if q := p.rules[i].query; q.Kind == match.Events && len(q.Pipes) > 0 {
			piped = true
		}
	}
	if !piped {
		return hits
	}
	slices.SortStableFunc(hits, func(a, b hit) int {
		if ra, rb := p.order[a.Rule], p.order[b.Rule]; ra != rb {
			return ra - rb
		}
		return compareOrdinal(&a.ord, &b.ord)
	})
	out := hits[:0]
	for i := 0; i < len(hits); {
		j := i
		for j < len(hits) && hits[j].Rule == hits[i].Rule {
			j++
		}
		from, to := 0, j-i
		if q := p.rules[p.order[hits[i].Rule]].query; q.Kind == match.Events {
			from, to = match.ApplyPipes(q.Pipes, j-i)
		}
		out = append(out, hits[i+from:i+to]...)
		i = j
	}
	return out
}

// seqRun is a sequence in flight.
type seqRun struct {
	key match.JoinKey
	// events are the candidates of each stage so far; nil where none.
	events []*stateCand
	start  int64      // the time of its first event, in milliseconds
	last   *stateCand // the candidate of the last stage reached
}

// keyState is what the matcher keeps for one join key.
type keyState struct {
	// runs are the sequences in flight by the stage they have reached,
	// each list in the order of its last event.
	runs [][]*seqRun
	// until is the candidate of the latest until event of the key; nil
	// when none.
	until *stateCand
}

func (k *keyState) empty() bool {
	for _, r := range k.runs {
		if len(r) > 0 {
			return false
		}
	}
	return true
}

// matchSequences runs the sequence q over its candidates, which next
// returns in order (nil at the end); mi holds the times of the events of
// its missing-event steps, nil when it has none. The matcher holds only
// the candidates of the sequences in flight and of those found.
func matchSequences(q *match.Query, next func() *stateCand, mi *missingIndex) []result {
	n := len(q.Steps)
	missing := make([]bool, n)
	prev := make([]int, n) // the previous stage that is not missing; -1
	first, last := -1, -1
	p := -1
	for i, s := range q.Steps {
		missing[i] = s.Missing
		prev[i] = p
		if !s.Missing {
			if first < 0 {
				first = i
			}
			last, p = i, i
		}
	}
	maxSpan := q.MaxSpan.Milliseconds()
	if q.MaxSpan > 0 && maxSpan == 0 {
		maxSpan = 1
	}
	keys := map[match.JoinKey]*keyState{}
	var out []result
	complete := func(run *seqRun) {
		if mi == nil || mi.allows(run, missing, maxSpan) {
			out = append(out, result{key: run.key, events: run.events})
		}
	}
	var lastSweep int64
	for c := next(); c != nil; c = next() {
		now := c.ord.ms
		if maxSpan > 0 && now-lastSweep > maxSpan {
			sweep(keys, now-maxSpan)
			lastSweep = now
		}
		for _, h := range c.hits {
			if h.stage == n || missing[h.stage] {
				continue // until and missing events are looked at below and on completion
			}
			for _, k := range h.keys {
				if h.stage == first {
					run := &seqRun{key: k, events: make([]*stateCand, n), start: now, last: c}
					run.events[first] = c
					if first == last {
						complete(run)
						continue
					}
					st := keys[k]
					if st == nil {
						st = &keyState{runs: make([][]*seqRun, n)}
						keys[k] = st
					}
					st.runs[first] = append(st.runs[first], run)
					continue
				}
				st := keys[k]
				if st == nil {
					continue
				}
				from := prev[h.stage]
				runs := st.runs[from]
				// The latest sequence before this event; it and the ones
				// before it leave the stage.
				j := len(runs) - 1
				for j >= 0 && compareOrdinal(&runs[j].last.ord, &c.ord) >= 0 {
					j--
				}
				if j < 0 {
					continue
				}
				run := runs[j]
				clear(runs[:j+1]) // let them go
				st.runs[from] = runs[j+1:]
				if maxSpan > 0 && now-run.start > maxSpan {
					continue
				}
				if st.until != nil && compareOrdinal(&st.until.ord, &run.last.ord) >= 0 {
					continue // an until event since the sequence's last step
				}
				run.events[h.stage] = c
				run.last = c
				if h.stage == last {
					complete(run)
				} else {
					st.runs[h.stage] = append(st.runs[h.stage], run)
				}
			}
		}
		// Until events count for the keys with sequences in flight, from
		// this event on.
		for _, h := range c.hits {
			if h.stage != n {
				continue
			}
			for _, k := range h.keys {
				if st := keys[k]; st != nil {
					st.until = c
				}
			}
		}
	}
	return out
}

// sweep drops the sequences that started before oldest, and the keys left
// without any. In each list the sequences are in the order they started.
func sweep(keys map[match.JoinKey]*keyState, oldest int64) {
	for k, st := range keys {
		for i, runs := range st.runs {
			j := 0
			for j < len(runs) && runs[j].start < oldest {
				j++
			}
			if j > 0 {
				st.runs[i] = slices.Clone(runs[j:])
			}
		}
		if st.empty() {
			delete(keys, k)
		}
	}
}

// missingIndex holds, for each missing-event step and join key, the times
// (milliseconds) of the events of the step, in order.
type missingIndex struct {
	times []map[match.JoinKey][]int64
}

// newMissingIndex gathers the times of the events of the missing-event
// steps among steps: those of the candidates and those only missing-event
// steps took (from each worker; see addMissing).
func newMissingIndex(cands []stateCand, steps []*match.Step, only [][]missingTimes) *missingIndex {
	missing := make([]bool, len(steps))
	mi := &missingIndex{times: make([]map[match.JoinKey][]int64, len(missing))}
	for i, s := range steps {
		if missing[i] = s.Missing; s.Missing {
			mi.times[i] = map[match.JoinKey][]int64{}
		}
	}
	for _, steps := range only {
		for i, m := range steps {
			if i >= len(missing) || !missing[i] {
				continue
			}
			for k, times := range m {
				mi.times[i][k] = append(mi.times[i][k], times...)
			}
		}
	}
	for ci := range cands {
		for _, h := range cands[ci].hits {
			if h.stage >= len(missing) || !missing[h.stage] {
				continue
			}
			for _, k := range h.keys {
				mi.times[h.stage][k] = append(mi.times[h.stage][k], cands[ci].ord.ms)
			}
		}
	}
	if len(only) > 0 {
		// Times from several sources, each in its own order.
		for _, m := range mi.times {
			for _, times := range m {
				slices.Sort(times)
			}
		}
	}
	return mi
}

// allows reports whether the missing-event steps of a completed sequence
// hold, as Elasticsearch checks them: an event of a step between two
// positive steps (strictly between their times) rules the sequence out;
// before the first positive step, the latest event of the leading missing
// steps, and after the last, the earliest event of the trailing ones, rule
// it out when they are within maxspan of the sequence.
func (mi *missingIndex) allows(run *seqRun, missing []bool, maxSpan int64) bool {
	ms := func(c *stateCand) int64 { return c.ord.ms }
	n := len(missing)
	startMS, endMS := ms(run.events[firstPositive(missing)]), ms(run.last)
	var lastLeading, firstTrailing int64
	hasLeading, hasTrailing := false, false
	leading := true
	for i := range n {
		if !missing[i] {
			leading = false
			continue
		}
		times := mi.times[i][run.key]
		switch {
		case leading:
			// The latest event before the sequence's start.
			j, _ := slices.BinarySearch(times, startMS)
			if j > 0 && (!hasLeading || times[j-1] > lastLeading) {
				lastLeading, hasLeading = times[j-1], true
			}
		case trailing(missing, i):
			// The earliest event after the sequence's end.
			j, _ := slices.BinarySearch(times, endMS+1)
			if j < len(times) && (!hasTrailing || times[j] < firstTrailing) {
				firstTrailing, hasTrailing = times[j], true
			}
		default:
			lo, hi := ms(run.events[prevPositive(missing, i)]), ms(run.events[nextPositive(missing, i)])
			j, _ := slices.BinarySearch(times, lo+1)
			if j < len(times) && times[j] < hi {
				return false
			}
		}
	}
	beyond := func(from, to int64) bool { return maxSpan > 0 && to-from > maxSpan }
	first, lastStage := missing[0], missing[n-1]
	switch {
	case !hasLeading && !hasTrailing:
		return true
	case !hasLeading && first:
		return true
	case !hasTrailing && lastStage:
		return true
	case first && lastStage:
		return !hasLeading || !hasTrailing || beyond(lastLeading, firstTrailing)
	case first:
		return beyond(lastLeading, endMS)
	case lastStage:
		return beyond(startMS, firstTrailing)
	}
	return false
}

func firstPositive(missing []bool) int {
	for i, m := range missing {
		if !m {
			return i
		}
	}
	return -1
}

func prevPositive(missing []bool, i int) int {
	for j := i - 1; j >= 0; j-- {
		if !missing[j] {
			return j
		}
	}
	return -1
}

func nextPositive(missing []bool, i int) int {
	for j := i + 1; j < len(missing); j++ {
		if !missing[j] {
			return j
		}
	}
	return -1
}

// trailing reports whether missing step i comes after the last positive
// step.
func trailing(missing []bool, i int) bool { return nextPositive(missing, i) < 0 }
