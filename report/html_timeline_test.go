package report

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"dredge/rules"
)

func TestTimelineStep(t *testing.T) {
	tests := []struct {
		span, bucket, want time.Duration
	}{
		{0, 0, time.Second},
		{0, time.Minute, time.Minute},
		{30 * time.Minute, time.Minute, time.Minute},
		{119 * time.Minute, time.Minute, time.Minute}, // 120 bars
		{2 * time.Hour, time.Minute, 2 * time.Minute},
		{10 * time.Hour, time.Minute, 10 * time.Minute},
		{10 * day, time.Minute, 3 * time.Hour},
		{10 * day, day, day},
		{400 * day, day, 7 * day},
		{400 * day, 10 * day, 10 * day},          // 7 and 14 days are not whole buckets; 30 days gives too few bars
		{3000 * day, 10 * day, 30 * day},         // 100 bars
		{80 * 365 * day, 100 * day, 300 * day},   // 1800 days would give 16 bars
		{199 * 365 * day, 100 * day, 1800 * day}, // the longest span
		{10 * time.Hour, 7 * time.Minute, 7 * time.Minute},
		{90 * time.Second, 0, time.Second},
	}
	for _, tt := range tests {
		got := timelineStep(tt.span, tt.bucket)
		if got != tt.want {
			t.Errorf("timelineStep(%v, %v) = %v, want %v", tt.span, tt.bucket, got, tt.want)
		}
		if got > 0 && tt.span/got+1 > timelineBars {
			t.Errorf("timelineStep(%v, %v) = %v gives more than %d bars", tt.span, tt.bucket, got, timelineBars)
		}
	}
}

func TestAlignTime(t *testing.T) {
	kolkata := time.FixedZone("IST", 5*3600+1800)
	tests := []struct {
		t    time.Time
		step time.Duration
		want string
	}{
		{ms("2024-05-01T10:07:03.5Z"), 5 * time.Minute, "2024-05-01T10:05:00Z"},
		{ms("2024-05-01T10:07:03.5Z"), day, "2024-05-01T00:00:00Z"},
		{ms("2024-05-01T10:07:03.5Z").In(kolkata), day, "2024-05-01T00:00:00+05:30"},
		{ms("2024-05-01T10:07:03.5Z").In(kolkata), time.Hour, "2024-05-01T15:00:00+05:30"},
		{ms("1969-12-31T23:59:30Z"), time.Minute, "1969-12-31T23:59:00Z"},
	}
	for _, tt := range tests {
		if got := alignTime(tt.t, tt.step).Format(time.RFC3339); got != tt.want {
			t.Errorf("alignTime(%v, %v) = %s, want %s", tt.t, tt.step, got, tt.want)
		}
	}
}

func TestTrimOutliers(t *testing.T) {
	at := func(s string, events, hits int64) timePoint { return timePoint{ms(s), events, hits} }
	week := func() []timePoint {
		var ps []timePoint
		for d := range 7 {
			ps = append(ps, timePoint{ms("2024-05-01T00:00:00Z").Add(time.Duration(d) * day), 1000, 1})
		}
		return ps
	}
	tests := []struct {
		name   string
		points []timePoint
		lo, hi int
	}{
		{"one week", week(), 0, 7},
		{"stray events of 1970 and 2999", append(append([]timePoint{at("1970-01-01T00:00:00Z", 3, 0), at("1970-01-01T00:01:00Z", 2, 1)}, week()...),
			at("2999-01-01T00:00:00Z", 5, 0)), 2, 9},
		{"too many to leave out", append([]timePoint{at("1970-01-01T00:00:00Z", 500, 0)}, week()...), 0, 8},
		{"a day before is not far", append([]timePoint{at("2024-04-30T00:00:00Z", 1, 0)}, week()...), 0, 8},
		{"nor hours after a short burst", []timePoint{at("2024-05-01T10:00:00Z", 100, 0), at("2024-05-01T10:01:00Z", 0, 1),
			at("2024-05-01T20:00:00Z", 1, 0)}, 0, 3},
		{"two weeks apart are both kept", append(week(), at("2024-05-21T00:00:00Z", 1000, 0), at("2024-05-22T00:00:00Z", 1000, 0)), 0, 9},
		{"a single point", []timePoint{at("2024-05-01T00:00:00Z", 1, 0)}, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if lo, hi := trimOutliers(tt.points); lo != tt.lo || hi != tt.hi {
				t.Errorf("trimOutliers = [%d, %d), want [%d, %d)", lo, hi, tt.lo, tt.hi)
			}
		})
	}
}

