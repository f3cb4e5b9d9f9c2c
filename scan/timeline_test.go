package scan

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"dredge/report"
	"dredge/rules"
)

// timelineText writes a timeline one bucket a line, for a test's message.
func timelineText(tc []report.TimeCount, step time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "  step %v\n", step)
	for _, c := range tc {
		fmt.Fprintf(&b, "  %s %d\n", c.Start.Format(time.RFC3339), c.Events)
	}
	return b.String()
}

// The timeline counts the events in the window by the minute of their
// @timestamp, in time order, whatever the order of the events and the
// number of workers; events without a usable @timestamp are not in it.
func TestTimeline(t *testing.T) {
	lines := []string{
		`{"@timestamp":"2024-05-01T10:00:59.999Z","c":"a"}`,
		`{"@timestamp":"2024-05-01T10:00:00Z","c":"a"}`,
		`{"@timestamp":"2024-05-01T12:01:30+02:00","c":"a"}`, // 10:01:30Z
		`{"@timestamp":"2024-05-01T10:03:00Z","c":"a"}`,
		`{"c":"a"}`,
		`{"@timestamp":"not a time","c":"a"}`,
		`{"@timestamp":"1969-12-31T23:59:30Z","c":"a"}`, // before the epoch
		`{"@timestamp":1714557600000,"c":"a"}`,          // 10:00Z, epoch ms
		`{"@timestamp":"2999-01-01T00:00:00Z","c":"a"}`,
		`{"@timestamp":253402300800000,"c":"a"}`, // year 10000: left out
		`{"@timestamp":-62167219200001,"c":"a"}`, // before year 0: left out
	}
	path := writeFile(t, t.TempDir(), "events.ndjson", ndjson(lines...))
	r := queryRule(t, `a where true`, "")
	tc := func(s string, n int64) report.TimeCount { return report.TimeCount{Start: rfc(t, s), Events: n} }
	tests := []struct {
		name     string
		from, to string
		want     []report.TimeCount
	}{
		{"all", "", "", []report.TimeCount{
			tc("1969-12-31T23:59:00Z", 1),
			tc("2024-05-01T10:00:00Z", 3),
			tc("2024-05-01T10:01:00Z", 1),
			tc("2024-05-01T10:03:00Z", 1),
			tc("2999-01-01T00:00:00Z", 1),
		}},
		{"window", "2024-05-01T10:00:30Z", "2024-05-01T10:03:00Z", []report.TimeCount{
			tc("2024-05-01T10:00:00Z", 1),
			tc("2024-05-01T10:01:00Z", 1),
		}},
	}
	for _, tt := range tests {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/workers=%d", tt.name, workers), func(t *testing.T) {
				cfg := Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 64}
				if tt.from != "" {
					cfg.From, cfg.To = rfc(t, tt.from), rfc(t, tt.to)
				}
				res, err := run(t, inputs(path), cfg)
				if err != nil {
					t.Fatal(err)
				}
				s := &res.Summary
				if !reflect.DeepEqual(s.Timeline, tt.want) || s.TimelineStep != time.Minute {
					t.Errorf("timeline:\n%swant:\n%s", timelineText(s.Timeline, s.TimelineStep), timelineText(tt.want, time.Minute))
				}
			})
		}
	}
}

