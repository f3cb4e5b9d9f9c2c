package report

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
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
// template.HTML are the investigation guide that goldmark rendered with raw
// HTML off (markdown.go), the timeline's SVG (html_timeline.go) and the
// events with their tested fields marked (html_event.go), which we escape
// ourselves.
//
// A page with every hit of a large scan would not open: it shows at most
// htmlRuleHits hits per rule, the earliest, and at most htmlPageHits in
// all. Create writes the others next to the page, REPORT.hits.ndjson for
// REPORT.html, and the page names that file; a page written to a stream has
// no such file, and says how to get one.

var (
	//go:embed assets/report.html.tmpl
	htmlSource string
	//go:embed assets/report.css
	htmlCSS string
	//go:embed assets/report.js
	htmlJS string
)

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"time":      htmlTime, // replaced by the page's zone at each write
	"ms":        unixMillis,
	"duration":  formatDuration,
	"count":     formatCount,
	"size":      formatSize,
	"event":     eventHTML,
	"severity":  severityClass,
	"place":     formatPlace,
	"join":      strings.Join,
	"keys":      joinKeysText,
	"threshold": thresholdText,
	"shapes":    shapesText,
	"plural":    plural,
	"add":       func(a, b int) int { return a + b },
	"clip":      func(s string) string { return clipText(s, clipShort) },
	"clipLong":  func(s string) string { return clipText(s, clipLong) },
	"rank":      severityRank,
	"step":      stepText,
}).Parse(htmlSource))

// htmlCSP is the page's Content-Security-Policy: nothing may load, and only
// the page's own style and script, known by their hashes, may run.
var htmlCSP = "default-src 'none'; style-src " + cspHash(htmlCSS) + "; script-src " + cspHash(htmlJS) +
	"; base-uri 'none'; form-action 'none'"

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// The most hits the page shows of one rule, and in all. A rule's table of
// 500 hits, each with its event of about 2 KB pretty-printed, is about 1 MB
// of page, which sorts and filters at once; past that a reader needs tools
// anyway, and gets the others as NDJSON. 10,000 hits in all make a page of
// about 26 MB: with the sections of rules laid out only when they come near
// the screen (report.css), headless Chromium loaded such a page in 4 to 6 s
// on this project's shared 2-core machine under a load of 8, and in 14 to
// 21 s without that (see TestBrowserLargeReport, which logs it). When the
// rules' hits would pass it, every rule shows fewer, the same number, so
// that a rule with a few hits still shows them all.
const (
	htmlRuleHits = 500
	htmlPageHits = 10_000
)

// The most characters of a value that the page shows outside the events:
// clipShort of a name, a host, a path, a reason; clipLong of a rule's
// description, query or investigation guide. An attacker may write a value
// of megabytes into an event, a file name or a rule, and a browser takes
// minutes to lay out such a word in some places. The event, in its hit's
// expansion, keeps the whole value, and so do the other reports.
const (
	clipShort = 1000
	clipLong  = 20_000
)

// clipText returns s, or when it is longer than n characters its first n
// and how many more there are, such as "AAAA… [1,048,076 more
// characters]".
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	seen := 0
	for i := range s {
		if seen == n {
			return s[:i] + "… [" + plural(utf8.RuneCountInString(s[i:]), "more character", "more characters") + "]"
		}
		seen++
	}
	return s
}

// htmlLimits are the most hits the page shows of one rule, and in all.
type htmlLimits struct{ rule, page int }

// defaultHTMLLimits are the limits of every page; tests set others.
func defaultHTMLLimits() htmlLimits { return htmlLimits{htmlRuleHits, htmlPageHits} }

// htmlTarget is where the page goes, for what it says of the hits it does
// not show.
type htmlTarget struct {
	// sidecar is the name of the file with the hits the page does not
	// show, next to it; "" when the page goes to a stream, with no such
	// file.
	sidecar string
	limits  htmlLimits
}

