package scan

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"dredge/rules"
)

// The window leaves out the events whose @timestamp is outside [From, To),
// and with a window those without a usable one; all are counted, and the
// first and last event times are those of the events in it.
func TestWindow(t *testing.T) {
	lines := []string{
		`{"@timestamp":"2024-05-01T09:59:59.999Z","c":"a"}`,  // 1: before
		`{"@timestamp":"2024-05-01T10:00:00Z","c":"a"}`,      // 2: at From
		`{"@timestamp":"2024-05-01T12:30:00+02:00","c":"a"}`, // 3: inside (10:30Z)
		`{"@timestamp":"2024-05-01T10:59:59.999Z","c":"a"}`,  // 4: just before To
		`{"@timestamp":"2024-05-01T11:00:00Z","c":"a"}`,      // 5: at To
		`{"@timestamp":1714564800000,"c":"a"}`,               // 6: after (12:00Z, epoch ms)
		`{"c":"a"}`,                                          // 7: no time
		`{"@timestamp":"yesterday","c":"a"}`,                 // 8: no usable time
	}
	path := writeFile(t, t.TempDir(), "events.ndjson", ndjson(lines...))
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name        string
		from, to    string // "" is open
		hits        []int  // the lines of the hits
		outside     int64
		first, last string // "" when no event is in the window
	}{
		{"no window", "", "", []int{1, 2, 3, 4, 5, 6, 7, 8}, 0, "2024-05-01T09:59:59.999Z", "2024-05-01T12:00:00Z"},
		{"from and to", "2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z", []int{2, 3, 4}, 3, "2024-05-01T10:00:00Z", "2024-05-01T10:59:59.999Z"},
		{"from only", "2024-05-01T10:00:00Z", "", []int{2, 3, 4, 5, 6}, 1, "2024-05-01T10:00:00Z", "2024-05-01T12:00:00Z"},
		{"to only", "", "2024-05-01T11:00:00Z", []int{1, 2, 3, 4}, 2, "2024-05-01T09:59:59.999Z", "2024-05-01T10:59:59.999Z"},
		{"one millisecond", "2024-05-01T10:59:59.999Z", "2024-05-01T11:00:00Z", []int{4}, 5, "2024-05-01T10:59:59.999Z", "2024-05-01T10:59:59.999Z"},
		{"no event in it", "2024-06-01T00:00:00Z", "", nil, 6, "", ""},
	}
	r := queryRule(t, `a where true`, "")
	for _, tt := range tests {
		for _, workers := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s/workers=%d", tt.name, workers), func(t *testing.T) {
				cfg := Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 64}
				if tt.from != "" {
					cfg.From = at(tt.from)
				}
				if tt.to != "" {
					cfg.To = at(tt.to)
				}
				res, err := run(t, inputs(path), cfg)
				if err != nil {
					t.Fatal(err)
				}
				var got []int
				for _, h := range res.Hits {
					got = append(got, h.Origin.Line)
				}
				slices.Sort(got)
				if !slices.Equal(got, tt.hits) {
					t.Errorf("hits on lines %v, want %v", got, tt.hits)
				}
				s := &res.Summary
				if s.Events != 8 || s.OutsideWindow != tt.outside || s.NoTime != 2 {
					t.Errorf("events %d, outside the window %d, without time %d; want 8, %d, 2", s.Events, s.OutsideWindow, s.NoTime, tt.outside)
				}
				if !s.From.Equal(cfg.From) || !s.To.Equal(cfg.To) {
					t.Errorf("summary window %v to %v, want %v to %v", s.From, s.To, cfg.From, cfg.To)
				}
				var first, last time.Time
				if tt.first != "" {
					first, last = at(tt.first), at(tt.last)
				}
				if !s.First.Equal(first) || !s.Last.Equal(last) {
					t.Errorf("events from %v to %v, want %v to %v", s.First, s.Last, first, last)
				}
			})
		}
	}
}

// An event outside the window is seen by no rule: not by a sequence's first
// step, nor by its later steps when the sequence is gated and its chunks
// read again (gate.go).
func TestWindowSequence(t *testing.T) {
	r := queryRule(t, `sequence [a where true] [b where true]`, "")
	lines := []string{
		`{"@timestamp":"2024-05-01T10:00:01Z","t":1,"c":"b"}`,
		`{"@timestamp":"2024-05-01T09:00:00Z","t":2,"c":"a"}`, // outside
		`{"@timestamp":"2024-05-01T10:00:03Z","t":3,"c":"a"}`,
		`{"@timestamp":"2024-05-01T11:00:00Z","t":4,"c":"b"}`, // outside
		`{"@timestamp":"2024-05-01T10:00:05Z","t":5,"c":"b"}`,
	}
	path := writeFile(t, t.TempDir(), "seq.ndjson", ndjson(lines...))
	from, to := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC), time.Date(2024, 5, 1, 11, 0, 0, 0, time.UTC)
	for _, workers := range []int{1, 2} {
		res, err := run(t, inputs(path), Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 64, From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		var got [][]int
		for _, h := range res.Hits {
			var seq []int
			for _, e := range h.Events {
				seq = append(seq, e.Origin.Line)
			}
			got = append(got, seq)
		}
		if want := [][]int{{3, 5}}; !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("workers %d: sequences on lines %v, want %v", workers, got, want)
		}
		if res.Summary.OutsideWindow != 2 {
			t.Errorf("workers %d: %d events outside the window, want 2", workers, res.Summary.OutsideWindow)
		}
	}
}
