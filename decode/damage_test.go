package decode

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// numbered is n NDJSON events, each naming its line.
func numbered(from, n int) []byte {
	var b bytes.Buffer
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, `{"@timestamp":"2024-05-01T10:00:%02d.000Z","event":{"sequence":%d},"message":"%s"}`+"\n", i%60, i, strings.Repeat("m", i%50))
	}
	return b.Bytes()
}

// gzFlushed gzips parts as one member, flushing after each part so that
// the text of the parts before a damage can be recovered.
func gzFlushed(t testing.TB, parts ...[]byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	for _, p := range parts {
		w.Write(p)
		w.Flush()
	}
	w.Close()
	return b.Bytes()
}

// zstBlocks zstds parts as one frame, ending a block after each part.
func zstBlocks(t testing.TB, parts ...[]byte) []byte {
	var b bytes.Buffer
	w, err := zstd.NewWriter(&b, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		w.Write(p)
		w.Flush()
	}
	w.Close()
	return b.Bytes()
}

// eventLines are the lines of the events that came out.
func eventLines(evs []event) []int {
	var lines []int
	for _, e := range evs {
		lines = append(lines, e.Line)
	}
	return lines
}

func flip(p []byte, at, n int) []byte {
	q := bytes.Clone(p)
	for i := at; i < at+n; i++ {
		q[i] ^= 0x55
	}
	return q
}

// failReader gives data, then fails.
type failReader struct {
	data []byte
	err  error
}

