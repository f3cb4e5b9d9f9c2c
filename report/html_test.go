package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin wherever the tests run
	"unicode/utf8"

	"dredge/rules"
	"dredge/rules/match"
)

func TestHTMLGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, compiledResult(t)); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.html", buf.Bytes())
}

// compiledResult is testResult with its rules' queries compiled, as a scan
// has them, so that the page marks the fields they test in the events.
func compiledResult(t *testing.T) *Result {
	t.Helper()
	res := testResult()
	clones := make(map[*rules.Rule]*rules.Rule)
	clone := func(r *rules.Rule) *rules.Rule {
		if c := clones[r]; c != nil {
			return c
		}
		q, err := rules.CompileQuery(r.Language, r.Query, match.Options{})
		if err != nil {
			t.Fatalf("rule %s: %v", r.Name, err)
		}
		c := *r
		c.Compiled = q
		clones[r] = &c
		return &c
	}
	for i := range res.Summary.Rules {
		res.Summary.Rules[i].Rule = clone(res.Summary.Rules[i].Rule)
	}
	for i := range res.Hits {
		res.Hits[i].Rule = clone(res.Hits[i].Rule)
	}
	return res
}

// TestHTMLGoldenZone writes the page of an interrupted scan with a time
// window in a zone other than UTC.
func TestHTMLGoldenZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	res := compiledResult(t)
	res.Summary.From = ms("2024-05-01T09:00:00Z")
	res.Summary.OutsideWindow = 310
	res.Summary.NoTime = 2
	res.Summary.Interrupted = "SIGINT"
	res.Summary.Dropped = 3
	res.Summary.MaxHitsPerRule = 2
	res.Summary.Rules[0].Hits += 3
	res.Summary.Rules[0].Dropped = 3
	var buf bytes.Buffer
	if err := (Options{TZ: berlin}).WriteHTML(&buf, res); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkGolden(t, "report-zone.html", buf.Bytes())
	for _, want := range []string{
		`times in Europe/Berlin`,
		`<dd class="time">2024-05-02T10:30:00.250&#43;02:00</dd>`, // Started
		`events from <span class="time">2024-05-01T11:00:00.000&#43;02:00</span> up to any time`,
		`3 more hits were found beyond the limit of hits per rule (2, <code>--max-hits-per-rule</code>)`,
		`<td class="time" data-v="1714557600123">2024-05-01T12:00:00.123&#43;02:00</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not hold %s", want)
		}
	}
}

// cappedResult has 6 hits of one rule and 1 of another.
func cappedResult(t *testing.T) *Result {
	res := compiledResult(t)
	shell, pid := res.Hits[0], res.Hits[1]
	res.Hits = nil
	for i := range 6 {
		h := shell
		h.Time = shell.Time.Add(time.Duration(i) * time.Minute)
		h.Origin.Line = 12 + i
		res.Hits = append(res.Hits, h)
		if i == 2 {
			res.Hits = append(res.Hits, pid)
		}
	}
	res.Summary.Hits = 7
	res.Summary.Rules = []RuleCount{{Rule: shell.Rule, Hits: 6}, {Rule: pid.Rule, Hits: 1}}
	return res
}

// TestHTMLGoldenCapped writes a page that shows 2 hits per rule, and names
// the file with the others.
func TestHTMLGoldenCapped(t *testing.T) {
	res := cappedResult(t)
	var buf bytes.Buffer
	if err := (Options{}).writeHTML(&buf, res, htmlTarget{sidecar: "case.hits.ndjson", limits: htmlLimits{rule: 2, page: 100}}); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report-capped.html", buf.Bytes())
	page := buf.String()
	for _, want := range []string{
		`It shows 3 of the 7 hits in the report: of each rule the earliest, at most 2,`,
		`The other 4 are in <code class="path">case.hits.ndjson</code> next to this file, one hit a line`,
		`<h3>Hits <span class="n">2 of 6</span></h3>`,
		`<table class="hits sortable" data-what="hits" data-more="4">`,
		`<th class="num">In this page</th>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not hold %s", want)
		}
	}
	if n := strings.Count(page, `<tr class="hit">`); n != 3 {
		t.Errorf("the page has %d hit rows, want 3", n)
	}
	// To a stream, the page says the others were not written, and how to
	// get them.
	buf.Reset()
	if err := (Options{}).writeHTML(&buf, res, htmlTarget{limits: htmlLimits{rule: 2, page: 100}}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`The other 4 were not written anywhere: this page went to standard output. Write the report to a file (<code>-o case.html</code>) to get them in <code>case.hits.ndjson</code> next to it`,
		`The other 4 were not written: this page went to standard output`,
	} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("the page to a stream does not hold %s", want)
		}
	}
}

