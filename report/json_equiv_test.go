package report

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fastjson"
)

// equivDocs are documents that the hand-written hit encoder must embed
// exactly as the encoding/json one (json_ref_test.go) did.
var equivDocs = []struct {
	name string
	doc  string
}{
	{"compact", `{"a":1,"b":[true,false,null],"c":"x y","d":{"e":"{ [ , : ] }"}}`},
	{"pretty", "{\n\t\"a\": 1,\n  \"b\": [ 1 , 2 ],\r\n  \"c\": \"x\\ty \\\" z\",\n  \"d\": { \"e\" : \"{ [ , : ] }\" }\n}\n"},
	{"surrounding whitespace", " \t{\"a\":1}\r\n"},
	{"space before a colon", `{"a" :1}`},
	{"newlines only", "[1,\n2]\n"},
	{"tabs only", "{\"a\":\t1}"},
	{"carriage returns only", "\r[1,\r2]"},
	{"newline after an escape", "[\"C:\\\\\",\n1]"},
	{"truncated", `{"host":{"name":"a"`},
	{"not JSON", "not json at all </script>"},
	{"trailing comma", `{"a":1,}`},
	{"two documents", "{\"a\":1}\n{\"b\":2}"},
	{"single quotes", `{'a':1}`},
	{"no comma", `[1 2]`},
	{"leading zero", `{"a":01}`},
	{"bad escape", `{"a":"\x"}`},
	{"short unicode escape", `{"a":"\u12"}`},
	{"not UTF-8", "{\"user\":{\"name\":\"\xc3\x28\xff\"}}"},
	{"not UTF-8 in a key", "{\"\xff\xfe\":1}"},
	{"neither", "\xff\xfe{"},
	{"not UTF-8, not JSON", "abc\xe2\x80def\xed\xa0\x80"},
	{"control character", "{\"a\":\"x\x01y\x1fz\"}"},
	{"escaped control characters", `{"a":"\u0001\b\f\n\r\t\u001f\u007f"}`},
	{"DEL", "{\"a\":\"\x7f\"}"},
	{"newline in a string", "{\"a\":\"x\ny\"}"},
	{"control character before an escape", "{\"a\":\"x\x01y\\n\"}"},
	{"tab before an escape", "[\"x\ty\\\"\"]"},
	{"control character in a key before an escape", "{\"k\x01\\\"\":1}"},
	{"HTML", `{"html":"<script>alert(1)&amp;</script>","x":"\u003c\u003e\u0026"}`},
	{"line separators", "{\"ls\":\"a\u2028b\u2029c\"}"},
	{"line separators, not JSON", "{\"ls\":\"a\u2028b\u2029c\""},
	{"unicode escapes", `{"e":"\u00e9","smile":"\ud83d\ude00","lone":"\ud83d","low":"\ude00"}`},
	{"literal unicode", `{"e":"é","smile":"😀","fffd":"�"}`},
	{"escaped quotes", `{"p":"C:\\Windows\\","q":"say \"hi\"","r":"\\\\\"","s":"\\"}`},
	{"escaped solidus", `{"url":"http:\/\/example.org\/"}`},
	{"duplicate keys", `{"a":1,"a":2,"a":{"a":[]}}`},
	{"numbers", `{"big":1e400,"neg0":-0,"f":-1.5E-3,"z":0,"e":1E+2,"g":0.000001}`},
	{"bad numbers", `{"a":1.}`},
	{"minus alone", `[-]`},
	{"plus", `[+1]`},
	{"big number", `1e400`},
	{"minus zero", `-0`},
	{"string", `"a string"`},
	{"true", `true`},
	{"null", `null`},
	{"truth", `truth`},
	{"nested arrays", `[[[[]]],[{}],[[1,[2,[3]]]]]`},
	{"empty object", `{}`},
	{"empty array", `[]`},
	{"empty members", `{"a":{},"b":[],"c":[{}],"d":""}`},
	{"pretty empty members", "{ \"a\" : { } , \"b\" : [\n] }"},
	{"whitespace only", " \n\t\r "},
	{"vertical tab", "\v{}"},
	{"no-break space only", "\u00a0"},
	{"empty", ""},
	{"deeper than fastjson reads", strings.Repeat("[", 301) + strings.Repeat("]", 301)},
	{"deeper than fastjson reads, pretty", strings.Repeat("[ ", 301) + strings.Repeat("] ", 301)},
	{"deeper than fastjson reads, not JSON", strings.Repeat(`{"a":[`, 200) + "x"},
	{"nesting limit", strings.Repeat("[", 10000) + strings.Repeat("]", 10000)},
	{"too deep", strings.Repeat("[", 10001) + strings.Repeat("]", 10001)},
	{"too deep objects", strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001)},
	{"many brackets, shallow", "[" + strings.Repeat("[],{},", 5000) + "[]]"},
	{"unclosed brackets", strings.Repeat("[", 20000)},
}