// htmlPage is what the template shows.
type htmlPage struct {
	CSP     string
	CSS     template.CSS
	JS      template.JS
	Summary *Summary
	// Zone names the zone of the page's times.
	Zone string
	// Cards are the hit counts by severity, most severe first.
	Cards []severityCard
	// Fired are the rules with hits, most severe first; Quiet the rules
	// that ran without a hit, by name.
	Fired, Quiet []*htmlRule
	// FilesOpen and ProblemsOpen say whether the lists of inputs and of
	// problems are short enough to show open.
	FilesOpen, ProblemsOpen bool
	// Timeline is the chart of events and hits over time; nil when
	// nothing has a time. TimelineSVG is its drawing.
	Timeline    *timelineChart
	TimelineSVG template.HTML
	// Attack is the ATT&CK grid of what fired.
	Attack []*attackTactic
	// Hosts are the hosts the page lists, those with the most severe hits
	// first; HostsLeft counts the others, without hits, and HostsLeftEvents
	// their events.
	Hosts           []*HostStat
	HostsLeft       int
	HostsLeftEvents int64
	HostsOpen       bool
	// Shown is the number of hits in the page and NotShown of the others
	// in the report; Sidecar names the file that holds those, next to the
	// page, "" when none was written (the page went to a stream).
	Shown, NotShown int
	Sidecar         string
	// RuleCap is the most hits of one rule the page shows.
	RuleCap int
}

type severityCard struct {
	Severity    string
	Hits, Rules int
}

// htmlRule is a rule with its hits.
type htmlRule struct {
	*rules.Rule
	Anchor string
	// Count is the rule's hit count in the summary, every hit found;
	// Dropped those beyond the limit of hits per rule, in no report;
	// InReport those in the report; Hits those the page shows.
	Count, Dropped, InReport int
	Hits                     []*Hit
	// HasNewTerms says whether a hit has new terms to show, and
	// HasThreshold whether one has a threshold group.
	HasNewTerms, HasThreshold bool
	// Columns is the number of columns of the hit table.
	Columns int
	// Kind names the hits of a sequence or sample rule: "Sequence" or
	// "Sample"; "Group" when the rule does not say.
	Kind string
	// NoteHTML is the investigation guide rendered from Markdown;
	// NoteOpen says whether it is short enough to show open.
	NoteHTML template.HTML
	NoteOpen bool
	// Fields are the fields the rule tests: its query's, and those of its
	// new terms and threshold; steps those of each step of a sequence or
	// sample (with the rule's other fields), nil for other rules.
	Fields *fieldSet
	steps  []*fieldSet
}

// NotShown is the number of the rule's hits in the report that the page
// does not show.
func (hr *htmlRule) NotShown() int { return hr.InReport - len(hr.Hits) }

// StepFields are the fields tested on event i of a sequence or sample hit:
// those of its step when the rule's steps are known, else all the rule's.
func (hr *htmlRule) StepFields(i int) *fieldSet {
	if i < len(hr.steps) {
		return hr.steps[i]
	}
	return hr.Fields
}

// ruleFields sets the fields that hr tests.
func (hr *htmlRule) ruleFields() {
	var extra []string
	if nt := hr.NewTerms; nt != nil {
		extra = append(extra, nt.Fields...)
	}
	if th := hr.Threshold; th != nil {
		extra = append(extra, th.Fields...)
		for _, c := range th.Cardinality {
			extra = append(extra, c.Field)
		}
	}
	q := hr.Compiled
	if q == nil {
		hr.Fields = newFieldSet(extra)
		return
	}
	hr.Fields = newFieldSet(append(slices.Clip(q.Fields()), extra...))
	for _, s := range q.Steps {
		names := slices.Clip(s.Program.Fields)
		for _, k := range s.Keys {
			names = append(names, k.Name)
		}
		hr.steps = append(hr.steps, newFieldSet(append(names, extra...)))
	}
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

// hostsMax is the most hosts the page lists, unless more have hits: those
// are all listed. hostsOpenMax is the longest list of hosts shown open.
const (
	hostsMax     = 1000
	hostsOpenMax = 200
)

// guideOpenMax is the longest investigation guide, in bytes of Markdown,
// shown open: a longer one would push the rule's hits far down the page.
const guideOpenMax = 1500

// WriteHTML writes res to w as one self-contained HTML page: the chain of
// custody of the scan, an overview of the hits (by severity, over time, by
// ATT&CK tactic and technique, by host and by rule), then each rule that
// fired with its description, query, investigation guide and hits. Times
// are in UTC. The page shows at most 500 hits per rule; as it goes to a
// stream, it says that the others were not written (Create writes them
// next to the page).
func WriteHTML(w io.Writer, res *Result) error {
	return Options{}.WriteHTML(w, res)
}

// WriteHTML is the package function WriteHTML, with times in o.TZ.
func (o Options) WriteHTML(w io.Writer, res *Result) error {
	return o.writeHTML(w, res, htmlTarget{limits: defaultHTMLLimits()})
}

// htmlFiles are the files of the HTML report at path: the page, and when it
// cannot show every hit, REPORT.hits.ndjson next to it with the others, as
// the NDJSON report writes them, which the page names.
func htmlFiles(path string, res *Result) []sidecar {
	rest := htmlNotShown(res.Hits, defaultHTMLLimits())
	if len(rest) == 0 {
		return []sidecar{{path, Options.WriteHTML}}
	}
	side := hitsPath(path)
	page := func(o Options, w io.Writer, res *Result) error {
		return o.writeHTML(w, res, htmlTarget{sidecar: filepath.Base(side), limits: defaultHTMLLimits()})
	}
	hits := func(o Options, w io.Writer, res *Result) error {
		return o.WriteNDJSON(w, &Result{Summary: res.Summary, Hits: rest})
	}
	return []sidecar{{path, page}, {side, hits}}
}

// hitsPath is the path of the file with the hits that the HTML page at path
// does not show: its name with .hits.ndjson for its extension, such as
// case.hits.ndjson for case.html.
func hitsPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".hits.ndjson"
}

