package scan

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"dredge/event"
	"dredge/report"
	"dredge/rules"

	"github.com/valyala/fastjson"
)

// rfc parses an RFC 3339 time for a test.
func rfc(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// severityRule is queryRule with a severity.
func severityRule(t testing.TB, query, severity string) *rules.Rule {
	r := queryRule(t, query, "")
	r.ID, r.Name, r.Severity = severity, severity, severity
	return r
}

// The per-host figures: events by host.name after normalisation (the
// computer of a forwarded Windows event, not its collector), else
// host.hostname, else ""; the first and last @timestamp; the hits by
// severity, those beyond the limit of hits per rule included; only the
// events in the window.
func TestHosts(t *testing.T) {
	lines := []string{
		`{"@timestamp":"2024-05-01T10:00:00Z","c":"a","host":{"name":"web-1","hostname":"ignored"}}`,
		`{"@timestamp":"2024-05-01T10:05:00Z","c":"b","host":{"name":"web-1"}}`,
		`{"@timestamp":"2024-05-01T09:00:00Z","c":"a","host":{"hostname":"db-1"}}`,
		// Forwarded by the collector wec-01: the host is the computer.
		`{"@timestamp":"2024-05-01T10:30:00Z","c":"a","agent":{"type":"winlogbeat","version":"8.12.2"},"host":{"name":"wec-01"},` +
			`"winlog":{"channel":"Security","computer_name":"WS-042.corp.example","event_id":"4624","provider_name":"Microsoft-Windows-Security-Auditing"}}`,
		`{"c":"a"}`,
		`{"@timestamp":"2024-05-01T11:00:00Z","c":"a","host":{"name":"web-1"}}`,
		`{"@timestamp":"2024-05-01T08:00:00Z","c":"b","host":{"name":["web-1","web-2"]}}`,
		`{"@timestamp":"2024-05-01T12:00:00Z","c":"a","host":{"name":7}}`,
		`{"@timestamp":"2024-05-01T12:01:00Z","c":"x","host":{"name":null,"hostname":"db-1"}}`,
	}
	path := writeFile(t, t.TempDir(), "events.ndjson", ndjson(lines...))
	rs := []*rules.Rule{severityRule(t, `a where true`, "high"), severityRule(t, `b where true`, "critical")}
	all := []report.HostStat{
		{Name: "", Events: 1, Hits: report.SeverityCounts{High: 1}},
		{Name: "7", First: rfc(t, "2024-05-01T12:00:00Z"), Last: rfc(t, "2024-05-01T12:00:00Z"), Events: 1, Hits: report.SeverityCounts{High: 1}},
		{Name: "WS-042.corp.example", First: rfc(t, "2024-05-01T10:30:00Z"), Last: rfc(t, "2024-05-01T10:30:00Z"), Events: 1, Hits: report.SeverityCounts{High: 1}},
		{Name: "db-1", First: rfc(t, "2024-05-01T09:00:00Z"), Last: rfc(t, "2024-05-01T12:01:00Z"), Events: 2, Hits: report.SeverityCounts{High: 1}},
		{Name: "web-1", First: rfc(t, "2024-05-01T08:00:00Z"), Last: rfc(t, "2024-05-01T11:00:00Z"), Events: 4, Hits: report.SeverityCounts{Critical: 2, High: 2}},
	}
	for _, workers := range []int{1, 3} {
		for _, limit := range []int{0, 1} {
			t.Run(fmt.Sprintf("workers=%d/max-hits=%d", workers, limit), func(t *testing.T) {
				res, err := run(t, inputs(path), Config{Rules: rs, Workers: workers, ChunkSize: 64, MaxHitsPerRule: limit})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(res.Summary.Hosts, all) {
					t.Errorf("hosts:\n%s\nwant:\n%s", hostsText(res.Summary.Hosts), hostsText(all))
				}
				if want := map[int]int{0: 8, 1: 2}[limit]; res.Summary.Hits != want {
					t.Errorf("%d hits in the report, want %d", res.Summary.Hits, want)
				}
			})
		}
	}
	t.Run("window", func(t *testing.T) {
		res, err := run(t, inputs(path), Config{Rules: rs, Workers: 2, ChunkSize: 64,
			From: rfc(t, "2024-05-01T10:00:00Z"), To: rfc(t, "2024-05-01T11:00:00Z")})
		if err != nil {
			t.Fatal(err)
		}
		want := []report.HostStat{
			{Name: "WS-042.corp.example", First: rfc(t, "2024-05-01T10:30:00Z"), Last: rfc(t, "2024-05-01T10:30:00Z"), Events: 1, Hits: report.SeverityCounts{High: 1}},
			{Name: "web-1", First: rfc(t, "2024-05-01T10:00:00Z"), Last: rfc(t, "2024-05-01T10:05:00Z"), Events: 2, Hits: report.SeverityCounts{Critical: 1, High: 1}},
		}
		if !reflect.DeepEqual(res.Summary.Hosts, want) {
			t.Errorf("hosts:\n%s\nwant:\n%s", hostsText(res.Summary.Hosts), hostsText(want))
		}
	})
	t.Run("no-normalize", func(t *testing.T) {
		res, err := run(t, inputs(path), Config{Rules: rs, Workers: 1, NoNormalize: true})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, h := range res.Summary.Hosts {
			names = append(names, h.Name)
		}
		if want := []string{"", "7", "db-1", "web-1", "wec-01"}; !slices.Equal(names, want) {
			t.Errorf("hosts %q, want %q", names, want)
		}
	})
}

// hostsText writes host figures one a line, for a test's message.
func hostsText(hs []report.HostStat) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "  %q %s %s events=%d hits=%+v\n", h.Name, h.First.Format(time.RFC3339), h.Last.Format(time.RFC3339), h.Events, h.Hits)
	}
	return b.String()
}

