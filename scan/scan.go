// Package scan runs rules over decoded events: a fixed pool of workers
// parses every event and evaluates every rule's predicate; stateful rules
// (new_terms, EQL sequences and samples) hand small candidate records to a
// second, ordered stage (sequence.go, sample.go), and threshold rules count
// their groups in each worker, merged at the end (threshold.go). The
// result is deterministic: the same input gives the same hits in the same
// order whatever the number of workers.
package scan

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"dredge/decode"
	"dredge/event"
	"dredge/normalize"
	"dredge/report"
	"dredge/rules"
	"dredge/rules/match"

	"github.com/valyala/fastjson"
)

// Config is what a scan runs and how.
type Config struct {
	Rules []*rules.Rule
	// Workers is the number of parsing goroutines; the number of CPUs when 0.
	Workers int
	// Readers is how many input files are read at once; 2 when 0.
	Readers int
	// ChunkSize and MaxLine are passed to the decoder (0: its defaults).
	ChunkSize, MaxLine int
	// Progress, when set, is called with the number of input bytes read
	// (compressed), from several goroutines.
	Progress func(n int)
	// Version is written into the summary.
	Version string
	// Order is the order of the hits in the result; ReportOrder when zero.
	Order Order
	// AllIndices applies every rule to every event; otherwise a rule
	// applies to the events of the indices its index patterns select
	// (index.go).
	AllIndices bool
	// SkipUnknownIndex leaves the events whose index is unknown to the
	// rules without index patterns; by default every rule applies to them.
	SkipUnknownIndex bool
	// ProfileRules measures the time spent evaluating each rule
	// (report.RuleCount.Time), at the cost of a clock read per rule
	// evaluated.
	ProfileRules bool
	// MaxHitsPerRule is the most hits a rule reports, its earliest in
	// report order; the others are counted (report.RuleCount.Dropped).
	// 0 means no limit.
	MaxHitsPerRule int
	// NoNormalize turns off the filling in of ECS fields on raw Windows
	// event shapes (package normalize), for exactly what Kibana would see.
	NoNormalize bool
	// From and To restrict the scan to the events whose @timestamp is in
	// [From, To); a zero time leaves that end open. With either set, the
	// events without a usable @timestamp are left out too. The events left
	// out are counted (report.Summary.OutsideWindow and NoTime) and no
	// rule sees them.
	From, To time.Time
	// NoHash leaves out the SHA-256 of the input files
	// (report.FileStat.SHA256), which costs a core about 1.2 s per GB read.
	NoHash bool

	// evalAll evaluates every rule on every event instead of those the
	// rule index picks: the reference path of the tests.
	evalAll bool
	// maxMemCands replaces maxMemCands (spill.go) when > 0, and
	// maxDeadBytes maxDeadBytes (limit.go).
	maxMemCands  int
	maxDeadBytes int64
}

// ErrIncomplete is returned with a complete Result when some input could
// not be read: a file would not open, a stream was damaged or a line was
// skipped. The problems are in the result's summary.
var ErrIncomplete = errors.New("scan incomplete: some input could not be read")

// Run scans the inputs with the configured rules. It returns the hits in
// report order and the summary; err is ErrIncomplete when problems were
// met (the result is still whole for what was read), or ctx's error when
// the scan was cancelled.
func Run(ctx context.Context, inputs []decode.Input, cfg Config) (*report.Result, error) {
	start := time.Now()
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.Readers <= 0 {
		cfg.Readers = 2
	}
	plan := newPlan(cfg.Rules, inputs)
	plan.disp = newDispatch(plan, cfg)
	plan.maxHits = cfg.MaxHitsPerRule
	plan.maxMemCands = cmp.Or(cfg.maxMemCands, maxMemCands)
	plan.maxDeadBytes = cmp.Or(cfg.maxDeadBytes, maxDeadBytes)
	gate := newGate(plan, inputs, cfg)
	if !cfg.NoNormalize {
		plan.norm = normalize.New()
	}
	s := &state{
		cfg:    cfg,
		plan:   plan,
		inputs: inputs,
		bytes:  make([]int64, len(inputs)),
		sums:   make([]string, len(inputs)),
	}

	results := make([]*worker, cfg.Workers)
	for w := range results {
		wk := newWorker(plan, len(inputs), w)
		wk.gate = gate
		if cfg.ProfileRules {
			wk.ruleTime = make([]time.Duration, len(plan.rules))
		}
		wk.win = window{cfg.From, cfg.To}
		results[w] = wk
	}
	all := make([]int, len(inputs))
	for i := range all {
		all[i] = i
	}
	s.pump(ctx, all, results, func(i int, jobs chan<- job) { s.read(ctx, i, jobs) })
	if todo := gate.redo(results, plan.disp.words); len(todo) > 0 && ctx.Err() == nil {
		s.redo(ctx, todo, results)
	}

	res := s.finish(results)
	res.Summary.Started, res.Summary.Duration = start.UTC(), time.Since(start)
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if !res.Summary.Complete {
		return res, ErrIncomplete
	}
	return res, nil
}

