package scan

import (
	"cmp"
	"strings"
	"time"

	"dredge/event"
	"dredge/report"

	"github.com/valyala/fastjson"
)

// ordinal is the place of an event in a rule's order, the order in which
// Elasticsearch sorts EQL results: by time, to the millisecond (the
// precision of a date field), then by the rule's tiebreaker field, then by
// the event's place in the input (input, line, position in its chunk),
// which plays the part of Elasticsearch's implicit tiebreaker. n orders
// results that share all the rest: sequences that end on the same event,
// samples (in the order of their join keys).
type ordinal struct {
	ms      int64
	hasTime bool
	tb      tiebreak
	input   int
	line    int
	pos     int
	n       int
}

// tiebreak is the value of a tiebreaker field: a number, a string, or
// none (kind 0), which sorts last.
type tiebreak struct {
	kind uint8 // 0 none, 1 number, 2 string
	num  float64
	str  string
}

func compareOrdinal(a, b *ordinal) int {
	if a.hasTime != b.hasTime {
		if a.hasTime {
			return -1 // events without a time come last
		}
		return 1
	}
	if c := cmp.Compare(a.ms, b.ms); c != 0 {
		return c
	}
	if c := compareTiebreak(&a.tb, &b.tb); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(a.input, b.input), cmp.Compare(a.line, b.line), cmp.Compare(a.pos, b.pos), cmp.Compare(a.n, b.n))
}

func compareTiebreak(a, b *tiebreak) int {
	if a.kind != b.kind {
		if a.kind == 0 || (b.kind != 0 && a.kind > b.kind) {
			return 1
		}
		return -1
	}
	switch a.kind {
	case 1:
		return cmp.Compare(a.num, b.num)
	case 2:
		return strings.Compare(a.str, b.str)
	}
	return 0
}

// ordinalAt is the place of the event v at input, line and pos in the
// order of rule r, its time in that order read already: t when ok.
func (r *planRule) ordinalAt(v *fastjson.Value, t time.Time, ok bool, input, line, pos int) ordinal {
	o := ordinal{input: input, line: line, pos: pos}
	if ok {
		o.ms, o.hasTime = t.UnixMilli(), true
	}
	if r.tiebreaker != nil {
		r.tiebreaker.Visit(v, func(x *fastjson.Value) bool {
			switch x.Type() {
			case fastjson.TypeNumber:
				if f, err := x.Float64(); err == nil {
					o.tb = tiebreak{kind: 1, num: f}
				}
			default:
				if s, ok := event.Text(x); ok {
					o.tb = tiebreak{kind: 2, str: strings.Clone(s)}
				}
			}
			return true // the first value only
		})
	}
	return o
}

// hit is a hit with its place in its rule's order.
type hit struct {
	report.Hit
	ord ordinal
	// For the hit of an event rule, the document waits in the hitDocs of
	// worker docW, at doc, until the hits kept are known (Document is
	// nil until then): stored tells it is there.
	doc    docRef
	docW   int32
	stored bool
}

// Order is the order of the hits of a scan.
type Order uint8

const (
	// ReportOrder: by time (hits without one last), then input, line and
	// rule; a sequence or sample hit by its first event.
	ReportOrder Order = iota
	// QueryOrder: the order in which Elasticsearch returns the results of
	// an EQL query: events by time, tiebreaker and place in the input;
	// sequences by their last event; samples by their join keys. It is
	// meant for a scan with one rule, such as dredge query.
	QueryOrder
)
