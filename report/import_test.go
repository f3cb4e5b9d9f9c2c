package report_test

// Checks of the Timesketch timeline against Timesketch's documented rules
// for a CSV import, and of the ECS alerts against the ECS field types, on
// the golden files and on the report of a real scan of the samples.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"dredge/decode"
	"dredge/ecs"
	"dredge/report"
	"dredge/rules"
	"dredge/scan"
)

// scanSamples scans the repository's samples with the built-in rules and
// the test rules (a sequence and a threshold rule), as dredge scan does.
func scanSamples(t *testing.T) *report.Result {
	t.Helper()
	rs, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	l := rules.LoadDirs([]string{filepath.Join("..", "testdata", "rules")})
	if len(l.Errors) > 0 {
		t.Fatalf("test rules: %v", l.Errors)
	}
	inputs, problems, _ := decode.Expand([]string{filepath.Join("..", "samples")})
	if len(problems) > 0 {
		t.Fatalf("samples: %v", problems)
	}
	res, err := scan.Run(context.Background(), inputs, scan.Config{Rules: append(rs, l.Rules...), Workers: 2, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, h := range res.Hits {
		kinds[h.Rule.Type] = true
		if h.Events != nil {
			kinds["sequence"] = true
		}
	}
	for _, k := range []string{"eql", "new_terms", "threshold", "sequence"} {
		if !kinds[k] {
			t.Fatalf("the scan of the samples has no %s hit", k)
		}
	}
	return res
}

func golden(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkTimesketchImport checks a timeline against Timesketch's rules for a
// CSV import (docs/guides/user/import-from-json-csv.md, and the importer,
// timesketch/lib/utils.py read_and_validate_csv): a file name that ends in
// .csv; UTF-8; RFC 4180 with a header row naming the columns; the columns
// message, datetime and timestamp_desc; on every row a message, a datetime
// in ISO 8601 and a timestamp_desc (the importer drops a row without a
// datetime); a timestamp, when given, in microseconds since the epoch, the
// datetime's. Also what the importer needs without saying: one offset in
// the datetime column (pandas fails on mixed offsets), and no column that
// it scrubs (_id, _type, _index, _source, __ts_timeline_id). It returns the
// number of rows.
func checkTimesketchImport(t *testing.T, name string, data []byte) int {
	t.Helper()
	if !strings.HasSuffix(name, ".csv") {
		t.Errorf("%s: Timesketch imports only files named .csv or .jsonl", name)
	}
	if !utf8.Valid(data) {
		t.Fatalf("%s is not UTF-8", name)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll() // every row as long as the header
	if err != nil {
		t.Fatalf("%s: not RFC 4180 CSV: %v", name, err)
	}
	header := recs[0]
	col := map[string]int{}
	for i, c := range header {
		if _, dup := col[c]; dup {
			t.Errorf("%s: column %s twice", name, c)
		}
		col[c] = i
		if slices.Contains([]string{"_id", "_type", "_index", "_source", "__ts_timeline_id"}, c) {
			t.Errorf("%s: Timesketch drops the column %s", name, c)
		}
	}
	for _, c := range []string{"message", "datetime", "timestamp_desc"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("%s: no column %s, which Timesketch requires", name, c)
		}
	}
	ts, hasTimestamp := col["timestamp"]
	offset := ""
	for i, rec := range recs[1:] {
		line := i + 2
		msg := rec[col["message"]]
		if msg == "" || strings.ContainsAny(msg, "\r\n") {
			t.Errorf("%s:%d: message %q is not one line of text", name, line, msg)
		}
		if rec[col["timestamp_desc"]] == "" {
			t.Errorf("%s:%d: no timestamp_desc", name, line)
		}
		dt := rec[col["datetime"]]
		tm, err := time.Parse(time.RFC3339, dt)
		if err != nil {
			t.Errorf("%s:%d: datetime %q is not ISO 8601: %v", name, line, dt, err)
			continue
		}
		if off := tm.Format("Z07:00"); offset == "" {
			offset = off
		} else if off != offset {
			t.Errorf("%s:%d: datetime %q has offset %s, an earlier row %s", name, line, dt, off, offset)
		}
		if hasTimestamp {
			us, err := strconv.ParseInt(rec[ts], 10, 64)
			if err != nil || us != tm.UnixMicro() {
				t.Errorf("%s:%d: timestamp %q is not datetime %s in microseconds (%d)", name, line, rec[ts], dt, tm.UnixMicro())
			}
		}
	}
	return len(recs) - 1
}

func TestTimesketchImportGolden(t *testing.T) {
	for _, name := range []string{"report.timesketch.csv", "interrupted.timesketch.csv"} {
		if n := checkTimesketchImport(t, name, golden(t, name)); n == 0 {
			t.Errorf("%s has no row", name)
		}
	}
}

// TestTimesketchImportScan checks the timeline of a real scan, as raw
// cells and neutralised, and with a display zone.
func TestTimesketchImportScan(t *testing.T) {
	res := scanSamples(t)
	for _, o := range []report.Options{{}, {CSVRaw: true}, {TZ: time.FixedZone("", 5*3600+1800)}} {
		var buf bytes.Buffer
		if err := o.Write(&buf, report.FormatTimesketch, res); err != nil {
			t.Fatal(err)
		}
		rows := checkTimesketchImport(t, "samples.timesketch.csv", buf.Bytes())
		// Every hit has a row, and a sequence's events one each.
		want := 0
		for _, h := range res.Hits {
			if h.Events == nil {
				want++
			}
			for _, ev := range h.Events {
				if !ev.Missing && !ev.Time.IsZero() {
					want++
				}
			}
		}
		if report.Untimed(res) != 0 || rows != want {
			t.Errorf("%d rows, want %d; %d hits left out", rows, want, report.Untimed(res))
		}
	}
}

// ecsOwned tells whether a top-level key of an event names a field that an
// ECS alert sets (docs/report-formats.md).
func ecsOwned(key string) bool {
	for _, ns := range []string{"rule", "threat", "dredge"} {
		if key == ns || strings.HasPrefix(key, ns+".") {
			return true
		}
	}
	return key == "event.kind" || key == "event.risk_score" || key == "event.risk_score_norm"
}

// checkECSTypes checks that every field an ECS alert sets outside dredge.*
// is an ECS field, with a value of its ECS type: event.kind,
// event.risk_score, event.risk_score_norm, event.original, rule.* and
// threat.*. It returns the alert, decoded.
func checkECSTypes(t *testing.T, where string, line []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var check func(path string, v any)
	check = func(path string, v any) {
		if a, ok := v.([]any); ok {
			for _, x := range a {
				check(path, x)
			}
			return
		}
		if m, ok := v.(map[string]any); ok && ecs.TypeOf(path) != ecs.Object {
			for k, x := range m {
				check(path+"."+k, x)
			}
			return
		}
		if !ecs.Known(path) {
			t.Errorf("%s: %s is not an ECS field", where, path)
			return
		}
		ok := false
		switch typ := ecs.TypeOf(path); typ {
		case ecs.Keyword, ecs.Wildcard, ecs.Text:
			_, ok = v.(string)
		case ecs.Number:
			_, ok = v.(json.Number)
		case ecs.Bool:
			_, ok = v.(bool)
		case ecs.IP:
			s, _ := v.(string)
			_, err := netip.ParseAddr(s)
			ok = err == nil
		case ecs.Date:
			s, _ := v.(string)
			_, err := time.Parse(time.RFC3339, s)
			ok = err == nil
		case ecs.Object:
			_, ok = v.(map[string]any)
		}
		if !ok {
			t.Errorf("%s: %s is %#v, not of its ECS type %s", where, path, v, ecs.TypeOf(path))
		}
	}
	event, _ := doc["event"].(map[string]any)
	if event == nil || event["kind"] != "alert" {
		t.Errorf("%s: event.kind is not alert", where)
	}
	for _, k := range []string{"kind", "risk_score", "risk_score_norm", "original"} {
		if v, ok := event[k]; ok {
			check("event."+k, v)
		}
	}
	if _, ok := doc["rule"]; !ok {
		t.Errorf("%s: no rule", where)
	}
	for _, k := range []string{"rule", "threat"} {
		if v, ok := doc[k]; ok {
			check(k, v)
		}
	}
	return doc
}

func TestECSTypesGolden(t *testing.T) {
	for _, name := range []string{"report.ecs.ndjson", "interrupted.ecs.ndjson"} {
		lines := bytes.Split(bytes.TrimSuffix(golden(t, name), []byte("\n")), []byte("\n"))
		for i, line := range lines {
			doc := checkECSTypes(t, name+":"+strconv.Itoa(i+1), line)
			if i == 0 {
				// The ATT&CK mapping of the first rule, which has one.
				th, _ := doc["threat"].(map[string]any)
				if th["framework"] != "MITRE ATT&CK" || th["tactic"] == nil || th["technique"] == nil {
					t.Errorf("%s:1: threat is %v", name, th)
				}
			}
		}
	}
}

// TestECSScan checks the alerts of a real scan: one per hit, of ECS types,
// each the hit's event with its own fields (less those the alert sets), its
// @timestamp as it was, and its origin.
func TestECSScan(t *testing.T) {
	res := scanSamples(t)
	var buf bytes.Buffer
	if err := report.Write(&buf, report.FormatECS, res); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != len(res.Hits) {
		t.Fatalf("%d alerts, want one per hit: %d", len(lines), len(res.Hits))
	}
	for i, line := range lines {
		h := &res.Hits[i]
		where := h.Origin.File + ":" + strconv.Itoa(h.Origin.Line)
		doc := checkECSTypes(t, where, line)
		var event map[string]any
		if err := json.Unmarshal(h.Document, &event); err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		var want []string
		for k := range event {
			if !ecsOwned(k) {
				want = append(want, k)
			}
		}
		want = append(want, "event", "rule", "dredge")
		if _, ok := doc["threat"]; ok {
			want = append(want, "threat")
		}
		var got []string
		for k := range doc {
			got = append(got, k)
		}
		slices.Sort(got)
		slices.Sort(want)
		if want = slices.Compact(want); !slices.Equal(got, want) {
			t.Errorf("%s: keys %q, want %q", where, got, want)
		}
		if doc["@timestamp"] != event["@timestamp"] {
			t.Errorf("%s: @timestamp %v, want the event's %v", where, doc["@timestamp"], event["@timestamp"])
		}
		origin := doc["dredge"].(map[string]any)["origin"].(map[string]any)
		if origin["file"] != h.Origin.File || origin["line"] != json.Number(strconv.Itoa(h.Origin.Line)) {
			t.Errorf("%s: dredge.origin %v", where, origin)
		}
		rule := doc["rule"].(map[string]any)
		if rule["id"] != h.Rule.ID || rule["name"] != h.Rule.Name {
			t.Errorf("%s: rule %v, want %s %s", where, rule, h.Rule.ID, h.Rule.Name)
		}
	}
}
