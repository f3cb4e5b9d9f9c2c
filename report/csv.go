package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"dredge/rules"
)

// csvHeader names the CSV columns, in order. docs/report-formats.md
// describes them.
var csvHeader = []string{
	"timestamp", "rule_id", "rule_name", "severity", "risk_score",
	"tactics", "techniques", "host", "user", "process", "file", "index",
	"origin_file", "origin_line", "new_terms", "join_keys", "events", "threshold", "document",
}

// csvSep joins the values of a multi-valued cell.
const csvSep = "; "

// WriteCSV writes the hits of res to w as CSV (RFC 4180, UTF-8, CRLF line
// ends), one row per hit after a header row. A cell that a spreadsheet would
// run as a formula is neutralised with a leading apostrophe.
func WriteCSV(w io.Writer, res *Result) error {
	return Options{}.WriteCSV(w, res)
}

// WriteCSV writes the hits of res to w as CSV; with o.CSVRaw cells are
// written as they are.
func (o Options) WriteCSV(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	if res.Summary.Interrupted != "" {
		if err := cw.Write(incompleteRow(&res.Summary)); err != nil {
			return err
		}
	}
	type ruleCells struct{ tactics, techniques string }
	perRule := make(map[*rules.Rule]ruleCells)
	row := make([]string, len(csvHeader))
	var doc bytes.Buffer
	for i := range res.Hits {
		h := &res.Hits[i]
		r := h.Rule
		if r == nil {
			return errNoRule(i)
		}
		rc, ok := perRule[r]
		if !ok {
			rc = ruleCells{strings.Join(r.Tactics(), csvSep), strings.Join(r.Techniques(), csvSep)}
			perRule[r] = rc
		}
		row[0] = formatTime(h.Time)
		row[1] = r.ID
		row[2] = r.Name
		row[3] = r.Severity
		row[4] = strconv.Itoa(r.RiskScore)
		row[5] = rc.tactics
		row[6] = rc.techniques
		row[7] = h.Fields.Host
		row[8] = h.Fields.User
		row[9] = h.Fields.Process
		row[10] = h.Fields.File
		row[11] = h.Index
		row[12] = h.Origin.File
		row[13] = strconv.Itoa(h.Origin.Line)
		row[14] = strings.Join(h.NewTerms, csvSep)
		row[15] = joinKeysCell(h.JoinKeys)
		row[16] = eventsCell(h.Events)
		row[17] = thresholdCell(h.Threshold)
		row[18] = compactDocument(&doc, h.Document)
		for j, c := range row {
			row[j] = strings.ToValidUTF8(c, "\uFFFD")
			if !o.CSVRaw {
				row[j] = neutralise(row[j])
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// incompleteRow is the row that marks the CSV report of an interrupted
// scan, right after the header: "INCOMPLETE" in the timestamp column, what
// happened in the rule_name column, the other cells empty. It keeps the
// column count, so the file stays valid CSV, and sits where a person opening
// the file sees it first.
func incompleteRow(s *Summary) []string {
	row := make([]string, len(csvHeader))
	row[0] = "INCOMPLETE"
	row[2] = strings.ToValidUTF8(interruptedNote(s), "\uFFFD")
	return row
}

// joinKeysCell writes the join keys of a sequence or sample hit, a null
// value as null.
func joinKeysCell(keys []*string) string {
	var parts []string
	for _, k := range keys {
		if k == nil {
			parts = append(parts, "null")
		} else {
			parts = append(parts, *k)
		}
	}
	return strings.Join(parts, csvSep)
}

// eventsCell writes the chain of events of a sequence or sample hit, each
// as its time and origin (file:line), a missing event as "missing".
func eventsCell(evs []Event) string {
	var parts []string
	for _, e := range evs {
		if e.Missing {
			parts = append(parts, "missing")
			continue
		}
		p := e.Origin.File + ":" + strconv.Itoa(e.Origin.Line)
		if t := formatTime(e.Time); t != "" {
			p = t + " " + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, csvSep)
}

// thresholdCell writes the group of a threshold hit: its terms as
// FIELD=VALUE, then count=N, first=TIME, last=TIME and, for a cardinality
// condition, cardinality(FIELD)=N.
func thresholdCell(t *ThresholdResult) string {
	if t == nil {
		return ""
	}
	var parts []string
	for _, x := range t.Terms {
		parts = append(parts, x.Field+"="+x.Value)
	}
	parts = append(parts, "count="+strconv.FormatInt(t.Count, 10), "first="+formatTime(t.First), "last="+formatTime(t.Last))
	for _, c := range t.Cardinality {
		parts = append(parts, "cardinality("+c.Field+")="+strconv.FormatInt(c.Value, 10))
	}
	return strings.Join(parts, csvSep)
}

// neutralise puts an apostrophe before a cell that a spreadsheet would take
// for a formula: one starting with =, +, -, @, a tab or a carriage return
// (OWASP, CSV injection).
func neutralise(cell string) string {
	if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 {
		return "'" + cell
	}
	return cell
}

// compactDocument returns doc as compact JSON, or as it is when it is not
// valid JSON.
func compactDocument(buf *bytes.Buffer, doc []byte) string {
	buf.Reset()
	if utf8.Valid(doc) && json.Compact(buf, doc) == nil {
		return buf.String()
	}
	return string(doc)
}
