package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"dredge/rules"
	"dredge/rules/match"
)

// The browser tests open HTML reports in a real headless Chromium (or
// Chrome), through the DevTools protocol: they prove that no value an
// attacker wrote runs as script or adds markup, and that the page's own
// script runs. They skip when no browser is found; $DREDGE_BROWSER names
// one anywhere else.

// findBrowser returns the path of a Chromium or Chrome, or "".
func findBrowser() string {
	if p := os.Getenv("DREDGE_BROWSER"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserLog is what a page did that a test looks at: dialogs it opened,
// console messages and log entries (Chromium logs there what the
// Content-Security-Policy refused), uncaught exceptions, and requests.
type browserLog struct {
	mu         sync.Mutex
	dialogs    []string
	console    []string
	logs       []string
	exceptions []string
	requests   []string
}

func (l *browserLog) listen(ev any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch ev := ev.(type) {
	case *page.EventJavascriptDialogOpening:
		l.dialogs = append(l.dialogs, string(ev.Type)+": "+ev.Message)
	case *runtime.EventConsoleAPICalled:
		var args []string
		for _, a := range ev.Args {
			args = append(args, string(a.Value))
		}
		l.console = append(l.console, string(ev.Type)+": "+strings.Join(args, " "))
	case *log.EventEntryAdded:
		l.logs = append(l.logs, string(ev.Entry.Level)+": "+ev.Entry.Text)
	case *runtime.EventExceptionThrown:
		l.exceptions = append(l.exceptions, ev.ExceptionDetails.Text)
	case *network.EventRequestWillBeSent:
		l.requests = append(l.requests, ev.Request.URL)
	}
}

// browser starts a headless browser for the test, or skips it.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findBrowser()
	if path == "" {
		t.Skip("no Chromium or Chrome found (chromium, chromium-browser, google-chrome; or set $DREDGE_BROWSER): the page is not tested in a browser")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // the tests may run as root, in a container
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := context.WithTimeout(actx, 3*time.Minute)
	t.Cleanup(cancel)
	// Start the browser once; each page opens in a new tab of it.
	ctx, cancel = chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// openPage opens the page at file in a new tab of the browser of ctx, and
// returns the tab's context and what the page did while it loaded. Dialogs
// are dismissed, so that one cannot block the page.
func openPage(t *testing.T, ctx context.Context, file string) (context.Context, *browserLog) {
	t.Helper()
	l := &browserLog{}
	tab, cancel := chromedp.NewContext(ctx, chromedp.WithListener(l.listen))
	t.Cleanup(cancel)
	// Before the page's own scripts: record what the policy refused.
	if _, err := chromedp.Call(tab, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__refused = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__refused.push(e.violatedDirective + " " + e.blockedURI + " " + e.sample);
});`,
	}); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	dialogs := chromedp.Events(tab, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			chromedp.Call(tab, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	abs, err := filepath.Abs(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate("file://"+abs)); err != nil {
		t.Fatalf("opening %s: %v", file, err)
	}
	return tab, l
}

// eval evaluates a JavaScript expression in the tab and decodes its JSON
// value into a T.
func eval[T any](t *testing.T, tab context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// click clicks the element of the CSS selector with the mouse, as a reader
// does: it scrolls it into view first and lets the page draw it, since a
// rule's section is laid out only when it comes near the screen.
func click(t *testing.T, tab context.Context, selector string) {
	t.Helper()
	sel, err := json.Marshal(selector)
	if err != nil {
		t.Fatal(err)
	}
	show := fmt.Sprintf(`new Promise(function (done) {
  document.querySelector(%s).scrollIntoView({block: "center"});
  requestAnimationFrame(function () { requestAnimationFrame(done); });
})`, sel)
	if err := chromedp.Do(tab,
		chromedp.Evaluate[chromedp.Void](show, chromedp.EvalAwaitPromise),
		chromedp.Click(chromedp.CSS(selector)),
	); err != nil {
		t.Fatalf("clicking %s: %v", selector, err)
	}
}

// pwn is the script of the payloads: it marks the page as run by the
// attacker, in its title and in an element, and calls alert.
const pwn = `document.title='PWNED';document.documentElement.setAttribute('data-pwned','1');alert('PWNED')`

// payloads are values that run pwn, or load something, if the page lets
// them: markup in text, attribute break-outs, javascript: addresses, SVG and
// MathML, comments and CDATA, template syntax.
var payloads = []string{
	`<script>` + pwn + `</script>`,
	`"><img src=x onerror="` + pwn + `">`,
	`'><img src=x onerror='` + strings.ReplaceAll(pwn, "'", "&#39;") + `'>`,
	`" autofocus onfocus="` + pwn + `" x="`,
	`' onmouseover='` + strings.ReplaceAll(pwn, "'", "") + `' x='`,
	`<svg onload="` + pwn + `"></svg>`,
	`<svg><script>` + pwn + `</script></svg>`,
	`<svg><a xlink:href="javascript:` + pwn + `"><text x="9" y="9">x</text></a><animate onbegin="` + pwn + `"/></svg>`,
	`<math><mtext><table><mglyph><style><img src=x onerror="` + pwn + `">`,
	`<math href="javascript:` + pwn + `"><mi>x</mi></math>`,
	`<iframe srcdoc="<script>parent.` + pwn + `</script>"></iframe>`,
	`<details open ontoggle="` + pwn + `">`,
	`<a href="javascript:` + pwn + `">click</a>`,
	`javascript:` + pwn,
	`</pre></td></tr></table></details><script>` + pwn + `</script>`,
	`</script><script>` + pwn + `</script>`,
	`</style><script>` + pwn + `</script>`,
	`</title><script>` + pwn + `</script>`,
	`<!--<script>` + pwn + `</script>-->`,
	`<![CDATA[<script>` + pwn + `</script>]]>`,
	`<base href="https://evil.example/"><link rel=stylesheet href="https://evil.example/x.css">`,
	`<meta http-equiv="refresh" content="0;url=javascript:` + pwn + `">`,
	`<style>@import 'https://evil.example/x.css'; body{background:url(https://evil.example/x)}</style>`,
	`<object data="javascript:` + pwn + `"></object><embed src="javascript:` + pwn + `">`,
	`<form action="javascript:` + pwn + `"><button>go</button></form>`,
	`{{.}} ${alert(1)} #{alert(1)}`,
	"invoice\u202Efdp.exe \u2066isolate\u2069",
}

// browserHostileResult is a scan result with the payloads in every field
// the page shows, and a 1 MB value in a few.
func browserHostileResult(t *testing.T) *Result {
	t.Helper()
	evil := strings.Join(payloads, " ")
	big := strings.Repeat("A", 1<<20) + evil
	res := hostileResult()
	r := res.Hits[0].Rule
	r.Description = big
	r.Note = hostileNote + "\n\n" + evil + "\n\n[x](javascript:" + pwn + ")\n"
	// The fields a query tests are written in the page too; EQL lets a
	// field name hold anything between backticks.
	q, err := rules.CompileQuery("eql", "any where `"+strings.ReplaceAll(evil, "`", "")+"` == \"x\" and process.name == \"x\"", match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r.Compiled = q
	jsonEvil, _ := json.Marshal(evil)
	jsonBig, _ := json.Marshal(big)
	doc := fmt.Sprintf(`{%s:%s,"process":{"name":%s},"host":{"name":%s},"big":%s}`, jsonEvil, jsonEvil, jsonEvil, jsonEvil, jsonBig)
	for i := range res.Hits {
		h := &res.Hits[i]
		h.Fields = Fields{Host: evil, User: evil, Process: evil, File: evil}
		h.Origin.File, h.Index = evil, evil
		if json.Valid(h.Document) {
			h.Document = []byte(doc)
		}
		if h.NewTerms != nil {
			h.NewTerms = []string{evil, big}
		}
		if h.JoinKeys != nil {
			h.JoinKeys = []*string{&evil, nil, &big}
			for j := range h.Events {
				if e := &h.Events[j]; !e.Missing {
					e.Origin.File, e.Index, e.Document = evil, evil, []byte(doc)
				}
			}
		}
		if th := h.Threshold; th != nil {
			th.Terms = []ThresholdTerm{{Field: evil, Value: evil}, {Field: "host.name", Value: big}}
			th.Cardinality = []ThresholdCardinality{{Field: evil, Value: 2}}
		}
	}
	res.Hits[0].Fields.Host = big
	s := &res.Summary
	s.Files = append(s.Files, FileStat{Name: big, Bytes: 2, Events: 2, SHA256: evil})
	s.Hosts = []HostStat{{Name: evil, First: res.Hits[0].Time, Last: res.Hits[0].Time, Events: 3, Hits: SeverityCounts{High: 1}},
		{Name: big, Events: 1}}
	s.Timeline = []TimeCount{{Start: res.Hits[0].Time, Events: 3}}
	s.TimelineStep = time.Minute
	s.Interrupted = evil
	s.Problems = append(s.Problems, Problem{File: evil, Line: 9, Kind: evil, Reason: big})
	s.Normalized = map[string]int64{evil: 1}
	s.RuleSet = RuleSet{Builtin: 1, Folders: []string{evil}, FromFolders: 1, Filter: evil, Filtered: 1}
	return res
}

// TestBrowserHostileValues opens the page of hostile values in Chromium,
// as written and again without its Content-Security-Policy, to prove that
// the escaping alone keeps every payload inert: no payload ran (the title,
// the marker, no dialog), the page made no request, added no element of
// the data and refused nothing, and its own script ran: the hit rows are
// there, the tables sort and filter.
func TestBrowserHostileValues(t *testing.T) {
	ctx := browser(t)
	var buf strings.Builder
	if err := WriteHTML(&buf, browserHostileResult(t)); err != nil {
		t.Fatal(err)
	}
	withCSP := buf.String()
	csp := regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="[^"]*">`).FindString(withCSP)
	if csp == "" {
		t.Fatalf("the page has no Content-Security-Policy")
	}
	for _, tt := range []struct {
		name, page string
	}{
		{"as written", withCSP},
		{"without its Content-Security-Policy", strings.Replace(withCSP, csp, "", 1)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "hostile.html")
			if err := os.WriteFile(file, []byte(tt.page), 0o600); err != nil {
				t.Fatal(err)
			}
			tab, l := openPage(t, ctx, file)
			checkInert(t, tab, l, "file://"+file)

			// The page is whole and its script ran.
			if n := eval[int](t, tab, `document.querySelectorAll("tr.hit").length`); n != 4 {
				t.Errorf("%d hit rows, want 4", n)
			}
			if n := eval[int](t, tab, `document.querySelectorAll("table.hits th.sortable").length`); n != 9 {
				t.Errorf("%d sortable heads in the hit table, want 9: the page's script did not run", n)
			}
			if n := eval[int](t, tab, `document.querySelectorAll(".toolbar input[type=search]").length`); n != 1 {
				t.Errorf("%d filters, want 1", n)
			}
			text := eval[string](t, tab, `document.body.innerText`)
			for _, want := range []string{"invoice[U+202E]fdp.exe [U+2066]isolate[U+2069]", "<script>" + pwn, `"><img src=x onerror="`,
				"AAAA… [1,0"} { // a value of a megabyte, clipped outside its event
				if !strings.Contains(text, want) {
					t.Errorf("the page does not show %q as text", want)
				}
			}
			if strings.ContainsAny(text, "\u202E\u2066\u2069") {
				t.Errorf("the page holds a bidirectional control")
			}
			// No value, however long, widens the page beyond the window.
			if w := eval[[]int](t, tab, `[document.documentElement.scrollWidth, window.innerWidth]`); w[0] > w[1] {
				t.Errorf("the page is %d pixels wide in a window of %d", w[0], w[1])
			}
			// Sorting and filtering work on the hostile rows.
			click(t, tab, "table.hits th:nth-child(1)")
			if got := eval[string](t, tab, `document.querySelector("table.hits th").getAttribute("aria-sort")`); got != "ascending" {
				t.Errorf("after a click the time column sorts %q, want ascending", got)
			}
			if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS(".toolbar input"), "onerror")); err != nil {
				t.Fatal(err)
			}
			if got := eval[string](t, tab, `document.querySelector(".toolbar .shown").textContent`); got != "4 of 4 hits shown" {
				t.Errorf("the filter says %q", got)
			}
			// Open every event, with its value of a megabyte: the page lays
			// it out.
			click(t, tab, ".toolbar button")
			if n := eval[int](t, tab, `document.querySelectorAll("tr.event details[open]").length`); n != 4 {
				t.Errorf("%d events open, want 4", n)
			}
			if h := eval[float64](t, tab, `document.querySelector("tr.event pre.event").getBoundingClientRect().height`); h < 100 {
				t.Errorf("the first event is %v pixels high", h)
			}
			checkInert(t, tab, l, "file://"+file) // nothing ran on those either
		})
	}
}