// pump runs the scan's pipeline over the inputs: cfg.Readers goroutines
// each take the next input and send its chunks with read, and the workers
// evaluate them, until every input is read. Both readings of the input
// (the scan, and gate.go's redo) run through it.
func (s *state) pump(ctx context.Context, inputs []int, ws []*worker, read func(i int, jobs chan<- job)) {
	jobs := make(chan job, 2*len(ws))
	next := make(chan int, len(inputs))
	for _, i := range inputs {
		next <- i
	}
	close(next)
	var readers sync.WaitGroup
	for r := 0; r < s.cfg.Readers && r < len(inputs); r++ {
		readers.Go(func() {
			for i := range next {
				read(i, jobs)
			}
		})
	}
	go func() {
		readers.Wait()
		close(jobs)
	}()
	var workers sync.WaitGroup
	for _, w := range ws {
		workers.Go(func() {
			for j := range jobs {
				if ctx.Err() == nil {
					w.chunk(j)
				}
				j.chunk.Release()
			}
		})
	}
	workers.Wait()
}

// job is one chunk of one input.
type job struct {
	input int
	name  string
	chunk *decode.Chunk
	// redo, when set, are the only units to evaluate: the chunk is read
	// again for later steps of sequences (gate.go).
	redo []uint64
}

// state is what the readers share.
type state struct {
	cfg    Config
	plan   *plan
	inputs []decode.Input

	mu       sync.Mutex
	problems []problem
	bytes    []int64
	// sums are the inputs' SHA-256 (decode.Reader.SHA256); "" for an
	// input not read to its end.
	sums []string
}

type problem struct {
	input int
	report.Problem
}

func (s *state) problem(i int, p decode.Problem) {
	s.mu.Lock()
	s.problems = append(s.problems, problem{i, report.Problem{File: p.File, Line: p.Line, Kind: p.Kind, Reason: p.Reason}})
	s.mu.Unlock()
}

// read decodes one input and sends its chunks to the workers.
func (s *state) read(ctx context.Context, i int, jobs chan<- job) {
	in := s.inputs[i]
	var n int64
	opts := decode.Options{
		ChunkSize: s.cfg.ChunkSize,
		MaxLine:   s.cfg.MaxLine,
		SHA256:    !s.cfg.NoHash,
		Problem:   func(p decode.Problem) { s.problem(i, p) },
		Progress: func(k int) {
			n += int64(k)
			if s.cfg.Progress != nil {
				s.cfg.Progress(k)
			}
		},
	}
	defer func() {
		s.mu.Lock()
		s.bytes[i] = n
		s.mu.Unlock()
	}()
	r, err := decode.Open(in, opts)
	if err != nil {
		// Open's error is a Problem of kind "open" whose reason does not
		// repeat the path; err.Error() would ("PATH: PATH: reason").
		var p decode.Problem
		if !errors.As(err, &p) {
			p = decode.Problem{File: in.Path, Kind: decode.KindOpen, Reason: err.Error()}
		}
		s.problem(i, p)
		return
	}
	defer r.Close()
	for ctx.Err() == nil {
		c, err := r.Next()
		if err == io.EOF {
			// Not when cancelled: standard input then ends early.
			if ctx.Err() == nil {
				s.mu.Lock()
				s.sums[i] = r.SHA256()
				s.mu.Unlock()
			}
			return
		}
		if err != nil {
			s.problem(i, decode.Problem{File: in.Path, Kind: decode.KindDecompress, Reason: err.Error()})
			return
		}
		jobs <- job{input: i, name: in.Path, chunk: c}
	}
}

