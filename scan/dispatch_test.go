package scan

import (
	"dredge/event"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dredge/decode"
	"dredge/report"
	"dredge/rules"

	"github.com/valyala/fastjson"
)

// sharedData is the folder of real event exports, when present.
const sharedData = "/work/shared/data"

// TestDispatchEquivalence checks the rule index against evaluating every
// rule on every event: the same hits in the same order, with the built-in
// rules and with the whole collection, on the samples, generated events,
// real exports and events whose values had their case changed, with each
// index setting.
func TestDispatchEquivalence(t *testing.T) {
	dir := t.TempDir()
	sets := map[string][]decode.Input{
		"samples":   expand(t, samplesDir),
		"generated": expand(t, writeGenerated(t, dir, 4000)),
		"mutated":   expand(t, writeMutated(t, dir)),
	}
	if _, err := os.Stat(sharedData); err == nil {
		sets["shared-data"] = expand(t, sharedData)
	}
	ruleSets := map[string]func(testing.TB) []*rules.Rule{"builtin": builtin, "collection": collection}
	configs := map[string]Config{
		"default":      {},
		"all-indices":  {AllIndices: true},
		"skip-unknown": {SkipUnknownIndex: true},
	}
	for rsName, load := range ruleSets {
		for setName, ins := range sets {
			for cfgName, cfg := range configs {
				if rsName == "collection" && cfgName != "default" && setName != "mutated" {
					continue // the slow reference path, on one set only
				}
				t.Run(rsName+"/"+setName+"/"+cfgName, func(t *testing.T) {
					if rsName == "collection" && testing.Short() {
						t.Skip("the collection's reference scan is slow")
					}
					rs := load(t)
					cfg.Rules, cfg.Workers = rs, 2
					want, _ := run(t, ins, withEvalAll(cfg))
					got, _ := run(t, ins, cfg)
					if got.Summary.NoIndex != want.Summary.NoIndex {
						t.Errorf("NoIndex = %d, reference %d", got.Summary.NoIndex, want.Summary.NoIndex)
					}
					g, w := hitStrings(got.Hits), hitStrings(want.Hits)
					if !slices.Equal(g, w) {
						t.Errorf("%d hits, reference %d", len(g), len(w))
						for i := range max(len(g), len(w)) {
							var a, b string
							if i < len(g) {
								a = g[i]
							}
							if i < len(w) {
								b = w[i]
							}
							if a != b {
								t.Errorf("first difference at hit %d:\n got %s\nwant %s", i, a, b)
								break
							}
						}
					}
					t.Logf("%d events (%d without index), %d hits", got.Summary.Events, got.Summary.NoIndex, len(g))
				})
			}
		}
	}
}

func withEvalAll(cfg Config) Config {
	cfg.evalAll = true
	return cfg
}

// hitStrings writes each hit's rule, place, time, terms and events.
func hitStrings(hits []report.Hit) []string {
	var out []string
	for _, h := range hits {
		s := fmt.Sprintf("%s %s:%d %s %q", h.Rule.ID, filepath.Base(h.Origin.File), h.Origin.Line, h.Time.Format("2006-01-02T15:04:05.000000000"), h.NewTerms)
		for _, k := range h.JoinKeys {
			if k == nil {
				s += " null"
			} else {
				s += " " + *k
			}
		}
		for _, e := range h.Events {
			s += fmt.Sprintf(" [%s:%d %v]", filepath.Base(e.Origin.File), e.Origin.Line, e.Missing)
		}
		out = append(out, s)
	}
	return out
}

// writeGenerated writes n events of the benchmark's generator.
func writeGenerated(t testing.TB, dir string, n int) string {
	t.Helper()
	g := newBenchGen()
	var b []byte
	for range n {
		b = g.event(b)
		b = append(b, '\n')
	}
	return writeFile(t, dir, "generated.ndjson", b)
}

