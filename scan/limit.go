package scan

import (
	"slices"
	"time"

	"github.com/valyala/fastjson"

	"dredge/report"
)

// The limit of hits per rule (Config.MaxHitsPerRule). A rule that fires
// on every event of a dump (a rule too broad, or a dump of the attack
// itself) must not hold every event in memory: a rule reports its earliest
// hits in report order, up to the limit, and counts the others. A worker
// keeps at most twice the limit of a rule's hits, cutting back to the
// earliest ones when it has more; the ordered stage and the last cut
// keep the limit for the whole scan. The hits cut are still counted, by
// rule and by host (hosts.go). Rules with pipes (head, tail) keep
// everything until their pipes have run, as tail needs the last hits.
//
// After a cut, the last hit a worker kept bounds the rule's hits: a later
// one in report order cannot be among the earliest maxHits of the scan, as
// the worker holds that many before it. Such a hit is counted at once,
// without its document or fields being copied (beyond). In a dump written
// in time order, as exports are, a rule that fires on every event then
// costs little more than a rule that fires on none.
//
// The documents of the hits wait in a temporary file (the worker's
// hitDocs) until the hits kept are known. When the documents of hits cut
// are half of it, and it has grown past maxDeadBytes, the documents still
// needed are copied to a new file and the old one is let go, so that a
// dump in reverse time order does not fill the disk with documents of
// hits dropped long ago.

// hit records a hit of event rule ri.
func (w *worker) hit(ri int, h hit) {
	hs := append(w.hits[ri], h)
	if n := w.plan.maxHits; n > 0 && len(hs) >= 2*n && len(w.plan.rules[ri].query.Pipes) == 0 {
		sortRuleHits(hs, w.plan)
		w.cut[ri] += len(hs) - n
		w.hosts.countHits(hs[n:])
		for i := range hs[n:] {
			w.deadBytes += int64(hs[n+i].doc.n)
		}
		clear(hs[n:])
		hs = hs[:n]
		last := hs[n-1].Hit
		w.bound[ri] = &report.Hit{Time: last.Time, Origin: last.Origin}
		w.hits[ri] = hs
		if w.hitBytes >= w.plan.maxDeadBytes && 2*w.deadBytes >= w.hitBytes {
			w.compactHitDocs()
		}
		return
	}
	w.hits[ri] = hs
}

// maxDeadBytes is the size of a worker's hitDocs from which it lets go
// of the documents of the hits cut (see above).
const maxDeadBytes = 64 << 20

// compactHitDocs copies the documents of the hits the worker holds to a
// new hitDocs, and lets the old one go.
func (w *worker) compactHitDocs() {
	var fresh docStore
	var size int64
	for _, hs := range w.hits {
		for i := range hs {
			h := &hs[i]
			if !h.stored {
				continue
			}
			doc := w.hitDocs.get(h.doc)
			h.doc = fresh.put(doc)
			size += int64(len(doc))
		}
	}
	w.hitDocs.close()
	w.hitDocs, w.hitBytes, w.deadBytes = fresh, size, 0
}

// beyond reports whether a hit of event rule ri at time t and origin comes
// after the bound of the rule's hits (see above), and if so counts it, on
// the rule and on the host of event v, as the hit would name it.
func (w *worker) beyond(ri int, t time.Time, origin report.Origin, v *fastjson.Value) bool {
	b := w.bound[ri]
	if b == nil {
		return false
	}
	h := report.Hit{Time: t, Origin: origin}
	if compareReport(&h, b, w.plan) < 0 {
		return false
	}
	w.cut[ri]++
	w.hosts.hit(w.plan.hostField(v), w.plan.rules[ri].rule.Severity)
	return true
}

// limit keeps, of each rule's hits, the earliest maxHits in report order,
// and returns them with the number of hits left out by rule index,
// counting those the workers cut.
func (p *plan) limit(hits []hit, ws []*worker) ([]hit, []int) {
	dropped := make([]int, len(p.rules))
	for _, w := range ws {
		for ri, n := range w.cut {
			dropped[ri] += n
		}
	}
	if p.maxHits <= 0 {
		return hits, dropped
	}
	// The hits of the rules over the limit, by rule, as indexes into
	// hits: the hits themselves are large, and not copied.
	count := make([]int, len(p.rules))
	for i := range hits {
		count[p.order[hits[i].Rule]]++
	}
	over := map[int][]int32{}
	for i := range hits {
		if ri := p.order[hits[i].Rule]; count[ri] > p.maxHits {
			over[ri] = append(over[ri], int32(i))
		}
	}
	if len(over) == 0 {
		return hits, dropped
	}
	drop := make([]bool, len(hits))
	for ri, is := range over {
		slices.SortStableFunc(is, func(a, b int32) int {
			return compareReport(&hits[a].Hit, &hits[b].Hit, p)
		})
		for _, i := range is[p.maxHits:] {
			drop[i] = true
		}
		dropped[ri] += len(is) - p.maxHits
	}
	out := hits[:0]
	for i := range hits {
		if !drop[i] {
			out = append(out, hits[i])
		}
	}
	clear(hits[len(out):])
	return out, dropped
}

// sortRuleHits puts hits of one rule in report order.
func sortRuleHits(hs []hit, p *plan) {
	slices.SortStableFunc(hs, func(a, b hit) int {
		return compareReport(&a.Hit, &b.Hit, p)
	})
}

// compareReport orders two hits by time (hits without one last), input and
// line: the report's order (sortHits), less the rule.
func compareReport(a, b *report.Hit, p *plan) int {
	if za, zb := a.Time.IsZero(), b.Time.IsZero(); za != zb {
		if za {
			return 1
		}
		return -1
	}
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if a.Origin.File != b.Origin.File {
		return p.inputOrder(a) - p.inputOrder(b)
	}
	return a.Origin.Line - b.Origin.Line
}
