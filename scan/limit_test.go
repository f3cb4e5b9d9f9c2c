package scan

import (
	"fmt"
	"slices"
	"testing"

	"dredge/rules"
)

// A rule that fires on every event reports its earliest hits up to the
// limit, and counts them all.
func TestMaxHitsPerRule(t *testing.T) {
	r := queryRule(t, `a where true`, "")
	// Times out of file order, so that the earliest are not the first read.
	var lines []string
	for i := range 500 {
		ms := (i * 7919) % 500
		lines = append(lines, ev(fmt.Sprint(ms), "a", ms))
	}
	path := writeFile(t, t.TempDir(), "many.ndjson", ndjson(lines...))
	for _, workers := range []int{1, 2, 4} {
		for _, limit := range []int{0, 1, 3, 100, 600} {
			res, err := run(t, inputs(path), Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 256, MaxHitsPerRule: limit})
			if err != nil {
				t.Fatal(err)
			}
			want := 500
			if limit > 0 && limit < want {
				want = limit
			}
			var got []int
			for _, h := range res.Hits {
				got = append(got, int(h.Time.UnixMilli()))
			}
			if len(got) != want || !slices.IsSorted(got) || len(got) > 0 && got[len(got)-1] != want-1 {
				t.Errorf("workers %d, limit %d: hits at %v, want the %d earliest", workers, limit, got, want)
			}
			rc := res.Summary.Rules[0]
			if rc.Hits != 500 || rc.Dropped != 500-want || res.Summary.Dropped != 500-want || res.Summary.Hits != want {
				t.Errorf("workers %d, limit %d: rule counts %d hits, %d dropped; summary %d hits, %d dropped", workers, limit, rc.Hits, rc.Dropped, res.Summary.Hits, res.Summary.Dropped)
			}
		}
	}
}