func TestRuleCap(t *testing.T) {
	tests := []struct {
		name   string
		counts []int
		lim    htmlLimits
		want   int
	}{
		{"under both", []int{3, 1}, htmlLimits{500, 20000}, 500},
		{"one rule over", []int{600, 1}, htmlLimits{500, 20000}, 500},
		{"page over: every big rule shows as many", []int{6, 1}, htmlLimits{5, 4}, 3},
		{"exactly the page", []int{5, 5}, htmlLimits{5, 10}, 5},
		{"many rules", []int{100, 100, 100, 100, 2}, htmlLimits{50, 102}, 25},
		{"more rules than the page: one each", []int{9, 9, 9}, htmlLimits{5, 2}, 1},
		{"no hits", nil, htmlLimits{500, 20000}, 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ruleCap(tt.counts, tt.lim); got != tt.want {
				t.Errorf("ruleCap(%v, %v) = %d, want %d", tt.counts, tt.lim, got, tt.want)
			}
		})
	}
}

// TestHTMLShown checks that the page shows the earliest hits of each rule,
// in report order, and the rest go to the sidecar in that order.
func TestHTMLShown(t *testing.T) {
	res := cappedResult(t)
	lim := htmlLimits{rule: 2, page: 100}
	shown, limit := htmlShown(res.Hits, lim)
	if want := []bool{true, true, false, true, false, false, false}; !slices.Equal(shown, want) || limit != 2 {
		t.Errorf("htmlShown = %v, %d; want %v, 2", shown, limit, want)
	}
	var lines []int
	for _, h := range htmlNotShown(res.Hits, lim) {
		lines = append(lines, h.Origin.Line)
	}
	if want := []int{14, 15, 16, 17}; !slices.Equal(lines, want) {
		t.Errorf("the hits not shown are those of lines %v, want %v", lines, want)
	}
}

// hostile are values an attacker may plant in an event or a rule.
var hostile = []string{
	`<script>alert(1)</script>`,
	`"><img src=x onerror=alert(1)>`,
	`'><svg/onload=alert(1)>`,
	`<svg onload=alert(1)>`,
	`javascript:alert(1)`,
	`</textarea><iframe src="javascript:alert(1)"></iframe>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<style>body{background:url(https://evil.example/x)}</style>`,
}

// hostileNote is an investigation guide that tries every way into the page.
const hostileNote = "# <script>alert(1)</script>\n\n" +
	"<svg onload=alert(1)>\n\n" +
	"Inline <img src=x onerror=alert(1)> and <a href=\"javascript:alert(1)\">a</a>.\n\n" +
	"[click](javascript:alert(1)) [c2](JAVASCRIPT:alert(1)) [c3](https://x.example/\" onmouseover=\"alert(1))\n\n" +
	"![pic](https://evil.example/track.png) ![x\" onerror=\"alert(1)](javascript:alert(1))\n\n" +
	"<javascript:alert(1)> <https://evil.example/?q=<svg>> www.evil.example/x\n\n" +
	"```html\n<script>alert(1)</script>\n```\n"

