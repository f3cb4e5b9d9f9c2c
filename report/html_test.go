package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"dredge/rules"
)

func TestHTMLGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteHTML(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.html", buf.Bytes())
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
	"pre": true, "code": true, "blockquote": true, "hr": true, "br": true, "input": true,
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
