package scan

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"runtime"
	"slices"

	"dredge/rules/match"
)

// Sequence candidates out of memory.
//
// Every event that matches a step of a sequence is a candidate, and a
// sequence as broad as [process where true] makes one of nearly every
// event: held until the end of the scan, they would grow with the dump.
// So a worker holds at most maxMemCands candidates of sequences (those
// without missing-event steps, whose check needs them all at hand); past
// that, it sorts each rule's candidates in the matcher's order and writes
// them as a run to a temporary file, unlinked as soon as it is made, as
// the docStore's is. The ordered stage then merges each rule's runs, and
// what is left in memory, into one ordered stream, and the matcher keeps
// only the candidates of the sequences in flight, which maxspan bounds.
// Without a usable temporary file the candidates stay in memory.

// maxMemCands is the number of sequence candidates a worker holds before
// it writes them out: a few hundred bytes each.
const maxMemCands = 1 << 17

// candSpill is a worker's file of candidate runs.
type candSpill struct {
	f      *os.File
	failed bool
	size   int64
	buf    []byte
}

// candRun is a run of one rule's candidates, in order, in a candSpill.
type candRun struct {
	off, n int64
}

// write writes cs, in order, as a run. It reports false when there is no
// file to write to, or writing failed; the candidates then stay with the
// caller.
func (s *candSpill) write(cs []stateCand) (candRun, bool) {
	if s.failed {
		return candRun{}, false
	}
	if s.f == nil {
		f, err := os.CreateTemp("", "dredge-sequences-*")
		if err != nil {
			s.failed = true
			return candRun{}, false
		}
		if runtime.GOOS != "windows" {
			os.Remove(f.Name()) // unlinked: gone when closed, or when the process ends
		}
		s.f = f
	}
	run := candRun{off: s.size}
	b := s.buf[:0]
	for i := range cs {
		b = appendCand(b, &cs[i])
		if len(b) >= 1<<20 || i == len(cs)-1 {
			if _, err := s.f.WriteAt(b, s.size); err != nil {
				s.failed = true
				return candRun{}, false
			}
			s.size += int64(len(b))
			b = b[:0]
		}
	}
	s.buf = b
	run.n = s.size - run.off
	return run, true
}

// close lets the file go.
func (s *candSpill) close() {
	if s.f != nil {
		name := s.f.Name()
		s.f.Close()
		if runtime.GOOS == "windows" {
			os.Remove(name)
		}
		s.f = nil
	}
}

// appendCand appends the encoding of c to b.
func appendCand(b []byte, c *stateCand) []byte {
	o := &c.ord
	b = binary.AppendVarint(b, o.ms)
	b = append(b, boolByte(o.hasTime), o.tb.kind)
	b = binary.AppendUvarint(b, math.Float64bits(o.tb.num))
	b = appendSized(b, o.tb.str)
	b = binary.AppendVarint(b, int64(o.input))
	b = binary.AppendVarint(b, int64(o.line))
	b = binary.AppendVarint(b, int64(o.pos))
	b = binary.AppendVarint(b, int64(o.n))
	b = binary.AppendVarint(b, c.sec)
	b = binary.AppendVarint(b, int64(c.nsec))
	b = append(b, boolByte(c.hasAt))
	b = appendSized(b, c.index)
	b = binary.AppendVarint(b, int64(c.w))
	b = binary.AppendVarint(b, int64(c.doc.chunk))
	b = binary.AppendVarint(b, int64(c.doc.n))
	b = binary.AppendVarint(b, c.doc.off)
	b = binary.AppendUvarint(b, uint64(len(c.hits)))
	for _, h := range c.hits {
		b = binary.AppendVarint(b, int64(h.stage))
		b = binary.AppendUvarint(b, uint64(len(h.keys)))
		for _, k := range h.keys {
			b = appendSized(b, string(k))
		}
	}
	return b
}

func boolByte(x bool) byte {
	if x {
		return 1
	}
	return 0
}

