package report

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dredge/rules"
	"dredge/rules/match"
)

// The HTML report is one self-contained file, after go tool cover's
// html.go: the template is parsed once, the style and script are inline, and
// nothing is loaded from anywhere, so that the file opens offline on a case
// laptop years later. html/template escapes every event value; the only
// template.HTML is the investigation guide that goldmark rendered with raw
// HTML off (markdown.go).

var (
	//go:embed assets/report.html.tmpl
	htmlSource string
	//go:embed assets/report.css
	htmlCSS string
	//go:embed assets/report.js
	htmlJS string
)

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"time":      htmlTime,
	"count":     formatCount,
	"size":      formatSize,
	"pretty":    prettyDocument,
	"severity":  severityClass,
	"place":     formatPlace,
	"join":      strings.Join,
	"keys":      joinKeysText,
	"threshold": thresholdText,
	"shapes":    shapesText,
}).Parse(htmlSource))

// htmlCSP is the page's Content-Security-Policy: nothing may load, and only
// the page's own style and script, known by their hashes, may run.
var htmlCSP = "default-src 'none'; style-src " + cspHash(htmlCSS) + "; script-src " + cspHash(htmlJS) +
	"; base-uri 'none'; form-action 'none'"

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// htmlPage is what the template shows.
type htmlPage struct {
	CSP     string
	CSS     template.CSS
	JS      template.JS
	Summary *Summary
	// Cards are the hit counts by severity, most severe first.
	Cards []severityCard
	// Fired are the rules with hits, most severe first; Quiet the rules
	// that ran without a hit, by name.
	Fired, Quiet []*htmlRule
	// FilesOpen and ProblemsOpen say whether the lists of inputs and of
	// problems are short enough to show open.
	FilesOpen, ProblemsOpen bool
}

type severityCard struct {
	Severity    string
	Hits, Rules int
}

// htmlRule is a rule with its hits.
type htmlRule struct {
	*rules.Rule
	Anchor string
	// Count is the rule's hit count in the summary; Hits are those in the
	// report, which may be fewer.
	Count int
	Hits  []*Hit
	// HasNewTerms says whether a hit has new terms to show, and
	// HasThreshold whether one has a threshold group.
	HasNewTerms, HasThreshold bool
	// Columns is the number of columns of the hit table.
	Columns int
	// Kind names the hits of a sequence or sample rule: "Sequence" or
	// "Sample"; "Group" when the rule does not say.
	Kind string
	// NoteHTML is the investigation guide rendered from Markdown.
	NoteHTML template.HTML
}

// severities are the severities in decreasing order.
var severities = []string{"critical", "high", "medium", "low"}

func severityRank(s string) int {
	if i := slices.Index(severities, strings.ToLower(s)); i >= 0 {
		return len(severities) - i
	}
	return 0
}

// severityClass returns the CSS class name for a severity: the severity
// itself when it is one of the four, else "other".
func severityClass(s string) string {
	if severityRank(s) > 0 {
		return strings.ToLower(s)
	}
	return "other"
}

// openListMax is the longest list of inputs or problems shown open.
const openListMax = 20

// WriteHTML writes res to w as one self-contained HTML page: the scan
// summary, the hits by severity and by rule, then each rule that fired with
// its description, query, investigation guide and hits.
func WriteHTML(w io.Writer, res *Result) error {
	page, err := newHTMLPage(res)
	if err != nil {
		return err
	}
	// html/template escapes values but passes bytes that are not UTF-8
	// (a file name, a damaged event) through; the page is UTF-8.
	u := &utf8Writer{w: w}
	bw := bufio.NewWriterSize(u, 64<<10)
	if err := htmlTemplate.Execute(bw, page); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return u.flush()
}

// utf8Writer writes to w what is written to it with the bytes that are not
// UTF-8 replaced by U+FFFD, as bytes.ToValidUTF8 does. The start of a
// character cut between two writes is held back until the next one, or
// flush.
type utf8Writer struct {
	w    io.Writer
	held []byte // the start of a character, at most utf8.UTFMax-1 bytes
	buf  []byte
}