// writeMutated writes the sample events and generated ones with the case of
// some string values changed, some index fields dropped and some events
// wrapped as hits: the folding and the index derivation of the rule index
// must agree with the queries'.
func writeMutated(t testing.TB, dir string) string {
	t.Helper()
	var lines []string
	for _, ls := range sampleTexts(t) {
		lines = append(lines, ls...)
	}
	slices.Sort(lines)
	g := newBenchGen()
	var b []byte
	for range 2000 {
		b = g.event(b[:0])
		lines = append(lines, string(b))
	}
	r := rand.New(rand.NewPCG(4, 4))
	var out []byte
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		if src, ok := v["_source"].(map[string]any); ok {
			v = src
		}
		mutate(r, v)
		switch r.IntN(6) {
		case 0:
			delete(v, "data_stream")
			delete(v, "data_stream.type")
		case 1:
			delete(v, "data_stream")
			delete(v, "agent")
			delete(v, "agent.type")
		case 2:
			v = map[string]any{"_index": pick(r, []string{".ds-logs-endpoint.events.process-default-2024.05.01-000001",
				"winlogbeat-8.13.2", "logs-windows.sysmon_operational-default", "endgame-8.13.2", "other"}), "_source": v}
		}
		line, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, line...), '\n')
	}
	return writeFile(t, dir, "mutated.ndjson", out)
}

// mutate changes the case of some string values of v.
func mutate(r *rand.Rand, v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			x[k] = mutate(r, x[k])
		}
	case []any:
		for i, e := range x {
			x[i] = mutate(r, e)
		}
	case string:
		switch r.IntN(8) {
		case 0:
			return strings.ToUpper(x)
		case 1:
			return strings.ToUpper(x[:min(1, len(x))]) + x[min(1, len(x)):]
		case 2:
			// The Kelvin sign folds to k, the long s to s.
			return strings.NewReplacer("k", "\u212a", "s", "\u017f").Replace(x)
		}
	}
	return v
}

// TestEventIndex checks the index derived from an event's fields.
func TestEventIndex(t *testing.T) {
	for _, c := range []struct {
		name, event, wrapped, want string
	}{
		{"wrapped data stream", `{}`, ".ds-logs-endpoint.events.process-default-2024.05.01-000001", "logs-endpoint.events.process-default"},
		{"wrapped index", `{}`, "winlogbeat-7.17.0-2024.05.01-000003", "winlogbeat-7.17.0-2024.05.01-000003"},
		{"remote cluster", `{}`, "cluster1:.ds-logs-endpoint.events.file-prod-2024.05.01-000002", "logs-endpoint.events.file-prod"},
		{"data stream", `{"data_stream":{"type":"logs","dataset":"endpoint.events.file","namespace":"prod"}}`, "", "logs-endpoint.events.file-prod"},
		{"flat data stream", `{"data_stream.type":"logs","data_stream.dataset":"windows.sysmon_operational"}`, "", "logs-windows.sysmon_operational-default"},
		{"endpoint dataset", `{"agent":{"type":"endpoint"},"event":{"dataset":"endpoint.events.network"}}`, "", "logs-endpoint.events.network-default"},
		{"endpoint category", `{"agent":{"type":"endpoint"},"event":{"category":["registry"]}}`, "", "logs-endpoint.events.registry-default"},
		{"endpoint module", `{"event":{"module":"endpoint","category":"authentication"}}`, "", "logs-endpoint.events.security-default"},
		{"endpoint unknown", `{"agent":{"type":"endpoint"}}`, "", "logs-endpoint.events.unknown-default"},
		{"winlogbeat", `{"agent":{"type":"winlogbeat","version":"8.13.2"},"event":{"module":"sysmon"}}`, "", "winlogbeat-8.13.2"},
		{"filebeat", `{"agent":{"type":"filebeat"}}`, "", "filebeat-"},
		{"endgame", `{"agent":{"type":"endgame","version":"3.0"}}`, "", "endgame-3.0"},
		{"beat metadata", `{"@metadata":{"beat":"winlogbeat","version":"6.7.0"},"log_name":"Security"}`, "", "winlogbeat-6.7.0"},
		{"fleet integration", `{"event":{"module":"windows","dataset":"windows.sysmon_operational"}}`, "", "logs-windows.sysmon_operational-default"},
		{"sysmon module", `{"event":{"module":"sysmon"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational"}}`, "", "winlogbeat-"},
		{"winlog", `{"winlog":{"channel":"Security"}}`, "", "winlogbeat-"},
		{"winlogbeat 6", `{"log_name":"Security","computer_name":"dc01"}`, "", "winlogbeat-"},
		{"unknown", `{"Channel":"Security","EventID":4688}`, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			set := newFieldSet()
			f := addIndexFields(set)
			r := newFieldValues(set)
			r.read(event.NewDoc(fastjson.MustParse(c.event)))
			if got := string(f.index(nil, r, c.wrapped)); got != c.want {
				t.Errorf("index = %q, want %q", got, c.want)
			}
		})
	}
}