// TestNewTimeline counts the events of the summary's buckets and the hits
// by severity into bars of 5 minutes.
func TestNewTimeline(t *testing.T) {
	s := &Summary{
		TimelineStep: time.Minute,
		Timeline: []TimeCount{
			{Start: ms("1970-01-01T00:00:00Z"), Events: 1}, // far from the rest
			{Start: ms("2024-05-01T10:00:00Z"), Events: 100},
			{Start: ms("2024-05-01T10:04:00Z"), Events: 50},
			{Start: ms("2024-05-01T10:05:00Z"), Events: 7},
			{Start: ms("2024-05-01T12:59:00Z"), Events: 3},
		},
	}
	hits := []Hit{
		{Rule: &rules.Rule{Severity: "high"}, Time: ms("2024-05-01T10:04:59.999Z")},
		{Rule: &rules.Rule{Severity: "low"}, Time: ms("2024-05-01T10:03:00Z")},
		{Rule: &rules.Rule{Severity: "High"}, Time: ms("2024-05-01T10:05:00Z")},
		{Rule: &rules.Rule{Severity: "weird"}, Time: ms("2024-05-01T12:00:00Z")},
		{Rule: &rules.Rule{Severity: "low"}}, // no time
	}
	tc := newTimeline(s, hits, time.UTC)
	if tc.Step != 2*time.Minute {
		t.Fatalf("step %v, want 2m", tc.Step)
	}
	if n := len(tc.Bars); n != 90 {
		t.Errorf("%d bars, want 90 (10:00 to 13:00)", n)
	}
	want := map[string]timelineBar{
		"10:00": {Events: 100},
		"10:02": {Hits: [5]int64{3: 1}},
		"10:04": {Events: 57, Hits: [5]int64{1: 2}},
		"12:00": {Hits: [5]int64{4: 1}},
		"12:58": {Events: 3},
	}
	for _, b := range tc.Bars {
		w := want[b.Start.Format("15:04")]
		if b.Events != w.Events || b.Hits != w.Hits {
			t.Errorf("bar at %s: %d events, hits %v; want %d, %v", b.Start.Format("15:04"), b.Events, b.Hits, w.Events, w.Hits)
		}
	}
	if tc.LeftOutEvents != 1 || tc.LeftOutHits != 0 || tc.NoTimeHits != 1 || !tc.LeftOutFirst.Equal(ms("1970-01-01T00:00:00Z")) {
		t.Errorf("left out %d events and %d hits from %v, %d hits without time; want 1, 0, 1970, 1",
			tc.LeftOutEvents, tc.LeftOutHits, tc.LeftOutFirst, tc.NoTimeHits)
	}
	if newTimeline(&Summary{}, []Hit{{Rule: &rules.Rule{}}}, time.UTC) != nil {
		t.Errorf("a timeline of nothing with a time")
	}
}

// TestTimelineSVG checks the drawing: a bar for each bar with events, a
// rectangle for each severity of its hits, a tooltip for each, labels at
// round times in the page's zone.
func TestTimelineSVG(t *testing.T) {
	s := &Summary{
		TimelineStep: time.Minute,
		Timeline:     []TimeCount{{Start: ms("2024-05-01T22:00:00Z"), Events: 100}, {Start: ms("2024-05-02T01:59:00Z"), Events: 1}},
	}
	hits := []Hit{
		{Rule: &rules.Rule{Severity: "critical"}, Time: ms("2024-05-01T22:01:00Z")},
		{Rule: &rules.Rule{Severity: "low"}, Time: ms("2024-05-01T22:01:30Z")},
	}
	berlin := time.FixedZone("CEST", 2*3600)
	tc := newTimeline(s, hits, berlin)
	svg := string(tc.svg(berlin))
	count := func(re string) int { return len(regexp.MustCompile(re).FindAllString(svg, -1)) }
	if n := count(`<rect class="ev" `); n != 2 {
		t.Errorf("%d event bars, want 2", n)
	}
	if n := count(`<rect class="hit sev-(critical|low)" `); n != 2 {
		t.Errorf("%d hit bars, want 2", n)
	}
	if !strings.Contains(svg, `<title>2024-05-02 00:00 to 00:02: 100 events, 2 hits (1 critical, 1 low)</title>`) {
		t.Errorf("no tooltip for the first bar:\n%s", svg)
	}
	// A label at midnight in the page's zone, with the date, and one at 01:00.
	if !strings.Contains(svg, `>May 2 00:00</text>`) || !strings.Contains(svg, `>01:00</text>`) {
		t.Errorf("labels are not at round times in the zone:\n%s", svg)
	}
	if strings.Contains(svg, "style=") {
		t.Errorf("a style attribute, which the page's Content-Security-Policy refuses")
	}
}
