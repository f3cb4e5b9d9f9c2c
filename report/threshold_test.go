package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
)

// TestThresholdCells checks how each format writes the group of a
// threshold hit, with and without group fields and a cardinality condition.
func TestThresholdCells(t *testing.T) {
	first, last := ms("2024-05-01T21:41:12Z"), ms("2024-05-01T21:41:37.5Z")
	tests := []struct {
		name     string
		th       *ThresholdResult
		json     string // the "threshold" member of the NDJSON line
		csv      string // the threshold column
		htmlCell string // the group and count cells of the hit's row
	}{
		{
			name:     "one field",
			th:       &ThresholdResult{Terms: []ThresholdTerm{{"host.id", "h-1"}}, Count: 12, First: first, Last: last},
			json:     `"threshold":{"terms":[{"field":"host.id","value":"h-1"}],"count":12,"first":"2024-05-01T21:41:12.000Z","last":"2024-05-01T21:41:37.500Z","cardinality":[]}`,
			csv:      "host.id=h-1; count=12; first=2024-05-01T21:41:12.000Z; last=2024-05-01T21:41:37.500Z",
			htmlCell: `<td><span class="term">host.id: h-1</span></td><td class="num">12</td>`,
		},
		{
			name: "no field, a cardinality condition",
			th: &ThresholdResult{Terms: []ThresholdTerm{}, Count: 1234, First: first, Last: last,
				Cardinality: []ThresholdCardinality{{"user.name", 25}}},
			json:     `"threshold":{"terms":[],"count":1234,"first":"2024-05-01T21:41:12.000Z","last":"2024-05-01T21:41:37.500Z","cardinality":[{"field":"user.name","value":25}]}`,
			csv:      "count=1234; first=2024-05-01T21:41:12.000Z; last=2024-05-01T21:41:37.500Z; cardinality(user.name)=25",
			htmlCell: `<td>all events</td><td class="num">1,234</td>`,
		},
		{
			name:     "nil terms are written as an empty list",
			th:       &ThresholdResult{Count: 3, First: first, Last: first},
			json:     `"threshold":{"terms":[],"count":3,"first":"2024-05-01T21:41:12.000Z","last":"2024-05-01T21:41:12.000Z","cardinality":[]}`,
			csv:      "count=3; first=2024-05-01T21:41:12.000Z; last=2024-05-01T21:41:12.000Z",
			htmlCell: `<td>all events</td><td class="num">3</td>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &Result{Hits: []Hit{{Rule: ruleThreshold, Time: first, Origin: Origin{File: "a.ndjson", Line: 3},
				Document: []byte(`{"host":{"id":"h-1"}}`), Threshold: tt.th}}}
			var nd bytes.Buffer
			if err := WriteNDJSON(&nd, res); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(nd.String(), `,`+tt.json+`,"document":`) {
				t.Errorf("NDJSON:\n%s\nwant %s", nd.String(), tt.json)
			}
			var c bytes.Buffer
			if err := WriteCSV(&c, res); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&c).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			col := -1
			for i, h := range recs[0] {
				if h == "threshold" {
					col = i
				}
			}
			if col < 0 || recs[1][col] != tt.csv {
				t.Errorf("CSV threshold column %d = %q, want %q", col, recs[1][col], tt.csv)
			}
			var h bytes.Buffer
			if err := WriteHTML(&h, res); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(h.String(), tt.htmlCell) {
				t.Errorf("the HTML page has no %s", tt.htmlCell)
			}
		})
	}
}

// TestNoThreshold checks that other hits have no threshold anywhere.
func TestNoThreshold(t *testing.T) {
	res := &Result{Hits: []Hit{{Rule: ruleShell, Origin: Origin{File: "a.ndjson", Line: 1}, Document: []byte(`{}`)}}}
	var nd bytes.Buffer
	if err := WriteNDJSON(&nd, res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(nd.String(), "threshold") {
		t.Errorf("NDJSON has a threshold: %s", nd.String())
	}
	var h bytes.Buffer
	if err := WriteHTML(&h, res); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.String(), "<th>Group</th>") {
		t.Error("the HTML page has a Group column")
	}
}
