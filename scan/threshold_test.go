package scan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dredge/report"
	"dredge/rules"
)

// thresholdRuleText is a threshold rule in the detection-rules layout over
// process start events; %s is the rest of the [rule] table (such as a
// timestamp_override) and the [rule.threshold] settings.
const thresholdRuleText = `
[metadata]
maturity = "production"

[rule]
author = ["dredge"]
description = "Many matching process starts in one group."
name = "Test Threshold"
risk_score = 21
rule_id = "00000000-0000-4000-8000-0000000007e5"
severity = "low"
type = "threshold"
language = "kuery"
query = '''
event.category:process and event.type:start
'''
%s
`

// parseThresholdRule parses a test threshold rule; settings ends the [rule]
// table and holds [rule.threshold].
func parseThresholdRule(t testing.TB, settings string) *rules.Rule {
	t.Helper()
	r, err := rules.Parse("test/threshold.toml", []byte(fmt.Sprintf(thresholdRuleText, settings)))
	if err != nil {
		t.Fatalf("rules.Parse: %v", err)
	}
	if r.Threshold == nil {
		t.Fatal("the rule has no threshold settings")
	}
	return r
}

// thrT is the start of the threshold scenarios; thrAt(s) is s seconds later.
var thrT = time.Date(2024, 6, 3, 21, 30, 0, 0, time.UTC)

func thrAt(s int) time.Time { return thrT.Add(time.Duration(s) * time.Second) }

// procEvent is a process start at second s with the given members (JSON
// object members, comma-separated) after the standard ones; a negative s
// leaves @timestamp out.
func procEvent(s int, members string) string {
	var b strings.Builder
	b.WriteString(`{`)
	if s >= 0 {
		fmt.Fprintf(&b, `"@timestamp":%q,`, iso(thrAt(s)))
	}
	b.WriteString(`"event":{"category":["process"],"type":["start"]}`)
	if members != "" {
		b.WriteString("," + members)
	}
	b.WriteString("}")
	return b.String()
}

// hostUser are the members of an event on host h by user u; an empty value
// leaves the field out.
func hostUser(h, u string) string {
	var ms []string
	if h != "" {
		ms = append(ms, fmt.Sprintf(`"host":{"name":%q}`, h))
	}
	if u != "" {
		ms = append(ms, fmt.Sprintf(`"user":{"name":%q}`, u))
	}
	return strings.Join(ms, ",")
}

// thrHit is a threshold hit as the tests compare it:
// "FILE:LINE TERMS count=N FIRST..LAST [cardinality(F)=N]", the times as
// seconds after thrT.
func thrHit(t testing.TB, dir string, h report.Hit) string {
	t.Helper()
	th := h.Threshold
	if th == nil {
		return fmt.Sprintf("%s:%d not a threshold hit", filepath.Base(h.Origin.File), h.Origin.Line)
	}
	f, err := filepath.Rel(dir, h.Origin.File)
	if err != nil {
		t.Fatal(err)
	}
	var terms []string
	for _, x := range th.Terms {
		terms = append(terms, x.Field+"="+x.Value)
	}
	if len(terms) == 0 {
		terms = []string{"-"}
	}
	s := fmt.Sprintf("%s:%d %s count=%d %s..%s", filepath.ToSlash(f), h.Origin.Line, strings.Join(terms, ","), th.Count,
		th.First.Sub(thrT), th.Last.Sub(thrT))
	for _, c := range th.Cardinality {
		s += fmt.Sprintf(" cardinality(%s)=%d", c.Field, c.Value)
	}
	if !h.Time.Equal(th.First) {
		s += fmt.Sprintf(" (hit time %v is not the first time)", h.Time)
	}
	return s
}