// Too many buckets of a minute make buckets of an hour, then of a day, 10
// days and 100 days; it is the count of buckets with events that decides,
// not the span of the times.
func TestTimelineCoarsens(t *testing.T) {
	base := rfc(t, "2024-05-01T00:00:00Z")
	minutes := func(n int) []time.Time {
		var ts []time.Time
		for i := range n {
			ts = append(ts, base.Add(time.Duration(i)*time.Minute))
		}
		return ts
	}
	tests := []struct {
		name  string
		limit int
		times []time.Time
		step  time.Duration
		want  map[string]int64 // bucket start → events
	}{
		{"at the limit: minutes", 4, minutes(4), time.Minute, map[string]int64{
			"2024-05-01T00:00:00Z": 1, "2024-05-01T00:01:00Z": 1, "2024-05-01T00:02:00Z": 1, "2024-05-01T00:03:00Z": 1}},
		{"over it: hours", 4, minutes(5), time.Hour, map[string]int64{"2024-05-01T00:00:00Z": 5}},
		{"far apart stray events do not coarsen", 4,
			append(minutes(2), rfc(t, "1970-01-01T00:00:00Z"), rfc(t, "2999-12-31T23:59:59Z")), time.Minute, map[string]int64{
				"1970-01-01T00:00:00Z": 1, "2024-05-01T00:00:00Z": 1, "2024-05-01T00:01:00Z": 1, "2999-12-31T23:59:00Z": 1}},
		{"hours over the limit: days", 2, []time.Time{base, base.Add(time.Hour), base.Add(2 * time.Hour), base.Add(49 * time.Hour)}, 24 * time.Hour, map[string]int64{
			"2024-05-01T00:00:00Z": 3, "2024-05-03T00:00:00Z": 1}},
		{"days over the limit: 10 days, from the epoch", 1, []time.Time{base, base.Add(24 * time.Hour)}, 10 * 24 * time.Hour, map[string]int64{
			"2024-04-27T00:00:00Z": 2}}, // day 19,840 since the epoch
		{"before the epoch", 1, []time.Time{rfc(t, "1969-12-31T23:00:00Z"), rfc(t, "1969-12-31T00:00:00Z")}, 24 * time.Hour, map[string]int64{
			"1969-12-31T00:00:00Z": 2}},
		{"the coarsest step holds however many", 1, []time.Time{base, rfc(t, "0001-01-01T00:00:00Z"), rfc(t, "9999-12-31T23:59:59Z")}, 100 * 24 * time.Hour, map[string]int64{
			// Days 19,800, -719,200 and 2,932,800 since the epoch.
			"2024-03-18T00:00:00Z": 1, "0000-11-24T00:00:00Z": 1, "9999-09-26T00:00:00Z": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := newTimeline(tt.limit)
			for _, ts := range tt.times {
				tl.add(ts)
			}
			got, step := tl.list()
			m := map[string]int64{}
			for _, c := range got {
				m[c.Start.Format(time.RFC3339)] = c.Events
			}
			if step != tt.step || !reflect.DeepEqual(m, tt.want) {
				t.Errorf("step %v, buckets %v; want %v, %v", step, m, tt.step, tt.want)
			}
		})
	}
}

// Merged timelines have the step and the counts of one timeline of all
// the events, however the events are split and ordered.
func TestTimelineMerge(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := rfc(t, "2024-05-01T00:00:00Z")
	for round := range 50 {
		limit := 1 + rng.IntN(30)
		var ts []time.Time
		for range rng.IntN(200) {
			// Mostly minutes of a few hours, some days and years away.
			d := time.Duration(rng.IntN(300)) * time.Minute
			switch rng.IntN(10) {
			case 0:
				d = time.Duration(rng.IntN(2000)) * time.Hour
			case 1:
				d = -time.Duration(rng.IntN(100_000)) * time.Hour
			}
			ts = append(ts, base.Add(d))
		}
		one := newTimeline(limit)
		for _, x := range ts {
			one.add(x)
		}
		want, wantStep := one.list()
		parts := 1 + rng.IntN(4)
		tls := make([]*timeline, parts)
		for i := range tls {
			tls[i] = newTimeline(limit)
		}
		for _, x := range ts {
			tls[rng.IntN(parts)].add(x)
		}
		got, step := mergeTimelines(tls)
		if step != wantStep || !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d (%d events, limit %d, %d parts):\n%swant:\n%s", round, len(ts), limit, parts,
				timelineText(got, step), timelineText(want, wantStep))
		}
	}
}

// A scan whose events fill more than maxBuckets minutes counts them by the
// hour.
func TestTimelineScanCoarsens(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 50,001 events")
	}
	base := rfc(t, "2024-05-01T00:00:00Z").UnixMilli()
	var b strings.Builder
	for i := range maxBuckets + 1 {
		fmt.Fprintf(&b, "{\"@timestamp\":%d}\n", base+int64(i)*60_000)
	}
	path := writeFile(t, t.TempDir(), "events.ndjson", []byte(b.String()))
	res, err := run(t, inputs(path), Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	s := &res.Summary
	hours := (maxBuckets + 1 + 59) / 60
	if s.TimelineStep != time.Hour || len(s.Timeline) != hours {
		t.Fatalf("step %v, %d buckets; want an hour, %d", s.TimelineStep, len(s.Timeline), hours)
	}
	var n int64
	for i, c := range s.Timeline {
		n += c.Events
		if want := time.UnixMilli(base).UTC().Add(time.Duration(i) * time.Hour); !c.Start.Equal(want) {
			t.Fatalf("bucket %d starts at %v, want %v", i, c.Start, want)
		}
	}
	if n != maxBuckets+1 || s.Timeline[0].Events != 60 || s.Timeline[hours-1].Events != int64((maxBuckets+1)%60) {
		t.Errorf("%d events in all, %d in the first hour, %d in the last", n, s.Timeline[0].Events, s.Timeline[hours-1].Events)
	}
}