// trickyStrings are values of the other string fields of a hit.
var trickyStrings = []string{
	"",
	"plain/file.ndjson",
	`C:\Windows\"quoted"`,
	"<a href='x'>&amp;</a>",
	"tab\tnew\nline\rcr\bback\fform\x00nul\x1fus\x7fdel",
	"line\u2028para\u2029end",
	"bad\xffutf8\xc3\x28and\xe2\x80\xa8",
	"é😀\ufffd",
}

// equivResult is a result with every kind of hit on doc, its string fields
// set to s.
func equivResult(doc []byte, s string) *Result {
	t := ms("2024-05-01T10:00:00.123Z")
	res := &Result{Summary: Summary{Version: "0.1.0"}}
	res.Hits = []Hit{
		{Rule: ruleShell, Time: t, Origin: Origin{File: s, Line: 1}, Index: s, Document: doc},
		{Rule: ruleQuiet, Origin: Origin{File: "a.ndjson"}, Document: doc},
		{Rule: rulePID, Time: t, Origin: Origin{File: s, Line: 2}, Document: doc, NewTerms: []string{s, "b"}},
		{Rule: ruleSeq, Time: t, Origin: Origin{File: s, Line: 3}, Document: doc,
			Events: []Event{
				{Time: t, Origin: Origin{File: s, Line: 3}, Document: doc},
				{Missing: true},
				{Time: t.Add(time.Second), Origin: Origin{File: "b.ndjson", Line: 4}, Index: s, Document: doc},
				{Origin: Origin{File: "c.ndjson", Line: -1}},
			},
			JoinKeys: []*string{ptr(s), nil, ptr("")},
		},
		{Rule: ruleSeq, Document: doc, Events: []Event{{Missing: true}, {Document: doc}}}, // nil JoinKeys
		{Rule: ruleSeq, Document: doc, Events: []Event{}, JoinKeys: []*string{}},
		{Rule: ruleThreshold, Time: t, Origin: Origin{File: s, Line: 5}, Index: s, Document: doc,
			Threshold: &ThresholdResult{
				Terms: []ThresholdTerm{{Field: "host.id", Value: s}, {Field: s, Value: ""}},
				Count: 1 << 40, First: t, Last: t.Add(time.Minute),
				Cardinality: []ThresholdCardinality{{Field: s, Value: -3}, {Field: "b", Value: 0}},
			},
		},
		{Rule: ruleThreshold, Document: doc, Threshold: &ThresholdResult{}},
	}
	return res
}