func (o Options) writeHTML(w io.Writer, res *Result, to htmlTarget) error {
	loc := o.TZ
	if loc == nil {
		loc = time.UTC
	}
	page, err := newHTMLPage(res, loc, to)
	if err != nil {
		return err
	}
	t, err := htmlTemplate.Clone()
	if err != nil {
		return err
	}
	t.Funcs(template.FuncMap{"time": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return formatTimeIn(t, o.TZ)
	}})
	// html/template escapes values but passes bytes that are not UTF-8
	// (a file name, a damaged event) through; the page is UTF-8.
	u := &utf8Writer{w: w}
	bw := bufio.NewWriterSize(u, 64<<10)
	if err := t.Execute(bw, page); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return u.flush()
}

// htmlShown says which of hits the page shows: of each rule, its first hits
// in report order, at most limit, which ruleCap sets.
func htmlShown(hits []Hit, lim htmlLimits) (shown []bool, limit int) {
	perRule := make(map[*rules.Rule]int)
	for i := range hits {
		perRule[hits[i].Rule]++
	}
	counts := make([]int, 0, len(perRule))
	for _, n := range perRule {
		counts = append(counts, n)
	}
	limit = ruleCap(counts, lim)
	shown = make([]bool, len(hits))
	seen := make(map[*rules.Rule]int, len(perRule))
	for i := range hits {
		r := hits[i].Rule
		shown[i] = seen[r] < limit
		seen[r]++
	}
	return shown, limit
}

// htmlNotShown returns the hits the page does not show, in report order.
func htmlNotShown(hits []Hit, lim htmlLimits) []Hit {
	var rest []Hit
	shown, _ := htmlShown(hits, lim)
	for i, ok := range shown {
		if !ok {
			rest = append(rest, hits[i])
		}
	}
	return rest
}