// TestIndexPattern checks Elasticsearch index patterns.
func TestIndexPattern(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		index    string
		want     bool
	}{
		{[]string{"logs-endpoint.events.*"}, "logs-endpoint.events.process-default", true},
		{[]string{"logs-endpoint.events.file-*"}, "logs-endpoint.events.process-default", false},
		{[]string{"logs-endpoint.events.file-*"}, "logs-endpoint.events.file-default", true},
		{[]string{"winlogbeat-*", "logs-windows.*"}, "winlogbeat-", true},
		{[]string{"logs-endpoint.events.process*"}, "logs-endpoint.events.process-default", true},
		{[]string{"logs-*", "-logs-endpoint.*"}, "logs-endpoint.events.file-default", false},
		{[]string{"logs-*", "-logs-endpoint.*"}, "logs-system.auth-default", true},
		{[]string{"logs-*,-logs-endpoint.*,logs-endpoint.events.file-*"}, "logs-endpoint.events.file-default", true},
		{[]string{"apm-*-transaction*"}, "apm-8.1-transaction-default", true},
		{[]string{"apm-*-transaction*"}, "apm-8.1-metric", false},
		{[]string{"*:logs-*"}, "logs-x", true},
		{[]string{"endgame-*"}, "endgame", false},
		{[]string{"exact"}, "exact", true},
		{[]string{"exact"}, "exactly", false},
	} {
		if got := compileIndexPattern(c.patterns).match(c.index); got != c.want {
			t.Errorf("%q matches %q = %v, want %v", c.patterns, c.index, got, c.want)
		}
	}
}

// TestUnknownIndex checks the flags on events without an index: by
// default every rule applies; skipped, only rules without patterns do.
func TestUnknownIndex(t *testing.T) {
	dir := t.TempDir()
	// The sample events with their index fields taken away.
	lines := sampleLines(t, "linux-endpoint.ndjson")
	var out []byte
	for _, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatal(err)
		}
		delete(v, "data_stream")
		delete(v, "agent")
		if ev, ok := v["event"].(map[string]any); ok {
			delete(ev, "module")
			delete(ev, "dataset")
		}
		b, _ := json.Marshal(v)
		out = append(append(out, b...), '\n')
	}
	path := writeFile(t, dir, "noindex.ndjson", out)
	rs := builtin(t)
	orig, _ := run(t, inputs(filepath.Join(samplesDir, "linux-endpoint.ndjson")), Config{Rules: rs})
	if len(orig.Hits) == 0 || orig.Summary.NoIndex != 0 {
		t.Fatalf("the sample gives %d hits, %d events without index", len(orig.Hits), orig.Summary.NoIndex)
	}
	for _, c := range []struct {
		name string
		cfg  Config
		hits int
	}{
		{"apply", Config{}, len(orig.Hits)},
		{"skip", Config{SkipUnknownIndex: true}, 0},
		{"all indices", Config{AllIndices: true, SkipUnknownIndex: true}, len(orig.Hits)},
	} {
		c.cfg.Rules = rs
		res, err := run(t, inputs(path), c.cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Summary.NoIndex != int64(len(lines)) || len(res.Hits) != c.hits {
			t.Errorf("%s: NoIndex = %d, %d hits; want %d, %d", c.name, res.Summary.NoIndex, len(res.Hits), len(lines), c.hits)
		}
	}
}

// TestOtherIndex checks that a rule does not read an index its patterns
// leave out, unless --all-indices.
func TestOtherIndex(t *testing.T) {
	dir := t.TempDir()
	var out []byte
	for _, l := range sampleLines(t, "linux-endpoint.ndjson") {
		if strings.Contains(l, `"setcap"`) {
			l = strings.Replace(l, `"type":"logs"`, `"type":"metrics"`, 1)
			l = strings.Replace(l, `"type": "logs"`, `"type": "metrics"`, 1)
			out = append(append(out, l...), '\n')
		}
	}
	path := writeFile(t, dir, "metrics.ndjson", out)
	rs := builtin(t)
	res, _ := run(t, inputs(path), Config{Rules: rs})
	if len(res.Hits) != 0 || res.Summary.NoIndex != 0 {
		t.Errorf("metrics-* events: %d hits, NoIndex %d; want 0, 0", len(res.Hits), res.Summary.NoIndex)
	}
	res, _ = run(t, inputs(path), Config{Rules: rs, AllIndices: true})
	if len(res.Hits) == 0 {
		t.Errorf("--all-indices: no hit")
	}
}
