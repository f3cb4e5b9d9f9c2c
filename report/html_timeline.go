package report

import (
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"
)

// The timeline of the HTML report: events and hits over time, drawn by
// dredge as an inline SVG (the page loads nothing). The events come from
// Summary.Timeline, counted by the scan in buckets of Summary.TimelineStep;
// the hits from the times of the hits in the report. Both are counted again
// in bars of one step, a round span of time chosen to give at most
// timelineBars bars and a multiple of the scan's step, so that a bar holds
// whole buckets. A bucket counts in the bar where it starts.
//
// Times far from all the others — an event dated 1970 by a broken exporter
// in a dump of one week — would squash the rest into one bar, so the chart
// leaves out the points at either end that lie further from the rest than
// twice its span, as long as they are at most timelineOutliers of the
// events and hits; the caption says how many it left out, and when.

// timelineBars is the most bars in the timeline, and timelineMinBars the
// fewest.
const (
	timelineBars    = 120
	timelineMinBars = 24
)

// timelineOutliers is the most of the events and hits (a fraction) that the
// timeline leaves out as far from the rest.
const timelineOutliers = 0.01

// timelineSpan is the longest span of time the timeline shows: the points
// past it, from the first, are left out.
const timelineSpan = 200 * 365 * day

// timelineSteps are the round steps of the timeline's bars, finest first.
var timelineSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	day, 2 * day, 7 * day, 14 * day, 30 * day, 90 * day, 180 * day, 360 * day, 720 * day, 1800 * day, 3600 * day,
}

const day = 24 * time.Hour

// timePoint is a time with the events and hits there, the unit of the
// outlier trimming.
type timePoint struct {
	t      time.Time
	events int64
	hits   int64
}

// timelineBar is one bar: the events and the hits by severity in
// [Start, Start+step).
type timelineBar struct {
	Start  time.Time
	Events int64
	Hits   [5]int64 // by severityIndex
}

// timelineChart is the timeline as the page draws it.
type timelineChart struct {
	Step time.Duration
	Bars []timelineBar
	// LeftOut are the events and hits left out of the chart as far from
	// the rest, and the times they span; NoTime the hits without a time.
	LeftOutEvents, LeftOutHits int64
	LeftOutFirst, LeftOutLast  time.Time
	NoTimeHits                 int
}

// severityIndex orders severities for stacking: critical first, then
// high, medium, low and any other.
func severityIndex(s string) int {
	if r := severityRank(s); r > 0 {
		return len(severities) - r
	}
	return len(severities)
}

