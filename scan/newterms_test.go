package scan

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"dredge/report"
	"dredge/rules"
)

// newTermsRule is a new_terms rule in the detection-rules layout; %s is an
// optional timestamp_override line.
const newTermsRule = `
[metadata]
maturity = "production"

[rule]
author = ["dredge"]
description = "A process writes a file under a name it was not seen writing in the last five days."
name = "Test New File Name for Process"
risk_score = 21
rule_id = "00000000-0000-4000-8000-00000000a11e"
severity = "low"
type = "new_terms"
language = "kuery"
%s
query = '''
event.category:file
'''

[rule.new_terms]
field = "new_terms_fields"
value = ["process.name", "file.name"]

[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-5d"
`

func parseNewTermsRule(t testing.TB, override string) *rules.Rule {
	t.Helper()
	line := ""
	if override != "" {
		line = fmt.Sprintf("timestamp_override = %q", override)
	}
	r, err := rules.Parse("test/new_terms.toml", []byte(fmt.Sprintf(newTermsRule, line)))
	if err != nil {
		t.Fatalf("rules.Parse: %v", err)
	}
	if r.NewTerms == nil || r.NewTerms.History != 5*24*time.Hour || !reflect.DeepEqual(r.NewTerms.Fields, []string{"process.name", "file.name"}) {
		t.Fatalf("parsed new_terms = %+v", r.NewTerms)
	}
	return r
}

// t0 is the start of the new_terms scenarios.
var t0 = time.Date(2024, 4, 22, 8, 0, 0, 0, time.UTC)

// at is t0 plus days and hours.
func at(days, hours int) time.Time {
	return t0.Add(time.Duration(days)*24*time.Hour + time.Duration(hours)*time.Hour)
}

// iso writes a time as Elastic Defend does.
func iso(t time.Time) string { return t.Format("2006-01-02T15:04:05.000Z") }

