package report

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"dredge/rules"
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
		// A line feed is written as CRLF in a quoted cell, and read back
		// as a line feed.
		{name: "line feed", cell: "\n=1+1", want: "'\n=1+1"},
		{name: "plain", cell: "web-01", want: "web-01"},
		{name: "inner equals", cell: "a=b", want: "a=b"},
		{name: "after a semicolon", cell: "a;=1+2", want: "a;=1+2"},
		{name: "after a comma", cell: "a,=1+2", want: "a,=1+2"},
		{name: "after a quote", cell: `a";=1+2`, want: `a";=1+2`},
		{name: "OWASP's example", cell: `=1+2";=1+2`, want: `'=1+2";=1+2`},
		{name: "leading space", cell: " =1+1", want: " =1+1"},
		{name: "apostrophe", cell: "'=1+1", want: "'=1+1"},
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

// TestCSVSemicolonQuoted checks that a cell with a semicolon is quoted, so
// that a spreadsheet that splits cells at semicolons keeps it whole, and
// only when neutralising.
func TestCSVSemicolonQuoted(t *testing.T) {
	res := &Result{Hits: []Hit{{Rule: ruleQuiet, Fields: Fields{Host: "a;=1+2"}}}}
	for _, tt := range []struct {
		o    Options
		want string
	}{
		{Options{}, `,"a;=1+2",`},
		{Options{CSVRaw: true}, `,a;=1+2,`},
	} {
		var buf bytes.Buffer
		if err := tt.o.WriteCSV(&buf, res); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), tt.want) {
			t.Errorf("CSVRaw %v: got\n%s\nwant the cell written %s", tt.o.CSVRaw, buf.String(), tt.want)
		}
	}
}

// formulaResult is two hits, a sequence's and another's, whose every value
// of text, from the events or from the rule, starts with c, as does the
// name of their host.
func formulaResult(c string) *Result {
	r := *ruleQuiet
	r.ID, r.Name, r.Severity, r.Type = c+"id", c+"name", c+"sev", c+"type"
	r.Threat = []rules.Threat{{Framework: "MITRE ATT&CK", Tactic: rules.Tactic{ID: c + "TA1", Name: "t"},
		Techniques: []rules.Technique{{ID: c + "T1", Name: "n"}}}}
	k := c + "key"
	t0 := ms("2024-05-01T10:00:00Z")
	return &Result{
		Summary: Summary{Hosts: []HostStat{{Name: c + "host", Events: 1}}},
		Hits: []Hit{{
			Rule:      &r,
			Time:      t0,
			Origin:    Origin{File: c + "file", Line: 1},
			Index:     c + "index",
			Fields:    Fields{Host: c + "h", User: c + "u", Process: c + "p", File: c + "f"},
			NewTerms:  []string{c + "a", "b"},
			Threshold: &ThresholdResult{Terms: []ThresholdTerm{{Field: c + "f", Value: "v"}}},
			Document:  []byte(c + "not json"),
		}, {
			Rule:     &r,
			Origin:   Origin{File: c + "file", Line: 1},
			JoinKeys: []*string{&k},
			// The first event has no time, so that the events cell starts
			// with its origin.
			Events:   []Event{{Origin: Origin{File: c + "file", Line: 1}}, {Time: t0, Origin: Origin{File: c + "e2"}, Document: []byte(c + "doc")}},
			Document: []byte(c + "doc"),
		}},
	}
}

// TestCSVEveryCellNeutralised writes hits whose every value starts with
// each character that OWASP says starts a formula, in the CSV report, the
// Timesketch timeline and the hosts sidecar: every column that holds such
// values has them neutralised, and --csv-raw writes them as they are.
func TestCSVEveryCellNeutralised(t *testing.T) {
	tests := []struct {
		name    string
		write   func(Options, io.Writer, *Result) error
		columns string // those that hold a value from formulaResult
	}{
		{"csv", Options.WriteCSV, "rule_id rule_name severity tactics techniques host user process file index origin_file new_terms join_keys events threshold document"},
		{"timesketch", Options.WriteTimesketch, "rule_id rule_name severity rule_type tactics techniques host user process file index origin_file new_terms join_keys threshold document"},
		{"hosts", Options.writeHostsCSV, "host"},
	}
	for _, c := range strings.Split(formulaStarts, "") {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%q", tt.name, c), func(t *testing.T) {
				for _, raw := range []bool{false, true} {
					var buf bytes.Buffer
					if err := tt.write(Options{CSVRaw: raw}, &buf, formulaResult(c)); err != nil {
						t.Fatal(err)
					}
					recs, err := csv.NewReader(&buf).ReadAll()
					if err != nil {
						t.Fatal(err)
					}
					var found []string // the columns that hold such a value
					for i, name := range recs[0] {
						for _, rec := range recs[1:] {
							cell := rec[i]
							if !raw && cell != "" && strings.ContainsRune(formulaStarts, rune(cell[0])) {
								t.Errorf("column %s: cell %q starts a formula", name, cell)
							}
							if !slices.Contains(found, name) && (raw && strings.HasPrefix(cell, c) || !raw && strings.HasPrefix(cell, "'"+c)) {
								found = append(found, name)
							}
						}
					}
					// A carriage return alone is dropped (see
					// TestCSVNeutralisesFormulas): nothing to see.
					if got := strings.Join(found, " "); c != "\r" && got != tt.columns {
						t.Errorf("raw %v: columns %s hold the values, want %s", raw, got, tt.columns)
					}
				}
			})
		}
	}
}

