package decode

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixtureEvents are the events of testdata/events.ndjson, one per line.
func fixtureEvents(t testing.TB) []string {
	return strings.Split(strings.TrimSuffix(string(readFixture(t, "events.ndjson")), "\n"), "\n")
}

// TestFormats reads the same three events in every shape and compression.
func TestFormats(t *testing.T) {
	ev := fixtureEvents(t)
	nd := readFixture(t, "events.ndjson")
	array := readFixture(t, "events.json")
	search := readFixture(t, "search.json")
	wrapper := readFixture(t, "wrapper.json")
	pretty := readFixture(t, "pretty.json")
	oneLine := func(b []byte) []byte { return []byte(compact(t, string(b)) + "\n") }
	crlf := bytes.ReplaceAll(nd, []byte("\n"), []byte("\r\n"))
	blanks := []byte("\n\r\n" + ev[0] + "\n\n   \n" + ev[1] + "\r\n" + ev[2])

	tests := []struct {
		name   string
		data   []byte
		opts   Options
		comp   string
		format string
		lines  []int
	}{
		{"plain", nd, Options{}, "plain", FormatNDJSON, []int{1, 2, 3}},
		{"gzip", gz(t, nd), Options{}, "gzip", FormatNDJSON, []int{1, 2, 3}},
		{"zstd", zst(t, nd), Options{}, "zstd", FormatNDJSON, []int{1, 2, 3}},
		{"gzip members", gz(t, nd[:10], nd[10:len(ev[0])+40], nd[len(ev[0])+40:]), Options{}, "gzip", FormatNDJSON, []int{1, 2, 3}},
		{"zstd frames", concat(skippable(5), zst(t, nd[:10]), skippable(0), zst(t, nd[10:300], nd[300:]), skippable(100)), Options{}, "zstd", FormatNDJSON, []int{1, 2, 3}},
		{"crlf", crlf, Options{}, "plain", FormatNDJSON, []int{1, 2, 3}},
		{"bom", concat(bom, nd), Options{}, "plain", FormatNDJSON, []int{1, 2, 3}},
		{"bom gzip crlf", gz(t, concat(bom, crlf)), Options{}, "gzip", FormatNDJSON, []int{1, 2, 3}},
		{"blank lines", blanks, Options{}, "plain", FormatNDJSON, []int{3, 6, 7}},
		{"small chunks", blanks, Options{ChunkSize: 16}, "plain", FormatNDJSON, []int{3, 6, 7}},
		{"array", array, Options{}, "plain", FormatArray, []int{2, 35, 54}},
		{"array gzip bom", gz(t, concat(bom, array)), Options{}, "gzip", FormatArray, []int{2, 35, 54}},
		{"array crlf small chunks", bytes.ReplaceAll(array, []byte("\n"), []byte("\r\n")), Options{ChunkSize: 7}, "plain", FormatArray, []int{2, 35, 54}},
		{"array one line", oneLine(array), Options{}, "plain", FormatArray, []int{1, 1, 1}},
		{"search", search, Options{}, "plain", FormatSearch, []int{17, 55, 79}},
		{"search zstd", zst(t, search[:500], search[500:]), Options{}, "zstd", FormatSearch, []int{17, 55, 79}},
		{"search one line", oneLine(search), Options{}, "plain", FormatSearch, []int{1, 1, 1}},
		{"search one line small chunks", oneLine(search), Options{ChunkSize: 200}, "plain", FormatSearch, []int{1, 1, 1}},
		{"search pages", concat(oneLine(search), []byte(`{"_scroll_id":"x","hits":{"hits":[]}}`+"\n"), search), Options{}, "plain", FormatSearch, []int{1, 1, 1, 19, 57, 81}},
		{"events wrapper", wrapper, Options{}, "plain", FormatArray, []int{3, 36, 55}},
		{"expected wrapper", []byte(`{"expected": [` + strings.Join(ev, ",\n") + "]}"), Options{}, "plain", FormatArray, []int{1, 2, 3}},
		{"pretty documents", pretty, Options{}, "plain", FormatDocuments, []int{1, 35, 55}},
		{"pretty documents small chunks", pretty, Options{ChunkSize: 5}, "plain", FormatDocuments, []int{1, 35, 55}},
		{"documents on a line", []byte(ev[0] + " " + ev[1] + "\n" + ev[2]), Options{}, "plain", FormatDocuments, []int{1, 1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readAll(t, "f", tt.data, tt.opts)
			if len(res.Problems) > 0 {
				t.Errorf("problems: %v", res.Problems)
			}
			if res.Compression != tt.comp {
				t.Errorf("compression %q, want %q", res.Compression, tt.comp)
			}
			if res.Progress != len(tt.data) {
				t.Errorf("progress %d, want %d", res.Progress, len(tt.data))
			}
			for _, f := range res.Formats {
				if f != tt.format {
					t.Errorf("format %q, want %q", f, tt.format)
				}
			}
			var want []event
			for i, line := range tt.lines {
				want = append(want, event{line, ev[i%len(ev)]})
			}
			got := res.Events
			if tt.format == FormatSearch {
				got = sources(t, got)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("events:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// sources unwraps the _source of search hits.
func sources(t *testing.T, hits []event) []event {
	var out []event
	for _, h := range hits {
		var hit struct {
			Index  string          `json:"_index"`
			Source json.RawMessage `json:"_source"`
		}
		if err := json.Unmarshal([]byte(h.JSON), &hit); err != nil || hit.Index == "" {
			t.Errorf("line %d: not a hit (%v): %s", h.Line, err, h.JSON)
			continue
		}
		out = append(out, event{h.Line, string(hit.Source)})
	}
	return out
}

func concat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// TestChunking checks that NDJSON chunks are cut at newlines, stay within
// the chunk size and number their lines right.
func TestChunking(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		b.WriteString("{}" + strings.Repeat("x", i%97))
		b.WriteString("\n")
	}
	data := []byte(b.String())
	for _, size := range []int{1, 2, 50, 100, 4096, 1 << 20} {
		r := NewReader("f", bytes.NewReader(data), Options{ChunkSize: size})
		line, chunks := 1, 0
		for {
			c, err := r.Next()
			if err != nil {
				break
			}
			chunks++
			if c.FirstLine != line {
				t.Fatalf("size %d: chunk %d starts at line %d, want %d", size, c.Seq, c.FirstLine, line)
			}
			if n := len(c.Data); n == 0 || c.Data[n-1] != '\n' || n > max(size, 2*99) {
				t.Fatalf("size %d: chunk %d of %d bytes ends with %q", size, c.Seq, n, c.Data[n-1:])
			}
			for _, l := range bytes.SplitAfter(c.Data, []byte("\n")) {
				if len(l) == 0 {
					continue
				}
				if want := 2 + (line-1)%97; len(l) != want+1 {
					t.Fatalf("size %d: line %d has %d bytes, want %d", size, line, len(l)-1, want)
				}
				line++
			}
			c.Release()
		}
		if line != 1001 {
			t.Errorf("size %d: %d lines", size, line-1)
		}
		if size == 1<<20 && chunks != 1 {
			t.Errorf("%d chunks for %d bytes", chunks, len(data))
		}
	}
}

// TestPoolReuse reads inputs one after another with a shared Pool, so that
// buffers and decompressors come back reset, also after damage.
func TestPoolReuse(t *testing.T) {
	nd := readFixture(t, "events.ndjson")
	array := readFixture(t, "events.json")
	g, z := gz(t, nd), zst(t, nd)
	inputs := [][]byte{g, z, g[:len(g)-3], z[:len(z)-3], array, gz(t, array), nd, z, g, zst(t, array), nd}
	pool := new(Pool)
	for round := range 3 {
		for i, data := range inputs {
			want := readAll(t, "f", data, Options{})
			if got := readAll(t, "f", data, Options{Pool: pool}); !reflect.DeepEqual(got, want) {
				t.Errorf("round %d input %d: got %v, want %v", round, i, got, want)
			}
			if len(want.Events) == 0 && i != 3 {
				t.Errorf("input %d: no events", i)
			}
		}
	}
}

// TestContainerDamage: a damaged stream under a container keeps the events
// before the damage.
func TestContainerDamage(t *testing.T) {
	array := readFixture(t, "events.json")
	data := gz(t, array[:900], array[900:])
	data = data[:len(data)-40]
	res := readAll(t, "f", data, Options{})
	if got := eventLines(res.Events); !reflect.DeepEqual(got, []int{2, 35}) {
		t.Errorf("events on lines %v", got)
	}
	if want := []Problem{{"f", 66, KindDecompress, "gzip: unexpected EOF"}}; !reflect.DeepEqual(res.Problems, want) {
		t.Errorf("problems %#v, want %v", res.Problems, want)
	}
}