// hostileResult puts the hostile values in every field the page shows.
func hostileResult() *Result {
	evil := strings.Join(hostile, " ")
	tech := rules.Technique{ID: evil, Name: evil, Reference: evil}
	r := &rules.Rule{
		ID: evil, Name: evil, Description: evil, Note: hostileNote, Type: evil, Language: evil, Query: evil,
		Severity: evil, RiskScore: 99, Index: []string{evil}, Tags: []string{evil}, References: []string{evil},
		FalsePositive: []string{evil}, Source: evil,
		Threat: []rules.Threat{{
			Framework: evil,
			Tactic:    rules.Tactic{ID: evil, Name: evil, Reference: evil},
			Techniques: []rules.Technique{{
				ID: evil, Name: evil, Reference: evil, Subtechniques: []rules.Technique{tech},
			}},
		}},
		NewTerms: &rules.NewTerms{Fields: []string{evil}, HistoryWindowStart: evil},
		Threshold: &rules.Threshold{Fields: []string{evil, evil}, Value: 3,
			Cardinality: []rules.Cardinality{{Field: evil, Value: 2}}},
	}
	quiet := &rules.Rule{Name: evil, Severity: evil}
	jsonEvil := strings.NewReplacer(`"`, `\"`).Replace(evil)
	doc := `{"` + jsonEvil + `":"` + jsonEvil + `","host":{"name":"` + jsonEvil + `"}}`
	hit := Hit{
		Rule: r, Time: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		Origin: Origin{File: evil, Line: 7}, Index: evil, Document: []byte(doc),
		Fields:   Fields{Host: evil, User: evil, Process: evil, File: evil},
		NewTerms: []string{evil, evil},
	}
	broken := hit
	broken.Document = []byte(evil) // not JSON
	seq := hit
	seq.Events = []Event{{Time: hit.Time, Origin: Origin{File: evil, Line: 1}, Index: evil, Document: []byte(doc)}, {Missing: true}, {Origin: Origin{File: evil, Line: 2}, Document: []byte(evil)}}
	seq.JoinKeys = []*string{&evil, nil}
	thr := hit
	thr.NewTerms = nil
	thr.Threshold = &ThresholdResult{Terms: []ThresholdTerm{{Field: evil, Value: evil}}, Count: 3, First: hit.Time, Last: hit.Time,
		Cardinality: []ThresholdCardinality{{Field: evil, Value: 2}}}
	return &Result{
		Summary: Summary{
			Version:  evil,
			Files:    []FileStat{{Name: evil, Bytes: 1, Events: 1}},
			Rules:    []RuleCount{{Rule: r, Hits: 4}, {Rule: quiet}},
			Hits:     4,
			Problems: []Problem{{File: evil, Line: 3, Kind: evil, Reason: evil}},
			Skipped:  map[string]int{evil: 1},
		},
		Hits: []Hit{hit, broken, seq, thr},
	}
}

var (
	tagRE    = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	scriptRE = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	styleRE  = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	attrRE   = regexp.MustCompile(`\s([a-zA-Z-]+)(?:="([^"]*)")?`)
)

// allowedTags are the elements the page may have: the template's and those
// goldmark makes from Markdown.
var allowedTags = map[string]bool{
	"html": true, "head": true, "meta": true, "title": true, "style": true, "body": true, "script": true,
	"header": true, "footer": true, "section": true, "div": true, "span": true, "p": true, "a": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "strong": true, "em": true, "del": true,
	"dl": true, "dt": true, "dd": true, "ul": true, "ol": true, "li": true, "details": true, "summary": true,
	"table": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true,
	"pre": true, "code": true, "blockquote": true, "hr": true, "br": true, "input": true, "mark": true,
	"figure": true, "figcaption": true, "svg": true, "rect": true, "line": true, "text": true,
}

// checkSafe checks that page has only the markup we write: no tag, attribute
// or address that came from the data.
func checkSafe(t *testing.T, page string) {
	t.Helper()
	for _, h := range hostile {
		if strings.Contains(h, "<") && strings.Contains(page, h) {
			t.Errorf("the page holds %q unescaped", h)
		}
	}
	scripts := scriptRE.FindAllStringSubmatch(page, -1)
	if len(scripts) != 1 || scripts[0][1] != htmlJS {
		t.Fatalf("the page has %d scripts, want one: ours", len(scripts))
	}
	styles := styleRE.FindAllStringSubmatch(page, -1)
	if len(styles) != 1 || styles[0][1] != htmlCSS {
		t.Fatalf("the page has %d style elements, want one: ours", len(styles))
	}
	// Our script and style are known; look at the markup around them.
	rest := scriptRE.ReplaceAllString(styleRE.ReplaceAllString(page, "<style></style>"), "<script></script>")
	if strings.Contains(strings.ToLower(rest), "<script") && strings.Count(strings.ToLower(rest), "<script") != 1 {
		t.Errorf("the page has another script")
	}
	for _, m := range tagRE.FindAllStringSubmatch(rest, -1) {
		tag, name, attrs := m[0], strings.ToLower(m[2]), m[3]
		if !allowedTags[name] {
			t.Errorf("unexpected element %s", tag)
		}
		if strings.Contains(strings.ToLower(attrs), "javascript:") {
			t.Errorf("javascript: in %s", tag)
		}
		for _, a := range attrRE.FindAllStringSubmatch(attrs, -1) {
			attr, val := strings.ToLower(a[1]), a[2]
			switch {
			case strings.HasPrefix(attr, "on"):
				t.Errorf("event handler in %s", tag)
			case attr == "src" || attr == "style" || attr == "srcset" || attr == "action" || attr == "formaction":
				t.Errorf("attribute %s in %s", attr, tag)
			case attr == "href" && !strings.HasPrefix(val, "#"):
				t.Errorf("link out of the page: %s", tag)
			}
		}
	}
}

