package scan

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"dredge/rules"
)

// TestTermRunsReference feeds occurrences of a few combinations, in a
// random order and split among workers, to termTables, and checks the new
// occurrences (the runs' first events) against the definition: in time
// order, an occurrence is new when its combination did not occur in the
// history window before it.
func TestTermRunsReference(t *testing.T) {
	type occ struct {
		key string
		us  int64
		at  termAt
	}
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		history := int64(r.IntN(50))
		var occs []occ
		for i := range 1 + r.IntN(60) {
			occs = append(occs, occ{
				key: fmt.Sprint("k", r.IntN(3)),
				us:  int64(r.IntN(300)),
				at:  termAt{input: int32(r.IntN(2)), line: i + 1},
			})
		}
		// The definition, in report order.
		sorted := slices.Clone(occs)
		sort.SliceStable(sorted, func(i, j int) bool {
			if sorted[i].us != sorted[j].us {
				return sorted[i].us < sorted[j].us
			}
			return sorted[i].at.before(&sorted[j].at)
		})
		last := map[string]int64{}
		var want []string
		for _, o := range sorted {
			if l, ok := last[o.key]; !ok || l < o.us-history {
				want = append(want, fmt.Sprint(o.key, "@", o.us, "#", o.at.line))
			}
			last[o.key] = o.us
		}
		// The tables: workers take the occurrences in a shuffled order.
		r.Shuffle(len(occs), func(i, j int) { occs[i], occs[j] = occs[j], occs[i] })
		workers := 1 + r.IntN(3)
		tables := make([]*termTable, workers)
		for i := range tables {
			tables[i] = &termTable{history: history, ids: map[uint64]uint32{}}
		}
		for i, o := range occs {
			docs := 0
			tables[i%workers].add([]byte(o.key), o.us, o.at, func() docRef { docs++; return docRef{n: int32(o.at.line)} })
			if docs > 1 {
				t.Fatalf("seed %d: the document of one occurrence was asked for %d times", seed, docs)
			}
		}
		all := tables[0]
		for _, o := range tables[1:] {
			all.merge(o)
		}
		var got []string
		for id := range uint32(len(all.first)) {
			key, runs := string(all.key(id)), all.runs(nil, id)
			for i, run := range runs {
				if run.at.doc.n != int32(run.at.line) {
					t.Fatalf("seed %d: run of %s starts at line %d with the document of line %d", seed, key, run.at.line, run.at.doc.n)
				}
				if i > 0 && run.start-runs[i-1].end <= history {
					t.Fatalf("seed %d: runs of %s %d apart, history %d", seed, key, run.start-runs[i-1].end, history)
				}
				got = append(got, fmt.Sprint(key, "@", run.start, "#", run.at.line))
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d (history %d, %d workers):\n got %v\nwant %v", seed, history, workers, got, want)
		}
	}
}

func TestTermKey(t *testing.T) {
	for _, vals := range [][]string{{"a", "b"}, {"a\x00b"}, {"", ""}, {"ü", strings200()}} {
		if got := termValues(string(termKey(nil, vals))); !slices.Equal(got, vals) {
			t.Errorf("termValues(termKey(%q)) = %q", vals, got)
		}
	}
	if string(termKey(nil, []string{"a", "b"})) == string(termKey(nil, []string{"a\x01b"})) {
		t.Error("two combinations share a key")
	}
}

func strings200() string {
	b := make([]byte, 200)
	for i := range b {
		b[i] = 'x'
	}
	return string(b)
}

// TestNewTermsManyCombinations scans events that each bring a combination
// never seen before: every one is a hit, counted, and the report keeps the
// earliest MaxHitsPerRule of them.
func TestNewTermsManyCombinations(t *testing.T) {
	const events, keep = 30000, 500
	var b strings.Builder
	for i := range events {
		// Each file name twice, a day apart: one new term per name.
		day := 0
		if i%2 == 1 {
			day = 1
		}
		b.WriteString(fileEvent(at(day, 0).Add(time.Duration(i)*time.Second), q("bash"), q(fmt.Sprintf("f%06d.tmp", i/2)), ""))
		b.WriteByte('\n')
	}
	dir := t.TempDir()
	path := writeFile(t, dir, "many.ndjson", []byte(b.String()))
	res, err := Run(context.Background(), inputs(path), Config{Rules: []*rules.Rule{parseNewTermsRule(t, "")}, MaxHitsPerRule: keep})
	if err != nil {
		t.Fatal(err, res.Summary.Problems)
	}
	rc := res.Summary.Rules[0]
	if rc.Hits != events/2 || rc.Dropped != events/2-keep || len(res.Hits) != keep {
		t.Fatalf("hits %d, dropped %d, in the report %d; want %d, %d, %d", rc.Hits, rc.Dropped, len(res.Hits), events/2, events/2-keep, keep)
	}
	for i, h := range res.Hits {
		if want := fmt.Sprintf("bash|f%06d.tmp", i); strings.Join(h.NewTerms, "|") != want || h.Origin.Line != 2*i+1 {
			t.Fatalf("hit %d: %s at line %d; want %s at line %d", i, strings.Join(h.NewTerms, "|"), h.Origin.Line, want, 2*i+1)
		}
	}
}

// BenchmarkNewTermsState adds DREDGE_BENCH_COMBOS (default 1,000,000)
// distinct combinations of two values to a new_terms rule's state, and
// reports the memory that the state keeps per combination.
func BenchmarkNewTermsState(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("DREDGE_BENCH_COMBOS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	var perCombo float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		tt := newTermTable(5 * 24 * time.Hour)
		var key []byte
		doc := func() docRef { return docRef{} }
		for i := range n {
			key = termKey(key[:0], []string{"web-prod-" + strconv.Itoa(i%64), "/usr/lib/x86_64-linux-gnu/libfoo.so." + strconv.Itoa(i)})
			tt.add(key, int64(i)*1000, termAt{line: i + 1}, doc)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perCombo = float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
		runtime.KeepAlive(tt)
	}
	b.ReportMetric(perCombo, "B/combination")
	b.ReportMetric(float64(n), "combinations")
}

// TestTermHashCollision puts a key where another key's hash leads: the
// other key must be told apart and found on the next hash.
func TestTermHashCollision(t *testing.T) {
	tt := newTermTable(0)
	a, b := []byte("a"), []byte("b")
	hb := maphash.Bytes(termSeed, b)
	tt.insert(a, hb, termRun{start: 1})
	_, ok, h := tt.lookup(b)
	if ok || h != hb+1 {
		t.Fatalf("lookup of a colliding key: found %v, hash %d; want not found at %d", ok, h, hb+1)
	}
	tt.insert(b, h, termRun{start: 2})
	if id, ok, _ := tt.lookup(b); !ok || tt.first[id].start != 2 || string(tt.key(id)) != "b" {
		t.Fatalf("lookup after the collision: %v %+v", ok, tt.first[id])
	}
}
