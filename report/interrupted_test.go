package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// interruptedResult is testResult as a scan that SIGINT interrupted leaves it.
func interruptedResult() *Result {
	res := testResult()
	res.Summary.Interrupted = "SIGINT"
	res.Summary.Complete = false
	return res
}

func TestInterruptedGolden(t *testing.T) {
	for format, name := range map[string]string{
		FormatCSV: "interrupted.csv", FormatNDJSON: "interrupted.ndjson",
		FormatTimesketch: "interrupted.timesketch.csv", FormatECS: "interrupted.ecs.ndjson",
	} {
		var buf bytes.Buffer
		if err := Write(&buf, format, interruptedResult()); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, name, buf.Bytes())
	}
	for name, write := range map[string]func(Options, io.Writer, *Result) error{
		"interrupted.hosts.csv": Options.writeHostsCSV, "interrupted.hosts.ndjson": Options.writeHostsNDJSON,
	} {
		var buf bytes.Buffer
		if err := write(Options{}, &buf, interruptedResult()); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, name, buf.Bytes())
	}
}

// TestInterruptedMarks checks the INCOMPLETE mark of each format, and that
// the rest of the report is the report of a scan that was not interrupted.
func TestInterruptedMarks(t *testing.T) {
	write := func(format string, res *Result) []byte {
		t.Helper()
		var buf bytes.Buffer
		if err := Write(&buf, format, res); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}

	t.Run("json", func(t *testing.T) {
		var rep struct {
			Summary struct {
				Complete      bool    `json:"complete"`
				Interrupted   bool    `json:"interrupted"`
				InterruptedBy *string `json:"interrupted_by"`
			} `json:"summary"`
			Hits []json.RawMessage `json:"hits"`
		}
		if err := json.Unmarshal(write(FormatJSON, interruptedResult()), &rep); err != nil {
			t.Fatal(err)
		}
		s := rep.Summary
		if s.Complete || !s.Interrupted || s.InterruptedBy == nil || *s.InterruptedBy != "SIGINT" || len(rep.Hits) != len(testResult().Hits) {
			t.Errorf("got complete %v, interrupted %v by %v, %d hits; want false, true, SIGINT, %d",
				s.Complete, s.Interrupted, s.InterruptedBy, len(rep.Hits), len(testResult().Hits))
		}
		// Not interrupted: interrupted is false, interrupted_by left out.
		plain := write(FormatJSON, testResult())
		if !bytes.Contains(plain, []byte(`"interrupted": false,`)) || bytes.Contains(plain, []byte("interrupted_by")) {
			t.Errorf("the report of a whole scan does not say interrupted false, or names an interruption")
		}
	})

	t.Run("json complete flag", func(t *testing.T) {
		// A summary marked interrupted but still Complete is written as
		// not complete.
		res := interruptedResult()
		res.Summary.Complete = true
		if !bytes.Contains(write(FormatJSON, res), []byte(`"complete": false,`)) {
			t.Errorf("an interrupted report says complete")
		}
	})

	t.Run("ndjson", func(t *testing.T) {
		got := write(FormatNDJSON, interruptedResult())
		first, rest, _ := bytes.Cut(got, []byte("\n"))
		var head struct {
			Version string          `json:"version"`
			Summary json.RawMessage `json:"summary"`
			Rule    json.RawMessage `json:"rule"`
		}
		if err := json.Unmarshal(first, &head); err != nil {
			t.Fatalf("first line: %v\n%s", err, first)
		}
		if head.Version != "0.1.0" || head.Rule != nil ||
			!bytes.Contains(head.Summary, []byte(`"complete":false,"interrupted":true,"interrupted_by":"SIGINT",`)) {
			t.Errorf("first line is not the summary of an interrupted scan: %s", first)
		}
		if want := write(FormatNDJSON, testResult()); !bytes.Equal(rest, want) {
			t.Errorf("the hit lines differ from those of a whole scan")
		}
		// An interrupted scan without hits still has its summary line.
		res := interruptedResult()
		res.Hits = nil
		if got := write(FormatNDJSON, res); bytes.Count(got, []byte("\n")) != 1 || !bytes.HasPrefix(got, []byte(`{"version":`)) {
			t.Errorf("got %q, want one summary line", got)
		}
	})

	t.Run("csv", func(t *testing.T) {
		recs, err := csv.NewReader(bytes.NewReader(write(FormatCSV, interruptedResult()))).ReadAll()
		if err != nil {
			t.Fatal(err) // also when a row has another number of cells
		}
		want, err := csv.NewReader(bytes.NewReader(write(FormatCSV, testResult()))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != len(want)+1 {
			t.Fatalf("got %d records, want %d", len(recs), len(want)+1)
		}
		mark := recs[1]
		wantMark := "scan interrupted by SIGINT after 4617 events: the hits cover only those events; the rest of the input was not scanned"
		if mark[0] != "INCOMPLETE" || mark[2] != wantMark || strings.Join(mark, "") != "INCOMPLETE"+wantMark {
			t.Errorf("got marker row %q", mark)
		}
		for i, r := range want {
			j := i
			if i > 0 {
				j++ // after the marker row
			}
			if strings.Join(recs[j], ",") != strings.Join(r, ",") {
				t.Errorf("record %d differs from the whole scan's: %q", i, recs[j])
			}
		}
	})

	t.Run("html", func(t *testing.T) {
		got := string(write(FormatHTML, interruptedResult()))
		banner := "<body>\n<div class=\"banner\" role=\"alert\"><strong>INCOMPLETE — scan interrupted</strong> " +
			"The scan was interrupted (SIGINT) after 4,617 events, before the end of its input"
		if !strings.Contains(got, banner) {
			t.Errorf("no banner at the top of the page")
		}
		if strings.Contains(got, "<strong>Complete</strong>") {
			t.Errorf("the page says complete")
		}
		// Interrupted without input problems: the status does not send the
		// reader to problems that are not there.
		res := interruptedResult()
		res.Summary.Problems, res.Summary.Skipped = nil, nil
		got = string(write(FormatHTML, res))
		if !strings.Contains(got, `<p class="status incomplete"><strong>INCOMPLETE</strong> The scan was interrupted (SIGINT): the hits below cover only what was read.</p>`) {
			t.Errorf("the status line of an interrupted scan without problems is wrong")
		}
		if strings.Contains(got, `href="#problems"`) {
			t.Errorf("the page links to a problems section it does not have")
		}
		// A whole scan has no banner.
		if strings.Contains(string(write(FormatHTML, testResult())), `class="banner"`) {
			t.Errorf("the report of a whole scan has the banner")
		}
	})
}