func TestHTMLHostileValues(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, hostileResult()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkSafe(t, page)
	// The values are shown, escaped.
	for _, want := range []string{
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`,
		`&lt;svg onload=alert(1)&gt;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not show %s", want)
		}
	}
}

func TestHTMLSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkSafe(t, page)
	m := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no Content-Security-Policy")
	}
	if strings.Index(page, m[0]) > strings.Index(page, "<style>") {
		t.Error("the Content-Security-Policy comes after the style")
	}
	hash := func(s string) string {
		sum := sha256.Sum256([]byte(s))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	script := scriptRE.FindStringSubmatch(page)[1]
	style := styleRE.FindStringSubmatch(page)[1]
	want := "default-src 'none'; style-src " + hash(style) + "; script-src " + hash(script) +
		"; base-uri 'none'; form-action 'none'"
	if got := html.UnescapeString(m[1]); got != want {
		t.Errorf("Content-Security-Policy:\n got %s\nwant %s", got, want)
	}
	for _, bad := range []string{"url(", "@import", "src=", "http-equiv=\"refresh\"", "<link", "<iframe", "<img", "<object", "<embed"} {
		if strings.Contains(strings.ToLower(script+style), bad) || strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
}

func TestHTMLNoHits(t *testing.T) {
	res := &Result{Summary: Summary{Version: "0.1.0", Complete: true, Rules: []RuleCount{{Rule: ruleQuiet}}}}
	var buf bytes.Buffer
	if err := WriteHTML(&buf, res); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkSafe(t, page)
	for _, want := range []string{"No rule matched any event.", "1 rule ran without a hit", "<strong>Complete</strong>"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page does not say %q", want)
		}
	}
	if strings.Contains(page, `<section class="rule`) {
		t.Error("the page has a rule section")
	}
}

func TestRenderNote(t *testing.T) {
	tests := []struct {
		name, md, want string
	}{
		{"heading and list", "## Steps\n\n- one\n- *two*\n",
			"<h2>Steps</h2>\n<ul>\n<li>one</li>\n<li><em>two</em></li>\n</ul>\n"},
		{"link", "See [the guide](https://example.org/g).",
			`<p>See <span class="link">the guide</span> <span class="url">https://example.org/g</span>.</p>` + "\n"},
		{"link that is its address", "[https://example.org/](https://example.org/)",
			`<p><span class="link">https://example.org/</span></p>` + "\n"},
		{"autolink", "<https://example.org/a?b=1&c=2>",
			`<p><span class="link url">https://example.org/a?b=1&amp;c=2</span></p>` + "\n"},
		{"bare address", "go to https://example.org/x now",
			`<p>go to <span class="link url">https://example.org/x</span> now</p>` + "\n"},
		{"image", "![process tree](https://example.org/t.png)",
			`<p><span class="image">[image: process tree <span class="url">https://example.org/t.png</span>]</span></p>` + "\n"},
		{"javascript link", "[x](javascript:alert(1))",
			`<p><span class="link">x</span> <span class="url">javascript:alert(1)</span></p>` + "\n"},
		{"raw html", "<b onclick=x>bold</b>\n\n<div>block</div>\n",
			"<p><!-- raw HTML omitted -->bold<!-- raw HTML omitted --></p>\n<!-- raw HTML omitted -->\n"},
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |\n",
			"<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n<th align=\"right\">b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">1</td>\n<td align=\"right\">2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := renderNote(tt.md)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestFormatCountSize(t *testing.T) {
	for _, tt := range []struct {
		n           int64
		count, size string
	}{
		{0, "0", "0 B"},
		{999, "999", "999 B"},
		{1000, "1,000", "1000 B"},
		{1536, "1,536", "1.5 KiB"},
		{2097152, "2,097,152", "2.0 MiB"},
		{-1234567, "-1,234,567", "-1234567 B"},
		{40 << 30, "42,949,672,960", "40.0 GiB"},
	} {
		if got := formatCount(tt.n); got != tt.count {
			t.Errorf("formatCount(%d) = %q, want %q", tt.n, got, tt.count)
		}
		if got := formatSize(tt.n); got != tt.size {
			t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.size)
		}
	}
}

