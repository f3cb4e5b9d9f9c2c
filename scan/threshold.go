package scan

import (
	"cmp"
	"encoding/binary"
	"slices"
	"strings"
	"time"

	"dredge/event"
	"dredge/report"
	"dredge/rules"

	"github.com/valyala/fastjson"
)

// Threshold rules.
//
// Kibana runs a threshold rule as one search: the events that match the
// query within the rule's time range go into a composite aggregation with
// one terms source per threshold field, each bucket with the min and max of
// the event time and, when the rule has a cardinality condition, the
// cardinality of its field; buckets with fewer events than the threshold
// value, or fewer distinct values than the condition asks, are dropped. Each
// bucket left is one alert, whose threshold_result holds the bucket's terms,
// count, first time and distinct-value count. dredge does the same over the
// whole dump, as if one run of the rule covered all of it (a dump has no
// schedule to cut it into windows):
//
//   - An event is counted when it matches the query and has a time by the
//     rule's timestamp settings (the search's time range leaves out events
//     without one).
//   - Its groups are the combinations of its values of the threshold
//     fields, as a composite aggregation makes them: a field with several
//     values puts the event in one group per value (values of a field are
//     a set, so a repeated value counts once), and an event missing a field
//     (or holding only null there) is in no group. Values compare as text,
//     as in a keyword field. A rule with no threshold field has one group,
//     of all the events it counts.
//   - A group alerts when it has at least Value events and, for the first
//     cardinality condition (the only one Kibana's executor applies), at
//     least that many distinct values of its field. Elasticsearch counts
//     distinct values approximately above 3000 (the default precision of
//     its cardinality aggregation); dredge counts them exactly.
//   - The hit is the group's first event (by time, then input and line):
//     its time, origin, document and display fields, with the group's
//     terms, count, first and last times and distinct-value count.
//
// Every worker keeps its own groups as it goes: a count, the first and last
// times, where the first event is and, for a cardinality condition, the set
// of distinct values. Its first event's document waits in the worker's
// docStore (only those of the hits are read back). Nothing grows with the
// number of events, only with the number of groups and, for a cardinality
// condition, with the distinct values in them. When all input is read, the
// workers' groups are merged (counts add up, the earliest first event and
// the latest last time win, the value sets join): the outcome does not
// depend on which worker saw which event. The groups that alert become hits
// in the order of their first events.

// planThreshold is a threshold rule's settings, prepared for a scan.
type planThreshold struct {
	fields []*event.Path
	value  int64
	// card is the field of the cardinality condition, nil when there is
	// none; cardValue is the number of distinct values it asks.
	card      *event.Path
	cardValue int64
}

// newPlanThreshold prepares rule r's threshold; nil when r is not a
// threshold rule.
func newPlanThreshold(r *rules.Rule) *planThreshold {
	if r.Type != "threshold" || r.Threshold == nil {
		return nil
	}
	pt := &planThreshold{value: int64(r.Threshold.Value)}
	for _, f := range r.Threshold.Fields {
		pt.fields = append(pt.fields, event.NewPath(f))
	}
	if len(r.Threshold.Cardinality) > 0 {
		c := r.Threshold.Cardinality[0]
		pt.card, pt.cardValue = event.NewPath(c.Field), int64(c.Value)
	}
	return pt
}

// thrEvent is where an event is: its time, its place in the input and, for
// a group's first event, its document in the docStore of worker w.
type thrEvent struct {
	t     time.Time
	input int
	line  int
	pos   int
	w     int32
	doc   docRef
	index string
}

// before reports whether event a comes before event b: by time, then input,
// line and position in the chunk.
func (a *thrEvent) before(b *thrEvent) bool {
	if c := a.t.Compare(b.t); c != 0 {
		return c < 0
	}
	return cmp.Or(cmp.Compare(a.input, b.input), cmp.Compare(a.line, b.line), cmp.Compare(a.pos, b.pos)) < 0
}

// thrGroup is a threshold group: what one worker saw of it, and after the
// merge what all saw.
type thrGroup struct {
	count int64
	first thrEvent
	last  time.Time
	// distinct holds the values of the cardinality field; nil when the
	// rule has no cardinality condition.
	distinct map[string]struct{}
}

// merge adds what another worker saw of the group.
func (g *thrGroup) merge(o *thrGroup) {
	g.count += o.count
	if o.first.before(&g.first) {
		g.first = o.first
	}
	if o.last.After(g.last) {
		g.last = o.last
	}
	if len(o.distinct) > len(g.distinct) {
		g.distinct, o.distinct = o.distinct, g.distinct
	}
	for v := range o.distinct {
		g.distinct[v] = struct{}{}
	}
}

// thresholdState is one worker's threshold groups, by rule index and
// encoded terms (see appendTerm), and its scratch space.
type thresholdState struct {
	groups   []map[string]*thrGroup
	vals     [][]string
	idx      []int
	key      []byte
	distinct []string
}