// checkInert checks that no payload ran in the tab: the title and marker,
// dialogs, requests, refused scripts, elements and attributes that only a
// payload would add, errors.
func checkInert(t *testing.T, tab context.Context, l *browserLog, url string) {
	t.Helper()
	if title := eval[string](t, tab, `document.title`); title != "dredge report" {
		t.Errorf("the title is %q: a payload ran", title)
	}
	if eval[bool](t, tab, `document.documentElement.hasAttribute("data-pwned")`) {
		t.Errorf("a payload marked the page")
	}
	if refused := eval[[]string](t, tab, `window.__refused`); len(refused) > 0 {
		t.Errorf("the Content-Security-Policy refused %q: a payload made markup that would load or run", refused)
	}
	// Elements the page never has, and attributes that run script.
	bad := eval[[]string](t, tab, `(function () {
  var out = [];
  document.querySelectorAll("img,iframe,object,embed,math,base,link,form,button:not(.toolbar button),animate,a[href]:not([href^='#']),meta[http-equiv=refresh],[autofocus]").forEach(function (e) { out.push(e.outerHTML.slice(0, 80)); });
  document.querySelectorAll("*").forEach(function (e) {
    for (var i = 0; i < e.attributes.length; i++) {
      var a = e.attributes[i];
      if (/^on/i.test(a.name) || /javascript:/i.test(a.value) || a.name === "style" || a.name === "srcdoc") out.push(e.tagName + " " + a.name);
    }
  });
  if (document.scripts.length !== 1) out.push(document.scripts.length + " scripts");
  if (document.styleSheets.length !== 1) out.push(document.styleSheets.length + " style sheets");
  if (document.querySelectorAll("svg").length !== 1) out.push(document.querySelectorAll("svg").length + " svg");
  return out;
})()`)
	if len(bad) > 0 {
		t.Errorf("the page has markup of the data: %q", bad)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.dialogs) > 0 {
		t.Errorf("the page opened dialogs: %q", l.dialogs)
	}
	for _, r := range l.requests {
		if r != url {
			t.Errorf("the page asked for %.100s", r)
		}
	}
	if len(l.exceptions) > 0 || len(l.console) > 0 {
		t.Errorf("the page threw %q and logged %q", l.exceptions, l.console)
	}
	for _, e := range l.logs {
		t.Errorf("the browser logged %.300s", e)
	}
}

