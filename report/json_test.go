package report

import (
	"bytes"
	"encoding/json"
	"testing"
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
  "summary": {
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
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"whole second", "2024-05-01T10:00:00Z", `"2024-05-01T10:00:00.000Z"`},
		{"nanoseconds cut", "2024-05-01T10:00:00.123456789Z", `"2024-05-01T10:00:00.123Z"`},
		{"zone to UTC", "2024-05-01T12:00:00.5+02:00", `"2024-05-01T10:00:00.500Z"`},
		{"zero", "", `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var tm jsonTime
			if tt.in != "" {
				tm = jsonTime(ms(tt.in))
			}
			got, err := json.Marshal(tm)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
