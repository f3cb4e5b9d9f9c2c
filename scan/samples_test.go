package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"dredge/report"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

const (
	ruleNewTerms = "cac91072-d165-11ec-a764-f661ea17fbce" // Abnormal Process ID or Lock File Created
	ruleInitD    = "474fd20e-14cc-49c5-8160-d9ab4ba16c8b" // System V Init Script Created
	ruleSetcap   = "f5c005d3-4e17-48b0-9cd7-444d48857f97" // Setcap setuid/setgid Capability Set
	rulePIDExec  = "3688577a-d196-11ec-90b0-f661ea17fbce" // Process Started from Process ID (PID) File
	ruleCritical = "e94262f2-c1e9-4d3f-a907-aeab16712e1a" // Unusual Executable File Creation by a System Critical Process
)

// sampleFile is what docs/samples.md says of each sample file.
var sampleFiles = []struct {
	name   string
	events int64
}{
	// In the lexical order decode.Expand walks them.
	{"collection-hits.ndjson", 24},
	{"linux-endpoint-day2.ndjson.gz", 66},
	{"linux-endpoint-flat.ndjson", 32},
	{"linux-endpoint-netcon.ndjson", 21},
	{"linux-endpoint.ndjson", 176},
	{"windows-endpoint.ndjson.zst", 28},
	{"windows-service-stop.ndjson", 25},
	{"wrapped-hits.ndjson", 6},
}