func (u *utf8Writer) Write(p []byte) (int, error) {
	n := len(p)
	if len(u.held) > 0 {
		u.buf = append(append(u.buf[:0], u.held...), p...)
		p = u.buf
	}
	// Hold back a last character that is not whole yet.
	cut := len(p)
	for i := len(p) - 1; i >= 0 && i > len(p)-utf8.UTFMax; i-- {
		if utf8.RuneStart(p[i]) {
			if !utf8.FullRune(p[i:]) {
				cut = i
			}
			break
		}
	}
	out := p[:cut]
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	u.held = append(u.held[:0], p[cut:]...)
	if _, err := u.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// flush writes what was held back, which will never be a whole character.
func (u *utf8Writer) flush() error {
	if len(u.held) == 0 {
		return nil
	}
	_, err := u.w.Write(bytes.ToValidUTF8(u.held, []byte("\uFFFD")))
	u.held = u.held[:0]
	return err
}

func newHTMLPage(res *Result) (*htmlPage, error) {
	s := &res.Summary
	page := &htmlPage{
		CSP:          htmlCSP,
		CSS:          template.CSS(htmlCSS),
		JS:           template.JS(htmlJS),
		Summary:      s,
		FilesOpen:    len(s.Files) <= openListMax,
		ProblemsOpen: len(s.Problems) <= openListMax,
	}
	byRule := make(map[*rules.Rule]*htmlRule)
	var all []*htmlRule
	add := func(r *rules.Rule) *htmlRule {
		hr := byRule[r]
		if hr == nil {
			hr = &htmlRule{Rule: r}
			byRule[r] = hr
			all = append(all, hr)
		}
		return hr
	}
	for _, rc := range s.Rules {
		if rc.Rule != nil {
			add(rc.Rule).Count += rc.Hits
		}
	}
	for i := range res.Hits {
		h := &res.Hits[i]
		if h.Rule == nil {
			return nil, errNoRule(i)
		}
		hr := add(h.Rule)
		hr.Hits = append(hr.Hits, h)
		hr.HasNewTerms = hr.HasNewTerms || len(h.NewTerms) > 0
		hr.HasThreshold = hr.HasThreshold || h.Threshold != nil
	}
	for _, hr := range all {
		hr.Columns = 6
		if hr.HasNewTerms {
			hr.Columns++
		}
		if hr.HasThreshold {
			hr.Columns += 2
		}
		hr.Kind = "Group"
		if q := hr.Rule.Compiled; q != nil && q.Kind == match.Samples {
			hr.Kind = "Sample"
		} else if q != nil && q.Kind == match.Sequences {
			hr.Kind = "Sequence"
		}
		// A rule missing from the summary counts the hits at hand.
		hr.Count = max(hr.Count, len(hr.Hits))
		if hr.Count == 0 {
			page.Quiet = append(page.Quiet, hr)
		} else {
			page.Fired = append(page.Fired, hr)
		}
	}
	slices.SortStableFunc(page.Fired, func(a, b *htmlRule) int {
		return cmp.Or(
			-cmp.Compare(severityRank(a.Severity), severityRank(b.Severity)),
			-cmp.Compare(a.RiskScore, b.RiskScore),
			-cmp.Compare(a.Count, b.Count),
			strings.Compare(a.Name, b.Name),
		)
	})
	slices.SortStableFunc(page.Quiet, func(a, b *htmlRule) int { return strings.Compare(a.Name, b.Name) })

	cards := make(map[string]*severityCard)
	for i, hr := range page.Fired {
		hr.Anchor = "rule-" + strconv.Itoa(i+1)
		sev := severityClass(hr.Severity)
		c := cards[sev]
		if c == nil {
			c = &severityCard{Severity: sev}
			cards[sev] = c
		}
		c.Hits += hr.Count
		c.Rules++
		note, err := renderNote(hr.Rule.Note)
		if err != nil {
			return nil, fmt.Errorf("report: investigation guide of rule %q: %w", hr.Name, err)
		}
		hr.NoteHTML = note
	}
	for _, sev := range severities {
		c := severityCard{Severity: sev}
		if cards[sev] != nil {
			c = *cards[sev]
		}
		page.Cards = append(page.Cards, c)
	}
	if c := cards["other"]; c != nil {
		page.Cards = append(page.Cards, *c)
	}
	return page, nil
}

// joinKeysText writes join keys for the page: a null value as null.
func joinKeysText(keys []*string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		if k == nil {
			parts[i] = "null"
		} else {
			parts[i] = strconv.Quote(*k)
		}
	}
	return strings.Join(parts, ", ")
}

// thresholdText describes a threshold rule's settings for the page.
func thresholdText(t *rules.Threshold) string {
	var b strings.Builder
	fmt.Fprintf(&b, "at least %s matching events", formatCount(t.Value))
	switch len(t.Fields) {
	case 0:
		b.WriteString(" in all")
	case 1:
		b.WriteString(" per " + t.Fields[0])
	default:
		b.WriteString(" per (" + strings.Join(t.Fields, ", ") + ")")
	}
	if len(t.Cardinality) > 0 {
		c := t.Cardinality[0]
		fmt.Fprintf(&b, ", with at least %s distinct values of %s", formatCount(c.Value), c.Field)
	}
	return b.String()
}

// htmlTime formats a time for the page; a dash for the zero time.
func htmlTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return formatTime(t)
}

// formatPlace returns "file:line", or the file alone when the line is not
// known.
func formatPlace(file string, line int) string {
	if line <= 0 {
		return file
	}
	return file + ":" + strconv.Itoa(line)
}

// formatCount writes an int or int64 with thousands separators: 1,234,567.
func formatCount(v any) string {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	default:
		return fmt.Sprint(v)
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	if n < 0 {
		b.WriteByte('-')
		s = s[1:]
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// formatSize writes a byte count for a reader: "1.5 MiB".
func formatSize(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// prettyDocument returns the event indented for reading, or as it is when it
// is not valid JSON. The template escapes it.
func prettyDocument(doc []byte) string {
	if !utf8.Valid(doc) {
		doc = bytes.ToValidUTF8(doc, []byte("\uFFFD"))
	}
	var buf bytes.Buffer
	if json.Indent(&buf, doc, "", "  ") == nil {
		return buf.String()
	}
	return string(doc)
}

// shapesText describes the events normalisation filled in, by shape:
// "7959 winlogbeat6, 184 flat-windows", or "none".
func shapesText(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	shapes := make([]string, 0, len(m))
	for s := range m {
		shapes = append(shapes, s)
	}
	sort.Strings(shapes)
	parts := make([]string, len(shapes))
	for i, s := range shapes {
		parts[i] = formatCount(m[s]) + " " + s
	}
	return strings.Join(parts, ", ")
}
