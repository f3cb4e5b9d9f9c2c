package scan

import (
	"slices"

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

// hit records a hit of event rule ri.
func (w *worker) hit(ri int, h hit) {
	hs := append(w.hits[ri], h)
	if n := w.plan.maxHits; n > 0 && len(hs) >= 2*n && len(w.plan.rules[ri].query.Pipes) == 0 {
		sortRuleHits(hs, w.plan)
		w.cut[ri] += len(hs) - n
		w.hosts.countHits(hs[n:])
		clear(hs[n:])
		hs = hs[:n]
	}
	w.hits[ri] = hs
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
	byRule := make([][]hit, len(p.rules))
	for _, h := range hits {
		ri := p.order[h.Rule]
		byRule[ri] = append(byRule[ri], h)
	}
	out := hits[:0]
	for ri, hs := range byRule {
		if len(hs) > p.maxHits {
			sortRuleHits(hs, p)
			dropped[ri] += len(hs) - p.maxHits
			hs = hs[:p.maxHits]
		}
		out = append(out, hs...)
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
