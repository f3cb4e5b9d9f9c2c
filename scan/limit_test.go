package scan

import (
	"fmt"
	"slices"
	"strings"
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

// Hits past the limit are counted on their hosts whether a worker cut
// them from its list or left them out as soon as they came (after the
// bound of a cut), and the hits kept are the same in both orders.
func TestMaxHitsPerRuleHosts(t *testing.T) {
	r := queryRule(t, `a where true`, "")
	r.Severity = "high"
	for _, order := range []string{"time order", "reverse", "shuffled"} {
		var lines []string
		for i := range 300 {
			ms := i
			switch order {
			case "reverse":
				ms = 299 - i
			case "shuffled":
				ms = (i * 7919) % 300
			}
			lines = append(lines, ev(fmt.Sprint(ms), "a", ms, fmt.Sprintf(`"host":{"name":"h%d"}`, ms%3)))
		}
		path := writeFile(t, t.TempDir(), "many.ndjson", ndjson(lines...))
		for _, workers := range []int{1, 2} {
			res, err := run(t, inputs(path), Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 256, MaxHitsPerRule: 4})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, fmt.Sprintf("%d@%s", h.Time.UnixMilli(), h.Fields.Host))
			}
			if want := []string{"0@h0", "1@h1", "2@h2", "3@h0"}; !slices.Equal(got, want) {
				t.Errorf("%s, workers %d: hits %v, want %v", order, workers, got, want)
			}
			hosts := map[string]int{}
			for _, hs := range res.Summary.Hosts {
				hosts[hs.Name] = hs.Hits.High
			}
			if want := map[string]int{"h0": 100, "h1": 100, "h2": 100}; fmt.Sprint(hosts) != fmt.Sprint(want) {
				t.Errorf("%s, workers %d: high hits by host %v, want %v", order, workers, hosts, want)
			}
			if rc := res.Summary.Rules[0]; rc.Hits != 300 || rc.Dropped != 296 {
				t.Errorf("%s, workers %d: rule counts %d hits, %d dropped, want 300 and 296", order, workers, rc.Hits, rc.Dropped)
			}
		}
	}
}

// The documents of the hits kept are those of their events, whether the
// worker's documents were copied to a new file as hits were cut or not.
func TestMaxHitsPerRuleDocuments(t *testing.T) {
	r := queryRule(t, `a where true`, "")
	var lines []string
	for i := range 400 {
		ms := 399 - i // reverse time order: every cut drops hits whose documents were kept
		lines = append(lines, ev(fmt.Sprint(ms), "a", ms, fmt.Sprintf(`"pad":%q`, strings.Repeat("x", ms))))
	}
	path := writeFile(t, t.TempDir(), "many.ndjson", ndjson(lines...))
	for _, dead := range []int64{0, 1, 2000} {
		for _, workers := range []int{1, 2} {
			res, err := run(t, inputs(path), Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 512, MaxHitsPerRule: 5, maxDeadBytes: dead})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, string(h.Document))
			}
			want := slices.Clone(lines[len(lines)-5:])
			slices.Reverse(want)
			if !slices.Equal(got, want) {
				t.Errorf("copy past %d bytes, workers %d: documents\n%q\nwant\n%q", dead, workers, got, want)
			}
		}
	}
}
