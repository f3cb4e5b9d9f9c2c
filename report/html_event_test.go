package report

import (
	"bytes"
	"encoding/json"
	"html"
	"regexp"
	"strings"
	"testing"
)

func TestEventHTML(t *testing.T) {
	tests := []struct {
		name   string
		doc    string
		fields []string
		want   string
		found  []bool
	}{
		{
			name:   "nested and dotted members, an array",
			doc:    `{"process":{"name":"bash","args":["-c","id"]},"event.type":"start","host":{"os.type":"linux"}}`,
			fields: []string{"process.name", "process.args", "event.type", "host.os.type", "user.name"},
			want: "{\n" +
				"  \"process\": {\n" +
				"    <mark>\"name\": \"bash\"</mark>,\n" +
				"    <mark>\"args\": [\n      \"-c\",\n      \"id\"\n    ]</mark>\n" +
				"  },\n" +
				"  <mark>\"event.type\": \"start\"</mark>,\n" +
				"  \"host\": {\n" +
				"    <mark>\"os.type\": \"linux\"</mark>\n" +
				"  }\n" +
				"}",
			found: []bool{true, true, true, true, false},
		},
		{
			name:   "objects in an array keep the path",
			doc:    `{"threat":[{"tactic":{"id":"TA0002"}},{"tactic":{"id":"TA0011"}}]}`,
			fields: []string{"threat.tactic.id"},
			want: "{\n  \"threat\": [\n    {\n      \"tactic\": {\n        <mark>\"id\": \"TA0002\"</mark>\n      }\n    },\n" +
				"    {\n      \"tactic\": {\n        <mark>\"id\": \"TA0011\"</mark>\n      }\n    }\n  ]\n}",
			found: []bool{true},
		},
		{
			name:   "a marked object, numbers, literals and empty containers",
			doc:    ` { "file" : {"size": 1.5e3, "x": null, "y": true, "z": [], "w": {}} } `,
			fields: []string{"file"},
			want: "{\n  <mark>\"file\": {\n    \"size\": 1.5e3,\n    \"x\": null,\n    \"y\": true,\n" +
				"    \"z\": [],\n    \"w\": {}\n  }</mark>\n}",
			found: []bool{true},
		},
		{
			name:   "an escaped key is read as JSON reads it; values stay as written",
			doc:    `{"proc\u0065ss":{"n\"ame":"<script>alert(1)</script>\u003c"}}`,
			fields: []string{`process.n"ame`},
			want:   "{\n  \"proc\\u0065ss\": {\n    <mark>\"n\\\"ame\": \"&lt;script&gt;alert(1)&lt;/script&gt;\\u003c\"</mark>\n  }\n}",
			found:  []bool{true},
		},
		{
			name:   "not JSON: the text, escaped",
			doc:    `<svg onload=alert(1)> {"process":`,
			fields: []string{"process"},
			want:   "&lt;svg onload=alert(1)&gt; {\"process\":",
			found:  []bool{false},
		},
		{
			name: "no fields",
			doc:  `[1,"a"]`,
			want: "[\n  1,\n  \"a\"\n]",
		},
		{
			name:   "bytes that are not UTF-8",
			doc:    "{\"a\":\"x\xffy\"}",
			fields: []string{"a"},
			want:   "{\n  <mark>\"a\": \"x\uFFFDy\"</mark>\n}",
			found:  []bool{true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fs *fieldSet
			if tt.fields != nil {
				fs = newFieldSet(tt.fields)
			}
			ev := eventHTML([]byte(tt.doc), fs)
			if string(ev.JSON) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", ev.JSON, tt.want)
			}
			var found []bool
			for i, f := range ev.Tested {
				if f.Name != tt.fields[i] {
					t.Errorf("tested field %d is %q, want %q", i, f.Name, tt.fields[i])
				}
				found = append(found, f.Found)
			}
			if !equalBools(found, tt.found) {
				t.Errorf("found %v, want %v", found, tt.found)
			}
		})
	}
}

func equalBools(a, b []bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var markRE = regexp.MustCompile(`</?mark>`)

// TestEventHTMLIndent checks that, marks taken out and unescaped, the event
// is what json.Indent makes of it.
func TestEventHTMLIndent(t *testing.T) {
	res := testResult()
	fs := newFieldSet([]string{"process.args", "host.name", "event", "destination.port"})
	for _, h := range res.Hits {
		var want bytes.Buffer
		if err := json.Indent(&want, h.Document, "", "  "); err != nil {
			t.Fatal(err)
		}
		got := html.UnescapeString(markRE.ReplaceAllString(string(eventHTML(h.Document, fs).JSON), ""))
		if got != want.String() {
			t.Errorf("got:\n%s\nwant:\n%s", got, want.String())
		}
	}
}

// TestEventHTMLDeep checks that an event nested deeper than prettyDepth is
// indented to that depth only, so that its page stays about its size.
func TestEventHTMLDeep(t *testing.T) {
	const depth = 300 // the scan's parser reads no deeper
	doc := strings.Repeat(`{"a":[`, depth) + strings.Repeat("1,", 2000) + "1" + strings.Repeat("]}", depth)
	ev := eventHTML([]byte(doc), newFieldSet([]string{"a.a"}))
	got := string(ev.JSON)
	if len(got) > 12*len(doc) {
		t.Errorf("the event of %d bytes is %d bytes in the page", len(doc), len(got))
	}
	if max := strings.Repeat(" ", 2*prettyDepth+1); strings.Contains(got, "\n"+max) {
		t.Errorf("the event is indented deeper than %d levels", prettyDepth)
	}
	if html.UnescapeString(markRE.ReplaceAllString(got, "")) == "" || !strings.Contains(got, strings.Repeat("1,", 2000)) {
		t.Errorf("the deep part is not written as it is")
	}
	if !ev.Tested[0].Found {
		t.Errorf("a.a is not found")
	}
}

// TestEventHTMLValues checks the values shown next to the tested fields:
// as written, on one line, the first of a field in several places, cut
// when long.
func TestEventHTMLValues(t *testing.T) {
	doc := `{"process": {"args": [ "-c",
		"id" ], "name": "` + strings.Repeat("x", 300) + `"}, "threat": [{"id": 1}, {"id": 2}], "n": 1.50}`
	ev := eventHTML([]byte(doc), newFieldSet([]string{"process.args", "process.name", "threat.id", "n", "user.name"}))
	want := []testedField{
		{Name: "process.args", Found: true, Value: `["-c","id"]`},
		{Name: "process.name", Found: true, Value: `"` + strings.Repeat("x", 199) + "… [102 more characters]"},
		{Name: "threat.id", Found: true, Value: "1"},
		{Name: "n", Found: true, Value: "1.50"},
		{Name: "user.name"},
	}
	if len(ev.Tested) != len(want) {
		t.Fatalf("got %d tested fields, want %d", len(ev.Tested), len(want))
	}
	for i := range want {
		if ev.Tested[i] != want[i] {
			t.Errorf("got %+v, want %+v", ev.Tested[i], want[i])
		}
	}
}