// checkEquiv checks that WriteNDJSON and WriteJSON write res exactly as the
// reference writers do.
func checkEquiv(t *testing.T, res *Result) {
	t.Helper()
	writers := []struct {
		name     string
		ref, got func(io.Writer, *Result) error
	}{
		{"NDJSON", refWriteNDJSON, WriteNDJSON},
		{"JSON", refWriteJSON, WriteJSON},
	}
	for _, w := range writers {
		var want, got bytes.Buffer
		if err := w.got(&got, res); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if !validReport(got.Bytes(), w.name == "NDJSON") {
			t.Fatalf("%s is not valid JSON: %.300q", w.name, got.Bytes())
		}
		deep := deepDocument(res)
		if deep && w.name == "JSON" {
			continue // the reference indents it for long, and fails
		}
		if err := w.ref(&want, res); err != nil || !validReport(want.Bytes(), w.name == "NDJSON") {
			// The reference failed, or wrote more levels than
			// encoding/json reads, on a document nested near that
			// limit; there such a document is now a string.
			if !deep {
				t.Fatalf("reference %s failed: %v", w.name, err)
			}
			continue
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, wt := got.Bytes(), want.Bytes()
			i := 0
			for i < len(g) && i < len(wt) && g[i] == wt[i] {
				i++
			}
			t.Fatalf("%s differs from the reference at byte %d:\ngot:  %q\nwant: %q", w.name, i, tail(g, i), tail(wt, i))
		}
	}
}

// validReport reports whether report is valid JSON, or valid JSON lines.
func validReport(report []byte, lines bool) bool {
	if !lines {
		return json.Valid(report)
	}
	for line := range bytes.Lines(report) {
		if !json.Valid(line) {
			return false
		}
	}
	return true
}

// deepDocument reports whether a document of res may nest near
// encoding/json's limit of 10,000 levels.
func deepDocument(res *Result) bool {
	deep := func(doc []byte) bool {
		depth := 0
		for _, c := range doc {
			switch c {
			case '{', '[':
				if depth++; depth > 9990 {
					return true
				}
			case '}', ']':
				depth = max(0, depth-1)
			}
		}
		return false
	}
	for _, h := range res.Hits {
		if deep(h.Document) {
			return true
		}
		for _, ev := range h.Events {
			if deep(ev.Document) {
				return true
			}
		}
	}
	return false
}

// tail is b from a little before i, for an error message.
func tail(b []byte, i int) []byte {
	b = b[max(0, i-40):]
	return b[:min(len(b), 120)]
}

// TestHitEncoderMatchesEncodingJSON checks the hand-written hit encoder
// against the encoding/json one on tricky documents and strings.
func TestHitEncoderMatchesEncodingJSON(t *testing.T) {
	for _, tt := range equivDocs {
		t.Run(tt.name, func(t *testing.T) {
			strs := trickyStrings
			if len(tt.doc) > 10000 {
				strs = strs[len(strs)-2:] // long documents take long
			}
			for _, s := range strs {
				checkEquiv(t, equivResult([]byte(tt.doc), s))
			}
		})
	}
	t.Run("nil", func(t *testing.T) {
		checkEquiv(t, equivResult(nil, "x"))
	})
	t.Run("test result", func(t *testing.T) {
		res := testResult()
		res.Hits = append(res.Hits, damagedHits()...)
		checkEquiv(t, res)
	})
}

// FuzzHitDocument checks the hand-written hit encoder against the
// encoding/json one on any document, used as every string of the hits too.
func FuzzHitDocument(f *testing.F) {
	for _, tt := range equivDocs {
		if len(tt.doc) < 1000 {
			f.Add([]byte(tt.doc))
		}
	}
	for _, s := range trickyStrings {
		f.Add([]byte(s))
	}
	for _, h := range testResult().Hits {
		f.Add(h.Document)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		checkEquiv(t, equivResult(doc, string(doc)))
	})
}

// FuzzPlainJSON checks plainJSON's claim: on a document it passes,
// fastjson.ValidateBytes says what json.Valid says, and a valid document is
// compact.
func FuzzPlainJSON(f *testing.F) {
	for _, tt := range equivDocs {
		if len(tt.doc) < 1000 {
			f.Add([]byte(tt.doc))
		}
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		if !plainJSON(doc) {
			return
		}
		valid := json.Valid(doc)
		if got := fastjson.ValidateBytes(doc) == nil; got != valid {
			t.Fatalf("fastjson.ValidateBytes(%q) accepts: %v, json.Valid: %v", doc, got, valid)
		}
		var c bytes.Buffer
		if valid && (json.Compact(&c, doc) != nil || !bytes.Equal(c.Bytes(), doc)) {
			t.Fatalf("%q is not compact", doc)
		}
	})
}