func (f *failReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestDamage: a damaged stream keeps the events read well before the damage
// and reports it, at the line reached.
func TestDamage(t *testing.T) {
	a, b, c := numbered(1, 40), numbered(41, 40), numbered(81, 40)
	g := gz(t, a, b, c)
	g1 := len(gz(t, a))
	gf := gzFlushed(t, a, b, c)
	z := zst(t, a, b, c)
	z1 := len(zst(t, a))
	zb := zstBlocks(t, a, b, c)
	tests := []struct {
		name     string
		data     []byte
		first    int // events 1..last survive
		last     int
		problems []Problem
	}{
		{"gzip truncated", gf[:len(gf)-30], 1, 117, []Problem{{"f", 118, KindDecompress, "gzip: unexpected EOF"}}},
		{"gzip truncated trailer", g[:len(g)-4], 1, 120, []Problem{{"f", 121, KindDecompress, "gzip: unexpected EOF"}}},
		{"gzip header only", g[:5], 0, 0, []Problem{{"f", 0, KindDecompress, "gzip: unexpected EOF"}}},
		{"gzip corrupt member", flip(g, g1+12, 4), 1, 40, []Problem{{"f", 41, KindDecompress, "gzip: flate: corrupt input before offset 6"}}},
		{"gzip corrupt header", flip(g, g1, 1), 1, 40, []Problem{{"f", 41, KindDecompress, "gzip: invalid header"}}},
		{"gzip trailing zeros", concat(g, make([]byte, 10)), 1, 120, []Problem{{"f", 121, KindDecompress, "gzip: invalid header"}}},
		{"zstd truncated", zb[:len(zb)-30], 1, 80, []Problem{{"f", 81, KindDecompress, "zstd: unexpected EOF"}}},
		{"zstd frames truncated", z[:len(z)-30], 1, 80, []Problem{{"f", 81, KindDecompress, "zstd: unexpected EOF"}}},
		{"zstd corrupt frame", flip(z, z1+30, 4), 1, 40, []Problem{{"f", 41, KindDecompress, "zstd: corrupt input: last value not power of two"}}},
		{"zstd corrupt magic", flip(z, z1+1, 4), 1, 40, []Problem{{"f", 41, KindDecompress, "zstd: invalid input: magic number mismatch"}}},
		{"zstd trailing garbage", concat(z, []byte("hello\n")), 1, 120, []Problem{{"f", 121, KindDecompress, "zstd: invalid input: magic number mismatch"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readAll(t, "f", tt.data, Options{})
			checkSurvivors(t, res.Events, tt.first, tt.last)
			if !reflect.DeepEqual(res.Problems, tt.problems) {
				t.Errorf("problems:\n got %#v\nwant %#v", res.Problems, tt.problems)
			}
			if res.Progress != len(tt.data) {
				t.Errorf("progress %d, want %d", res.Progress, len(tt.data))
			}
		})
	}
}

// checkSurvivors checks that events are numbered(first..last), on their lines.
func checkSurvivors(t *testing.T, evs []event, first, last int) {
	t.Helper()
	var want []event
	if first > 0 {
		for i, l := range strings.SplitAfter(string(numbered(first, last-first+1)), "\n") {
			if l != "" {
				want = append(want, event{first + i, strings.TrimSuffix(l, "\n")})
			}
		}
	}
	if !reflect.DeepEqual(evs, want) {
		t.Errorf("events: got lines %v, want %d..%d", eventLines(evs), first, last)
	}
}

// TestReadError: the underlying reader fails, plain or under gzip.
func TestReadError(t *testing.T) {
	a := numbered(1, 10)
	bad := errors.New("input/output error")
	for _, tt := range []struct {
		name string
		data []byte
		last int
		want Problem
	}{
		{"plain", a[:len(a)-5], 9, Problem{"f", 10, KindRead, "read: input/output error"}},
		{"gzip", gz(t, a)[:100], 1, Problem{"f", 2, KindRead, "read: input/output error"}},
		{"path error", a, 10, Problem{"f", 11, KindRead, "read: input/output error"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := bad
			if tt.name == "path error" {
				err = &fs.PathError{Op: "read", Path: "/x/f", Err: bad}
			}
			var probs []Problem
			r := NewReader("f", &failReader{tt.data, err}, Options{Problem: func(p Problem) { probs = append(probs, p) }})
			var evs []event
			for {
				c, err := r.Next()
				if err != nil {
					break
				}
				forLines(c, func(line int, text []byte) { evs = append(evs, event{line, string(text)}) })
				c.Release()
			}
			checkSurvivors(t, evs, min(tt.last, 1), tt.last)
			if !reflect.DeepEqual(probs, []Problem{tt.want}) {
				t.Errorf("problems %#v, want %v", probs, tt.want)
			}
		})
	}
}

// TestTooLong: lines over MaxLine are passed over, and reading goes on.
func TestTooLong(t *testing.T) {
	long := func(n int) string { return `{"m":"` + strings.Repeat("x", n-8) + `"}` }
	short := `{"a":1}`
	exact := long(64)
	tests := []struct {
		name     string
		text     string
		opts     Options
		lines    []int
		problems []Problem
	}{
		{"middle", short + "\n" + long(100) + "\n" + short + "\n", Options{MaxLine: 64}, []int{1, 3}, []Problem{{"f", 2, KindTooLong, "line is 100 bytes, over the 64 bytes limit"}}},
		{"first", long(65) + "\n" + short + "\n", Options{MaxLine: 64}, []int{2}, []Problem{{"f", 1, KindTooLong, "line is 65 bytes, over the 64 bytes limit"}}},
		{"exact", exact + "\n" + long(63) + "\r\n" + exact, Options{MaxLine: 64}, []int{1, 2, 3}, nil},
		{"at the end", short + "\n" + long(65), Options{MaxLine: 64}, []int{1}, []Problem{{"f", 2, KindTooLong, "line is 65 bytes, over the 64 bytes limit"}}},
		{"long at the end", short + "\n" + long(1000), Options{MaxLine: 64}, []int{1}, []Problem{{"f", 2, KindTooLong, "line is 1000 bytes, over the 64 bytes limit"}}},
		{"several buffers", short + "\n" + long(1000) + "\n\n" + long(300) + "\n" + short + "\n" + long(2048) + "\n", Options{MaxLine: 64, ChunkSize: 16}, []int{1, 5}, []Problem{
			{"f", 2, KindTooLong, "line is 1000 bytes, over the 64 bytes limit"},
			{"f", 4, KindTooLong, "line is 300 bytes, over the 64 bytes limit"},
			{"f", 6, KindTooLong, "line is 2048 bytes, over the 64 bytes limit"},
		}},
		{"grown buffer", short + "\n" + long(5000) + "\n" + long(9000) + "\n" + short, Options{MaxLine: 8 << 10, ChunkSize: 100}, []int{1, 2, 4}, []Problem{{"f", 3, KindTooLong, "line is 9000 bytes, over the 8 KiB limit"}}},
		{"array element", "[\n" + short + ",\n" + long(100) + ",\n" + short + "]", Options{MaxLine: 64}, []int{2, 4}, []Problem{{"f", 3, KindTooLong, "event is 100 bytes, over the 64 bytes limit"}}},
		{"pretty document", "{\n \"a\": 1\n}\n{\n \"m\": \"" + strings.Repeat("x", 100) + "\"}\n{\"b\":\n2}", Options{MaxLine: 64}, []int{1, 6}, []Problem{{"f", 4, KindTooLong, "event is 108 bytes, over the 64 bytes limit"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, comp := range []string{"plain", "gzip"} {
				data := []byte(tt.text)
				if comp == "gzip" {
					data = gz(t, data)
				}
				res := readAll(t, "f", data, tt.opts)
				if got := eventLines(res.Events); !reflect.DeepEqual(got, tt.lines) {
					t.Errorf("%s: events on lines %v, want %v", comp, got, tt.lines)
				}
				if !reflect.DeepEqual(res.Problems, tt.problems) {
					t.Errorf("%s: problems:\n got %#v\nwant %#v", comp, res.Problems, tt.problems)
				}
			}
		})
	}
}

// TestMalformed: a syntax error in a container stops the file; the events
// before it are kept. (Values nested too deep are valid JSON, passed over:
// see TestDeep.)
func TestMalformed(t *testing.T) {
	ev := fixtureEvents(t)
	array := string(readFixture(t, "events.json"))
	tests := []struct {
		name     string
		text     string
		lines    []int
		problems []Problem
	}{
		{"missing comma", strings.Replace(array, "},\n  {", "}\n  {", 2), []int{2}, []Problem{{"f", 35, KindMalformed, "expected comma after array element"}}},
		{"truncated", array[:len(array)/2], []int{2}, []Problem{{"f", 37, KindMalformed, "unexpected end of JSON input"}}},
		{"bad literal", "[\n" + ev[0] + ",\n" + `{"a": tru}` + "\n]", []int{2}, []Problem{{"f", 3, KindMalformed, "invalid character '}' in literal true (expecting 'e')"}}},
		{"trailing comma", "[\n" + ev[0] + ",\n]", []int{2}, []Problem{{"f", 3, KindMalformed, "invalid character ']' looking for beginning of value"}}},
		{"garbage after", "{\n\"a\": 1}\nnot json\n", []int{1}, []Problem{{"f", 3, KindMalformed, "invalid character 'o' in literal null (expecting 'u')"}}},
		{"control character", "[\n\"a\tb\"]", nil, []Problem{{"f", 2, KindMalformed, `invalid character '\t' in string literal`}}},
		{"bad escape", "[\n\"a\\x\"]", nil, []Problem{{"f", 2, KindMalformed, `invalid character 'x' in string escape code`}}},
		{"search response cut", `{"took": 1, "hits": {"hits": [` + ev[0] + ",\n" + ev[1] + "]\n,", []int{1, 2}, []Problem{{"f", 3, KindMalformed, "unexpected end of JSON input"}}},
		{"bad key", "{\"a\": 1,\n\"b\tc\": 2}", nil, []Problem{{"f", 2, KindMalformed, `invalid character '\t' in string literal`}}},
		{"bad member", "{\"a\": 1,\n\"b\": [1,\n2 3]}", nil, []Problem{{"f", 3, KindMalformed, "invalid character '3' after array element"}}},
		{"bad hits", "{\"a\": 1,\n\"hits\": tru\n}", nil, []Problem{{"f", 2, KindMalformed, "invalid character '\\n' in literal true (expecting 'e')"}}},
		{"missing colon", "{\"took\": 1,\n\"hits\"\n{\"hits\": [{\n}]}}", nil, []Problem{{"f", 3, KindMalformed, "invalid character '{' after object key"}}},
		{"missing member comma", "{\n\"a\": 1\n\"b\": 2}", nil, []Problem{{"f", 3, KindMalformed, `invalid character '"' after object key:value pair`}}},
		{"stray bracket", "{\n\"a\": 1}\n]", []int{1}, []Problem{{"f", 3, KindMalformed, "invalid character ']' looking for beginning of value"}}},
		{"deep enough", "\n[" + strings.Repeat("[", 9999) + "\n" + strings.Repeat("]", 9999) + "]", []int{2}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readAll(t, "f", []byte(tt.text), Options{})
			if got := eventLines(res.Events); !reflect.DeepEqual(got, tt.lines) {
				t.Errorf("events on lines %v, want %v", got, tt.lines)
			}
			if !reflect.DeepEqual(res.Problems, tt.problems) {
				t.Errorf("problems:\n got %#v\nwant %#v", res.Problems, tt.problems)
			}
		})
	}
}