// fileEvent is a small file creation event: process.name and file.name are
// JSON values written as given (a quoted string, an array, null), or left out
// when empty. extra is added at the end of the object, after a comma.
func fileEvent(ts time.Time, pname, fname, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"@timestamp":%q,"event":{"category":["file"],"action":"creation","type":["creation"]},"host":{"name":"web-prod-01","os":{"type":"linux"}}`, iso(ts))
	if pname != "" {
		fmt.Fprintf(&b, `,"process":{"name":%s,"executable":"/usr/bin/x"}`, pname)
	}
	if fname != "" {
		fmt.Fprintf(&b, `,"file":{"name":%s,"path":"/run/x"}`, fname)
	}
	if extra != "" {
		b.WriteString("," + extra)
	}
	b.WriteString("}")
	return b.String()
}

// q quotes a string as JSON.
func q(s string) string { return fmt.Sprintf("%q", s) }

// ntHit is a new_terms hit as the tests compare it.
type ntHit struct {
	Place string // FILE:LINE, FILE relative to the scan's folder
	Time  time.Time
	Terms string // the new terms joined with "|"
}

func (h ntHit) String() string { return fmt.Sprintf("%s %s %s", h.Place, iso(h.Time), h.Terms) }

func ntHits(t testing.TB, dir string, hits []report.Hit) []ntHit {
	t.Helper()
	var out []ntHit
	for _, h := range hits {
		f, err := filepath.Rel(dir, h.Origin.File)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ntHit{fmt.Sprintf("%s:%d", f, h.Origin.Line), h.Time, strings.Join(h.NewTerms, "|")})
	}
	return out
}

// TestNewTerms checks the ordered stage of new_terms rules on small,
// hand-written events, with one and several workers.
func TestNewTerms(t *testing.T) {
	type file struct {
		name  string
		lines []string
	}
	tests := []struct {
		name     string
		override string // the rule's timestamp_override
		files    []file
		want     []ntHit // in report order
	}{
		{
			name: "first occurrence alerts",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{{"a.ndjson:1", at(0, 0), "bash|deploy.lock"}},
		},
		{
			name: "repeat within 5 days does not alert",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(0, 6), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(4, 23), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{{"a.ndjson:1", at(0, 0), "bash|deploy.lock"}},
		},
		{
			name: "repeat after more than 5 days alerts again",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(5, 1), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(5, 2), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{
				{"a.ndjson:1", at(0, 0), "bash|deploy.lock"},
				{"a.ndjson:2", at(5, 1), "bash|deploy.lock"},
			},
		},
		{
			// Elasticsearch's history query is @timestamp >= now-5d:
			// an occurrence exactly 5 days before is in the window.
			name: "repeat exactly 5 days later is in the window",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(5, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(10, 0).Add(time.Millisecond), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{
				{"a.ndjson:1", at(0, 0), "bash|deploy.lock"},
				{"a.ndjson:3", at(10, 0).Add(time.Millisecond), "bash|deploy.lock"},
			},
		},
		{
			// Every occurrence renews the history: each event looks back 5
			// days from its own time, not from the first occurrence.
			name: "window is measured from each event's own time",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(4, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(8, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(12, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(17, 1), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{
				{"a.ndjson:1", at(0, 0), "bash|deploy.lock"},
				{"a.ndjson:5", at(17, 1), "bash|deploy.lock"},
			},
		},
		{
			name: "events out of order in a file are taken in time order",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(3, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(1, 0), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{{"a.ndjson:2", at(1, 0), "bash|deploy.lock"}},
		},
		{
			name: "the earliest event alerts even in the second file",
			files: []file{
				{"a.ndjson", []string{
					fileEvent(at(2, 0), q("cp"), q("initd.lock"), ""),
					fileEvent(at(9, 0), q("cp"), q("initd.lock"), ""),
				}},
				{"b.ndjson", []string{
					fileEvent(at(1, 0), q("cp"), q("initd.lock"), ""),
					fileEvent(at(3, 0), q("cp"), q("initd.lock"), ""),
				}},
			},
			want: []ntHit{
				{"b.ndjson:1", at(1, 0), "cp|initd.lock"},
				{"a.ndjson:2", at(9, 0), "cp|initd.lock"},
			},
		},
		{
			name: "same time in two files: the first file alerts",
			files: []file{
				{"a.ndjson", []string{fileEvent(at(1, 0), q("cp"), q("initd.lock"), "")}},
				{"b.ndjson", []string{fileEvent(at(1, 0), q("cp"), q("initd.lock"), "")}},
			},
			want: []ntHit{{"a.ndjson:1", at(1, 0), "cp|initd.lock"}},
		},
		{
			name: "combinations are per rule field values, not per field",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(0, 1), q("cp"), q("deploy.lock"), ""),
				fileEvent(at(0, 2), q("bash"), q("initd.lock"), ""),
				fileEvent(at(0, 3), q("cp"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{
				{"a.ndjson:1", at(0, 0), "bash|deploy.lock"},
				{"a.ndjson:2", at(0, 1), "cp|deploy.lock"},
				{"a.ndjson:3", at(0, 2), "bash|initd.lock"},
			},
		},
		{
			name: "an array gives one combination per element, one hit per new one",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("cp"), `["a.pid","b.pid","a.pid"]`, ""),
				fileEvent(at(1, 0), q("cp"), `["b.pid","c.pid"]`, ""),
				fileEvent(at(2, 0), `["cp","mv"]`, `["a.pid","b.pid"]`, ""),
			}}},
			want: []ntHit{
				{"a.ndjson:1", at(0, 0), "cp|a.pid"},
				{"a.ndjson:1", at(0, 0), "cp|b.pid"},
				{"a.ndjson:2", at(1, 0), "cp|c.pid"},
				{"a.ndjson:3", at(2, 0), "mv|a.pid"},
				{"a.ndjson:3", at(2, 0), "mv|b.pid"},
			},
		},
		{
			name: "an event missing a field is skipped and is no history",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), "", ""),
				fileEvent(at(0, 1), "", q("deploy.lock"), ""),
				fileEvent(at(0, 2), q("bash"), "null", ""),
				fileEvent(at(0, 3), q("bash"), "[]", ""),
				fileEvent(at(0, 4), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{{"a.ndjson:5", at(0, 4), "bash|deploy.lock"}},
		},
		{
			name: "an event that does not match the query is no history",
			files: []file{{"a.ndjson", []string{
				strings.Replace(fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""), `"category":["file"]`, `"category":["process"]`, 1),
				fileEvent(at(1, 0), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{{"a.ndjson:2", at(1, 0), "bash|deploy.lock"}},
		},
		{
			name: "flat and nested layouts give the same terms",
			files: []file{{"a.ndjson", []string{
				fmt.Sprintf(`{"@timestamp":%q,"event.category":"file","process.name":"bash","file.name":"deploy.lock"}`, iso(at(0, 0))),
				fileEvent(at(1, 0), q("bash"), q("deploy.lock"), ""),
				fmt.Sprintf(`{"@timestamp":%q,"event":{"category":"file"},"process":{"name":"bash"},"file.name":"x.lock"}`, iso(at(1, 1))),
			}}},
			want: []ntHit{
				{"a.ndjson:1", at(0, 0), "bash|deploy.lock"},
				{"a.ndjson:3", at(1, 1), "bash|x.lock"},
			},
		},
		{
			name: "an event without a time is not judged",
			files: []file{{"a.ndjson", []string{
				`{"event":{"category":["file"]},"process":{"name":"bash"},"file":{"name":"deploy.lock"}}`,
				`{"@timestamp":"yesterday","event":{"category":["file"]},"process":{"name":"bash"},"file":{"name":"deploy.lock"}}`,
				fileEvent(at(1, 0), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{{"a.ndjson:3", at(1, 0), "bash|deploy.lock"}},
		},
		{
			name:     "timestamp_override is the event's time",
			override: "event.ingested",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), fmt.Sprintf(`"event.ingested":%q`, iso(at(0, 1)))),
				// @timestamp 1 day later, ingested 7 days later.
				fileEvent(at(1, 0), q("bash"), q("deploy.lock"), fmt.Sprintf(`"event.ingested":%q`, iso(at(7, 0)))),
				// ingested before the first: the first is then a repeat.
				fileEvent(at(9, 0), q("cp"), q("x.pid"), fmt.Sprintf(`"event.ingested":%q`, iso(at(0, 0)))),
				fileEvent(at(0, 2), q("cp"), q("x.pid"), fmt.Sprintf(`"event.ingested":%q`, iso(at(0, 2)))),
			}}},
			want: []ntHit{
				{"a.ndjson:3", at(0, 0), "cp|x.pid"},
				{"a.ndjson:1", at(0, 1), "bash|deploy.lock"},
				{"a.ndjson:2", at(7, 0), "bash|deploy.lock"},
			},
		},
		{
			name: "without timestamp_override event.ingested is ignored",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), fmt.Sprintf(`"event.ingested":%q`, iso(at(0, 1)))),
				fileEvent(at(1, 0), q("bash"), q("deploy.lock"), fmt.Sprintf(`"event.ingested":%q`, iso(at(7, 0)))),
			}}},
			want: []ntHit{{"a.ndjson:1", at(0, 0), "bash|deploy.lock"}},
		},
		{
			name:     "timestamp_override falls back to @timestamp",
			override: "event.ingested",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
				fileEvent(at(3, 0), q("bash"), q("deploy.lock"), fmt.Sprintf(`"event.ingested":%q`, iso(at(3, 0)))),
				fileEvent(at(6, 0), q("bash"), q("deploy.lock"), `"event.ingested":null`),
				fileEvent(at(11, 1), q("bash"), q("deploy.lock"), ""),
			}}},
			want: []ntHit{
				{"a.ndjson:1", at(0, 0), "bash|deploy.lock"},
				{"a.ndjson:4", at(11, 1), "bash|deploy.lock"},
			},
		},
		{
			name: "epoch milliseconds @timestamp",
			files: []file{{"a.ndjson", []string{
				fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
				strings.Replace(fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
					q(iso(at(0, 0))), fmt.Sprint(at(2, 0).UnixMilli()), 1),
				strings.Replace(fileEvent(at(0, 0), q("bash"), q("deploy.lock"), ""),
					q(iso(at(0, 0))), fmt.Sprint(at(7, 1).UnixMilli()+5), 1),
				strings.Replace(fileEvent(at(0, 0), q("cp"), q("deploy.lock"), ""),
					q(iso(at(0, 0))), q(fmt.Sprint(at(8, 0).UnixMilli())), 1),
			}}},
			want: []ntHit{
				{"a.ndjson:1", at(0, 0), "bash|deploy.lock"},
				{"a.ndjson:3", at(7, 1).Add(5 * time.Millisecond), "bash|deploy.lock"},
				{"a.ndjson:4", at(8, 0), "cp|deploy.lock"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseNewTermsRule(t, tt.override)
			dir := t.TempDir()
			var paths []string
			for _, f := range tt.files {
				paths = append(paths, writeFile(t, dir, f.name, ndjson(f.lines...)))
			}
			for _, workers := range []int{1, 3} {
				// Tiny chunks: one event per chunk, spread over the workers.
				res, err := run(t, inputs(paths...), Config{Rules: []*rules.Rule{r}, Workers: workers, ChunkSize: 64})
				if err != nil {
					t.Fatalf("workers=%d: Run: %v", workers, err)
				}
				got := ntHits(t, dir, res.Hits)
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("workers=%d: hits\n got %v\nwant %v", workers, got, tt.want)
				}
				if res.Summary.Hits != len(tt.want) || res.Summary.Rules[0].Hits != len(tt.want) {
					t.Errorf("workers=%d: Summary.Hits = %d, rule count %d, want %d", workers, res.Summary.Hits, res.Summary.Rules[0].Hits, len(tt.want))
				}
				for _, h := range res.Hits {
					if h.Rule != r || h.Fields.Host != "web-prod-01" && h.Fields.Host != "" {
						t.Errorf("workers=%d: hit %+v: wrong rule or host", workers, h)
					}
				}
			}
		})
	}
}

// TestNewTermsSamples checks the samples' new terms story: the pairs fire
// the same whether the files are scanned together or one at a time.
func TestNewTermsSamples(t *testing.T) {
	rs := builtin(t)
	var nt []*rules.Rule
	for _, r := range rs {
		if r.ID == ruleNewTerms {
			nt = append(nt, r)
		}
	}
	if len(nt) != 1 {
		t.Fatalf("built-in new_terms rule %s not found", ruleNewTerms)
	}
	all, err := run(t, expand(t, samplesDir), Config{Rules: nt, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var alone []report.Hit
	for _, f := range sampleFiles {
		res, err := run(t, expand(t, filepath.Join(samplesDir, f.name)), Config{Rules: nt, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		alone = append(alone, res.Hits...)
	}
	got, want := ntHits(t, samplesDir, alone), ntHits(t, samplesDir, all.Hits)
	if len(want) != 8 {
		t.Errorf("samples: %d new terms hits, want 8: %v", len(want), want)
	}
	gs, ws := fmt.Sprint(sortedStrings(got)), fmt.Sprint(sortedStrings(want))
	if gs != ws {
		t.Errorf("files one at a time:\n got %s\nwant %s", gs, ws)
	}
}

func sortedStrings[T fmt.Stringer](xs []T) []string {
	var out []string
	for _, x := range xs {
		out = append(out, x.String())
	}
	slices.Sort(out)
	return out
}

// TestReportOrder checks the order of hits: by time, hits without a time
// last; at the same time by input (in the order given, not by name), line
// and rule order.
func TestReportOrder(t *testing.T) {
	nt := parseNewTermsRule(t, "")
	qr, err := rules.Parse("test/query.toml", []byte(`
[rule]
name = "Test File Event"
rule_id = "00000000-0000-4000-8000-0000000f11e5"
type = "query"
language = "kuery"
query = "event.category:file"
`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	b := writeFile(t, dir, "b.ndjson", ndjson(
		fileEvent(at(1, 0), q("bash"), q("x.pid"), ""),
		fileEvent(at(0, 0), q("cp"), q("y.pid"), ""),
	))
	a := writeFile(t, dir, "a.ndjson", ndjson(
		fileEvent(at(1, 0), q("bash"), q("z.pid"), ""),
		`{"event":{"category":"file"},"process":{"name":"sh"},"file":{"name":"w.pid"}}`,
	))
	for _, tt := range []struct {
		name  string
		rules []*rules.Rule
		want  []string
	}{
		{"query rule first", []*rules.Rule{qr, nt}, []string{
			"b.ndjson:2 query", "b.ndjson:2 new_terms cp|y.pid",
			"b.ndjson:1 query", "b.ndjson:1 new_terms bash|x.pid",
			"a.ndjson:1 query", "a.ndjson:1 new_terms bash|z.pid",
			"a.ndjson:2 query",
		}},
		{"new terms rule first", []*rules.Rule{nt, qr}, []string{
			"b.ndjson:2 new_terms cp|y.pid", "b.ndjson:2 query",
			"b.ndjson:1 new_terms bash|x.pid", "b.ndjson:1 query",
			"a.ndjson:1 new_terms bash|z.pid", "a.ndjson:1 query",
			"a.ndjson:2 query",
		}},
	} {
		for _, workers := range []int{1, 3} {
			res, err := run(t, inputs(b, a), Config{Rules: tt.rules, Workers: workers, ChunkSize: 64})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				s := fmt.Sprintf("%s:%d %s", filepath.Base(h.Origin.File), h.Origin.Line, h.Rule.Type)
				if h.NewTerms != nil {
					s += " " + strings.Join(h.NewTerms, "|")
				}
				got = append(got, s)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s, workers=%d:\n got %q\nwant %q", tt.name, workers, got, tt.want)
			}
			if res.Hits[len(res.Hits)-1].Time != (time.Time{}) {
				t.Errorf("%s: the last hit has a time", tt.name)
			}
		}
	}
}