// benchWriter measures the reference and the hand-written writer on 2,000
// hits on realistic events; the bytes are those written.
func benchWriter(b *testing.B, ref, fast func(io.Writer, *Result) error) {
	res, _ := benchResult(2000)
	for _, w := range []struct {
		name  string
		write func(io.Writer, *Result) error
	}{{"old", ref}, {"new", fast}} {
		b.Run(w.name, func(b *testing.B) {
			var n countWriter
			if err := w.write(&n, res); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if err := w.write(io.Discard, res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWriteNDJSON(b *testing.B) { benchWriter(b, refWriteNDJSON, WriteNDJSON) }

func BenchmarkWriteJSON(b *testing.B) { benchWriter(b, refWriteJSON, WriteJSON) }

// countWriter counts the bytes written to it.
type countWriter int

func (n *countWriter) Write(p []byte) (int, error) {
	*n += countWriter(len(p))
	return len(p), nil
}

// TestHitEncoderDeepDocument checks that a document is embedded as it is
// when the NDJSON line stays within encoding/json's 10,000 levels, and as a
// string when it would not (where the old writer failed).
func TestHitEncoderDeepDocument(t *testing.T) {
	tests := []struct {
		depth         int
		hitDoc, evDoc byte // the first byte of each document: [ or "
	}{
		{9997, '[', '['},
		{9998, '[', '"'},
		{9999, '[', '"'},
		{10000, '"', '"'},
		{10001, '"', '"'},
	}
	for _, tt := range tests {
		doc := []byte(strings.Repeat("[", tt.depth) + strings.Repeat("]", tt.depth))
		res := &Result{Hits: []Hit{{Rule: ruleSeq, Document: doc, Events: []Event{{Document: doc}}}}}
		var buf bytes.Buffer
		if err := WriteNDJSON(&buf, res); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatalf("depth %d: the line is not valid JSON", tt.depth)
		}
		var h struct {
			Document json.RawMessage `json:"document"`
			Events   []struct {
				Document json.RawMessage `json:"document"`
			} `json:"events"`
		}
		if err := json.Unmarshal(buf.Bytes(), &h); err != nil {
			t.Fatalf("depth %d: %v", tt.depth, err)
		}
		if h.Document[0] != tt.hitDoc || h.Events[0].Document[0] != tt.evDoc {
			t.Errorf("depth %d: hit document starts %c, event document %c; want %c, %c",
				tt.depth, h.Document[0], h.Events[0].Document[0], tt.hitDoc, tt.evDoc)
		}
	}
}

// TestDocumentStrings checks that documents with one tricky byte at each
// place of a string, some of which fastjson.ValidateBytes alone would judge
// otherwise than json.Valid (a control character before an escape
// sequence), are embedded as the reference embeds them.
func TestDocumentStrings(t *testing.T) {
	for _, c := range []byte{'"', '\\', 0x00, 0x01, '\t', '\n', '\r', 0x1f, ' ', '!', '[', ']', '{', 0x7f, 0x80, 0xe2, 0xff} {
		for i := range 10 {
			for _, tail := range []string{"", "\\\"", "\\\\", "\\u00e9", "\\n", "\x01", "\\x"} {
				s := strings.Repeat("a", i) + string(c) + strings.Repeat("b", i%9) + tail
				for _, doc := range []string{`["` + s + `"]`, `{"` + s + `":1}`, `"` + s + `"`} {
					checkEquiv(t, &Result{Hits: []Hit{{Rule: ruleSeq, Document: []byte(doc), Events: []Event{{Document: []byte(doc)}}}}})
				}
			}
		}
	}
}