// TestThreshold checks threshold groups, counts, cardinality and the first
// and last events on hand-written events, with 1 and 3 workers and chunks
// small enough that every worker sees some of each file.
func TestThreshold(t *testing.T) {
	type file struct {
		name  string
		lines []string
	}
	tests := []struct {
		name     string
		settings string
		files    []file
		want     []string // in report order
	}{
		{
			name:     "one field, count at the value",
			settings: "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 3\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, hostUser("fs-01", "adm")),
				procEvent(2, hostUser("ws-07", "adm")),
				procEvent(3, hostUser("fs-01", "bob")),
				procEvent(4, hostUser("ws-07", "adm")),
				procEvent(5, hostUser("fs-01", "adm")),
			}}},
			want: []string{"a.ndjson:1 host.name=fs-01 count=3 1s..5s"},
		},
		{
			name:     "count below the value",
			settings: "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 4\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, hostUser("fs-01", "adm")),
				procEvent(3, hostUser("fs-01", "bob")),
				procEvent(5, hostUser("fs-01", "adm")),
			}}},
		},
		{
			name:     "value 1: every group alerts, in the order of its first event",
			settings: "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 1\n",
			files: []file{{"a.ndjson", []string{
				procEvent(9, hostUser("ws-07", "adm")),
				procEvent(2, hostUser("fs-01", "adm")),
				procEvent(4, hostUser("ws-07", "adm")),
			}}},
			want: []string{
				"a.ndjson:2 host.name=fs-01 count=1 2s..2s",
				"a.ndjson:3 host.name=ws-07 count=2 4s..9s",
			},
		},
		{
			name:     "two fields",
			settings: "[rule.threshold]\nfield = [\"host.name\", \"user.name\"]\nvalue = 2\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, hostUser("fs-01", "adm")),
				procEvent(2, hostUser("fs-01", "bob")),
				procEvent(3, hostUser("ws-07", "adm")),
				procEvent(4, hostUser("fs-01", "adm")),
				procEvent(5, hostUser("fs-01", "bob")),
				procEvent(6, hostUser("ws-07", "bob")),
			}}},
			want: []string{
				"a.ndjson:1 host.name=fs-01,user.name=adm count=2 1s..4s",
				"a.ndjson:2 host.name=fs-01,user.name=bob count=2 2s..5s",
			},
		},
		{
			name:     "no field: one group of every matching event",
			settings: "[rule.threshold]\nfield = []\nvalue = 3\n",
			files: []file{{"a.ndjson", []string{
				`{"@timestamp":"2024-06-03T21:30:00.000Z","event":{"category":["network"],"type":["start"]}}`,
				procEvent(7, hostUser("fs-01", "")),
				procEvent(3, ""),
				procEvent(5, hostUser("", "bob")),
			}}},
			want: []string{"a.ndjson:3 - count=3 3s..7s"},
		},
		{
			name:     "no field, below the value",
			settings: "[rule.threshold]\nfield = []\nvalue = 4\n",
			files: []file{{"a.ndjson", []string{
				procEvent(7, hostUser("fs-01", "")),
				procEvent(3, ""),
				procEvent(5, hostUser("", "bob")),
			}}},
		},
		{
			// A composite aggregation puts an event in one bucket per
			// value of a multi-valued field; a value repeated in the
			// array is one value.
			name:     "multi-valued field: one group per value",
			settings: "[rule.threshold]\nfield = [\"host.ip\"]\nvalue = 2\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, `"host":{"ip":["10.0.0.1","10.0.0.2","10.0.0.1"]}`),
				procEvent(2, `"host":{"ip":"10.0.0.2"}`),
				procEvent(3, `"host":{"ip":["10.0.0.3"]}`),
			}}},
			want: []string{"a.ndjson:1 host.ip=10.0.0.2 count=2 1s..2s"},
		},
		{
			name:     "two multi-valued fields: one group per combination",
			settings: "[rule.threshold]\nfield = [\"host.ip\", \"user.name\"]\nvalue = 1\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, `"host":{"ip":["10.0.0.2","10.0.0.1"]},"user":{"name":["b","a"]}`),
			}}},
			want: []string{
				"a.ndjson:1 host.ip=10.0.0.1,user.name=a count=1 1s..1s",
				"a.ndjson:1 host.ip=10.0.0.1,user.name=b count=1 1s..1s",
				"a.ndjson:1 host.ip=10.0.0.2,user.name=a count=1 1s..1s",
				"a.ndjson:1 host.ip=10.0.0.2,user.name=b count=1 1s..1s",
			},
		},
		{
			name:     "an event missing a group field, or null there, is in no group",
			settings: "[rule.threshold]\nfield = [\"host.name\", \"user.name\"]\nvalue = 2\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, hostUser("fs-01", "adm")),
				procEvent(2, hostUser("fs-01", "")),
				procEvent(3, `"host":{"name":"fs-01"},"user":{"name":null}`),
				procEvent(4, `"host":{"name":"fs-01"},"user":{"name":[]}`),
				procEvent(5, hostUser("", "adm")),
				procEvent(6, hostUser("fs-01", "adm")),
			}}},
			want: []string{"a.ndjson:1 host.name=fs-01,user.name=adm count=2 1s..6s"},
		},
		{
			name:     "values compare as text, as in a keyword field",
			settings: "[rule.threshold]\nfield = [\"process.pid\"]\nvalue = 2\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, `"process":{"pid":4410}`),
				procEvent(2, `"process":{"pid":"4410"}`),
				procEvent(3, `"process":{"pid":"4411"}`),
			}}},
			want: []string{"a.ndjson:1 process.pid=4410 count=2 1s..2s"},
		},
		{
			name: "cardinality condition met and not met",
			settings: "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 1\n\n" +
				"[[rule.threshold.cardinality]]\nfield = \"destination.port\"\nvalue = 3\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, hostUser("fs-01", "")+`,"destination":{"port":22}`),
				procEvent(2, hostUser("fs-01", "")+`,"destination":{"port":[80,443]}`),
				procEvent(3, hostUser("fs-01", "")+`,"destination":{"port":22}`),
				procEvent(4, hostUser("fs-01", "")),
				procEvent(5, hostUser("ws-07", "")+`,"destination":{"port":22}`),
				procEvent(6, hostUser("ws-07", "")+`,"destination":{"port":"22"}`),
				procEvent(7, hostUser("ws-07", "")+`,"destination":{"port":80}`),
			}}},
			// fs-01: 4 events (one without a port), 3 distinct ports;
			// ws-07: 2 distinct ports, 22 twice.
			want: []string{"a.ndjson:1 host.name=fs-01 count=4 1s..4s cardinality(destination.port)=3"},
		},
		{
			name: "cardinality and count both needed",
			settings: "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 3\n\n" +
				"[[rule.threshold.cardinality]]\nfield = \"user.name\"\nvalue = 2\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, hostUser("fs-01", "adm")),
				procEvent(2, hostUser("fs-01", "bob")),
				procEvent(3, hostUser("ws-07", "adm")),
				procEvent(4, hostUser("ws-07", "adm")),
				procEvent(5, hostUser("ws-07", "adm")),
				procEvent(6, hostUser("db-02", "adm")),
				procEvent(7, hostUser("db-02", "bob")),
				procEvent(8, hostUser("db-02", "eve")),
			}}},
			// fs-01 has 2 users but 2 events; ws-07 3 events but 1 user.
			want: []string{"a.ndjson:6 host.name=db-02 count=3 6s..8s cardinality(user.name)=3"},
		},
		{
			name: "only the first cardinality condition applies, as in Kibana",
			settings: "[rule.threshold]\nfield = []\nvalue = 1\n\n" +
				"[[rule.threshold.cardinality]]\nfield = \"user.name\"\nvalue = 2\n\n" +
				"[[rule.threshold.cardinality]]\nfield = \"host.name\"\nvalue = 5\n",
			files: []file{{"a.ndjson", []string{
				procEvent(1, hostUser("fs-01", "adm")),
				procEvent(2, hostUser("fs-01", "bob")),
			}}},
			want: []string{"a.ndjson:1 - count=2 1s..2s cardinality(user.name)=2"},
		},
		{
			name:     "events without a time are not counted",
			settings: "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 2\n",
			files: []file{{"a.ndjson", []string{
				procEvent(-1, hostUser("fs-01", "adm")),
				procEvent(2, hostUser("fs-01", "adm")),
				procEvent(-1, hostUser("ws-07", "adm")),
				procEvent(-1, hostUser("ws-07", "adm")),
				procEvent(4, hostUser("fs-01", "adm")),
			}}},
			want: []string{"a.ndjson:2 host.name=fs-01 count=2 2s..4s"},
		},
		{
			name:     "first and last across files, out of order",
			settings: "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 4\n",
			files: []file{
				{"a.ndjson", []string{
					procEvent(20, hostUser("fs-01", "adm")),
					procEvent(5, hostUser("fs-01", "adm")),
					procEvent(40, hostUser("ws-07", "adm")),
				}},
				{"b.ndjson", []string{
					procEvent(3, hostUser("ws-07", "adm")),
					procEvent(50, hostUser("fs-01", "adm")),
					procEvent(4, hostUser("fs-01", "adm")),
					procEvent(30, hostUser("fs-01", "adm")),
				}},
			},
			want: []string{"b.ndjson:3 host.name=fs-01 count=5 4s..50s"},
		},
		{
			name:     "events of the same time: the first by input, then line",
			settings: "[rule.threshold]\nfield = [\"host.name\"]\nvalue = 3\n",
			files: []file{
				{"a.ndjson", []string{
					procEvent(9, hostUser("fs-01", "adm")),
					procEvent(7, hostUser("ws-07", "adm")),
					procEvent(7, hostUser("fs-01", "adm")),
				}},
				{"b.ndjson", []string{
					procEvent(7, hostUser("fs-01", "adm")),
				}},
			},
			want: []string{"a.ndjson:3 host.name=fs-01 count=3 7s..9s"},
		},
		{
			name: "timestamp_override gives the times",
			settings: "timestamp_override = \"event.ingested\"\n\n" +
				"[rule.threshold]\nfield = [\"host.name\"]\nvalue = 2\n",
			files: []file{{"a.ndjson", []string{
				`{"@timestamp":"2024-06-03T21:30:01.000Z","event":{"category":["process"],"type":["start"],"ingested":"2024-06-03T21:30:30.000Z"},"host":{"name":"fs-01"}}`,
				`{"@timestamp":"2024-06-03T21:30:02.000Z","event":{"category":["process"],"type":["start"],"ingested":"2024-06-03T21:30:12.000Z"},"host":{"name":"fs-01"}}`,
				// No event.ingested: @timestamp is the fallback.
				`{"@timestamp":"2024-06-03T21:30:03.000Z","event":{"category":["process"],"type":["start"]},"host":{"name":"fs-01"}}`,
			}}},
			want: []string{"a.ndjson:3 host.name=fs-01 count=3 3s..30s"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseThresholdRule(t, tt.settings)
			dir := t.TempDir()
			var paths []string
			for _, f := range tt.files {
				paths = append(paths, writeFile(t, dir, f.name, ndjson(f.lines...)))
			}
			var ref []report.Hit
			for _, workers := range []int{1, 3} {
				res, err := run(t, inputs(paths...), Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 64})
				if err != nil {
					t.Fatalf("workers=%d: Run: %v", workers, err)
				}
				var got []string
				for _, h := range res.Hits {
					got = append(got, thrHit(t, dir, h))
				}
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("workers=%d:\n got %q\nwant %q", workers, got, tt.want)
				}
				if res.Summary.Rules[0].Hits != len(tt.want) {
					t.Errorf("workers=%d: summary counts %d hits, want %d", workers, res.Summary.Rules[0].Hits, len(tt.want))
				}
				if ref == nil {
					ref = res.Hits
				} else {
					checkSameHits(t, ref, res.Hits)
				}
				checkFirstEvents(t, paths, res.Hits)
			}
		})
	}
}