// finish merges the workers' results in a fixed order, runs the ordered
// stage and builds the summary.
func (s *state) finish(ws []*worker) *report.Result {
	res := &report.Result{}
	sum := &res.Summary
	sum.Version = s.cfg.Version
	sum.From, sum.To = s.cfg.From, s.cfg.To
	sum.Skipped = map[string]int{}
	events := make([]int64, len(s.inputs))
	hosts := newHostTable(maxHosts)
	timelines := make([]*timeline, 0, len(ws))
	n := 0
	for _, w := range ws {
		for _, hs := range w.hits {
			n += len(hs)
		}
	}
	hits := make([]hit, 0, n)
	for _, w := range ws {
		for _, hs := range w.hits {
			hits = append(hits, hs...)
		}
		w.hits = nil // held once, in hits
		for i, n := range w.events {
			events[i] += n
		}
		s.problems = append(s.problems, w.problems...)
		sum.OutsideWindow += w.outside
		sum.NoTime += w.noTime
		if sum.First.IsZero() || (!w.first.IsZero() && w.first.Before(sum.First)) {
			sum.First = w.first
		}
		if w.last.After(sum.Last) {
			sum.Last = w.last
		}
		hosts.merge(w.hosts)
		timelines = append(timelines, w.timeline)
	}
	docs := make([]*docStore, len(ws))
	for i, w := range ws {
		docs[i] = &w.docs
		defer w.docs.close()
		defer w.runs.close()
		defer w.hitDocs.close()
	}
	for ri := range s.plan.rules {
		if s.plan.rules[ri].rule.NewTerms == nil {
			continue
		}
		tables, names := make([]*termTable, len(ws)), make([]*termNames, len(ws))
		for i, w := range ws {
			tables[i], names[i] = w.newTerms[ri], &w.termNames
		}
		hits = append(hits, s.plan.termHits(ri, tables, names, docs)...)
	}
	hits = s.plan.pipes(hits)
	hits = append(hits, s.plan.thresholds(ws, docs)...)
	// The ordered stage of each sequence and sample rule, rules on as many
	// goroutines as there are workers.
	stateHits := make([][]hit, len(s.plan.rules))
	errs := make([]error, len(s.plan.rules))
	next := make(chan int)
	var wg sync.WaitGroup
	for range s.cfg.Workers {
		wg.Go(func() {
			for ri := range next {
				var merge *candMerge
				var cands []stateCand
				if spilled(ws, ri) {
					merge = newCandMerge(ws, ri, len(s.plan.rules[ri].query.Steps))
				} else {
					cands = stateCands(ws, ri)
				}
				hs, err := s.plan.stateful(ri, cands, merge, gatherMissing(ws, ri), docs)
				stateHits[ri] = hs
				if err != nil {
					errs[ri] = err
				}
			}
		})
	}
	for ri := range s.plan.rules {
		for _, w := range ws {
			if w.stateful[ri].n > 0 {
				next <- ri
				break
			}
		}
	}
	close(next)
	wg.Wait()
	for ri, h := range stateHits {
		hits = append(hits, h...)
		if errs[ri] != nil {
			s.problems = append(s.problems, problem{-1, report.Problem{Kind: "read",
				Reason: fmt.Sprintf("rule %q: the sequence candidates written to a temporary file could not be read back (%v); its hits may be missing", s.plan.rules[ri].rule.Name, errs[ri])}})
		}
	}
	hosts.countHits(hits) // all of them: those the limit drops too
	hits, dropped := s.plan.limit(hits, ws)
	if s.cfg.Order == QueryOrder {
		slices.SortStableFunc(hits, func(a, b hit) int { return compareOrdinal(&a.ord, &b.ord) })
	} else {
		sortHits(hits, s.plan)
	}
	res.Hits = make([]report.Hit, len(hits))
	for i := range hits {
		h := &hits[i]
		if h.stored {
			h.Document = ws[h.docW].hitDocs.get(h.doc)
		}
		res.Hits[i] = h.Hit
	}

	for i, in := range s.inputs {
		sum.Files = append(sum.Files, report.FileStat{Name: in.Path, Bytes: s.bytes[i], Events: events[i], SHA256: s.sums[i]})
		sum.Bytes += s.bytes[i]
		sum.Events += events[i]
	}
	sort.SliceStable(s.problems, func(a, b int) bool {
		pa, pb := s.problems[a], s.problems[b]
		if pa.input != pb.input {
			return pa.input < pb.input
		}
		if pa.Line != pb.Line {
			return pa.Line < pb.Line
		}
		return pa.Reason < pb.Reason
	})
	for _, p := range s.problems {
		sum.Problems = append(sum.Problems, p.Problem)
		sum.Skipped[p.Kind]++
	}
	sum.Complete = len(sum.Problems) == 0
	counts := make(map[*rules.Rule]int)
	for _, h := range res.Hits {
		counts[h.Rule]++
	}
	for ri, r := range s.plan.rules {
		rc := report.RuleCount{Rule: r.rule, Hits: counts[r.rule] + dropped[ri], Dropped: dropped[ri]}
		for _, w := range ws {
			if w.ruleTime != nil {
				rc.Time += w.ruleTime[ri]
			}
		}
		sum.Rules = append(sum.Rules, rc)
		sum.Dropped += dropped[ri]
	}
	sum.Hits = len(res.Hits)
	sum.MaxHitsPerRule = s.plan.maxHits
	sum.Hosts = hosts.list()
	sum.Timeline, sum.TimelineStep = mergeTimelines(timelines)
	for _, w := range ws {
		sum.NoIndex += w.sel.noIndex
		sum.HostOSTypeDerived += w.osDerived
		for shape, n := range w.shapes {
			if n > 0 {
				if sum.Normalized == nil {
					sum.Normalized = map[string]int64{}
				}
				sum.Normalized[normalize.Shape(shape).String()] += n
			}
		}
	}
	return res
}

