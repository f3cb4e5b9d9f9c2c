package scan

import (
	"slices"
	"time"

	"dredge/report"
)

// The timeline (report.Summary.Timeline) counts the events scanned (those
// in the window) by @timestamp, in buckets of one step: a minute while
// there are at most maxBuckets buckets with events, else the first of an
// hour, a day, 10 days and 100 days that keeps them to maxBuckets. It is
// the count of buckets that hold events, not the span of the times, that
// decides: the events of a few days and a few stray ones dated 1970 and
// 2999 still count by the minute. A bucket starts at a multiple of its
// step since the Unix epoch, so a day bucket starts at midnight UTC.
//
// Each worker counts by the minute and moves to the next step as soon as
// its own buckets are too many; the merge takes the workers' coarsest
// step and moves on while the merged buckets are too many. A worker's
// buckets are never more than those of all the events, so the step is the
// one that all the events would give, whatever the number of workers.
//
// Events without a usable @timestamp are not in the timeline (they are
// counted in report.Summary.NoTime), nor are events dated outside the
// years 0 to 9999, which only epoch milliseconds can write: every date in
// those years fits in maxBuckets buckets of 100 days.

// maxBuckets is the most buckets a timeline holds.
const maxBuckets = 50_000

// timelineSteps are the steps of a timeline, finest first, in seconds.
var timelineSteps = [...]int64{60, 3600, 86400, 10 * 86400, 100 * 86400}

// The times a timeline counts, in Unix seconds: from year 0 to the end of
// year 9999.
var (
	timelineFrom = time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	timelineEnd  = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// timeline counts events by bucket.
type timeline struct {
	limit int             // the most buckets: maxBuckets but in tests
	step  int             // index in timelineSteps
	n     map[int64]int64 // bucket (Unix seconds / step, rounded down) → events
	// run counts the events of bucket key not yet in n: events come in
	// runs of the same minute.
	key, run int64
}

func newTimeline(limit int) *timeline {
	return &timeline{limit: limit, n: map[int64]int64{}}
}

// add counts an event at t.
func (tl *timeline) add(t time.Time) {
	sec := t.Unix()
	if sec < timelineFrom || sec >= timelineEnd {
		return
	}
	if k := floorDiv(sec, timelineSteps[tl.step]); tl.run > 0 && k == tl.key {
		tl.run++
		return
	}
	tl.flush()
	tl.key, tl.run = floorDiv(sec, timelineSteps[tl.step]), 1 // the step may have grown
}

// flush moves the current run into the buckets.
func (tl *timeline) flush() {
	if tl.run > 0 {
		key, run := tl.key, tl.run
		tl.run = 0
		tl.addN(key*timelineSteps[tl.step], run)
	}
}

// addN counts n events in the bucket of Unix second sec, then coarsens
// while there are too many buckets.
func (tl *timeline) addN(sec, n int64) {
	tl.n[floorDiv(sec, timelineSteps[tl.step])] += n
	for len(tl.n) > tl.limit && tl.step < len(timelineSteps)-1 {
		tl.coarsen(tl.step + 1)
	}
}

// coarsen moves the counts, and the current run, to buckets of the step
// of index step.
func (tl *timeline) coarsen(step int) {
	from, to := timelineSteps[tl.step], timelineSteps[step]
	n := make(map[int64]int64, len(tl.n)/2)
	for k, c := range tl.n {
		n[floorDiv(k*from, to)] += c
	}
	tl.n, tl.step = n, step
	tl.key = floorDiv(tl.key*from, to)
}

// mergeTimelines merges the workers' timelines into the summary's.
func mergeTimelines(tls []*timeline) ([]report.TimeCount, time.Duration) {
	out := newTimeline(maxBuckets)
	for _, tl := range tls {
		out.limit = tl.limit
		tl.flush()
		out.step = max(out.step, tl.step)
	}
	for _, tl := range tls {
		for k, c := range tl.n {
			out.addN(k*timelineSteps[tl.step], c)
		}
	}
	return out.list()
}

// list returns the buckets in time order, and their step.
func (tl *timeline) list() ([]report.TimeCount, time.Duration) {
	tl.flush()
	step := timelineSteps[tl.step]
	keys := make([]int64, 0, len(tl.n))
	for k := range tl.n {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []report.TimeCount
	for _, k := range keys {
		out = append(out, report.TimeCount{Start: time.Unix(k*step, 0).UTC(), Events: tl.n[k]})
	}
	return out, time.Duration(step) * time.Second
}

// floorDiv is a / b rounded down (b > 0).
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}