// ruleCap is the most hits of one rule that the page shows, for rules with
// counts hits: lim.rule, or when the page would then show more than
// lim.page, the largest number that keeps it to lim.page (at least 1).
func ruleCap(counts []int, lim htmlLimits) int {
	total := func(c int) int {
		n := 0
		for _, k := range counts {
			n += min(k, c)
		}
		return n
	}
	lo, hi := 1, lim.rule
	if total(hi) <= lim.page {
		return hi
	}
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if total(mid) <= lim.page {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// utf8Writer writes to w what is written to it with the bytes that are not
// UTF-8 replaced by U+FFFD, as bytes.ToValidUTF8 does, and the Unicode
// bidirectional controls shown as their code, such as [U+202E]: a
// right-to-left override in a file name would otherwise turn
// "invoice<U+202E>fdp.exe" into "invoiceexe.pdf" on the page, in a table
// cell or beyond it. The start of a character cut between two writes is
// held back until the next one, or flush.
type utf8Writer struct {
	w    io.Writer
	held []byte // the start of a character, at most utf8.UTFMax-1 bytes
	buf  []byte
	show []byte
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
	out = u.showBidi(out)
	u.held = append(u.held[:0], p[cut:]...)
	if _, err := u.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

// showBidi returns b, valid UTF-8, with each bidirectional control written
// as its code.
func (u *utf8Writer) showBidi(b []byte) []byte {
	// Every control is U+061C (0xD8 0x9C) or starts with 0xE2.
	if bytes.IndexByte(b, 0xE2) < 0 && bytes.IndexByte(b, 0xD8) < 0 {
		return b
	}
	start := 0
	u.show = u.show[:0]
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if isBidiControl(r) {
			u.show = append(u.show, b[start:i]...)
			u.show = fmt.Appendf(u.show, "[U+%04X]", r)
			start = i + size
		}
		i += size
	}
	if start == 0 {
		return b
	}
	return append(u.show, b[start:]...)
}

// isBidiControl reports whether r is one of Unicode's bidirectional
// formatting characters: the marks, embeddings, overrides and isolates.
func isBidiControl(r rune) bool {
	return r == 0x061C || r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
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

func newHTMLPage(res *Result, loc *time.Location, to htmlTarget) (*htmlPage, error) {
	s := &res.Summary
	page := &htmlPage{
		CSP:          htmlCSP,
		CSS:          template.CSS(htmlCSS),
		JS:           template.JS(htmlJS),
		Summary:      s,
		Zone:         loc.String(),
		FilesOpen:    len(s.Files) <= openListMax,
		ProblemsOpen: len(s.Problems) <= openListMax,
		Sidecar:      to.sidecar,
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
			hr := add(rc.Rule)
			hr.Count += rc.Hits
			hr.Dropped += rc.Dropped
		}
	}
	for i := range res.Hits {
		if res.Hits[i].Rule == nil {
			return nil, errNoRule(i)
		}
	}
	var shown []bool
	shown, page.RuleCap = htmlShown(res.Hits, to.limits)
	for i := range res.Hits {
		h := &res.Hits[i]
		hr := add(h.Rule)
		hr.InReport++
		if !shown[i] {
			page.NotShown++
			continue
		}
		page.Shown++
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
		hr.Count = max(hr.Count, hr.InReport+hr.Dropped)
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
		hr.ruleFields()
		sev := severityClass(hr.Severity)
		c := cards[sev]
		if c == nil {
			c = &severityCard{Severity: sev}
			cards[sev] = c
		}
		c.Hits += hr.Count
		c.Rules++
		note, err := renderNote(clipText(hr.Rule.Note, clipLong))
		if err != nil {
			return nil, fmt.Errorf("report: investigation guide of rule %q: %w", hr.Name, err)
		}
		hr.NoteHTML, hr.NoteOpen = note, len(hr.Rule.Note) <= guideOpenMax
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

	if page.Timeline = newTimeline(s, res.Hits, loc); page.Timeline != nil {
		page.TimelineSVG = page.Timeline.svg(loc)
	}
	page.Attack = attackGrid(page.Fired)
	page.hosts(s.Hosts)
	return page, nil
}

// hosts sets the hosts the page lists: every host with hits, the most
// severe first, then the others by events until there are hostsMax.
func (page *htmlPage) hosts(hosts []HostStat) {
	list := make([]*HostStat, len(hosts))
	for i := range hosts {
		list[i] = &hosts[i]
	}
	slices.SortStableFunc(list, func(a, b *HostStat) int {
		return cmp.Or(
			-cmp.Compare(a.Hits.Critical, b.Hits.Critical),
			-cmp.Compare(a.Hits.High, b.Hits.High),
			-cmp.Compare(a.Hits.Medium, b.Hits.Medium),
			-cmp.Compare(a.Hits.Low, b.Hits.Low),
			-cmp.Compare(a.Events, b.Events),
			strings.Compare(a.Name, b.Name),
		)
	})
	for i, h := range list {
		if i >= hostsMax && h.Hits == (SeverityCounts{}) {
			page.HostsLeft++
			page.HostsLeftEvents += h.Events
			continue
		}
		page.Hosts = append(page.Hosts, h)
	}
	page.HostsOpen = len(page.Hosts) <= hostsOpenMax
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

// htmlTime formats a time for the page in UTC; a dash for the zero time.
// Each write replaces it with one for the page's zone.
func htmlTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return formatTime(t)
}

// unixMillis is t in milliseconds since the Unix epoch, the key a table
// sorts times by; "" for the zero time.
func unixMillis(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return strconv.FormatInt(t.UnixMilli(), 10)
}

// formatDuration writes how long a scan took, for a reader: "0.35s",
// "12.4s", "1h2m3s"; a dash when it is not known.
func formatDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// plural returns "1 rule" or "2 rules", with the count written as count
// writes it.
func plural(n any, one, many string) string {
	s := formatCount(n)
	if s == "1" {
		return s + " " + one
	}
	return s + " " + many
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