// sortHits puts hits in report order: by time (hits without one last), then
// input, line, rule order, and the new terms; a sequence or sample hit by
// its first event. Hits alike in all of these keep their rule's order.
func sortHits(hits []hit, p *plan) {
	slices.SortStableFunc(hits, func(a, b hit) int {
		if c := cmp.Or(compareReport(&a.Hit, &b.Hit, p), cmp.Compare(p.order[a.Rule], p.order[b.Rule])); c != 0 {
			return c
		}
		return strings.Compare(fmt.Sprint(a.NewTerms), fmt.Sprint(b.NewTerms))
	})
}

// worker parses events and evaluates the rules. It owns its parser and
// collects its results; nothing is shared until the end of the scan.
type worker struct {
	plan   *plan
	parser fastjson.Parser
	// docParser re-reads the line of a wrapped hit (see source).
	docParser fastjson.Parser
	// hits are the hits of event rules, by rule index, and cut the
	// number left out of them by the limit of hits per rule (limit.go).
	hits [][]hit
	cut  []int
	// bound[ri] is the last hit kept at the last cut of rule ri's hits;
	// nil before the first.
	bound []*report.Hit
	// hitDocs holds the documents of the hits; hitBytes is its size,
	// deadBytes that of the documents of hits cut since (limit.go).
	hitDocs             docStore
	hitBytes, deadBytes int64
	// newTerms is the state of each new_terms rule, by rule index
	// (newterms.go); the term fields are its scratch space.
	newTerms  []*termTable
	termNames termNames
	termVals  [][]string
	termIdx   []int
	termCombo []string
	termBuf   []byte
	// stateful are the candidates of each sequence and sample rule, by
	// rule index; docs holds their documents, and index is the worker's
	// place among the workers, which their records name.
	stateful []candList
	// runs holds the sequence candidates written out, memCands counts
	// those in memory (spill.go).
	runs     candSpill
	memCands int
	// missing are the times of the events that only missing-event steps
	// of a sequence take, by rule index and step (addMissing).
	missing [][]missingTimes
	// gate leaves out the later steps of sequences not started (gate.go):
	// skip are the units left out of the current chunk, when skipping;
	// passed the chunks some were left out of.
	gate     *gate
	skip     []uint64
	skipping bool
	// skipPicked are the units left out that the rule index picked for
	// some event of the current chunk: only their rules need it again.
	skipPicked []uint64
	passed     []passed
	// ruleTime is the time spent on each rule, when profiling
	// (Config.ProfileRules); nil otherwise.
	ruleTime []time.Duration
	// hitSlab and keySlab hold the stages and join keys of candidates
	// (candidate).
	hitSlab []stageHit
	keySlab []match.JoinKey
	docs    docStore
	// thr holds the worker's threshold groups (threshold.go).
	thr   thresholdState
	index int
	// sel picks the rules that may match each event (dispatch.go).
	sel      *selector
	events   []int64
	problems []problem
	// win is the scan's time window (window.go). first and last are the
	// earliest and latest times of the events in it; outside counts the
	// events with a time outside it, and noTime those without a usable
	// @timestamp.
	win             window
	first, last     time.Time
	outside, noTime int64
	// hosts and timeline count the events in the window by host and by
	// time (hosts.go, timeline.go); hosts the hits the limit of hits per
	// rule cuts, too.
	hosts    *hostTable
	timeline *timeline
	// doc is the current event, with the fields the rules read so far.
	doc event.Doc
	// at is the current event's @timestamp, when atOK: most rules order
	// and report events by it, read once.
	at   time.Time
	atOK bool
	// arena holds the fields normalize adds to the current event.
	arena fastjson.Arena
	// shapes counts the events normalize filled in, by shape; osDerived
	// those that got a derived host.os.type.
	shapes    [normalize.ShapeCount]int64
	osDerived int64
}

