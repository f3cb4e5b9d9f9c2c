package scan

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"dredge/decode"
	"dredge/report"

	"github.com/klauspost/compress/gzip"
	"github.com/valyala/fastjson"
)

// truncatedGzip compresses lines and a part of the next one, flushed, and
// stops there: a gzip stream cut after exactly that text, with no trailer.
func truncatedGzip(t testing.TB, lines []string, part string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(ndjson(lines...)); err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write([]byte(part)); err != nil {
		t.Fatal(err)
	}
	// A sync flush ends the deflate data written so far on a byte boundary,
	// so that a decompressor gives back exactly this text before it finds
	// the stream cut.
	if err := zw.Flush(); err != nil {
		t.Fatal(err)
	}
	return bytes.Clone(b.Bytes())
}

// expectedIn returns the expected sample hits of one sample file whose line
// is below limit, as keys with the file renamed.
func expectedIn(t testing.TB, sample, file string, limit int) []hitKey {
	t.Helper()
	var out []hitKey
	for _, k := range readExpected(t, "../testdata/expected-hits.tsv") {
		if k.File == sample && k.Line < limit {
			out = append(out, hitKey{file, k.Line, k.Rule})
		}
	}
	return out
}

// TestBadInput checks that damaged input is reported with its place and that
// everything read well is still scanned.
func TestBadInput(t *testing.T) {
	lines := sampleLines(t, "linux-endpoint.ndjson") // 176 events, hits at 15, 51, 133, 149, ...
	malformed := lines[9][:len(lines[9])/2]          // an event cut in two
	_, perr := fastjson.Parse(malformed)
	if perr == nil {
		t.Fatal("the cut event parses")
	}
	// An event over 8 KiB: a real one with a long command line.
	long := strings.Replace(lines[29], `"command_line":"`, `"command_line":"`+strings.Repeat("A", 9000), 1)
	if long == lines[29] {
		t.Fatal("line 30 has no command_line")
	}
	syslog := "Apr 30 13:55:09 web-prod-01 sudo: www-data : TTY=pts/0 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash\n" +
		"Apr 30 13:55:10 web-prod-01 sudo: pam_unix(sudo:session): session opened for user root(uid=0) by (uid=33)\n"

	type file struct {
		name string
		data []byte // nil: the file does not exist
	}
	tests := []struct {
		name     string
		maxLine  int
		files    []file
		events   int64
		hits     func(dir string) []hitKey
		problems func(dir string) []report.Problem
		skipped  map[string]int
	}{
		{
			name:  "gzip truncated in the middle of an event",
			files: []file{{"cut.ndjson.gz", truncatedGzip(t, lines[:140], lines[140][:700])}},
			// Lines 1-140 are whole; line 141 is cut.
			events: 140,
			hits: func(string) []hitKey {
				return expectedIn(t, "linux-endpoint.ndjson", "cut.ndjson.gz", 141)
			},
			problems: func(dir string) []report.Problem {
				return []report.Problem{{File: filepath.Join(dir, "cut.ndjson.gz"), Line: 141, Kind: decode.KindDecompress, Reason: "gzip: unexpected EOF"}}
			},
			skipped: map[string]int{decode.KindDecompress: 1},
		},
		{
			name:   "gzip truncated between events",
			files:  []file{{"cut.ndjson.gz", truncatedGzip(t, lines[:60], "")}},
			events: 60,
			hits: func(string) []hitKey {
				return expectedIn(t, "linux-endpoint.ndjson", "cut.ndjson.gz", 61)
			},
			problems: func(dir string) []report.Problem {
				return []report.Problem{{File: filepath.Join(dir, "cut.ndjson.gz"), Line: 61, Kind: decode.KindDecompress, Reason: "gzip: unexpected EOF"}}
			},
			skipped: map[string]int{decode.KindDecompress: 1},
		},
		{
			name: "malformed and non-object lines in the middle of NDJSON",
			files: []file{{"bad.ndjson", ndjson(append(append(append(append([]string(nil),
				lines[:9]...), malformed), lines[10:20]...), append([]string{`["not", "an", "event"]`, `42`}, lines[22:60]...)...)...)}},
			// 60 lines, of which 3 are not events.
			events: 57,
			hits: func(string) []hitKey {
				return expectedIn(t, "linux-endpoint.ndjson", "bad.ndjson", 61)
			},
			problems: func(dir string) []report.Problem {
				p := filepath.Join(dir, "bad.ndjson")
				return []report.Problem{
					{File: p, Line: 10, Kind: decode.KindMalformed, Reason: "malformed json: " + perr.Error()},
					{File: p, Line: 21, Kind: decode.KindMalformed, Reason: "not a json object: array"},
					{File: p, Line: 22, Kind: decode.KindMalformed, Reason: "not a json object: number"},
				}
			},
			skipped: map[string]int{decode.KindMalformed: 3},
		},
		{
			name:    "a line over MaxLine",
			maxLine: 8 << 10,
			files:   []file{{"long.ndjson", ndjson(append(append(append([]string(nil), lines[:29]...), long), lines[30:60]...)...)}},
			events:  59,
			hits: func(string) []hitKey {
				return expectedIn(t, "linux-endpoint.ndjson", "long.ndjson", 61)
			},
			problems: func(dir string) []report.Problem {
				return []report.Problem{{File: filepath.Join(dir, "long.ndjson"), Line: 30, Kind: decode.KindTooLong,
					Reason: fmt.Sprintf("line is %d bytes, over the 8 KiB limit", len(long))}}
			},
			skipped: map[string]int{decode.KindTooLong: 1},
		},
		{
			name:    "a last line over MaxLine without a newline",
			maxLine: 8 << 10,
			files:   []file{{"long.ndjson", []byte(string(ndjson(lines[:20]...)) + long)}},
			events:  20,
			hits: func(string) []hitKey {
				return expectedIn(t, "linux-endpoint.ndjson", "long.ndjson", 21)
			},
			problems: func(dir string) []report.Problem {
				return []report.Problem{{File: filepath.Join(dir, "long.ndjson"), Line: 21, Kind: decode.KindTooLong,
					Reason: fmt.Sprintf("line is %d bytes, over the 8 KiB limit", len(long))}}
			},
			skipped: map[string]int{decode.KindTooLong: 1},
		},
		{
			name: "a missing file among good ones",
			files: []file{
				{"a.ndjson", ndjson(lines[:20]...)},
				{"gone.ndjson", nil},
				{"c.ndjson", ndjson(lines[:60]...)},
			},
			events: 80,
			hits: func(string) []hitKey {
				// c.ndjson:15 repeats a.ndjson:15 at the same time: no new terms.
				return []hitKey{{"a.ndjson", 15, ruleNewTerms}, {"c.ndjson", 51, ruleInitD}}
			},
			problems: func(dir string) []report.Problem {
				return []report.Problem{{File: filepath.Join(dir, "gone.ndjson"), Kind: decode.KindOpen, Reason: "no such file or directory"}}
			},
			skipped: map[string]int{decode.KindOpen: 1},
		},
		{
			name: "a file that is not JSON",
			files: []file{
				{"auth.log", []byte(syslog)},
				{"b.ndjson", ndjson(lines[:20]...)},
			},
			events: 20,
			hits: func(string) []hitKey {
				return expectedIn(t, "linux-endpoint.ndjson", "b.ndjson", 21)
			},
			problems: func(dir string) []report.Problem {
				return []report.Problem{{File: filepath.Join(dir, "auth.log"), Kind: decode.KindNotJSON,
					Reason: fmt.Sprintf(`not a JSON log: no line of the first %d bytes starts with { or [ (it starts with "Apr 30 13:55:09 ")`, len(syslog))}}
			},
			skipped: map[string]int{decode.KindNotJSON: 1},
		},
		{
			name: "all at once, problems in input order",
			files: []file{
				{"a-cut.ndjson.gz", truncatedGzip(t, lines[:140], lines[140][:700])},
				{"b-gone.ndjson", nil},
				{"c-bad.ndjson", ndjson(lines[0], `{"@timestamp":`, lines[2])},
				{"d-auth.log", []byte(syslog)},
			},
			events: 142,
			hits: func(string) []hitKey {
				return expectedIn(t, "linux-endpoint.ndjson", "a-cut.ndjson.gz", 141)
			},
			problems: func(dir string) []report.Problem {
				_, err := fastjson.Parse(`{"@timestamp":`)
				return []report.Problem{
					{File: filepath.Join(dir, "a-cut.ndjson.gz"), Line: 141, Kind: decode.KindDecompress, Reason: "gzip: unexpected EOF"},
					{File: filepath.Join(dir, "b-gone.ndjson"), Kind: decode.KindOpen, Reason: "no such file or directory"},
					{File: filepath.Join(dir, "c-bad.ndjson"), Line: 2, Kind: decode.KindMalformed, Reason: "malformed json: " + err.Error()},
					{File: filepath.Join(dir, "d-auth.log"), Kind: decode.KindNotJSON,
						Reason: fmt.Sprintf(`not a JSON log: no line of the first %d bytes starts with { or [ (it starts with "Apr 30 13:55:09 ")`, len(syslog))},
				}
			},
			skipped: map[string]int{decode.KindDecompress: 1, decode.KindOpen: 1, decode.KindMalformed: 1, decode.KindNotJSON: 1},
		},
	}
	rs := builtin(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var paths []string
			for _, f := range tt.files {
				p := filepath.Join(dir, f.name)
				if f.data != nil {
					writeFile(t, dir, f.name, f.data)
				}
				paths = append(paths, p)
			}
			for _, workers := range []int{1, 2} {
				res, err := run(t, inputs(paths...), Config{Rules: rs, Workers: workers, MaxLine: tt.maxLine, ChunkSize: 4096})
				if !errors.Is(err, ErrIncomplete) {
					t.Errorf("workers=%d: Run error = %v, want ErrIncomplete", workers, err)
				}
				sum := res.Summary
				if sum.Complete {
					t.Errorf("workers=%d: Summary.Complete is true", workers)
				}
				if want := tt.problems(dir); !reflect.DeepEqual(sum.Problems, want) {
					t.Errorf("workers=%d: problems\n got %+v\nwant %+v", workers, sum.Problems, want)
				}
				if !reflect.DeepEqual(sum.Skipped, tt.skipped) {
					t.Errorf("workers=%d: Skipped = %v, want %v", workers, sum.Skipped, tt.skipped)
				}
				if sum.Events != tt.events {
					t.Errorf("workers=%d: Events = %d, want %d", workers, sum.Events, tt.events)
				}
				want := tt.hits(dir)
				if len(want) == 0 {
					t.Fatal("bad test: no hits expected")
				}
				if !diffKeys(t, hitKeys(t, dir, res.Hits), want) {
					t.Errorf("workers=%d: hits differ (see above)", workers)
				}
			}
		})
	}
}
