package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.json", buf.Bytes())
}

// damagedHits are hits whose document is not (all) valid JSON.
func damagedHits() []Hit {
	return []Hit{
		{Rule: ruleQuiet, Document: []byte(`{"host":{"name":"a"`)},                    // truncated
		{Rule: ruleQuiet, Document: []byte("not json at all </script>")},              // not JSON
		{Rule: ruleQuiet, Document: []byte("{\"user\":{\"name\":\"\xc3\x28\xff\"}}")}, // not UTF-8
		{Rule: ruleQuiet, Document: []byte("\xff\xfe{")},                              // neither
		{Rule: ruleQuiet}, // none
		{Rule: ruleQuiet, Document: []byte("{\"a\":1}\n{\"b\":2}")}, // two documents
	}
}

func TestJSONDamagedDocument(t *testing.T) {
	res := &Result{Hits: damagedHits()}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(buf.Bytes()) {
		t.Fatalf("the report is not valid JSON:\n%s", buf.Bytes())
	}
	var got struct {
		Hits []struct {
			Document any `json:"document"`
		} `json:"hits"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []any{
		`{"host":{"name":"a"`,
		"not json at all </script>",
		map[string]any{"user": map[string]any{"name": "\uFFFD(\uFFFD"}},
		"\uFFFD{",
		nil,
		"{\"a\":1}\n{\"b\":2}",
	}
	if len(got.Hits) != len(want) {
		t.Fatalf("got %d hits, want %d", len(got.Hits), len(want))
	}
	for i, h := range got.Hits {
		g, _ := json.Marshal(h.Document)
		w, _ := json.Marshal(want[i])
		if !bytes.Equal(g, w) {
			t.Errorf("hit %d: document %s, want %s", i, g, w)
		}
	}
}

func TestJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &Result{Summary: Summary{Version: "0.1.0", Complete: true}}); err != nil {
		t.Fatal(err)
	}
	want := `{
  "version": "0.1.0",
  "schema_version": 1,
  "summary": {
    "started": null,
    "duration_ms": null,
    "files": [],
    "bytes": 0,
    "events": 0,
    "events_without_index": 0,
    "events_without_time": 0,
    "events_outside_window": 0,
    "normalized": {},
    "host_os_type_derived": 0,
    "hits": 0,
    "hits_dropped": 0,
    "max_hits_per_rule": 0,
    "complete": true,
    "interrupted": false,
    "first_event": null,
    "last_event": null,
    "window": {
      "from": null,
      "to": null
    },
    "hosts": [],
    "timeline": {
      "step_ms": 0,
      "buckets": []
    },
    "rules": [],
    "rule_set": {
      "rules": 0,
      "builtin": 0,
      "folders": [],
      "from_folders": 0,
      "deprecated": 0,
      "unsupported": 0,
      "errors": 0,
      "filter": "",
      "filtered": 0
    },
    "problems": [],
    "skipped": {}
  },
  "hits": []
}
`
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestJSONTimestamp(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no zone database: %v", err)
	}
	tests := []struct {
		name string
		in   string
		loc  *time.Location
		want string
	}{
		{"whole second", "2024-05-01T10:00:00Z", nil, `"2024-05-01T10:00:00.000Z"`},
		{"nanoseconds cut", "2024-05-01T10:00:00.123456789Z", nil, `"2024-05-01T10:00:00.123Z"`},
		{"zone to UTC", "2024-05-01T12:00:00.5+02:00", nil, `"2024-05-01T10:00:00.500Z"`},
		{"zero", "", nil, `null`},
		{"zero in a zone", "", berlin, `null`},
		{"UTC zone", "2024-05-01T12:00:00.5+02:00", time.UTC, `"2024-05-01T10:00:00.500Z"`},
		{"summer time", "2024-05-01T10:00:00.123Z", berlin, `"2024-05-01T12:00:00.123+02:00"`},
		{"winter time", "2024-01-15T10:00:00Z", berlin, `"2024-01-15T11:00:00.000+01:00"`},
		{"fixed zone", "2024-05-01T10:00:00Z", time.FixedZone("", -(3*3600 + 30*60)), `"2024-05-01T06:30:00.000-03:30"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tm time.Time
			if tt.in != "" {
				tm = ms(tt.in)
			}
			got, err := json.Marshal(zonedTime{tm, tt.loc})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
			if s := formatTimeIn(tm, tt.loc); `"`+s+`"` != tt.want && !(s == "" && tt.want == "null") {
				t.Errorf("formatTimeIn gives %q, want %s", s, tt.want)
			}
			if tt.loc == nil {
				ref, _ := json.Marshal(jsonTime(tm))
				if string(ref) != tt.want {
					t.Errorf("the reference writer's time is %s, want %s", ref, tt.want)
				}
			}
		})
	}
}

// TestJSONZone checks the times of the JSON and NDJSON reports in a
// display zone: every time has the zone's offset.
func TestJSONZone(t *testing.T) {
	o := Options{TZ: time.FixedZone("", 2*3600)}
	var j, nd bytes.Buffer
	if err := o.WriteJSON(&j, testResult()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.tz.json", j.Bytes())
	if err := o.WriteNDJSON(&nd, interruptedResult()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"started": "2024-05-02T10:30:00.250+02:00"`,
		`"first_event": "2024-05-01T11:58:02.500+02:00"`,
		`"start": "2024-05-01T12:14:00.000+02:00"`,
		`"timestamp": "2024-05-01T12:05:12.000+02:00"`,
		`"last": "2024-05-01T12:09:41.002+02:00"`,
	} {
		if !strings.Contains(j.String(), want) {
			t.Errorf("JSON: no %s", want)
		}
	}
	// The NDJSON report: its first line (the summary) and its hits.
	for _, want := range []string{`"started":"2024-05-02T10:30:00.250+02:00"`, `{"timestamp":"2024-05-01T12:00:00.123+02:00",`} {
		if !strings.Contains(nd.String(), want) {
			t.Errorf("NDJSON: no %s", want)
		}
	}
	// Times are all there is to it.
	var utc bytes.Buffer
	if err := WriteJSON(&utc, testResult()); err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"\d{4}-\d\d-\d\dT[\d:.]+(Z|\+02:00)"`)
	toUTC := func(b []byte) []byte {
		return re.ReplaceAllFunc(b, func(m []byte) []byte {
			tm, err := time.Parse(time.RFC3339, string(m[1:len(m)-1]))
			if err != nil {
				t.Fatal(err)
			}
			return []byte(`"` + formatTime(tm) + `"`)
		})
	}
	if got := toUTC(j.Bytes()); !bytes.Equal(got, toUTC(utc.Bytes())) {
		t.Errorf("the reports differ in more than their times")
	}
}
