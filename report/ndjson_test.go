package report

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestNDJSONGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNDJSON(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.ndjson", buf.Bytes())
}

func TestNDJSONOneHitPerLine(t *testing.T) {
	res := testResult()
	res.Hits = append(res.Hits, damagedHits()...)
	var buf bytes.Buffer
	if err := WriteNDJSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != len(res.Hits) {
		t.Fatalf("got %d lines, want one per hit: %d", len(lines), len(res.Hits))
	}
	for i, line := range lines {
		var h map[string]json.RawMessage
		if err := json.Unmarshal(line, &h); err != nil {
			t.Errorf("line %d is not a JSON object: %v\n%s", i+1, err, line)
		}
		if _, ok := h["rule"]; !ok {
			t.Errorf("line %d has no rule: %s", i+1, line)
		}
	}
}

func TestNDJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteNDJSON(&buf, &Result{Summary: Summary{Version: "x"}}); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Errorf("got %q, want nothing", buf.String())
	}
}