// A table keeps the hosts whose names come first, whatever the order it is
// given them in and however they are split between tables merged after;
// the others are counted under OtherHosts, and so are names too long.
func TestHostTableBound(t *testing.T) {
	const limit = 5
	start := rfc(t, "2024-05-01T00:00:00Z")
	type ev struct {
		host string
		min  int
	}
	var evs []ev
	for i := range 40 {
		evs = append(evs, ev{fmt.Sprintf("h%02d", i%17), i})
	}
	long := strings.Repeat("a", maxHostName+1)
	evs = append(evs, ev{long, 100}, ev{"", 101})
	// The reference: exact counts of every host, then all but the limit
	// first under OtherHosts.
	exact := map[string]*hostStat{}
	for _, e := range evs {
		if exact[e.host] == nil {
			exact[e.host] = &hostStat{name: e.host}
		}
		exact[e.host].add(start.Add(time.Duration(e.min)*time.Minute), true)
	}
	var names []string
	for n := range exact {
		if n != long {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var want []report.HostStat
	other := hostStat{name: OtherHosts}
	for i, n := range names {
		if i < limit {
			want = append(want, exact[n].report())
		} else {
			other.merge(exact[n])
		}
	}
	other.merge(exact[long])
	want = append(want, other.report())

	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		rng.Shuffle(len(evs), func(i, j int) { evs[i], evs[j] = evs[j], evs[i] })
		parts := 1 + round%4
		tables := make([]*hostTable, parts)
		for i := range tables {
			tables[i] = newHostTable(limit)
		}
		for _, e := range evs {
			tables[rng.IntN(parts)].event(e.host, start.Add(time.Duration(e.min)*time.Minute), true)
		}
		merged := newHostTable(limit)
		for _, tb := range tables {
			if len(tb.stats) > 2*limit {
				t.Fatalf("a table holds %d hosts, over twice the limit %d", len(tb.stats), limit)
			}
			merged.merge(tb)
		}
		if got := merged.list(); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d, %d tables:\n%s\nwant:\n%s", round, parts, hostsText(got), hostsText(want))
		}
	}
}

// BenchmarkEventFigures measures what the per-host figures and the
// timeline cost per event, on the events of BenchmarkScan (hosts picked
// at random, so that runs of a host are short): "index" reads through the
// event's Doc what the rule index and most rules read of every event
// (event.category, host.os.type); "figures" does the same, then reads the
// host, counts it, and counts the event's time. The difference is the cost
// of the figures in a scan, which spends some 10 µs of CPU per such event.
func BenchmarkEventFigures(b *testing.B) {
	g := newBenchGen()
	const n = 1000
	vals := make([]*fastjson.Value, n)
	times := make([]time.Time, n)
	plan := newPlan(nil, nil)
	for i := range vals {
		v, err := fastjson.ParseBytes(g.event(nil))
		if err != nil {
			b.Fatal(err)
		}
		vals[i] = v
		times[i], _ = event.Time(v, plan.timestamp)
	}
	read := []*event.Path{event.NewPath("event.category"), event.NewPath("host.os.type")}
	for _, figures := range []bool{false, true} {
		name := map[bool]string{false: "index", true: "figures"}[figures]
		b.Run(name, func(b *testing.B) {
			w := &worker{plan: plan, hosts: newHostTable(maxHosts), timeline: newTimeline(maxBuckets)}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				w.doc.Reset(vals[i])
				for _, p := range read {
					p.Values(&w.doc)
				}
				if figures {
					w.hosts.event(w.host(), times[i], true)
					w.timeline.add(times[i])
				}
				if i++; i == n {
					i = 0
				}
			}
		})
	}
}
