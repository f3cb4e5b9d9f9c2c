package report

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"strings"
	"testing"
)

func TestCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.csv", buf.Bytes())
}

// csvHost writes one hit whose host is cell and returns the host cell read back.
func csvHost(t *testing.T, o Options, cell string) string {
	t.Helper()
	res := &Result{Hits: []Hit{{Rule: ruleQuiet, Fields: Fields{Host: cell}, Document: []byte(`{}`)}}}
	var buf bytes.Buffer
	if err := o.WriteCSV(&buf, res); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || len(recs[1]) != len(csvHeader) {
		t.Fatalf("got %d records, want a header and one row of %d cells: %q", len(recs), len(csvHeader), recs)
	}
	return recs[1][7]
}

func TestCSVNeutralisesFormulas(t *testing.T) {
	tests := []struct {
		name, cell, want string
		raw              string // the raw cell read back, when not cell
	}{
		{name: "equals", cell: "=HYPERLINK(\"http://x.example/\",\"open\")", want: "'=HYPERLINK(\"http://x.example/\",\"open\")"},
		{name: "plus", cell: "+1+cmd|' /C calc'!A0", want: "'+1+cmd|' /C calc'!A0"},
		{name: "minus", cell: "-2+3", want: "'-2+3"},
		{name: "at", cell: "@SUM(A1:A9)", want: "'@SUM(A1:A9)"},
		{name: "tab", cell: "\t=1+1", want: "'\t=1+1"},
		// encoding/csv drops a carriage return that is not part of a line
		// end when it writes CRLF line ends, as RFC 4180 wants.
		{name: "carriage return", cell: "\r=1+1", want: "'=1+1", raw: "=1+1"},
		{name: "plain", cell: "web-01", want: "web-01"},
		{name: "inner equals", cell: "a=b", want: "a=b"},
		{name: "empty", cell: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := csvHost(t, Options{}, tt.cell); got != tt.want {
				t.Errorf("cell %q: got %q, want %q", tt.cell, got, tt.want)
			}
			raw := cmp.Or(tt.raw, tt.cell)
			if got := csvHost(t, Options{CSVRaw: true}, tt.cell); got != raw {
				t.Errorf("raw cell %q: got %q, want %q", tt.cell, got, raw)
			}
		})
	}
}

func TestCSVEveryCellNeutralised(t *testing.T) {
	r := *ruleQuiet
	r.ID, r.Name, r.Severity = "=id", "+name", "-sev"
	res := &Result{Hits: []Hit{{
		Rule:     &r,
		Origin:   Origin{File: "@file", Line: 1},
		Index:    "=index",
		Fields:   Fields{Host: "=h", User: "+u", Process: "-p", File: "@f"},
		NewTerms: []string{"=a", "b"},
		Document: []byte("=not json"),
	}}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, res); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, cell := range recs[1] {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("column %s: cell %q starts a formula", csvHeader[i], cell)
		}
	}
}

func TestCSVDocument(t *testing.T) {
	res := &Result{Hits: []Hit{
		{Rule: ruleQuiet, Document: []byte("{\n  \"a\": [1, 2],\n  \"b\": \"x\\ny\"\n}\n")},
		{Rule: ruleQuiet, Document: []byte("{\"a\": \"\xff\"")},
	}}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, res); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := recs[1][len(csvHeader)-1], `{"a":[1,2],"b":"x\ny"}`; got != want {
		t.Errorf("document: got %q, want the compact JSON %q", got, want)
	}
	if got, want := recs[2][len(csvHeader)-1], "{\"a\": \"\uFFFD\""; got != want {
		t.Errorf("damaged document: got %q, want %q", got, want)
	}
}