// TestSamples scans the sample dumps with the built-in rules and checks the
// hits against testdata/expected-hits.tsv, both ways, and the summary.
func TestSamples(t *testing.T) {
	rs := builtin(t)
	res, err := run(t, expand(t, samplesDir), Config{Rules: rs, Workers: 2, Version: "test"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := hitKeys(t, samplesDir, res.Hits)
	want := readExpected(t, "../testdata/expected-hits.tsv")
	if !diffKeys(t, got, want) {
		var b strings.Builder
		for _, k := range got {
			fmt.Fprintln(&b, k)
		}
		t.Logf("got hits:\n%s", b.String())
	}

	sum := res.Summary
	if !sum.Complete || len(sum.Problems) != 0 || len(sum.Skipped) != 0 {
		t.Errorf("Complete = %v, Problems = %v, Skipped = %v; want a complete scan", sum.Complete, sum.Problems, sum.Skipped)
	}
	if sum.Events != 378 {
		t.Errorf("Summary.Events = %d, want 378", sum.Events)
	}
	if sum.Hits != 26 || len(res.Hits) != 26 {
		t.Errorf("Summary.Hits = %d, len(Hits) = %d, want 26", sum.Hits, len(res.Hits))
	}
	if sum.Version != "test" {
		t.Errorf("Summary.Version = %q, want %q", sum.Version, "test")
	}

	// Every rule, in rule (file name) order, with its count.
	wantCounts := []string{
		ruleCritical + " 3",
		ruleNewTerms + " 8",
		rulePIDExec + " 7",
		ruleInitD + " 5",
		ruleSetcap + " 3",
	}
	var gotCounts []string
	for i, rc := range sum.Rules {
		if rc.Rule != rs[i] {
			t.Errorf("Summary.Rules[%d] is rule %s, want %s", i, rc.Rule.ID, rs[i].ID)
		}
		gotCounts = append(gotCounts, fmt.Sprintf("%s %d", rc.Rule.ID, rc.Hits))
	}
	if !reflect.DeepEqual(gotCounts, wantCounts) {
		t.Errorf("per-rule hits:\n got %q\nwant %q", gotCounts, wantCounts)
	}

	// Files: in input order, with their events and compressed sizes.
	var wantFiles []report.FileStat
	var bytes int64
	for _, f := range sampleFiles {
		p := filepath.Join(samplesDir, f.name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		wantFiles = append(wantFiles, report.FileStat{Name: p, Bytes: fi.Size(), Events: f.events, SHA256: fileSHA256(t, p)})
		bytes += fi.Size()
	}
	if !reflect.DeepEqual(sum.Files, wantFiles) {
		t.Errorf("Summary.Files:\n got %+v\nwant %+v", sum.Files, wantFiles)
	}
	if sum.Bytes != bytes {
		t.Errorf("Summary.Bytes = %d, want %d", sum.Bytes, bytes)
	}

	// First and last event times, read here with encoding/json.
	lines := sampleTexts(t)
	var first, last time.Time
	for _, f := range sampleFiles {
		for i, l := range lines[f.name] {
			ts, err := time.Parse(time.RFC3339Nano, jsonString(t, sourceOf(t, l), "@timestamp"))
			if err != nil {
				t.Fatalf("%s:%d: %v", f.name, i+1, err)
			}
			if first.IsZero() || ts.Before(first) {
				first = ts
			}
			if ts.After(last) {
				last = ts
			}
		}
	}
	if !sum.First.Equal(first) || !sum.Last.Equal(last) {
		t.Errorf("Summary First, Last = %v, %v; want %v, %v", sum.First, sum.Last, first, last)
	}

	checkSampleHits(t, res.Hits, lines)
}

// checkSampleHits checks each hit's time, document, display fields and
// new terms against the sample line it came from.
func checkSampleHits(t *testing.T, hits []report.Hit, lines map[string][]string) {
	t.Helper()
	newTerms := map[string][]string{
		"linux-endpoint-day2.ndjson.gz:5":  {"initd.lock", "haldrund.pid"},
		"linux-endpoint-day2.ndjson.gz:38": {"cp", "syslogd.reboot"},
		"linux-endpoint-day2.ndjson.gz:43": {"syslogd.reboot", "kdevrund.pid"},
		"linux-endpoint-flat.ndjson:15":    {"cp", "xinetd.lock"},
		"linux-endpoint.ndjson:15":         {"bash", "deploy.lock"},
		"linux-endpoint.ndjson:133":        {"bash", "deploy.lock"},
		"linux-endpoint.ndjson:149":        {"cp", "initd.lock"},
		"linux-endpoint.ndjson:163":        {"kdmtmpflush", "haldrund.pid"},
	}
	for i, h := range hits {
		name := filepath.Base(h.Origin.File)
		place := fmt.Sprintf("%s:%d", name, h.Origin.Line)
		ls := lines[name]
		if h.Origin.Line < 1 || h.Origin.Line > len(ls) {
			t.Errorf("hit %d: origin %s is not a line of the sample", i, place)
			continue
		}
		line := ls[h.Origin.Line-1]
		src := sourceOf(t, line)
		if !bytes.Equal(h.Document, src) {
			t.Errorf("hit %d (%s): Document is not the event:\n got %s\nwant %s", i, place, h.Document, src)
		}
		if index := jsonString(t, []byte(line), "_index"); h.Index != index {
			t.Errorf("hit %d (%s): Index = %q, want %q", i, place, h.Index, index)
		}
		field := "@timestamp"
		if h.Rule.TimestampOverride != "" {
			field = h.Rule.TimestampOverride
		}
		want, err := time.Parse(time.RFC3339Nano, jsonString(t, src, field))
		if err != nil {
			t.Fatalf("%s: %s: %v", place, field, err)
		}
		if !h.Time.Equal(want) {
			t.Errorf("hit %d (%s, rule %s): Time = %v, want %s %v", i, place, h.Rule.ID, h.Time, field, want)
		}
		if h.Fields.Host != jsonString(t, src, "host.name") || h.Fields.Host == "" {
			t.Errorf("hit %d (%s): Fields.Host = %q, want host.name %q", i, place, h.Fields.Host, jsonString(t, src, "host.name"))
		}
		if h.Rule.ID == ruleNewTerms {
			if w := newTerms[place]; !reflect.DeepEqual(h.NewTerms, w) {
				t.Errorf("hit %d (%s): NewTerms = %q, want %q", i, place, h.NewTerms, w)
			}
		} else if h.NewTerms != nil {
			t.Errorf("hit %d (%s, rule %s): NewTerms = %q, want none", i, place, h.Rule.ID, h.NewTerms)
		}
	}
	// Report order: by time, then file and line.
	for i := 1; i < len(hits); i++ {
		if hits[i].Time.Before(hits[i-1].Time) {
			t.Errorf("hits %d and %d are not in time order: %v then %v", i-1, i, hits[i-1].Time, hits[i].Time)
		}
	}
}

// sampleTexts returns the decompressed lines of every sample file.
func sampleTexts(t testing.TB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, f := range sampleFiles {
		data, err := os.ReadFile(filepath.Join(samplesDir, f.name))
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = bytes.NewReader(data)
		switch filepath.Ext(f.name) {
		case ".gz":
			zr, err := gzip.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		case ".zst":
			zr, err := zstd.NewReader(r)
			if err != nil {
				t.Fatal(err)
			}
			defer zr.Close()
			r = zr
		}
		text, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		ls := strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")
		if int64(len(ls)) != f.events {
			t.Fatalf("%s has %d lines, docs/samples.md says %d events", f.name, len(ls), f.events)
		}
		out[f.name] = ls
	}
	return out
}

// sourceOf returns the event of a line, compacted: the _source of a wrapped
// Elasticsearch hit, else the line itself.
func sourceOf(t testing.TB, line string) []byte {
	t.Helper()
	var w struct {
		Source json.RawMessage `json:"_source"`
	}
	if err := json.Unmarshal([]byte(line), &w); err != nil {
		t.Fatalf("sample line is not JSON: %v: %s", err, line)
	}
	raw := []byte(line)
	if w.Source != nil {
		raw = w.Source
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jsonString returns the string at a dotted path of nested objects in a JSON
// document, "" when there is none.
func jsonString(t testing.TB, doc []byte, path string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, doc)
	}
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		if x, ok := m[path]; ok { // a flat dotted key for the rest
			v = x
			break
		}
		v = m[k]
		path = strings.TrimPrefix(path, k+".")
	}
	s, _ := v.(string)
	return s
}

// TestSamplesDeterministic scans the samples with 1, 2 and 4 workers and
// tiny chunks, which interleave the files' chunks among the workers, and
// checks that the hits, the summary and the JSON report are the same.
func TestSamplesDeterministic(t *testing.T) {
	rs := builtin(t)
	ins := expand(t, samplesDir)
	type outcome struct {
		name string
		res  *report.Result
		json []byte
	}
	var outs []outcome
	for _, c := range []struct {
		workers, readers, chunk int
	}{
		{1, 1, 0},
		{1, 2, 512},
		{2, 2, 512},
		{4, 3, 512},
		{4, 5, 1024},
	} {
		name := fmt.Sprintf("workers=%d,readers=%d,chunk=%d", c.workers, c.readers, c.chunk)
		res, err := run(t, ins, Config{Rules: rs, Workers: c.workers, Readers: c.readers, ChunkSize: c.chunk, Version: "test"})
		if err != nil {
			t.Fatalf("%s: Run: %v", name, err)
		}
		res.Summary.Started, res.Summary.Duration = time.Time{}, 0 // the wall clock's
		var b bytes.Buffer
		if err := report.WriteJSON(&b, res); err != nil {
			t.Fatalf("%s: WriteJSON: %v", name, err)
		}
		outs = append(outs, outcome{name, res, b.Bytes()})
	}
	ref := outs[0]
	if len(ref.res.Hits) != 26 {
		t.Fatalf("%s: %d hits, want 26", ref.name, len(ref.res.Hits))
	}
	for _, o := range outs[1:] {
		if len(o.res.Hits) != len(ref.res.Hits) {
			t.Errorf("%s: %d hits, %s: %d", o.name, len(o.res.Hits), ref.name, len(ref.res.Hits))
			continue
		}
		for i := range o.res.Hits {
			g, w := &o.res.Hits[i], &ref.res.Hits[i]
			if g.Rule != w.Rule || !g.Time.Equal(w.Time) || g.Origin != w.Origin || g.Index != w.Index ||
				!reflect.DeepEqual(g.NewTerms, w.NewTerms) || g.Fields != w.Fields || !bytes.Equal(g.Document, w.Document) {
				t.Errorf("%s: hit %d differs from %s:\n got %s %v %v %q %q\nwant %s %v %v %q %q", o.name, i, ref.name,
					g.Rule.ID, g.Time, g.Origin, g.Index, g.NewTerms, w.Rule.ID, w.Time, w.Origin, w.Index, w.NewTerms)
			}
		}
		if !reflect.DeepEqual(o.res.Summary, ref.res.Summary) {
			t.Errorf("%s: summary differs from %s:\n got %+v\nwant %+v", o.name, ref.name, o.res.Summary, ref.res.Summary)
		}
		if !bytes.Equal(o.json, ref.json) {
			t.Errorf("%s: JSON report differs from %s's", o.name, ref.name)
		}
	}
}