// TestUTF8Writer writes text with bytes that are not UTF-8, cut at every
// place: the page gets U+FFFD for them and every character whole.
func TestUTF8Writer(t *testing.T) {
	in := "a€b\xffc😀d\xe2\x82"
	want := "a€b\uFFFDc😀d\uFFFD"
	for cut := range len(in) + 1 {
		var out bytes.Buffer
		u := &utf8Writer{w: &out}
		u.Write([]byte(in[:cut]))
		u.Write([]byte(in[cut:]))
		if err := u.flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("cut at %d: got %q, want %q", cut, out.String(), want)
		}
	}
	var out bytes.Buffer
	u := &utf8Writer{w: &out}
	for i := range len(in) {
		u.Write([]byte{in[i]})
	}
	u.flush()
	if out.String() != want {
		t.Errorf("byte by byte: got %q, want %q", out.String(), want)
	}
}

func TestHTMLNotUTF8(t *testing.T) {
	res := testResult()
	res.Summary.Files[0].Name = "dump/\xffbad\xc3.ndjson"
	res.Hits[0].Origin.File = res.Summary.Files[0].Name
	var buf bytes.Buffer
	if err := WriteHTML(&buf, res); err != nil {
		t.Fatal(err)
	}
	if !utf8.Valid(buf.Bytes()) {
		t.Errorf("the page is not UTF-8")
	}
	if n := strings.Count(buf.String(), "dump/\uFFFDbad\uFFFD.ndjson"); n < 2 {
		t.Errorf("the file name is in the page %d times with U+FFFD, want 2 or more", n)
	}
}

// manyHits is testResult with n hits of ruleShell, one a second, and the
// hit of rulePID among them.
func manyHits(n int) *Result {
	res := testResult()
	shell, pid := res.Hits[0], res.Hits[1]
	res.Hits = nil
	for i := range n {
		h := shell
		h.Time = shell.Time.Add(time.Duration(i) * time.Second)
		h.Origin.Line = i + 1
		res.Hits = append(res.Hits, h)
		if i == n/2 {
			res.Hits = append(res.Hits, pid)
		}
	}
	res.Summary.Hits = n + 1
	res.Summary.Rules = []RuleCount{{Rule: ruleShell, Hits: n}, {Rule: rulePID, Hits: 1}}
	return res
}

