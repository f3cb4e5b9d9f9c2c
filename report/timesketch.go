package report

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/valyala/fastjson"

	"dredge/event"
	"dredge/rules"
)

// timesketchHeader names the columns of the Timesketch timeline, in order:
// Timesketch's three required columns and its optional timestamp first,
// then dredge's. docs/report-formats.md describes them.
var timesketchHeader = []string{
	"message", "datetime", "timestamp_desc", "timestamp",
	"hit", "rule_id", "rule_name", "severity", "risk_score", "rule_type", "tactics", "techniques",
	"host", "user", "process", "file", "index", "origin_file", "origin_line",
	"new_terms", "join_keys", "sequence_step", "threshold", "document",
}

// timesketchNumeric marks the columns of numbers that dredge writes.
var timesketchNumeric = func() []bool {
	n := make([]bool, len(timesketchHeader))
	for i, c := range timesketchHeader {
		n[i] = c == "timestamp" || c == "hit" || c == "risk_score" || c == "origin_line"
	}
	return n
}()

// timesketchDesc is the timestamp_desc of a hit's row: what its time is.
const timesketchDesc = "Event Time"

// WriteTimesketch writes the hits of res to w as a timeline that Timesketch
// imports as it is: CSV as WriteCSV writes it (formulas neutralised unless
// o.CSVRaw), with Timesketch's columns message, datetime (ISO 8601, always
// UTC) and timestamp_desc, and timestamp (microseconds since the epoch),
// then dredge's own. A hit is one row, at its time; a sequence or sample
// hit is one row per event of its chain, each at its own time, that share
// the hit's number. An event without a time cannot be on a timeline and has
// no row (Untimed counts the hits left out whole). For an interrupted scan
// an INCOMPLETE row comes first, at the time of the latest event read.
//
// Times are in UTC whatever o.TZ: Timesketch's importer reads the datetime
// column with pandas, which fails on a column whose offsets differ, as they
// do in a zone with daylight saving time; Timesketch shows times in its
// user's zone anyway.
func (o Options) WriteTimesketch(w io.Writer, res *Result) error {
	cw := newCSVWriter(w, o.CSVRaw)
	cw.numeric = timesketchNumeric
	cw.write(timesketchHeader)
	row := make([]string, len(timesketchHeader))
	if s := &res.Summary; s.Interrupted != "" {
		row[0] = "INCOMPLETE: " + interruptedNote(s)
		if t := s.Last; !t.IsZero() {
			row[1], row[3] = timesketchTime(t)
			row[2] = "Latest event read before the interruption"
		}
		cw.write(row)
	}
	var p fastjson.Parser
	var doc bytes.Buffer
	attack := make(map[*rules.Rule][2]string) // tactics and techniques cells
	for i := range res.Hits {
		h := &res.Hits[i]
		r := h.Rule
		if r == nil {
			return errNoRule(i)
		}
		a, ok := attack[r]
		if !ok {
			a = [2]string{strings.Join(r.Tactics(), csvSep), strings.Join(r.Techniques(), csvSep)}
			attack[r] = a
		}
		if h.Events == nil {
			if h.Time.IsZero() {
				continue
			}
			timesketchRow(row, h, i, a, timelineEvent{h.Time, h.Fields, h.Index, h.Origin, "", compactDocument(&doc, h.Document)})
			if err := cw.write(row); err != nil {
				return err
			}
			continue
		}
		first := true // the hit's fields are those of its first event
		for j := range h.Events {
			ev := &h.Events[j]
			if ev.Missing {
				continue
			}
			f := h.Fields
			if !first {
				f = docFields(&p, ev.Document)
			}
			first = false
			if ev.Time.IsZero() {
				continue
			}
			step := strconv.Itoa(j+1) + "/" + strconv.Itoa(len(h.Events))
			timesketchRow(row, h, i, a, timelineEvent{ev.Time, f, ev.Index, ev.Origin, step, compactDocument(&doc, ev.Document)})
			if err := cw.write(row); err != nil {
				return err
			}
		}
	}
	return cw.flush()
}

// timelineEvent is an event of a hit, as a row of the timeline shows it.
type timelineEvent struct {
	time     time.Time
	fields   Fields
	index    string
	origin   Origin
	step     string // the place in a sequence or sample hit ("2/3"), else ""
	document string
}

