package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
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

// WriteCSV writes the hits of res to w as CSV, times in o.TZ; with o.CSVRaw
// cells are written as they are.
func (o Options) WriteCSV(w io.Writer, res *Result) error {
	cw := newCSVWriter(w, o.CSVRaw)
	cw.write(csvHeader)
	if res.Summary.Interrupted != "" {
		cw.write(incompleteRow(&res.Summary, len(csvHeader), 2))
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
		row[0] = formatTimeIn(h.Time, o.TZ)
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
		row[16] = eventsCell(h.Events, o.TZ)
		row[17] = thresholdCell(h.Threshold, o.TZ)
		row[18] = compactDocument(&doc, h.Document)
		if err := cw.write(row); err != nil {
			return err
		}
	}
	return cw.flush()
}

// incompleteRow is the row of n cells that marks the CSV report of an
// interrupted scan, right after the header: "INCOMPLETE" in the first
// column, what happened in column note, the other cells empty. It keeps the
// column count, so the file stays valid CSV, and sits where a person opening
// the file sees it first.
func incompleteRow(s *Summary, n, note int) []string {
	row := make([]string, n)
	row[0] = "INCOMPLETE"
	row[note] = interruptedNote(s)
	return row
}

// csvWriter writes CSV records as encoding/csv's Writer does with UseCRLF
// (RFC 4180: a cell is quoted when it holds a comma, a double quote, a
// carriage return or a line feed, or starts with a space; a double quote is
// doubled; a carriage return that is not part of a line end is dropped),
// with bytes that are not UTF-8 as U+FFFD. Unless raw, it also neutralises
// formulas, as OWASP's page on CSV injection advises: a cell that starts
// with a character that starts a formula gets a leading apostrophe
// (neutralise), and a cell that holds a semicolon is quoted too, so that a
// spreadsheet that splits cells at semicolons (the list separator of many
// locales) cannot start a new cell, perhaps with a formula, inside it.
type csvWriter struct {
	w   *bufio.Writer
	raw bool
	// numeric marks the columns of numbers that dredge writes, such as a
	// negative timestamp: they are not attacker text, and a spreadsheet
	// reads -12 as a number, so they are never neutralised.
	numeric []bool
	err     error
}

func newCSVWriter(w io.Writer, raw bool) *csvWriter {
	return &csvWriter{w: bufio.NewWriterSize(w, 64<<10), raw: raw}
}

// write writes one record. The error is that of the underlying writer, and
// stays: later writes do nothing.
func (cw *csvWriter) write(row []string) error {
	if cw.err != nil {
		return cw.err
	}
	w := cw.w
	for i, cell := range row {
		if i > 0 {
			w.WriteByte(',')
		}
		cell = strings.ToValidUTF8(cell, "\uFFFD")
		if !cw.raw && (i >= len(cw.numeric) || !cw.numeric[i]) {
			cell = neutralise(cell)
		}
		if !cw.needsQuotes(cell) {
			w.WriteString(cell)
			continue
		}
		w.WriteByte('"')
		for cell != "" {
			j := strings.IndexAny(cell, "\"\r\n")
			if j < 0 {
				j = len(cell)
			}
			w.WriteString(cell[:j])
			if cell = cell[j:]; cell == "" {
				break
			}
			switch cell[0] {
			case '"':
				w.WriteString(`""`)
			case '\n':
				w.WriteString("\r\n")
			}
			cell = cell[1:]
		}
		w.WriteByte('"')
	}
	_, cw.err = w.WriteString("\r\n")
	return cw.err
}

// needsQuotes reports whether cell must be quoted (see csvWriter).
func (cw *csvWriter) needsQuotes(cell string) bool {
	switch {
	case cell == "":
		return false
	case cell == `\.`, strings.ContainsAny(cell, ",\"\r\n"):
		return true // \. alone would end the data in PostgreSQL's COPY
	case !cw.raw && strings.IndexByte(cell, ';') >= 0:
		return true
	}
	r, _ := utf8.DecodeRuneInString(cell)
	return unicode.IsSpace(r)
}

// flush writes what is buffered and returns the first error of the
// underlying writer.
func (cw *csvWriter) flush() error {
	if cw.err != nil {
		return cw.err
	}
	cw.err = cw.w.Flush()
	return cw.err
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
// as its time in loc and origin (file:line), a missing event as "missing".
func eventsCell(evs []Event, loc *time.Location) string {
	var parts []string
	for _, e := range evs {
		if e.Missing {
			parts = append(parts, "missing")
			continue
		}
		p := e.Origin.File + ":" + strconv.Itoa(e.Origin.Line)
		if t := formatTimeIn(e.Time, loc); t != "" {
			p = t + " " + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, csvSep)
}

// thresholdCell writes the group of a threshold hit: its terms as
// FIELD=VALUE, then count=N, first=TIME, last=TIME and, for a cardinality
// condition, cardinality(FIELD)=N; times in loc.
func thresholdCell(t *ThresholdResult, loc *time.Location) string {
	if t == nil {
		return ""
	}
	var parts []string
	for _, x := range t.Terms {
		parts = append(parts, x.Field+"="+x.Value)
	}
	parts = append(parts, "count="+strconv.FormatInt(t.Count, 10), "first="+formatTimeIn(t.First, loc), "last="+formatTimeIn(t.Last, loc))
	for _, c := range t.Cardinality {
		parts = append(parts, "cardinality("+c.Field+")="+strconv.FormatInt(c.Value, 10))
	}
	return strings.Join(parts, csvSep)
}

// formulaStarts are the characters that OWASP's page on CSV injection says
// no cell may start with: =, +, -, @, tab, carriage return and line feed.
const formulaStarts = "=+-@\t\r\n"

// neutralise puts an apostrophe before a cell that a spreadsheet would take
// for a formula: one that starts with one of formulaStarts (OWASP, CSV
// injection).
func neutralise(cell string) string {
	if cell != "" && strings.IndexByte(formulaStarts, cell[0]) >= 0 {
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