// TestCreateHTMLSidecar writes a page that cannot show every hit: the others
// go to REPORT.hits.ndjson next to it, as the NDJSON report writes them,
// and the page names that file.
func TestCreateHTMLSidecar(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "case.HTML")
	res := manyHits(htmlRuleHits + 3)
	if err := Create(path, FormatHTML, res); err != nil {
		t.Fatal(err)
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"case.HTML", "case.hits.ndjson"}) {
		t.Fatalf("folder holds %q, want the page and its hits", names)
	}
	var want bytes.Buffer
	if err := WriteNDJSON(&want, &Result{Summary: res.Summary, Hits: res.Hits[htmlRuleHits+1:]}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, "case.hits.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("case.hits.ndjson holds:\n%s\nwant:\n%s", got, want.Bytes())
	}
	if n := bytes.Count(got, []byte("\n")); n != 3 {
		t.Errorf("case.hits.ndjson has %d lines, want 3", n)
	}
	for _, name := range []string{"case.HTML", "case.hits.ndjson"} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v; want 0600", name, err, fi.Mode().Perm())
		}
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`It shows 501 of the 504 hits in the report`,
		`The other 3 are in <code class="path">case.hits.ndjson</code> next to this file`,
	} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page does not hold %s", want)
		}
	}
	if n := bytes.Count(page, []byte(`<tr class="hit">`)); n != htmlRuleHits+1 {
		t.Errorf("the page shows %d hits, want %d", n, htmlRuleHits+1)
	}

	// A page that shows every hit has no such file; one already there is
	// left as it is, and the page says that it holds every hit.
	if err := Create(path, FormatHTML, manyHits(htmlRuleHits)); err != nil {
		t.Fatal(err)
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"case.HTML", "case.hits.ndjson"}) {
		t.Fatalf("folder holds %q", names)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "case.hits.ndjson")); !bytes.Equal(again, got) {
		t.Errorf("the earlier file of hits was changed")
	}
	page, _ = os.ReadFile(path)
	if !bytes.Contains(page, []byte(`<dt>Hits in this page</dt><dd>all 501 in the report, and no other file</dd>`)) {
		t.Errorf("the page does not say it holds every hit")
	}
	other := filepath.Join(t.TempDir(), "all.html")
	if err := Create(other, FormatHTML, manyHits(3)); err != nil {
		t.Fatal(err)
	}
	if names := entries(t, filepath.Dir(other)); !slices.Equal(names, []string{"all.html"}) {
		t.Errorf("folder holds %q, want only the page", names)
	}
}

// TestCreateHTMLSidecarFails: when the page cannot be written, neither it nor
// its file of hits appears, and earlier ones stay as they were.
func TestCreateHTMLSidecarFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "case.html")
	old := []byte("the previous report\n")
	for _, name := range []string{"case.html", "case.hits.ndjson"} {
		if err := os.WriteFile(filepath.Join(dir, name), old, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	wrap := func(w io.Writer) io.Writer { return &fullDisk{f: w.(*os.File), room: 100 << 10} }
	err := Options{}.create(path, FormatHTML, manyHits(htmlRuleHits+3), wrap)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("got error %v, want ENOSPC", err)
	}
	for _, name := range []string{"case.html", "case.hits.ndjson"} {
		if got, _ := os.ReadFile(filepath.Join(dir, name)); !bytes.Equal(got, old) {
			t.Errorf("%s was changed", name)
		}
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"case.hits.ndjson", "case.html"}) {
		t.Errorf("folder holds %q", names)
	}
	// The file of hits cannot be made: a folder has its name.
	dir = t.TempDir()
	path = filepath.Join(dir, "case.html")
	if err := os.Mkdir(filepath.Join(dir, "case.hits.ndjson"), 0o755); err != nil {
		t.Fatal(err)
	}
	err = Create(path, FormatHTML, manyHits(htmlRuleHits+3))
	if want := "report: " + filepath.Join(dir, "case.hits.ndjson") + ": is a folder"; err == nil || err.Error() != want {
		t.Errorf("got error %v, want %s", err, want)
	}
	if _, err := os.Stat(path); err == nil {
		t.Errorf("the page was written")
	}
}

// TestUTF8WriterBidi writes text with bidirectional controls, cut at every
// place: the page shows each as its code.
func TestUTF8WriterBidi(t *testing.T) {
	in := "invoice\u202Efdp.exe \u2066x\u2069 \u061C\u200F é"
	want := "invoice[U+202E]fdp.exe [U+2066]x[U+2069] [U+061C][U+200F] é"
	for cut := range len(in) + 1 {
		var out bytes.Buffer
		u := &utf8Writer{w: &out}
		u.Write([]byte(in[:cut]))
		u.Write([]byte(in[cut:]))
		if err := u.flush(); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("cut at %d: got %q, want %q", cut, out.String(), want)
		}
	}
}

func TestClipText(t *testing.T) {
	tests := []struct {
		s    string
		max  int
		want string
	}{
		{"short", 5, "short"},
		{"longer", 5, "longe… [1 more character]"},
		{"ééééé€€", 5, "ééééé… [2 more characters]"}, // characters, not bytes
		{strings.Repeat("A", 1<<20), 3, "AAA… [1,048,573 more characters]"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := clipText(tt.s, tt.max); got != tt.want {
			t.Errorf("clipText(%.20q, %d) = %.60q, want %q", tt.s, tt.max, got, tt.want)
		}
	}
}
