package scan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"dredge/report"

	"github.com/valyala/fastjson"
)

// flatten rewrites a JSON object with nested objects as dotted keys, keeping
// the order of keys and the text of values. depth limits how many levels of
// objects are merged into their parent (-1: all); inside, when set, keeps the
// top-level objects and flattens what is inside each of them instead.
func flatten(t testing.TB, line string, depth int, inside bool) string {
	t.Helper()
	v, err := fastjson.Parse(line)
	if err != nil {
		t.Fatalf("flatten: %v", err)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	var walk func(prefix string, o *fastjson.Object, d int)
	walk = func(prefix string, o *fastjson.Object, d int) {
		o.Visit(func(k []byte, x *fastjson.Value) {
			key := prefix + string(k)
			if x.Type() == fastjson.TypeObject && d != 0 {
				walk(key+".", x.GetObject(), d-1)
				return
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			kb, _ := json.Marshal(key)
			b.Write(kb)
			b.WriteByte(':')
			b.Write(x.MarshalTo(nil))
		})
	}
	top := v.GetObject()
	if !inside {
		walk("", top, depth)
	} else {
		top.Visit(func(k []byte, x *fastjson.Value) {
			if !first {
				b.WriteByte(',')
			}
			first = false
			kb, _ := json.Marshal(string(k))
			b.Write(kb)
			b.WriteByte(':')
			if x.Type() == fastjson.TypeObject {
				b.WriteString(flatten(t, x.String(), -1, false))
			} else {
				b.Write(x.MarshalTo(nil))
			}
		})
	}
	b.WriteByte('}')
	var check any
	if err := json.Unmarshal(b.Bytes(), &check); err != nil {
		t.Fatalf("flatten made bad JSON: %v: %s", err, b.Bytes())
	}
	return b.String()
}

const testIndex = ".ds-logs-endpoint.events.file-default-2024.04.30-000001"

// wrap puts an event in an Elasticsearch hit, as _search returns it.
func wrap(i int, line string) string {
	return fmt.Sprintf(`{"_index": %q, "_id": "hit-%d", "_score": null, "_source": %s, "sort": [%d]}`, testIndex, i, line, i)
}

// layoutHit is a hit without the layout-dependent parts.
type layoutHit struct {
	Line     int
	Rule     string
	Time     time.Time
	Fields   report.Fields
	NewTerms string
}

// TestLayouts scans the same events written nested, flat, in two mixed
// layouts and wrapped in Elasticsearch hits, and checks that they give the
// same hits; a wrapped hit carries the index and the _source as its document.
func TestLayouts(t *testing.T) {
	lines := sampleLines(t, "linux-endpoint.ndjson")
	win := sampleTexts(t)["windows-endpoint.ndjson.zst"]
	// Hits and near misses of every built-in rule.
	events := []string{
		lines[148], // 149: new terms (cp, initd.lock)
		lines[149],
		lines[150], // 151: init script created
		lines[156], // 157: near miss, .swp excluded
		lines[157], // 158: init script created (vim's 4913)
		lines[167], // 168: PID file run as root (event.ingested)
		lines[168], // 169: near miss, event.type end
		lines[172], // 173: setcap
		win[9],     // lsass.exe writes a DLL (event.ingested)
		win[10],    // near miss, .txt
		win[15],    // winlogon.exe, upper-case .DLL
		// setcap again, with escapes in values the rules and the report
		// read: \/ as PHP writes it, \u00e9, and an escape sequence.
		strings.NewReplacer(
			`"args":["setcap","cap_setuid+ep"`, `"args":["setcap","\u001b[0m\t\"caf\u00e9\"","cap_setuid+ep"`,
			`"executable":"/usr/sbin/setcap"`, `"executable":"\/usr\/sbin\/setcap"`,
			`"@timestamp":"2024-04-30T13:55:09.870Z"`, `"@timestamp":"2024-04-30T13:56:00.000Z"`,
		).Replace(lines[172]),
	}
	if events[11] == lines[172] || !json.Valid([]byte(events[11])) {
		t.Fatal("bad test: the escaped setcap event was not made")
	}

	layouts := []struct {
		name string
		make func(i int, line string) string
	}{
		{"nested", func(_ int, l string) string { return l }},
		{"flat", func(_ int, l string) string { return flatten(t, l, -1, false) }},
		{"mixed top", func(_ int, l string) string { return flatten(t, l, 1, false) }},
		{"mixed inside", func(_ int, l string) string { return flatten(t, l, -1, true) }},
		{"wrapped", wrap},
	}
	if s := layouts[1].make(0, `{"a":{"b":{"c":1},"d":[{"e":2}]},"f":"g"}`); s != `{"a.b.c":1,"a.d":[{"e":2}],"f":"g"}` {
		t.Fatalf("flatten: %s", s)
	}
	if s := layouts[2].make(0, `{"a":{"b":{"c":1}},"f":"g"}`); s != `{"a.b":{"c":1},"f":"g"}` {
		t.Fatalf("flatten one level: %s", s)
	}
	if s := layouts[3].make(0, `{"a":{"b":{"c":1},"x":2},"f":"g"}`); s != `{"a":{"b.c":1,"x":2},"f":"g"}` {
		t.Fatalf("flatten inside: %s", s)
	}

	rs := builtin(t)
	var ref []layoutHit
	for li, layout := range layouts {
		dir := t.TempDir()
		var text []string
		for i, e := range events {
			text = append(text, layout.make(i, e))
		}
		path := writeFile(t, dir, "events.ndjson", ndjson(text...))
		res, err := run(t, inputs(path), Config{Rules: rs, Workers: 2, ChunkSize: 1024})
		if err != nil {
			t.Fatalf("%s: Run: %v", layout.name, err)
		}
		if res.Summary.Events != int64(len(events)) {
			t.Errorf("%s: Events = %d, want %d", layout.name, res.Summary.Events, len(events))
		}
		var got []layoutHit
		for _, h := range res.Hits {
			got = append(got, layoutHit{h.Origin.Line, h.Rule.ID, h.Time, h.Fields, strings.Join(h.NewTerms, "|")})
			src := events[h.Origin.Line-1]
			wantDoc, wantIndex := text[h.Origin.Line-1], ""
			if layout.name == "wrapped" {
				wantDoc, wantIndex = src, testIndex
			}
			if !bytes.Equal(h.Document, []byte(wantDoc)) {
				t.Errorf("%s: line %d, rule %s: Document\n got %s\nwant %s", layout.name, h.Origin.Line, h.Rule.ID, h.Document, wantDoc)
			}
			if h.Index != wantIndex {
				t.Errorf("%s: line %d: Index = %q, want %q", layout.name, h.Origin.Line, h.Index, wantIndex)
			}
		}
		if li == 0 {
			ref = got
			want := []string{"1 " + ruleNewTerms, "3 " + ruleInitD, "5 " + ruleInitD, "6 " + rulePIDExec, "8 " + ruleSetcap,
				"12 " + ruleSetcap, "9 " + ruleCritical, "11 " + ruleCritical}
			var ids []string
			for _, h := range got {
				ids = append(ids, fmt.Sprintf("%d %s", h.Line, h.Rule))
			}
			if !reflect.DeepEqual(ids, want) {
				t.Fatalf("nested: hits\n got %q\nwant %q", ids, want)
			}
			for _, h := range got {
				if h.Fields.Host == "" || h.Fields.User == "" || h.Fields.Process == "" {
					t.Errorf("nested: line %d: display fields missing: %+v", h.Line, h.Fields)
				}
			}
			if got[0].NewTerms != "cp|initd.lock" {
				t.Errorf("nested: new terms %q, want cp|initd.lock", got[0].NewTerms)
			}
			if p := got[5].Fields.Process; p != "/usr/sbin/setcap" {
				t.Errorf("nested: escaped setcap event: Fields.Process = %q, want /usr/sbin/setcap", p)
			}
			continue
		}
		if !reflect.DeepEqual(got, ref) {
			t.Errorf("%s: hits differ from the nested layout's:\n got %+v\nwant %+v", layout.name, got, ref)
		}
	}
}

// TestWrappedDocumentIsJSON checks that the document of a wrapped hit is its
// _source exactly, escapes included, whatever the rules read, and that the
// JSON report embeds it as an object.
func TestWrappedDocumentIsJSON(t *testing.T) {
	src := `{"@timestamp":"2024-04-30T13:55:09.870Z","event":{"action":"exec","category":["process"],"type":["start"]},` +
		`"host":{"name":"web-\u0001prod","os":{"type":"linux"}},"user":{"id":"0","name":"r\u00f6\u007fot"},` +
		`"process":{"name":"setcap","executable":"\/usr\/sbin\/setcap","args":["setcap","\u001b]0;x\u0007","cap_setuid+ep","\/tmp\/x"]}}`
	line := wrap(1, src)
	dir := t.TempDir()
	path := writeFile(t, dir, "hits.ndjson", ndjson(line, line))
	res, err := run(t, inputs(path), Config{Rules: builtin(t), Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 2 || res.Hits[0].Rule.ID != ruleSetcap {
		t.Fatalf("hits: %q, want the setcap rule twice", ruleIDs(res.Hits))
	}
	for _, h := range res.Hits {
		if string(h.Document) != src {
			t.Errorf("line %d: Document\n got %s\nwant %s", h.Origin.Line, h.Document, src)
		}
		if h.Fields.Host != "web-\x01prod" || h.Fields.Process != "/usr/sbin/setcap" {
			t.Errorf("line %d: Fields = %+v", h.Origin.Line, h.Fields)
		}
	}
	var b bytes.Buffer
	if err := report.WriteJSON(&b, res); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Hits []struct {
			Document json.RawMessage `json:"document"`
		} `json:"hits"`
	}
	if err := json.Unmarshal(b.Bytes(), &rep); err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	for i, h := range rep.Hits {
		if len(h.Document) == 0 || h.Document[0] != '{' {
			t.Errorf("JSON report hit %d: document is not an object: %.80s", i, h.Document)
		}
	}
	if len(rep.Hits) != 2 {
		t.Errorf("JSON report has %d hits, want 2", len(rep.Hits))
	}
}