// checkSameHits checks that two scans gave the same hits, documents and
// display fields included.
func checkSameHits(t *testing.T, want, got []report.Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d hits, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := &got[i], &want[i]
		if g.Origin != w.Origin || !g.Time.Equal(w.Time) || g.Fields != w.Fields || !bytes.Equal(g.Document, w.Document) ||
			fmt.Sprint(g.Threshold) != fmt.Sprint(w.Threshold) {
			t.Errorf("hit %d differs:\n got %v %v %+v\nwant %v %v %+v", i, g.Origin, g.Time, g.Threshold, w.Origin, w.Time, w.Threshold)
		}
	}
}

// checkFirstEvents checks that each hit's document is the line it names.
func checkFirstEvents(t *testing.T, paths []string, hits []report.Hit) {
	t.Helper()
	lines := map[string][]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines[p] = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}
	for i, h := range hits {
		ls := lines[h.Origin.File]
		if h.Origin.Line < 1 || h.Origin.Line > len(ls) || string(h.Document) != ls[h.Origin.Line-1] {
			t.Errorf("hit %d: document is not line %d of %s: %s", i, h.Origin.Line, h.Origin.File, h.Document)
		}
	}
}

// TestThresholdRuleOnSamples scans the samples with the built-in rules and
// the threshold rule of testdata/rules, a copy of a rule of the
// detection-rules collection: the built-in rules' hits are unchanged, and
// the threshold rule fires once, on the burst of service stops in
// windows-service-stop.ndjson, whatever the number of workers.
func TestThresholdRuleOnSamples(t *testing.T) {
	const path = "../testdata/rules/impact_stop_process_service_threshold.toml"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	thr, err := rules.Parse(path, data)
	if err != nil {
		t.Fatalf("rules.Parse: %v", err)
	}
	rs := append(builtin(t), thr)
	ins := expand(t, samplesDir)
	lines := sampleTexts(t)
	var ref []report.Hit
	for _, workers := range []int{1, 2, 3} {
		res, err := run(t, ins, Config{Rules: rs, Workers: workers, ChunkSize: 2048, Version: "test"})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		var hits []report.Hit
		for _, h := range res.Hits {
			if h.Rule == thr {
				hits = append(hits, h)
			}
		}
		if n := len(res.Hits) - len(hits); n != 26 {
			t.Errorf("workers=%d: %d hits of the built-in rules, want 26", workers, n)
		}
		if len(hits) != 1 {
			t.Fatalf("workers=%d: %d threshold hits, want 1", workers, len(hits))
		}
		h := hits[0]
		want := &report.ThresholdResult{
			Terms: []report.ThresholdTerm{{Field: "host.id", Value: "3f2b8c1e-7d4a-4e9b-a6f0-2c5d8e1b9a47"}},
			Count: 12,
			First: time.Date(2024, 5, 1, 21, 41, 12, 0, time.UTC),
			Last:  time.Date(2024, 5, 1, 21, 41, 37, 0, time.UTC),
		}
		if fmt.Sprint(h.Threshold) != fmt.Sprint(want) || !h.Time.Equal(want.First) {
			t.Errorf("workers=%d: threshold hit at %v: %+v, want %+v", workers, h.Time, h.Threshold, want)
		}
		if place := fmt.Sprintf("%s:%d", filepath.Base(h.Origin.File), h.Origin.Line); place != "windows-service-stop.ndjson:3" {
			t.Errorf("workers=%d: threshold hit at %s, want windows-service-stop.ndjson:3", workers, place)
		}
		if string(h.Document) != lines["windows-service-stop.ndjson"][2] {
			t.Errorf("workers=%d: the hit's document is not the group's first event", workers)
		}
		if h.Fields.Host != "win-fs01" || h.Fields.Process != `C:\Windows\System32\net.exe` {
			t.Errorf("workers=%d: fields %+v", workers, h.Fields)
		}
		if ref == nil {
			ref = res.Hits
		} else {
			checkSameHits(t, ref, res.Hits)
		}
	}
}