// timesketchRow fills row for event e of hit h, number i (0-based) of the
// report; attack holds the cells of the rule's tactics and techniques.
func timesketchRow(row []string, h *Hit, i int, attack [2]string, e timelineEvent) {
	r := h.Rule
	row[0] = timesketchMessage(h, e.fields, e.step)
	row[1], row[3] = timesketchTime(e.time)
	row[2] = timesketchDesc
	row[4] = strconv.Itoa(i + 1)
	row[5] = r.ID
	row[6] = r.Name
	row[7] = r.Severity
	row[8] = strconv.Itoa(r.RiskScore)
	row[9] = r.Type
	row[10] = attack[0]
	row[11] = attack[1]
	row[12] = e.fields.Host
	row[13] = e.fields.User
	row[14] = e.fields.Process
	row[15] = e.fields.File
	row[16] = e.index
	row[17] = e.origin.File
	row[18] = strconv.Itoa(e.origin.Line)
	row[19] = strings.Join(h.NewTerms, csvSep)
	row[20] = joinKeysCell(h.JoinKeys)
	row[21] = e.step
	row[22] = thresholdCell(h.Threshold, nil)
	row[23] = e.document
}

// timesketchTime returns the datetime and timestamp cells of t: RFC 3339
// in UTC with milliseconds, and the same instant in microseconds since the
// epoch.
func timesketchTime(t time.Time) (datetime, timestamp string) {
	return formatTime(t), strconv.FormatInt(t.UnixMilli()*1000, 10)
}

// timesketchMessage is the message of a row: the severity and the rule,
// what kind of hit it is, and the event's display fields, on one line, such
// as "[high] Reverse Shell via Bash Redirection: host web-01, user
// www-data, process /usr/bin/bash".
func timesketchMessage(h *Hit, f Fields, step string) string {
	var b strings.Builder
	b.WriteString("[" + h.Rule.Severity + "] " + h.Rule.Name)
	switch {
	case step != "":
		b.WriteString(" (sequence, event " + strings.Replace(step, "/", " of ", 1) + ")")
	case h.Threshold != nil:
		b.WriteString(" (threshold: " + strconv.FormatInt(h.Threshold.Count, 10) + " events")
		for _, x := range h.Threshold.Terms {
			b.WriteString(", " + x.Field + "=" + x.Value)
		}
		b.WriteString(")")
	case len(h.NewTerms) > 0:
		b.WriteString(" (new terms: " + strings.Join(h.NewTerms, ", ") + ")")
	}
	sep := ": "
	for _, x := range [...]struct{ name, value string }{
		{"host", f.Host}, {"user", f.User}, {"process", f.Process}, {"file", f.File},
	} {
		if x.value != "" {
			b.WriteString(sep + x.name + " " + x.value)
			sep = ", "
		}
	}
	return oneLine(b.String())
}

// oneLine replaces the control characters and line separators of s by
// spaces, so that it reads on one line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// The fields of Fields, as the scan extracts them.
var (
	pathHostName    = event.NewPath("host.name")
	pathHostname    = event.NewPath("host.hostname")
	pathUserName    = event.NewPath("user.name")
	pathUserDomain  = event.NewPath("user.domain")
	pathExecutable  = event.NewPath("process.executable")
	pathProcessName = event.NewPath("process.name")
	pathFilePath    = event.NewPath("file.path")
	pathFileName    = event.NewPath("file.name")
)

// docFields extracts the display fields of an event's document as the scan
// does for a hit (see Fields), from the document as it was read, before
// normalisation; empty when it is not JSON.
func docFields(p *fastjson.Parser, doc []byte) Fields {
	v, err := p.ParseBytes(doc)
	if err != nil {
		return Fields{}
	}
	f := Fields{
		Host:    pathHostName.String(v),
		User:    pathUserName.String(v),
		Process: pathExecutable.String(v),
		File:    pathFilePath.String(v),
	}
	if f.Host == "" {
		f.Host = pathHostname.String(v)
	}
	if d := pathUserDomain.String(v); d != "" && f.User != "" {
		f.User = d + `\` + f.User
	}
	if f.Process == "" {
		f.Process = pathProcessName.String(v)
	}
	if f.File == "" {
		f.File = pathFileName.String(v)
	}
	return f
}

// Untimed counts the hits of res that have no row in the Timesketch
// timeline: neither the hit nor any event of its chain has a time.
func Untimed(res *Result) int {
	n := 0
	for i := range res.Hits {
		h := &res.Hits[i]
		timed := h.Events == nil && !h.Time.IsZero()
		for _, ev := range h.Events {
			timed = timed || (!ev.Missing && !ev.Time.IsZero())
		}
		if !timed {
			n++
		}
	}
	return n
}