// threshold counts the event v, which matched threshold rule ri, in its
// groups. t is its time by the rule's settings (zero when it has none);
// store puts its document in the worker's docStore.
func (w *worker) threshold(ri int, v *fastjson.Value, t time.Time, input int, origin report.Origin, pos int, index string, store func() docRef) {
	if t.IsZero() {
		return
	}
	pt := w.plan.rules[ri].threshold
	s := &w.thr
	if s.groups == nil {
		s.groups = make([]map[string]*thrGroup, len(w.plan.rules))
	}
	if s.groups[ri] == nil {
		s.groups[ri] = map[string]*thrGroup{}
	}
	groups := s.groups[ri]
	for len(s.vals) < len(pt.fields) {
		s.vals = append(s.vals, nil)
	}
	vals := s.vals[:len(pt.fields)]
	for i, p := range pt.fields {
		vals[i] = appendTexts(vals[i][:0], p, v)
		if len(vals[i]) == 0 {
			return // no value: in no group
		}
		if len(vals[i]) > 1 {
			// The values of a field are a set: a repeated one puts the
			// event in its group once.
			slices.Sort(vals[i])
			vals[i] = slices.Compact(vals[i])
		}
	}
	s.distinct = s.distinct[:0]
	if pt.card != nil {
		s.distinct = appendTexts(s.distinct, pt.card, v)
	}
	s.idx = s.idx[:0]
	for range vals {
		s.idx = append(s.idx, 0)
	}
	ev := thrEvent{t: t, input: input, line: origin.Line, pos: pos}
	for {
		s.key = s.key[:0]
		for i, vs := range vals {
			s.key = appendTerm(s.key, vs[s.idx[i]])
		}
		g := groups[string(s.key)]
		if g == nil {
			g = &thrGroup{}
			if pt.card != nil {
				g.distinct = map[string]struct{}{}
			}
			groups[string(s.key)] = g
		}
		g.count++
		if g.count == 1 || ev.before(&g.first) {
			g.first = ev
			g.first.w, g.first.doc, g.first.index = int32(w.index), store(), index
		}
		if t.After(g.last) {
			g.last = t
		}
		for _, d := range s.distinct {
			if _, ok := g.distinct[d]; !ok {
				g.distinct[strings.Clone(d)] = struct{}{}
			}
		}
		// The next combination of values, the last field turning fastest.
		i := len(vals) - 1
		for ; i >= 0; i-- {
			if s.idx[i]++; s.idx[i] < len(vals[i]) {
				break
			}
			s.idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// appendTexts appends to vs the values of field p in v as text. The
// strings share the parser's memory: they are good until the worker parses
// the next event.
func appendTexts(vs []string, p *event.Path, v *fastjson.Value) []string {
	p.Visit(v, func(x *fastjson.Value) bool {
		if s, ok := event.Text(x); ok {
			vs = append(vs, s)
		}
		return false
	})
	return vs
}

// appendTerm appends one value to a group key: its length, then its bytes,
// so that no two lists of values give the same key.
func appendTerm(key []byte, v string) []byte {
	key = binary.AppendUvarint(key, uint64(len(v)))
	return append(key, v...)
}

// splitTerms decodes a group key into its values.
func splitTerms(key string) []string {
	var out []string
	for len(key) > 0 {
		n, k := binary.Uvarint([]byte(key[:min(len(key), binary.MaxVarintLen64)]))
		key = key[k:]
		out = append(out, key[:n])
		key = key[n:]
	}
	return out
}

// thresholds runs the last stage of the threshold rules: it merges the
// workers' groups of each rule and returns a hit for each group that
// alerts, in the order of their first events. docs are the workers'
// document stores.
func (p *plan) thresholds(ws []*worker, docs []*docStore) []hit {
	var hits []hit
	for ri := range p.rules {
		r := &p.rules[ri]
		pt := r.threshold
		if pt == nil {
			continue
		}
		merged := map[string]*thrGroup{}
		for _, w := range ws {
			if w.thr.groups == nil {
				continue
			}
			for k, g := range w.thr.groups[ri] {
				if m := merged[k]; m != nil {
					m.merge(g)
				} else {
					merged[k] = g
				}
			}
			w.thr.groups[ri] = nil
		}
		type alert struct {
			terms []string
			g     *thrGroup
		}
		var alerts []alert
		for k, g := range merged {
			if g.count < pt.value || (pt.card != nil && int64(len(g.distinct)) < pt.cardValue) {
				continue
			}
			alerts = append(alerts, alert{splitTerms(k), g})
		}
		// Groups may share their first event (one with several values of a
		// field): their terms order them.
		slices.SortFunc(alerts, func(a, b alert) int {
			if a.g.first.before(&b.g.first) {
				return -1
			}
			if b.g.first.before(&a.g.first) {
				return 1
			}
			return slices.Compare(a.terms, b.terms)
		})
		for n, a := range alerts {
			hits = append(hits, p.thresholdHit(r, a.terms, a.g, n, docs))
		}
	}
	return hits
}

// thresholdHit is the hit of group g of rule r, the n'th of its hits.
func (p *plan) thresholdHit(r *planRule, terms []string, g *thrGroup, n int, docs []*docStore) hit {
	f := &g.first
	res := &report.ThresholdResult{Terms: []report.ThresholdTerm{}, Count: g.count, First: f.t, Last: g.last}
	for i, v := range terms {
		res.Terms = append(res.Terms, report.ThresholdTerm{Field: r.rule.Threshold.Fields[i], Value: v})
	}
	if r.threshold.card != nil {
		res.Cardinality = []report.ThresholdCardinality{{Field: r.rule.Threshold.Cardinality[0].Field, Value: int64(len(g.distinct))}}
	}
	h := report.Hit{Rule: r.rule, Time: f.t, Origin: report.Origin{File: p.names[f.input], Line: f.line},
		Index: f.index, Document: docs[f.w].get(f.doc), Threshold: res}
	h.Fields = p.docFields(h.Document, h.Index)
	ord := ordinal{ms: f.t.UnixMilli(), hasTime: true, input: f.input, line: f.line, pos: f.pos, n: n}
	return hit{Hit: h, ord: ord}
}