// newTimeline counts the events of s and the hits into bars aligned in
// zone loc; nil when nothing has a time.
func newTimeline(s *Summary, hits []Hit, loc *time.Location) *timelineChart {
	tc := &timelineChart{}
	var points []timePoint
	for _, b := range s.Timeline {
		if b.Events > 0 {
			points = append(points, timePoint{t: b.Start, events: b.Events})
		}
	}
	for i := range hits {
		if hits[i].Time.IsZero() {
			tc.NoTimeHits++
			continue
		}
		points = append(points, timePoint{t: hits[i].Time, hits: 1})
	}
	if len(points) == 0 {
		return nil
	}
	slices.SortStableFunc(points, func(a, b timePoint) int { return a.t.Compare(b.t) })
	lo, hi := trimOutliers(points)
	for _, p := range points[:lo] {
		tc.leaveOut(p)
	}
	for _, p := range points[hi:] {
		tc.leaveOut(p)
	}
	// Past timelineSpan, time.Duration would overflow.
	for hi > lo+1 && points[hi-1].t.Sub(points[lo].t) >= timelineSpan {
		hi--
		tc.leaveOut(points[hi])
	}
	kept := points[lo:hi]
	first, last := kept[0].t, kept[len(kept)-1].t
	if s.TimelineStep > 0 && len(s.Timeline) > 0 {
		// The last bucket's events may be anywhere in it.
		for _, p := range slices.Backward(kept) {
			if p.events > 0 {
				last = later(last, p.t.Add(s.TimelineStep-1))
				break
			}
		}
	}
	tc.Step = timelineStep(last.Sub(first), s.TimelineStep)
	origin := alignTime(first.In(loc), tc.Step)
	n := int(last.Sub(origin)/tc.Step) + 1
	if n < timelineMinBars {
		// Few bars would each be as wide as the page: center them in more.
		origin = origin.Add(-time.Duration((timelineMinBars-n)/2) * tc.Step)
		n = timelineMinBars
	}
	tc.Bars = make([]timelineBar, n)
	for i := range tc.Bars {
		tc.Bars[i].Start = origin.Add(time.Duration(i) * tc.Step)
	}
	bar := func(t time.Time) *timelineBar {
		i := int(t.Sub(origin) / tc.Step)
		if i < 0 || i >= n {
			return nil
		}
		return &tc.Bars[i]
	}
	for _, p := range kept {
		if p.events > 0 {
			if b := bar(p.t); b != nil {
				b.Events += p.events
			}
		}
	}
	// The hits by severity: the points hold only their count.
	for i := range hits {
		h := &hits[i]
		if h.Time.IsZero() || h.Time.Before(kept[0].t) || h.Time.After(kept[len(kept)-1].t) {
			continue
		}
		if b := bar(h.Time); b != nil {
			b.Hits[severityIndex(h.Rule.Severity)]++
		}
	}
	return tc
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// leaveOut counts p as left out of the chart.
func (tc *timelineChart) leaveOut(p timePoint) {
	tc.LeftOutEvents += p.events
	tc.LeftOutHits += p.hits
	if tc.LeftOutFirst.IsZero() || p.t.Before(tc.LeftOutFirst) {
		tc.LeftOutFirst = p.t
	}
	if p.t.After(tc.LeftOutLast) {
		tc.LeftOutLast = p.t
	}
}

// trimOutliers returns the range [lo, hi) of the sorted points that the
// chart shows: it leaves out points at either end whose gap to the rest is
// more than twice the span of the rest (and more than two days), as long
// as those left out hold at most timelineOutliers of the events and hits.
func trimOutliers(points []timePoint) (lo, hi int) {
	var total int64
	for _, p := range points {
		total += p.events + p.hits
	}
	budget := int64(float64(total) * timelineOutliers)
	lo, hi = 0, len(points)
	far := func(gap, rest time.Duration) bool { return gap > 2*max(rest, day) }
	for range 2 { // a second round for ends that the first one made far
		var w int64
		cut := lo
		for i := lo; i < hi-1; i++ {
			w += points[i].events + points[i].hits
			if w > budget {
				break
			}
			if far(points[i+1].t.Sub(points[i].t), points[hi-1].t.Sub(points[i+1].t)) {
				cut = i + 1
			}
		}
		budget -= weight(points[lo:cut])
		lo = cut
		w = 0
		cut = hi
		for i := hi - 1; i > lo; i-- {
			w += points[i].events + points[i].hits
			if w > budget {
				break
			}
			if far(points[i].t.Sub(points[i-1].t), points[i-1].t.Sub(points[lo].t)) {
				cut = i
			}
		}
		budget -= weight(points[cut:hi])
		hi = cut
	}
	return lo, hi
}

func weight(points []timePoint) int64 {
	var w int64
	for _, p := range points {
		w += p.events + p.hits
	}
	return w
}

// timelineStep is the step of the bars for a span: the finest round step
// that gives at most timelineBars bars and is a multiple of the scan's
// step (bucket; 0 when there is none), unless it gives fewer than a
// quarter of that; then the finest multiple of bucket that does.
func timelineStep(span, bucket time.Duration) time.Duration {
	need := span/timelineBars + 1
	for _, s := range timelineSteps {
		if s >= need && s >= bucket && (bucket <= 0 || s%bucket == 0) {
			if s <= 4*need || s == bucket {
				return s
			}
			break
		}
	}
	bucket = max(bucket, time.Second)
	return (need + bucket - 1) / bucket * bucket
}

// alignTime is the start of the first bar: t rounded down to a multiple of
// step in t's zone, so that an hour step starts on the hour there and a day
// step at midnight.
func alignTime(t time.Time, step time.Duration) time.Time {
	_, off := t.Zone()
	stepSec := int64(step / time.Second)
	return time.Unix(floorDiv(t.Unix()+int64(off), stepSec)*stepSec-int64(off), 0).In(t.Location())
}

// roundTime reports whether t is a multiple of d in its zone.
func roundTime(t time.Time, d time.Duration) bool {
	_, off := t.Zone()
	sec := int64(d / time.Second)
	return t.Nanosecond() == 0 && (t.Unix()+int64(off))%sec == 0
}

// floorDiv is a / b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// The timeline's drawing, in the SVG's own units: the page scales it to
// its width.
const (
	svgWidth   = 1000
	svgLeft    = 78 // the lane names
	svgRight   = 8
	svgEventsY = 14 // the top of the events lane
	svgEventsH = 84
	svgHitsY   = 112 // the top of the hits lane
	svgHitsH   = 56
	svgAxisY   = 172 // the axis line, under the hits lane
	svgHeight  = 196
)

// svg draws the chart with times in loc. Every text in it is ours (times,
// counts, words), escaped all the same.
func (tc *timelineChart) svg(loc *time.Location) template.HTML {
	var b strings.Builder
	esc := template.HTMLEscapeString
	var maxEvents, maxHits, events, hits int64
	for _, bar := range tc.Bars {
		maxEvents = max(maxEvents, bar.Events)
		maxHits = max(maxHits, sum(bar.Hits[:]))
		events += bar.Events
		hits += sum(bar.Hits[:])
	}
	n := len(tc.Bars)
	plot := float64(svgWidth - svgLeft - svgRight)
	w := plot / float64(n)
	gap := min(w*0.15, 1.5)
	x := func(i int) float64 { return svgLeft + float64(i)*w }
	fmt.Fprintf(&b, `<svg class="timeline" viewBox="0 0 %d %d" role="img" aria-label="%s">`,
		svgWidth, svgHeight, esc(fmt.Sprintf("%s events and %s hits over time, by %s", formatCount(events), formatCount(hits), stepText(tc.Step))))
	b.WriteString("\n")
	// The lanes, with their names and their largest bar.
	lane := func(y, h int, name string, top int64) {
		fmt.Fprintf(&b, `<rect class="lane" x="%d" y="%d" width="%g" height="%d"></rect>`+"\n", svgLeft, y, plot, h)
		fmt.Fprintf(&b, `<text class="lane-name" x="%d" y="%d">%s</text>`+"\n", svgLeft-6, y+h/2+4, esc(name))
		fmt.Fprintf(&b, `<text class="lane-max" x="%d" y="%d">%s</text>`+"\n", svgLeft-6, y+10, esc("max "+formatCount(top)))
	}
	lane(svgEventsY, svgEventsH, "events", maxEvents)
	lane(svgHitsY, svgHitsH, "hits", maxHits)
	height := func(v, top int64, h int) float64 {
		if v == 0 || top == 0 {
			return 0
		}
		return max(float64(v)/float64(top)*float64(h), 1.5) // one event still shows
	}
	for i, bar := range tc.Bars {
		if bar.Events == 0 && sum(bar.Hits[:]) == 0 {
			continue
		}
		if h := height(bar.Events, maxEvents, svgEventsH); h > 0 {
			fmt.Fprintf(&b, `<rect class="ev" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`+"\n",
				x(i)+gap/2, float64(svgEventsY+svgEventsH)-h, w-gap, h)
		}
		// Hits, stacked by severity, the most severe at the bottom.
		base := float64(svgHitsY + svgHitsH)
		total := height(sum(bar.Hits[:]), maxHits, svgHitsH)
		var done int64
		for s, c := range bar.Hits {
			if c == 0 {
				continue
			}
			top := base - total*float64(done+c)/float64(sum(bar.Hits[:]))
			bottom := base - total*float64(done)/float64(sum(bar.Hits[:]))
			done += c
			fmt.Fprintf(&b, `<rect class="hit sev-%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`+"\n",
				severityName(s), x(i)+gap/2, top, w-gap, bottom-top)
		}
		// A column over both lanes that tells the bar's figures on hover.
		fmt.Fprintf(&b, `<rect class="tip" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title></rect>`+"\n",
			x(i), svgEventsY, w, svgHitsY+svgHitsH-svgEventsY, esc(tc.barText(bar, loc)))
	}
	// The axis, with a label at round times.
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"></line>`+"\n", svgLeft, svgAxisY, svgWidth-svgRight, svgAxisY)
	at, every := tc.labels(loc)
	var prev time.Time
	for i := 0; i <= n; i++ {
		if !at[i] {
			continue
		}
		t := tc.Bars[0].Start.Add(time.Duration(i) * tc.Step).In(loc)
		fmt.Fprintf(&b, `<line class="tick" x1="%.1f" y1="%d" x2="%.1f" y2="%d"></line>`+"\n", x(i), svgAxisY, x(i), svgAxisY+4)
		anchor := "middle"
		if i == 0 {
			anchor = "start"
		} else if i == n {
			anchor = "end"
		}
		fmt.Fprintf(&b, `<text class="label" x="%.1f" y="%d" text-anchor="%s">%s</text>`+"\n",
			x(i), svgAxisY+17, anchor, esc(axisLabel(t, prev, tc.Step, every)))
		prev = t
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

func sum(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}

// severityName is the class name of severityIndex i.
func severityName(i int) string {
	if i < len(severities) {
		return severities[i]
	}
	return "other"
}

// barText tells a bar's span and figures, for its tooltip.
func (tc *timelineChart) barText(bar timelineBar, loc *time.Location) string {
	start := bar.Start.In(loc)
	end := start.Add(tc.Step)
	layout := "2006-01-02 15:04"
	if tc.Step < time.Minute {
		layout = "2006-01-02 15:04:05"
	} else if tc.Step >= day {
		layout = "2006-01-02"
		end = end.Add(-day) // the last day in the bar
	}
	span := start.Format(layout)
	switch {
	case end.Format(layout) == span:
	case tc.Step < day && sameDay(start, end):
		span += " to " + end.Format(layout[len("2006-01-02 "):])
	default:
		span += " to " + end.Format(layout)
	}
	text := span + ": " + plural(bar.Events, "event", "events") + ", " + plural(sum(bar.Hits[:]), "hit", "hits")
	var parts []string
	for s, c := range bar.Hits {
		if c > 0 {
			parts = append(parts, formatCount(c)+" "+severityName(s))
		}
	}
	if len(parts) > 0 {
		text += " (" + strings.Join(parts, ", ") + ")"
	}
	return text
}

// labels says at which of the bars' boundaries (0 to len(Bars)) the axis
// has a label, and how far apart they are: about eight, at round times in
// loc (the multiples of a round span of time that is a multiple of the
// step), else every so many bars.
func (tc *timelineChart) labels(loc *time.Location) ([]bool, time.Duration) {
	n := len(tc.Bars)
	at := make([]bool, n+1)
	every := tc.Step * time.Duration(max(n/8, 1))
	for _, s := range timelineSteps {
		if s >= every && s%tc.Step == 0 {
			count := 0
			for i := range at {
				at[i] = roundTime(tc.Bars[0].Start.Add(time.Duration(i)*tc.Step).In(loc), s)
				if at[i] {
					count++
				}
			}
			if count >= 2 {
				return at, s
			}
			break
		}
	}
	k := max(n/8, 1)
	for i := range at {
		at[i] = i%k == 0
	}
	return at, tc.Step * time.Duration(k)
}

// axisLabel is the label of the axis at t, for bars of step and labels
// every apart: the date alone when the labels are days apart, else the
// time of day, with the date when it is not that of the previous label
// prev.
func axisLabel(t, prev time.Time, step, every time.Duration) string {
	switch {
	case step >= day || (every >= day && every%day == 0 && t.Hour() == 0 && t.Minute() == 0):
		return t.Format("2006-01-02")
	case !prev.IsZero() && sameDay(t, prev):
		if step < time.Minute {
			return t.Format("15:04:05")
		}
		return t.Format("15:04")
	case step < time.Minute:
		return t.Format("Jan 2 15:04:05")
	}
	return t.Format("Jan 2 15:04")
}

func sameDay(a, b time.Time) bool {
	y1, m1, d1 := a.Date()
	y2, m2, d2 := b.Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// stepText names a step for a reader: "5 minutes", "1 day".
func stepText(d time.Duration) string {
	unit := func(n int64, name string) string {
		if n == 1 {
			return "1 " + name
		}
		return fmt.Sprintf("%d %ss", n, name)
	}
	switch {
	case d%day == 0:
		return unit(int64(d/day), "day")
	case d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	}
	return unit(int64(d/time.Second), "second")
}
