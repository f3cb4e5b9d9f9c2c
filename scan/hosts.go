package scan

import (
	"slices"
	"strings"
	"time"

	"dredge/event"
	"dredge/report"
	"dredge/rules"
)

// Per-host figures (report.Summary.Hosts). A host is the first text value
// of an event's host.name after normalisation (so the computer that logged
// a forwarded Windows event, not the collector), else of host.hostname, as
// a hit's report.Fields.Host; "" when the event has neither. Each worker
// counts the events it scans (those in the window) by host; the hits are
// counted by the host of report.Fields.Host, every hit found, those the
// limit of hits per rule leaves out of the report included (limit.go).
//
// Hostile input cannot exhaust memory with host names: a table keeps at
// most maxHosts hosts, those whose names come first in byte order, and
// counts the others under OtherHosts; a name longer than maxHostName bytes
// is counted there too. Which hosts are kept does not depend on the order
// the events are read in, so the figures are the same whatever the number
// of workers.

// OtherHosts is the name under which report.Summary.Hosts counts the hosts
// beyond the most that a scan lists (maxHosts), and those with a name
// longer than maxHostName bytes. It is the last of the list.
const OtherHosts = "(other hosts)"

const (
	// maxHosts is the most hosts listed by name.
	maxHosts = 100_000
	// maxHostName is the longest host name listed: a DNS name has at most
	// 253 characters.
	maxHostName = 256
)

// hostStat is what a table holds of one host.
type hostStat struct {
	name        string
	first, last time.Time
	events      int64
	hits        report.SeverityCounts
}

// add counts an event of time t (ok: it has a usable one).
func (s *hostStat) add(t time.Time, ok bool) {
	s.events++
	if ok {
		s.addTimes(t, t)
	}
}

// addTimes widens s's first and last event times to first and last.
func (s *hostStat) addTimes(first, last time.Time) {
	if s.first.IsZero() || (!first.IsZero() && first.Before(s.first)) {
		s.first = first
	}
	if last.After(s.last) {
		s.last = last
	}
}

// merge adds the counts of o to s.
func (s *hostStat) merge(o *hostStat) {
	s.events += o.events
	s.addTimes(o.first, o.last)
	s.hits.Critical += o.hits.Critical
	s.hits.High += o.hits.High
	s.hits.Medium += o.hits.Medium
	s.hits.Low += o.hits.Low
}

// hostTable counts events and hits by host, for at most limit hosts: the
// limit whose names come first, the others under other. It holds up to
// twice the limit, and then drops the names after the limit'th, whose
// name becomes the cutoff: a name after it is counted under other at once.
// A name among the limit first of all those it is given is thus never
// dropped, and keeps exact counts.
type hostTable struct {
	limit int
	index map[string]int32 // name → place in stats
	stats []hostStat
	other hostStat
	// cutoff is the last name kept by the last cut, when cut.
	cutoff string
	cut    bool
	// last is the place of the host of the last event, -1 before: events
	// come in runs of the same host.
	last int32
}

func newHostTable(limit int) *hostTable {
	return &hostTable{limit: limit, index: map[string]int32{}, last: -1}
}

// stat returns the counts of host name, adding it when new, or those of
// the other hosts when it is not kept. name may share a parser's memory:
// the table keeps a copy.
func (h *hostTable) stat(name string) *hostStat {
	if h.last >= 0 && h.stats[h.last].name == name {
		return &h.stats[h.last]
	}
	if i, ok := h.index[name]; ok {
		h.last = i
		return &h.stats[i]
	}
	if len(name) > maxHostName || h.cut && name > h.cutoff {
		return &h.other
	}
	if len(h.stats) >= 2*h.limit {
		h.shrink()
		if name > h.cutoff {
			return &h.other
		}
	}
	name = strings.Clone(name)
	h.index[name] = int32(len(h.stats))
	h.stats = append(h.stats, hostStat{name: name})
	h.last = int32(len(h.stats) - 1)
	return &h.stats[h.last]
}

// shrink keeps the limit hosts whose names come first and counts the
// others under other.
func (h *hostTable) shrink() {
	slices.SortFunc(h.stats, func(a, b hostStat) int { return strings.Compare(a.name, b.name) })
	for i := h.limit; i < len(h.stats); i++ {
		h.other.merge(&h.stats[i])
	}
	clear(h.stats[h.limit:])
	h.stats = h.stats[:h.limit]
	clear(h.index)
	for i := range h.stats {
		h.index[h.stats[i].name] = int32(i)
	}
	h.cutoff, h.cut, h.last = h.stats[h.limit-1].name, true, -1
}

// event counts an event of host name at time t (ok: it has a usable one).
func (h *hostTable) event(name string, t time.Time, ok bool) {
	h.stat(name).add(t, ok)
}

// hit counts a hit of severity on host name; an unknown severity counts
// as low.
func (h *hostTable) hit(name, severity string) {
	c := &h.stat(name).hits
	switch rules.SeverityRank(severity) {
	case 4:
		c.Critical++
	case 3:
		c.High++
	case 2:
		c.Medium++
	default:
		c.Low++
	}
}

// merge adds the counts of o to h.
func (h *hostTable) merge(o *hostTable) {
	for i := range o.stats {
		h.stat(o.stats[i].name).merge(&o.stats[i])
	}
	h.other.merge(&o.other)
}

// list returns the hosts by name, then OtherHosts when some were counted
// there.
func (h *hostTable) list() []report.HostStat {
	if len(h.stats) > h.limit {
		h.shrink()
	}
	slices.SortFunc(h.stats, func(a, b hostStat) int { return strings.Compare(a.name, b.name) })
	h.last = -1
	out := make([]report.HostStat, 0, len(h.stats)+1)
	for i := range h.stats {
		out = append(out, h.stats[i].report())
	}
	if o := h.other; o.events > 0 || o.hits != (report.SeverityCounts{}) {
		o.name = OtherHosts
		out = append(out, o.report())
	}
	return out
}

func (s *hostStat) report() report.HostStat {
	return report.HostStat{Name: s.name, First: s.first, Last: s.last, Events: s.events, Hits: s.hits}
}

// host returns the host of the current event (see above), sharing the
// parser's memory.
func (w *worker) host() string {
	for _, p := range [2]*event.Path{w.plan.host, w.plan.hostname} {
		for _, x := range p.Values(&w.doc) {
			if s, ok := event.Text(x); ok {
				return s
			}
		}
	}
	return ""
}

// countHits counts hits on the hosts of h by their hosts and rules'
// severities.
func (h *hostTable) countHits(hits []hit) {
	for i := range hits {
		h.hit(hits[i].Fields.Host, hits[i].Rule.Severity)
	}
}