func newWorker(p *plan, inputs, index int) *worker {
	return &worker{plan: p, index: index, events: make([]int64, inputs), stateful: make([]candList, len(p.rules)), hits: make([][]hit, len(p.rules)), cut: make([]int, len(p.rules)), bound: make([]*report.Hit, len(p.rules)),
		missing:    make([][]missingTimes, len(p.rules)),
		newTerms:   make([]*termTable, len(p.rules)),
		sel:        newSelector(p.disp),
		skip:       make([]uint64, p.disp.words),
		skipPicked: make([]uint64, p.disp.words),
		hosts:      newHostTable(maxHosts),
		timeline:   newTimeline(maxBuckets)}
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// spilled reports whether some worker wrote candidates of rule ri out.
func spilled(ws []*worker, ri int) bool {
	for _, w := range ws {
		if len(w.stateful[ri].runs) > 0 {
			return true
		}
	}
	return false
}

// stateCands gathers the candidates of rule ri from all workers in one
// slice, each worker's let go as soon as it is copied.
func stateCands(ws []*worker, ri int) []stateCand {
	n := 0
	for _, w := range ws {
		n += w.stateful[ri].n
	}
	cs := make([]stateCand, 0, n)
	for _, w := range ws {
		for _, b := range w.stateful[ri].blocks {
			cs = append(cs, b...)
		}
		w.stateful[ri] = candList{}
	}
	return cs
}

// gatherMissing gathers the workers' times of events that only
// missing-event steps of rule ri take.
func gatherMissing(ws []*worker, ri int) [][]missingTimes {
	var missing [][]missingTimes
	for _, w := range ws {
		if w.missing[ri] != nil {
			missing = append(missing, w.missing[ri])
			w.missing[ri] = nil
		}
	}
	return missing
}

// chunk processes every event of one chunk.
func (w *worker) chunk(j job) {
	c := j.chunk
	if j.redo == nil {
		w.begin(j)
	}
	data := c.Data
	k := 0
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		lineNo := c.FirstLine + k
		if c.Lines != nil {
			if k < len(c.Lines) {
				lineNo = c.Lines[k]
			}
		}
		k++
		if lineNo == 1 {
			line = bytes.TrimPrefix(line, bom)
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		w.event(j, lineNo, k, line)
	}
	if j.redo == nil {
		w.end()
	}
}

// event evaluates the rules on the event on line lineNo, the pos'th line of
// its chunk.
func (w *worker) event(j job, lineNo, pos int, line []byte) {
	redo := j.redo != nil
	v, err := w.parser.ParseBytes(line)
	if err != nil && redo {
		return // reported the first time
	}
	if err != nil {
		w.problems = append(w.problems, problem{j.input, report.Problem{
			File: j.name, Line: lineNo, Kind: decode.KindMalformed, Reason: parseError(err),
		}})
		return
	}
	if v.Type() != fastjson.TypeObject {
		if redo {
			return
		}
		w.problems = append(w.problems, problem{j.input, report.Problem{
			File: j.name, Line: lineNo, Kind: decode.KindMalformed, Reason: "not a json object: " + v.Type().String(),
		}})
		return
	}
	if !redo {
		w.events[j.input]++
	}
	ev, index, wrapped := unwrap(v)
	if w.plan.norm != nil {
		w.arena.Reset()
		r := w.plan.norm.ApplyIndex(ev, &w.arena, index)
		if r.Added > 0 && !redo {
			w.shapes[r.Shape]++
		}
		if r.HostOSTypeDerived && !redo {
			w.osDerived++
		}
	}
	w.doc.Reset(ev)
	w.at, w.atOK = event.Time(ev, w.plan.timestamp)
	if !redo && !w.atOK {
		w.noTime++
	}
	// The window (window.go), before the rule index picks anything.
	if !w.win.admits(w.at, w.atOK) {
		if !redo && w.atOK {
			w.outside++
		}
		return
	}
	if t, ok := w.at, w.atOK; ok && !redo {
		if w.first.IsZero() || t.Before(w.first) {
			w.first = t
		}
		if t.After(w.last) {
			w.last = t
		}
		w.timeline.add(t)
	}
	if !redo {
		w.hosts.event(w.host(), w.at, w.atOK)
	}
	// The document is copied once, on the first rule that wants it, and
	// shared by all its hits: nothing writes to it. Hits of event rules
	// put it in the worker's hitDocs, candidates of sequences and samples
	// in its docs, once each.
	var doc []byte
	document := func() []byte {
		if doc == nil {
			if wrapped {
				doc = w.source(line)
			} else {
				doc = bytes.Clone(line)
			}
		}
		return doc
	}
	var ref docRef
	stored := false
	store := func() docRef {
		if !stored {
			d := doc
			if d == nil && !wrapped {
				d = line // copied by put
			} else if d == nil {
				d = document()
			}
			ref, stored = w.docs.put(d), true
		}
		return ref
	}
	var hitRef docRef
	hitStored := false
	storeHit := func() docRef {
		if !hitStored {
			d := doc
			if d == nil && !wrapped {
				d = line // copied by put
			} else if d == nil {
				d = document()
			}
			hitRef, hitStored = w.hitDocs.put(d), true
			w.hitBytes += int64(len(d))
		}
		return hitRef
	}
	origin := report.Origin{File: j.name, Line: lineNo}
	// The rules and steps that may match the event (dispatch.go), in
	// rule order.
	noIndex := w.sel.noIndex
	picked, units := w.sel.pick(&w.doc, index), w.plan.disp.units
	switch {
	case redo:
		w.sel.noIndex = noIndex // counted the first time
		for i := range picked {
			picked[i] &= j.redo[i]
		}
	case w.skipping:
		for i := range picked {
			w.skipPicked[i] |= picked[i] & w.skip[i]
			picked[i] &^= w.skip[i]
		}
	}
	// With ProfileRules, the time from one rule to the next is the first
	// one's (one clock read per rule evaluated).
	prev, since := -1, time.Time{}
	for u := nextUnit(picked, 0); u >= 0; {
		ri := units[u].rule
		r := &w.plan.rules[ri]
		if w.ruleTime != nil {
			now := time.Now()
			if prev >= 0 {
				w.ruleTime[prev] += now.Sub(since)
			}
			prev, since = ri, now
		}
		if r.query.Kind != match.Events {
			var steps uint64
			for ; u >= 0 && units[u].rule == ri; u = nextUnit(picked, u+1) {
				steps |= units[u].steps
			}
			w.candidate(ri, steps, ev, j.input, origin, pos, index, store)
			continue
		}
		prog := units[u].prog
		u = nextUnit(picked, u+1)
		if !w.isCategory(r.cat, r.category) || !prog.MatchDoc(&w.doc) {
			continue
		}
		t, _ := w.time(ev, r.times)
		if r.threshold != nil {
			w.threshold(ri, ev, t, j.input, origin, pos, index, store)
			continue
		}
		if r.rule.Type == "new_terms" {
			if !t.IsZero() {
				w.terms(ri, t, termAt{file: w.termNames.id(origin.File), index: w.termNames.id(index), line: origin.Line, pos: int32(pos), input: int32(j.input), w: int32(w.index)}, store)
			}
			continue
		}
		if w.beyond(ri, t, origin, ev) {
			continue
		}
		w.hit(ri, hit{
			Hit:  report.Hit{Rule: r.rule, Time: t, Origin: origin, Index: index, Fields: w.plan.fields(ev)},
			ord:  w.ordinal(r, ev, j.input, lineNo, pos),
			doc:  storeHit(),
			docW: int32(w.index), stored: true,
		})
	}
	if prev >= 0 {
		w.ruleTime[prev] += time.Since(since)
	}
}

// time reads the current event's time from the first of paths that holds
// one, as event.Time does; @timestamp alone is the time read already.
func (w *worker) time(v *fastjson.Value, paths []*event.Path) (time.Time, bool) {
	if len(paths) == 1 && paths[0] == w.plan.timestamp {
		return w.at, w.atOK
	}
	return event.Time(v, paths...)
}

// ordinal is r.ordinal for the current event, with its @timestamp read
// once.
func (w *worker) ordinal(r *planRule, v *fastjson.Value, input, line, pos int) ordinal {
	t, ok := w.at, w.atOK
	if r.order != w.plan.timestamp {
		t, ok = event.Time(v, r.order)
	}
	return r.ordinalAt(v, t, ok, input, line, pos)
}

// isCategory reports whether the current event may be of category want, read
// from the plan's category field cat: always when want is empty, else when
// a value of the field is want, as the compiled query tests it. It saves
// evaluating the queries of other categories; the field is read once per
// event, through the event's Doc.
func (w *worker) isCategory(cat int, want string) bool {
	if want == "" || cat < 0 {
		return true
	}
	for _, x := range w.plan.cats[cat].Values(&w.doc) {
		if s, ok := event.Text(x); ok && s == want {
			return true
		}
	}
	return false
}

// source returns the _source of a wrapped event line as it is written there
// (compacted). The line is parsed again by a parser of its own: evaluating
// the rules unescaped in place the strings they read, and fastjson writes
// such a string back with Go's quoting ("\x1b" rather than "\u001b"), which
// is not JSON; values nobody read are written back as they were.
func (w *worker) source(line []byte) []byte {
	v, err := w.docParser.ParseBytes(line)
	if err != nil {
		return nil // cannot happen: the line parsed once already
	}
	return v.Get("_source").MarshalTo(nil)
}

// unwrap returns the event inside an Elasticsearch hit ({"_index": ...,
// "_source": {...}}) with its index, or v itself.
func unwrap(v *fastjson.Value) (ev *fastjson.Value, index string, wrapped bool) {
	o, _ := v.Object()
	src := o.Get("_source")
	if src == nil || src.Type() != fastjson.TypeObject {
		return v, "", false
	}
	if ix := o.Get("_index"); ix != nil {
		if b, err := ix.StringBytes(); err == nil {
			index = string(b)
		}
	}
	return src, index, true
}

// parseError is the reason of a problem for a line the parser rejected.
func parseError(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "too big depth") {
		return fmt.Sprintf("malformed json: nested more than %d levels deep", fastjson.MaxDepth)
	}
	return "malformed json: " + shorten(msg)
}

// maxReason bounds a parser's message in a problem: fastjson repeats its
// context for every level of a deeply nested value, and says what went
// wrong at the end.
const maxReason = 400

// shorten cuts the middle out of a message longer than maxReason, at
// character boundaries, keeping its start and its end.
func shorten(s string) string {
	if len(s) <= maxReason {
		return s
	}
	head, tail := maxReason/3, len(s)-2*maxReason/3
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	for tail < len(s) && !utf8.RuneStart(s[tail]) {
		tail++
	}
	return s[:head] + " … " + s[tail:]
}