func appendSized(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// errCand is the error of a run that does not decode: the file was
// changed under the scan, or the disk returned other bytes.
var errCand = errors.New("damaged candidate run")

// candReader decodes a run.
type candReader struct {
	r   *bufio.Reader
	err error
}

func (s *candSpill) open(run candRun) *candReader {
	return &candReader{r: bufio.NewReaderSize(io.NewSectionReader(s.f, run.off, run.n), 64<<10)}
}

// next returns the run's next candidate; nil at its end, or at the first
// error (kept in err).
func (d *candReader) next() *stateCand {
	if d.err != nil {
		return nil
	}
	if _, err := d.r.Peek(1); err != nil {
		if err != io.EOF {
			d.err = err
		}
		return nil
	}
	c := &stateCand{}
	o := &c.ord
	o.ms = d.varint()
	o.hasTime = d.byte() == 1
	o.tb.kind = d.byte()
	o.tb.num = math.Float64frombits(d.uvarint())
	o.tb.str = d.string()
	o.input, o.line, o.pos, o.n = int(d.varint()), int(d.varint()), int(d.varint()), int(d.varint())
	c.sec, c.nsec = d.varint(), int32(d.varint())
	c.hasAt = d.byte() == 1
	c.index = d.string()
	c.w = int32(d.varint())
	c.doc = docRef{chunk: int32(d.varint()), n: int32(d.varint()), off: d.varint()}
	nh := d.uvarint()
	if nh > 1<<16 {
		d.err = errCand
		return nil
	}
	c.hits = make([]stageHit, nh)
	for i := range c.hits {
		c.hits[i].stage = int(d.varint())
		nk := d.uvarint()
		if nk > 1<<16 {
			d.err = errCand
			return nil
		}
		keys := make([]match.JoinKey, nk)
		for j := range keys {
			keys[j] = match.JoinKey(d.string())
		}
		c.hits[i].keys = keys
	}
	if d.err != nil {
		return nil
	}
	return c
}

func (d *candReader) varint() int64 {
	x, err := binary.ReadVarint(d.r)
	if err != nil && d.err == nil {
		d.err = errCand
	}
	return x
}

func (d *candReader) uvarint() uint64 {
	x, err := binary.ReadUvarint(d.r)
	if err != nil && d.err == nil {
		d.err = errCand
	}
	return x
}

func (d *candReader) byte() byte {
	x, err := d.r.ReadByte()
	if err != nil && d.err == nil {
		d.err = errCand
	}
	return x
}

func (d *candReader) string() string {
	n := d.uvarint()
	if d.err != nil || n > 1<<30 {
		d.err = errCand
		return ""
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(d.r, b); err != nil {
		d.err = errCand
		return ""
	}
	return string(b)
}

// spillable reports whether the candidates of rule ri may go to a run: a
// sequence without missing-event steps.
func (p *plan) spillable(ri int) bool {
	q := p.rules[ri].query
	if q.Kind != match.Sequences {
		return false
	}
	for _, s := range q.Steps {
		if s.Missing {
			return false
		}
	}
	return true
}

// spill writes the worker's candidates of sequences out as runs, when it
// holds too many (see above).
func (w *worker) spill() {
	for ri := range w.stateful {
		l := &w.stateful[ri]
		if len(l.blocks) == 0 || !w.plan.spillable(ri) {
			continue
		}
		cs := make([]stateCand, 0, l.n-l.spilled)
		for _, b := range l.blocks {
			cs = append(cs, b...)
		}
		sortCands(cs, len(w.plan.rules[ri].query.Steps))
		run, ok := w.runs.write(cs)
		if !ok {
			return // they stay in memory
		}
		l.runs = append(l.runs, run)
		l.spilled += len(cs)
		l.blocks = nil
	}
	w.memCands = 0
}

// sortCands puts a rule's candidates in the matcher's order: by ordinal,
// and of an event's records, the one with steps before the one of the
// until step alone (n is the number of steps).
func sortCands(cs []stateCand, n int) {
	slices.SortFunc(cs, func(a, b stateCand) int { return compareCands(&a, &b, n) })
}

func compareCands(a, b *stateCand, n int) int {
	if c := compareOrdinal(&a.ord, &b.ord); c != 0 {
		return c
	}
	switch ua, ub := untilOnly(a, n), untilOnly(b, n); {
	case ua && !ub:
		return 1
	case ub && !ua:
		return -1
	}
	return 0
}

// untilOnly reports whether candidate c was taken by the until step alone.
func untilOnly(c *stateCand, n int) bool {
	for _, h := range c.hits {
		if h.stage < n {
			return false
		}
	}
	return true
}

// candMerge yields the candidates of several ordered sources in order.
type candMerge struct {
	n       int // the rule's steps
	sources []candSource
	err     error
}

// candSource is an ordered source: a run in a file, or a sorted slice.
type candSource struct {
	cur  *stateCand
	run  *candReader
	mem  []stateCand
	next int
}

func (s *candSource) advance() {
	if s.run != nil {
		s.cur = s.run.next()
		return
	}
	s.cur = nil
	if s.next < len(s.mem) {
		s.cur = &s.mem[s.next]
		s.next++
	}
}

func (m *candMerge) Len() int { return len(m.sources) }
func (m *candMerge) Less(i, j int) bool {
	return compareCands(m.sources[i].cur, m.sources[j].cur, m.n) < 0
}
func (m *candMerge) Swap(i, j int) { m.sources[i], m.sources[j] = m.sources[j], m.sources[i] }
func (m *candMerge) Push(x any)    { m.sources = append(m.sources, x.(candSource)) }
func (m *candMerge) Pop() any {
	s := m.sources[len(m.sources)-1]
	m.sources = m.sources[:len(m.sources)-1]
	return s
}

// newCandMerge merges the runs and the candidates left in memory of rule
// ri in every worker.
func newCandMerge(ws []*worker, ri, n int) *candMerge {
	m := &candMerge{n: n}
	for _, w := range ws {
		l := &w.stateful[ri]
		for _, run := range l.runs {
			m.add(candSource{run: w.runs.open(run)})
		}
		var cs []stateCand
		for _, b := range l.blocks {
			cs = append(cs, b...)
		}
		w.stateful[ri] = candList{}
		sortCands(cs, n)
		m.add(candSource{mem: cs})
	}
	heap.Init(m)
	return m
}

func (m *candMerge) add(s candSource) {
	s.advance()
	if s.cur != nil {
		m.sources = append(m.sources, s)
	} else if s.run != nil && s.run.err != nil {
		m.err = s.run.err
	}
}

// next returns the next candidate in order; nil at the end.
func (m *candMerge) next() *stateCand {
	if len(m.sources) == 0 {
		return nil
	}
	s := &m.sources[0]
	c := s.cur
	s.advance()
	if s.cur == nil {
		if s.run != nil && s.run.err != nil && m.err == nil {
			m.err = s.run.err
		}
		heap.Pop(m)
	} else {
		heap.Fix(m, 0)
	}
	return c
}
