package scan

import (
	"context"
	"os"
	"sync/atomic"

	"dredge/decode"
	"dredge/report"
)

// Gating the later steps of sequences.
//
// Many sequences of the detection-rules collection correlate data sources
// a dump seldom holds together: a firewall's alert, then any network event
// of Elastic Defend with the same addresses; an Elastic Defend alert, then
// no telemetry. Their later steps match a good part of the events, and
// each match is a candidate record to keep until the end; yet without an
// event of the first step, none can ever be part of a sequence.
//
// So the later steps of a sequence (every step but the first one that is
// not a missing-event step, the until step included) are not evaluated
// until some event of its first step has been seen. A worker looks at
// which sequences have started when it begins a chunk, leaves out the
// later steps of the others for the whole chunk, and notes the chunk. A
// sequence that starts after some of its chunks were passed over has those
// chunks read again at the end, for its later steps only (redo); time
// order is not input order, so an event read before the first event of a
// sequence may still come after it. The hits are those of evaluating every
// step on every event, in memory and time proportional to the sequences
// that start.
//
// Standard input and FIFOs cannot be read again: a scan with one of them
// evaluates every step.

// gate is the state the workers share.
type gate struct {
	on bool
	// rules are the gated rules; units[ri] the bitset of the units of the
	// later steps of rule ri (nil for the others).
	rules []int
	units [][]uint64
	// started[ri] is set once an event of rule ri's first step is seen.
	started []atomic.Bool
}

func newGate(p *plan, inputs []decode.Input, cfg Config) *gate {
	g := &gate{units: make([][]uint64, len(p.rules)), started: make([]atomic.Bool, len(p.rules))}
	if cfg.evalAll {
		return g // the reference path evaluates everything
	}
	for _, in := range inputs {
		if fi, err := os.Stat(in.Path); in.Path == "-" || err != nil || !fi.Mode().IsRegular() {
			return g // cannot be read again
		}
	}
	d := p.disp
	for u := range d.units {
		ri := d.units[u].rule
		pr := &p.rules[ri]
		if pr.firstStep < 0 || d.units[u].steps&(1<<pr.firstStep) != 0 {
			continue
		}
		if g.units[ri] == nil {
			g.units[ri] = make([]uint64, d.words)
			g.rules = append(g.rules, ri)
		}
		g.units[ri][u>>6] |= 1 << (u & 63)
	}
	g.on = len(g.rules) > 0
	return g
}

// start records that rule ri has seen an event of its first step.
func (g *gate) start(ri int) {
	if !g.started[ri].Load() {
		g.started[ri].Store(true)
	}
}

// passed is a chunk some of whose later steps were left out: those of
// rules, which had not started when the chunk began.
type passed struct {
	input, seq, line int // line is its first line, to know it again
	rules            []int32
}

// begin sets w.skip, the units to leave out of the chunk j, and notes the
// chunk when there are some.
func (w *worker) begin(j job) {
	g := w.gate
	if !g.on {
		return
	}
	clear(w.skip)
	clear(w.skipPicked)
	w.skipping = false
	var rules []int32
	for _, ri := range g.rules {
		if g.started[ri].Load() {
			continue
		}
		for i, x := range g.units[ri] {
			w.skip[i] |= x
		}
		rules = append(rules, int32(ri))
		w.skipping = true
	}
	if w.skipping {
		w.passed = append(w.passed, passed{input: j.input, seq: j.chunk.Seq, line: firstLine(j.chunk), rules: rules})
	}
}

// end forgets, for the chunk just read, the rules whose left-out steps the
// rule index picked for none of its events: reading the chunk again could
// not give them an event. A chunk left with no such rule is not read again.
func (w *worker) end() {
	if !w.skipping {
		return
	}
	pc := &w.passed[len(w.passed)-1]
	rules := pc.rules[:0]
	for _, ri := range pc.rules {
		for i, x := range w.gate.units[ri] {
			if x&w.skipPicked[i] != 0 {
				rules = append(rules, ri)
				break
			}
		}
	}
	if pc.rules = rules; len(rules) == 0 {
		w.passed = w.passed[:len(w.passed)-1]
	}
}

// firstLine is the source line of a chunk's first line.
func firstLine(c *decode.Chunk) int {
	if len(c.Lines) > 0 {
		return c.Lines[0]
	}
	return c.FirstLine
}

// redoChunk is a chunk to read again, and the units to evaluate on it.
type redoChunk struct {
	line  int
	units []uint64
}

// redo returns the chunks to read again, by input and sequence number: the
// chunks passed over for rules that have started since.
func (g *gate) redo(ws []*worker, words int) map[int]map[int]redoChunk {
	if !g.on {
		return nil
	}
	out := map[int]map[int]redoChunk{}
	for _, w := range ws {
		for _, pc := range w.passed {
			var units []uint64
			for _, ri := range pc.rules {
				if !g.started[ri].Load() {
					continue
				}
				if units == nil {
					units = make([]uint64, words)
				}
				for i, x := range g.units[ri] {
					units[i] |= x
				}
			}
			if units == nil {
				continue
			}
			if out[pc.input] == nil {
				out[pc.input] = map[int]redoChunk{}
			}
			out[pc.input][pc.seq] = redoChunk{line: pc.line, units: units}
		}
		w.passed = nil
	}
	return out
}

// redo reads again the chunks of todo and evaluates on them the later
// steps of the sequences that were left out (see gate). It counts no
// event and reports no problem the first reading reported; an input that
// is not what it was gets a problem of its own.
func (s *state) redo(ctx context.Context, todo map[int]map[int]redoChunk, ws []*worker) {
	var inputs []int
	for i := range s.inputs {
		if todo[i] != nil {
			inputs = append(inputs, i)
		}
	}
	s.pump(ctx, inputs, ws, func(i int, jobs chan<- job) { s.reread(ctx, i, todo[i], jobs) })
}

// reread sends the chunks of input i that chunks names, each with the units
// to evaluate on it.
func (s *state) reread(ctx context.Context, i int, chunks map[int]redoChunk, jobs chan<- job) {
	in := s.inputs[i]
	last := 0
	for seq := range chunks {
		last = max(last, seq)
	}
	changed := func() {
		s.mu.Lock()
		s.problems = append(s.problems, problem{i, report.Problem{File: in.Path, Kind: decode.KindRead,
			Reason: "changed while it was scanned: sequence rules may have missed some of its events"}})
		s.mu.Unlock()
	}
	r, err := decode.Open(in, decode.Options{ChunkSize: s.cfg.ChunkSize, MaxLine: s.cfg.MaxLine, Problem: func(decode.Problem) {}})
	if err != nil {
		changed()
		return
	}
	defer r.Close()
	for ctx.Err() == nil {
		c, err := r.Next()
		if err != nil {
			if len(chunks) > 0 {
				changed() // it ended before the chunks to read again
			}
			return
		}
		rc, ok := chunks[c.Seq]
		if !ok {
			c.Release()
			continue
		}
		delete(chunks, c.Seq)
		if firstLine(c) != rc.line {
			c.Release()
			changed()
			return
		}
		jobs <- job{input: i, name: in.Path, chunk: c, redo: rc.units}
		if c.Seq >= last {
			return
		}
	}
}