// TestCSVWriterIsEncodingCSV checks that the CSV writer with raw cells
// writes exactly what encoding/csv's Writer with CRLF line ends does.
func TestCSVWriterIsEncodingCSV(t *testing.T) {
	records := [][]string{
		{"a", "", "b c", " lead", "\tlead", "trail ", "x,y", `say "hi"`, "a\nb", "a\r\nb", "a\rb", "\r", "\n", `\.`, `\.x`},
		{"", ""},
		{""},
		{"=1+2", "a;b", "\u00e9\u2028", "\u00a0nbsp", "\u3000ideographic", "\x00", "\"", `""`},
	}
	var got, want bytes.Buffer
	cw := newCSVWriter(&got, true)
	ref := csv.NewWriter(&want)
	ref.UseCRLF = true
	for _, rec := range records {
		if err := cw.write(rec); err != nil {
			t.Fatal(err)
		}
		if err := ref.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.flush(); err != nil {
		t.Fatal(err)
	}
	ref.Flush()
	if got.String() != want.String() {
		t.Errorf("got:\n%q\nwant:\n%q", got.String(), want.String())
	}
}

// TestCSVZone checks the times of a CSV report in a display zone: the
// timestamp, events and threshold columns, RFC 3339 with the offset.
func TestCSVZone(t *testing.T) {
	var buf bytes.Buffer
	if err := (Options{TZ: time.FixedZone("", 2*3600)}).WriteCSV(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.tz.csv", buf.Bytes())
	for _, want := range []string{
		"\r\n2024-05-01T12:00:00.123+02:00,a1b2c3d4-0001-",
		`"2024-05-01T12:05:00.250+02:00 dump/host-a/process.ndjson.gz:40; 2024-05-01T12:05:12.000+02:00 dump/host-a/network.ndjson:7; missing"`,
		"first=2024-05-01T12:07:03.500+02:00; last=2024-05-01T12:09:41.002+02:00",
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("no %q in:\n%s", want, buf.String())
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

// FuzzCSVWriter checks the CSV writer against encoding/csv: with raw cells
// it writes the same bytes; neutralising, a CSV reader reads the same cells
// as from encoding/csv's output of the neutralised cells.
func FuzzCSVWriter(f *testing.F) {
	for _, s := range []string{"", "a", "=1+2", "a;b", " x", "\t=1", "a\r\nb", "\r", `\.`, `"`, "\xff", "'-x"} {
		f.Add(s, "b")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		rec := []string{a, b, a + ";" + b}
		write := func(raw bool) (got, ref []byte) {
			var g, r bytes.Buffer
			cw := newCSVWriter(&g, raw)
			if err := cw.write(rec); err != nil {
				t.Fatal(err)
			}
			if err := cw.flush(); err != nil {
				t.Fatal(err)
			}
			ew := csv.NewWriter(&r)
			ew.UseCRLF = true
			var cells []string
			for _, c := range rec {
				c = strings.ToValidUTF8(c, "\uFFFD")
				if !raw {
					c = neutralise(c)
				}
				cells = append(cells, c)
			}
			if err := ew.Write(cells); err != nil {
				t.Fatal(err)
			}
			ew.Flush()
			return g.Bytes(), r.Bytes()
		}
		if got, ref := write(true); !bytes.Equal(got, ref) {
			t.Fatalf("raw: got %q, encoding/csv writes %q", got, ref)
		}
		got, ref := write(false)
		g, gerr := csv.NewReader(bytes.NewReader(got)).ReadAll()
		r, rerr := csv.NewReader(bytes.NewReader(ref)).ReadAll()
		if (gerr != nil) != (rerr != nil) || !slices.EqualFunc(g, r, slices.Equal) {
			t.Fatalf("neutralised: read back %q (%v), from encoding/csv %q (%v)", g, gerr, r, rerr)
		}
		for _, cell := range g[0] {
			if cell != "" && strings.ContainsRune(formulaStarts, rune(cell[0])) {
				t.Fatalf("cell %q starts a formula", cell)
			}
		}
	})
}