// TestBrowserReport opens the page of the test result and uses it as a
// reader does: every hit row, the timeline and grid drawn, the tested
// fields marked in an event, sorting, filtering and opening every event,
// and every section open in print.
func TestBrowserReport(t *testing.T) {
	ctx := browser(t)
	file := filepath.Join(t.TempDir(), "report.html")
	if err := Create(file, FormatHTML, compiledResult(t)); err != nil {
		t.Fatal(err)
	}
	tab, l := openPage(t, ctx, file)
	checkInert(t, tab, l, "file://"+file)
	for _, c := range []struct {
		what, expr string
		want       int
	}{
		{"hit rows", `document.querySelectorAll("tr.hit").length`, 5},
		{"hit tables with a filter", `document.querySelectorAll(".toolbar + table.hits").length`, 4},
		{"bars of events", `document.querySelectorAll("svg.timeline rect.ev").length`, 6},
		{"tactics in the grid", `document.querySelectorAll(".attack-grid .tactic").length`, 2},
		{"host rows", `document.querySelectorAll("table.hosts tbody tr").length`, 4},
		{"marked fields of the first event", `document.querySelector("tr.event pre").querySelectorAll("mark").length`, 4},
	} {
		if got := eval[int](t, tab, c.expr); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}
	// Sort the hosts by events, most first (a second click).
	click(t, tab, "table.hosts th:nth-child(4)")
	click(t, tab, "table.hosts th:nth-child(4)")
	if got := eval[string](t, tab, `Array.from(document.querySelectorAll("table.hosts td.host")).map(function (c) { return c.textContent; }).join(" ")`); got != "db-02 web-01 fs-01 no host name" {
		t.Errorf("hosts by events, most first: %s", got)
	}
	// Filter the first hit table, then open every event it shows.
	if err := chromedp.Do(tab, chromedp.SendKeys(chromedp.CSS(".toolbar input"), "svc-backup")); err != nil {
		t.Fatal(err)
	}
	click(t, tab, ".toolbar button")
	if got := eval[string](t, tab, `document.querySelector(".toolbar .shown").textContent`); got != "1 of 2 hits shown" {
		t.Errorf("the filter says %q", got)
	}
	if got := eval[int](t, tab, `document.querySelectorAll("table.hits")[0].querySelectorAll("tbody:not([hidden]) details[open]").length`); got != 1 {
		t.Errorf("%d events open, want 1", got)
	}
	// In print, every section is open; the events stay as the reader left
	// them.
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event("beforeprint"))`)); err != nil {
		t.Fatal(err)
	}
	if got := eval[int](t, tab, `document.querySelectorAll("details:not([open]):not(tr.event details)").length`); got != 0 {
		t.Errorf("%d sections closed in print", got)
	}
	if got := eval[int](t, tab, `document.querySelectorAll("tr.event details[open]").length`); got != 1 {
		t.Errorf("%d events open in print, want the 1 the reader opened", got)
	}
}

// TestBrowserLargeReport writes the report of 100,000 hits of 40 rules, on
// realistic events, and opens its page: the page shows 10,000 of them (250
// of each rule), the others are in the file next to it, and the page loads,
// scrolls to its end and sorts its tables. It logs how long Chromium took
// to load the page; it does not assert it (the machine may be busy).
func TestBrowserLargeReport(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: a report of 100,000 hits")
	}
	ctx := browser(t)
	res, _ := benchResult(1)
	h := res.Hits[0]
	res.Hits = nil
	res.Summary.Rules = nil
	var rs []*rules.Rule
	for i := range 40 {
		r := *ruleShell
		r.ID, r.Name = fmt.Sprintf("rule-%02d", i), fmt.Sprintf("Rule %02d", i)
		q, err := rules.CompileQuery(r.Language, r.Query, match.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r.Compiled = q
		rs = append(rs, &r)
		res.Summary.Rules = append(res.Summary.Rules, RuleCount{Rule: &r, Hits: 2500})
	}
	doc := h.Document
	for i := range 100_000 {
		h.Rule = rs[i%40]
		h.Time = ms("2024-05-01T10:00:00.123Z").Add(time.Duration(i) * time.Second)
		h.Origin.Line = i + 1
		if i >= 10_000 {
			// Not in the page: a small event keeps the file of the
			// others small.
			h.Document = []byte(`{"n":` + strconv.Itoa(i) + `}`)
		}
		res.Hits = append(res.Hits, h)
	}
	if h := res.Hits[9_999]; !bytes.Equal(h.Document, doc) {
		t.Fatal("the hits in the page do not have realistic events")
	}
	res.Summary.Hits = len(res.Hits)
	dir := t.TempDir()
	file := filepath.Join(dir, "large.html")
	if err := Create(file, FormatHTML, res); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	side, err := os.ReadFile(filepath.Join(dir, "large.hits.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(side), "\n"); n != 90_000 {
		t.Errorf("large.hits.ndjson has %d hits, want 90,000", n)
	}
	start := time.Now()
	tab, l := openPage(t, ctx, file)
	t.Logf("a page of %.1f MB with 10,000 hits loaded in %v", float64(fi.Size())/(1<<20), time.Since(start).Round(time.Millisecond))
	checkInert(t, tab, l, "file://"+file)
	if n := eval[int](t, tab, `document.querySelectorAll("tr.hit").length`); n != 10_000 {
		t.Errorf("%d hit rows, want 10,000", n)
	}
	if got := eval[string](t, tab, `document.querySelector("section.rule h3 .n").textContent`); got != "250 of 2,500" {
		t.Errorf("a rule's hits: %q, want 250 of 2,500", got)
	}
	// Scroll to the last hit: it is laid out and on screen.
	if top := eval[float64](t, tab, `(function () {
  var rows = document.querySelectorAll("tr.hit");
  rows[rows.length - 1].scrollIntoView();
  return rows[rows.length - 1].getBoundingClientRect().top;
})()`); top < 0 || top > 1000 || eval[float64](t, tab, `window.scrollY`) < 1000 {
		t.Errorf("the last hit is at %v after scrolling to it", top)
	}
	// The last table sorts by time, latest first.
	click(t, tab, "section.rule:last-of-type table.hits th:nth-child(1)")
	click(t, tab, "section.rule:last-of-type table.hits th:nth-child(1)")
	if got := eval[string](t, tab, `document.querySelector("section.rule:last-of-type table.hits td.time").textContent`); got != "2024-05-01T12:46:39.123Z" {
		t.Errorf("the latest hit of the last rule first: %s", got)
	}
}
