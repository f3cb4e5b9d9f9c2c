package decode

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// The input of issue 8: files made to hurt a reader, or handed over by
// mistake. Each is reported with its place, the other events are read, and
// memory stays flat.

// nested is JSON n levels deep: arrays, or objects {"a":{"a":...}}.
func nested(n int, objects bool) string {
	if objects {
		return strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n)
	}
	return strings.Repeat("[", n) + strings.Repeat("]", n)
}

// TestDeep: JSON nested 100,000 levels deep never exhausts the stack. In
// NDJSON the line goes to the workers whole (fastjson rejects it); in a
// container the event is passed over with a problem at its line, and the
// events after it are read. A deep first line makes the text a container
// (when it fits the first buffer, as here), so that it is passed over there.
func TestDeep(t *testing.T) {
	ev := fixtureEvents(t)
	deep, deepObj := nested(100000, false), nested(100000, true)
	tests := []struct {
		name     string
		text     string
		lines    []int
		problems []Problem
	}{
		{"ndjson line", ev[0] + "\n" + deep + "\n" + ev[1] + "\n", []int{1, 2, 3}, nil},
		{"ndjson first line", deepObj + "\n" + ev[1] + "\n", []int{2}, []Problem{{"f", 1, KindMalformed, deepReason}}},
		{"array first line", deep + "\n" + ev[1] + "\n", []int{2}, []Problem{{"f", 1, KindMalformed, deepReason}}},
		{"array element", "[\n" + ev[0] + ",\n" + deep + ",\n" + ev[1] + "\n]", []int{2, 4}, []Problem{{"f", 3, KindMalformed, deepReason}}},
		{"array element of objects", "[\n" + ev[0] + ",\n" + deepObj + ",\n" + ev[1] + "\n]", []int{2, 4}, []Problem{{"f", 3, KindMalformed, deepReason}}},
		{"first element", "[" + deep + ",\n" + ev[1] + "]", []int{2}, []Problem{{"f", 1, KindMalformed, deepReason}}},
		{"last element", "[\n" + ev[0] + ",\n" + deep + "\n]\n", []int{2}, []Problem{{"f", 3, KindMalformed, deepReason}}},
		{"pretty-printed element", "[\n" + ev[0] + ",\n" + strings.Repeat("[\n", 20000) + strings.Repeat("]\n", 20000) + ",\n" + ev[1] + "\n]", []int{2, 40004}, []Problem{{"f", 3, KindMalformed, deepReason}}},
		{"events wrapper", `{"events": [` + ev[0] + ",\n" + deep + ",\n" + ev[1] + "]}", []int{1, 3}, []Problem{{"f", 2, KindMalformed, deepReason}}},
		{"search response", `{"took": 1, "hits": {"hits": [` + ev[0] + ",\n" + `{"_source": ` + deepObj + "},\n" + ev[1] + "]}}", []int{1, 3}, []Problem{{"f", 2, KindMalformed, deepReason}}},
		{"deep with the containers around", `{"events": [` + ev[0] + ",\n" + nested(9999, false) + ",\n" + ev[1] + "]}", []int{1, 3}, []Problem{{"f", 2, KindMalformed, deepReason}}},
		{"document", "{\n\"a\": 1\n}\n" + `{"deep": ` + deep + "}\n" + ev[1] + "\n", []int{1, 5}, []Problem{{"f", 4, KindMalformed, deepReason}}},
		{"document member on a later line", "{\n\"a\": 1,\n\"deep\": " + deepObj + ",\n\"b\": 2}\n" + ev[1] + "\n", []int{5}, []Problem{{"f", 1, KindMalformed, deepReason}}},
		{"search response metadata", `{"took": 1, "aggs": ` + deep + `, "hits": {"hits": [` + ev[0] + ",\n" + ev[1] + "]}}", []int{1, 2}, nil},
		{"never closed", "[\n" + ev[0] + ",\n" + strings.Repeat("[", 100000), []int{2}, []Problem{{"f", 3, KindMalformed, deepReason}, {"f", 3, KindMalformed, "unexpected end of JSON input"}}},
		{"strings with brackets", "[\n" + strings.Repeat(`["]\"[",`, 10001) + "1" + strings.Repeat("]", 10001) + ",\n" + ev[1] + "]", []int{3}, []Problem{{"f", 2, KindMalformed, deepReason}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, comp := range []string{"plain", "zstd"} {
				data := []byte(tt.text)
				if comp == "zstd" {
					data = zst(t, data)
				}
				res := readAll(t, "f", data, Options{})
				if got := eventLines(res.Events); !reflect.DeepEqual(got, tt.lines) {
					t.Errorf("%s: events on lines %v, want %v", comp, got, tt.lines)
				}
				if !reflect.DeepEqual(res.Problems, tt.problems) {
					t.Errorf("%s: problems:\n got %v\nwant %v", comp, res.Problems, tt.problems)
				}
				for _, e := range res.Events {
					if e.JSON == deep || e.JSON == deepObj {
						continue // an NDJSON line, for the workers to reject
					}
					if strings.Count(e.JSON, "[") > 1000 {
						t.Errorf("%s: line %d: a deep event came out", comp, e.Line)
					}
				}
			}
		})
	}
}

// writeBomb writes to w size bytes of fill (repeated), then tail.
func writeBomb(t testing.TB, w io.Writer, size int, fill string, tail string) {
	t.Helper()
	block := []byte(strings.Repeat(fill, (1<<20)/len(fill)))
	for n := 0; n < size; {
		b := block[:min(len(block), size-n)]
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		n += len(b)
	}
	if _, err := io.WriteString(w, tail); err != nil {
		t.Fatal(err)
	}
}

// bomb is a gzip or zstd stream of head, size bytes of fill, then tail.
func bomb(t testing.TB, comp string, head string, size int, fill, tail string) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	switch comp {
	case "gzip":
		w, _ = gzip.NewWriterLevel(&b, gzip.BestCompression)
	case "zstd":
		zw, err := zstd.NewWriter(&b, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	}
	io.WriteString(w, head)
	writeBomb(t, w, size, fill, tail)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bombCase is a decompression bomb and what reading it gives.
type bombCase struct {
	name       string
	head, fill string
	tail       string // after the bomb: one good event
	line       int    // the good event's line
	problem    func(size int) Problem
}

// bombCases are bombs of size bytes of fill, each followed by good; the
// problems are those of reading them with a MaxLine of 1 MiB.
func bombCases(good string) []bombCase {
	return []bombCase{
		{"zeros", "", "\x00", "\n" + good + "\n", 2, func(n int) Problem {
			return Problem{"f", 1, KindTooLong, fmt.Sprintf("line is %d bytes, over the 1 MiB limit", n)}
		}},
		{"one long line", `{"message":"`, "x", "\"}\n" + good + "\n", 2, func(n int) Problem {
			return Problem{"f", 1, KindTooLong, fmt.Sprintf("line is %d bytes, over the 1 MiB limit", n+len(`{"message":""}`))}
		}},
		{"array element", `[{"message":"`, "x", "\"},\n" + good + "]\n", 2, func(n int) Problem {
			return Problem{"f", 1, KindTooLong, fmt.Sprintf("event is %d bytes, over the 1 MiB limit", n+len(`{"message":""}`))}
		}},
		{"pretty document", "{\n\"message\": \"", "x", "\"\n}\n" + good + "\n", 4, func(n int) Problem {
			return Problem{"f", 1, KindTooLong, fmt.Sprintf("event is %d bytes, over the 1 MiB limit", n+len("{\n\"message\": \"\"\n}"))}
		}},
	}
}

// heapPeak samples the heap in use while f runs, and returns its peak over
// what was in use before, and the memory the process has taken from the
// system. The garbage collector runs often meanwhile, so that the heap in
// use is close to the memory live.
func heapPeak(f func()) (peak, sys uint64) {
	defer debug.SetGCPercent(debug.SetGCPercent(10))
	runtime.GC()
	runtime.GC() // and what pools kept through the first
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var mu sync.Mutex
	top := base
	sample := func() {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		mu.Lock()
		top = max(top, m.HeapInuse)
		mu.Unlock()
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	sample()
	runtime.ReadMemStats(&m)
	return top - base, m.Sys
}

// TestBomb: a 64 MiB line packed into a few KB of gzip or zstd is passed over
// as too long without being held whole, the event after it is read, and the
// heap stays far below the size of the bomb.
func TestBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("decompresses 512 MiB; skipped in -short mode")
	}
	const size = 64 << 20
	good := fixtureEvents(t)[0]
	for _, bc := range bombCases(good) {
		for _, comp := range []string{"gzip", "zstd"} {
			t.Run(bc.name+"/"+comp, func(t *testing.T) {
				data := bomb(t, comp, bc.head, size, bc.fill, bc.tail)
				var res result
				peak, sys := heapPeak(func() {
					res = readAll(t, "f", data, Options{MaxLine: 1 << 20})
				})
				t.Logf("%d MiB in %d KB of %s: peak heap in use +%.1f MiB; memory from the system %.1f MiB",
					size>>20, len(data)>>10, comp, float64(peak)/(1<<20), float64(sys)/(1<<20))
				if want := []Problem{bc.problem(size)}; !reflect.DeepEqual(res.Problems, want) {
					t.Errorf("problems:\n got %v\nwant %v", res.Problems, want)
				}
				if want := []event{{bc.line, good}}; !reflect.DeepEqual(res.Events, want) {
					t.Errorf("events %v, want the good one on line %d", eventLines(res.Events), bc.line)
				}
				if peak > 24<<20 {
					t.Errorf("peak heap in use grew by %d MiB reading a %d MiB bomb", peak>>20, size>>20)
				}
			})
		}
	}
}

// BenchmarkBomb reads 256 MiB bombs and reports the peak heap in use over
// what was in use before (peak-MiB), with the default limits.
func BenchmarkBomb(b *testing.B) {
	const size = 256 << 20
	good := fixtureEvents(b)[0]
	for _, bc := range bombCases(good) {
		for _, comp := range []string{"gzip", "zstd"} {
			b.Run(bc.name+"/"+comp, func(b *testing.B) {
				data := bomb(b, comp, bc.head, size, bc.fill, bc.tail)
				b.SetBytes(size)
				var top uint64
				for b.Loop() {
					peak, _ := heapPeak(func() {
						r := NewReader("f", bytes.NewReader(data), Options{})
						for {
							c, err := r.Next()
							if err != nil {
								break
							}
							c.Release()
						}
						r.Close()
					})
					top = max(top, peak)
				}
				b.ReportMetric(float64(top)/(1<<20), "peak-MiB")
			})
		}
	}
}

// TestZstdWindow: a zstd frame that declares a window bigger than the zstd
// command accepts by default is refused, not allocated.
func TestZstdWindow(t *testing.T) {
	// A single-segment frame header (descriptor 0xe0: 8-byte content
	// size, single segment) declaring 4 GiB, then a raw block of 2 bytes.
	frame := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 1, 0, 0, 0, 0x11, 0, 0, '{', '}'}
	res := readAll(t, "f", frame, Options{})
	want := []Problem{{"f", 0, KindDecompress, "zstd: a frame needs more than 128 MiB of memory to decompress (made with --long?); decompress it first"}}
	if !reflect.DeepEqual(res.Problems, want) || len(res.Events) > 0 {
		t.Errorf("problems %v, events %v; want %v", res.Problems, res.Events, want)
	}
}

// TestBinaryValues: invalid UTF-8 and NUL bytes inside values reach the
// chunk unchanged; NUL is not a line end.
func TestBinaryValues(t *testing.T) {
	lines := []string{
		"{\"a\":\"x\x00y\",\"b\":\"\xff\xfe\xc3(\"}",
		"{\"nul\":\"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\"}",
		"{\"cut\":\"\xe2\x82\",\"overlong\":\"\xc0\xaf\",\"surrogate\":\"\xed\xa0\x80\"}",
	}
	text := strings.Join(lines, "\n") + "\n"
	for _, comp := range []string{"plain", "gzip", "zstd"} {
		for _, chunk := range []int{0, 7, 64} {
			data := []byte(text)
			switch comp {
			case "gzip":
				data = gz(t, data)
			case "zstd":
				data = zst(t, data)
			}
			var got bytes.Buffer
			var probs []Problem
			r := NewReader("f", bytes.NewReader(data), Options{ChunkSize: chunk, Problem: func(p Problem) { probs = append(probs, p) }})
			for {
				c, err := r.Next()
				if err != nil {
					break
				}
				if c.Format != FormatNDJSON {
					t.Errorf("%s/%d: format %s", comp, chunk, c.Format)
				}
				got.Write(c.Data)
				c.Release()
			}
			r.Close()
			if got.String() != text || probs != nil {
				t.Errorf("%s/%d: chunks %q, problems %v; want %q", comp, chunk, got.String(), probs, text)
			}
		}
	}

	// In a container, invalid UTF-8 and escaped NULs come out as they are;
	// a raw NUL in a string is not JSON, as encoding/json says.
	res := readAll(t, "f", []byte("[\n{\"a\":\"\xff\xfe\\u0000\"},\n{\"b\": \"\xc3(\"}]"), Options{})
	want := []event{{2, "{\"a\":\"\xff\xfe\\u0000\"}"}, {3, "{\"b\":\"\xc3(\"}"}}
	if !reflect.DeepEqual(res.Events, want) || res.Problems != nil {
		t.Errorf("container: events %v, problems %v; want %v", res.Events, res.Problems, want)
	}
	res = readAll(t, "f", []byte("[\n{\"a\":1},\n{\"b\":\"x\x00y\"}]"), Options{})
	if wantP := []Problem{{"f", 3, KindMalformed, `invalid character '\x00' in string literal`}}; !reflect.DeepEqual(res.Problems, wantP) || len(res.Events) != 1 {
		t.Errorf("raw NUL in a container: events %v, problems %v; want %v", res.Events, res.Problems, wantP)
	}
}

// binaries are the first bytes of files that are not logs, and the reason
// each is skipped with.
var binaries = []struct {
	name, head, reason string
}{
	{"evtx", "ElfFile\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00\x01\x00\x03\x00", "Windows event log (EVTX) file; export it to JSON first (e.g. with evtx_dump)"},
	{"evt", "0\x00\x00\x00LfLe\x01\x00\x00\x00", "Windows event log (EVT) file; export it to JSON first"},
	{"elf", "\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00", "ELF executable or library"},
	{"mach-o", "\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00", "Mach-O executable or library"},
	{"mach-o universal", "\xca\xfe\xba\xbe\x00\x00\x00\x02", "Mach-O universal binary or Java class file"},
	{"pe", "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + strings.Repeat("\x00", 44) + "\x80\x00\x00\x00" + strings.Repeat("\x0e", 64) + "PE\x00\x00L\x01", "Windows executable or DLL (PE)"},
	{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF document"},
	{"sqlite", "SQLite format 3\x00\x10\x00\x01\x01", "SQLite database"},
	{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"},
	{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG image"},
	{"7z", "7z\xbc\xaf\x27\x1c\x00\x04", "7-Zip archive; extract it first"},
	{"rar", "Rar!\x1a\x07\x01\x00", "RAR archive; extract it first"},
	{"xz", "\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4\x46", "xz-compressed; decompress it first"},
	{"bzip2", "BZh91AY&SY\x4e\xec\xe8\x36", "bzip2-compressed; decompress it first"},
	{"utf-16", "\xff\xfe[\x00{\x00\"\x00", "UTF-16 text; convert it to UTF-8 first (e.g. iconv -f UTF-16 -t UTF-8)"},
}

// binaryFile is head, then 64 KiB of bytes of every value, lines included.
func binaryFile(head string) []byte {
	b := []byte(head)
	for i := 0; i < 64<<10; i++ {
		b = append(b, byte(i*7+i>>8))
	}
	return b
}

// tarFile and zipFile are real archives holding an NDJSON log.
func tarFile(t *testing.T, log []byte) []byte {
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	must(t, w.WriteHeader(&tar.Header{Name: "dump/events.ndjson", Mode: 0o644, Size: int64(len(log))}))
	w.Write(log)
	must(t, w.Close())
	return b.Bytes()
}

func zipFile(t *testing.T, name string, log []byte) []byte {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create(name)
	must(t, err)
	f.Write(log)
	must(t, w.Close())
	return b.Bytes()
}

// TestNotLog: files that are not logs are known by their first bytes, after
// decompression too, and skipped at once with a reason naming them.
func TestNotLog(t *testing.T) {
	log := []byte(strings.Join(fixtureEvents(t), "\n") + "\n")
	type file struct {
		name, reason string
		data         []byte
	}
	var files []file
	for _, bin := range binaries {
		files = append(files, file{bin.name, bin.reason, binaryFile(bin.head)})
	}
	files = append(files,
		file{"tar", "tar archive; extract it first", tarFile(t, log)},
		file{"zip", "zip archive (or a .docx, .xlsx or .jar); extract it first", zipFile(t, "events.ndjson", log)},
		file{"docx", "zip archive (or a .docx, .xlsx or .jar); extract it first", zipFile(t, "[Content_Types].xml", []byte("<?xml?>"))},
	)
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			for _, comp := range []string{"plain", "gzip", "zstd"} {
				data, want := f.data, "not a log: "+f.reason
				switch comp {
				case "gzip":
					data = gz(t, data)
				case "zstd":
					data = zst(t, data)
				}
				if comp != "plain" {
					what, advice, _ := strings.Cut(f.reason, "; ")
					want = "not a log: " + what + ", " + comp + "-compressed"
					if advice != "" {
						want += "; " + advice
					}
				}
				res := readAll(t, "f", data, Options{})
				if wantP := []Problem{{"f", 0, KindNotJSON, want}}; !reflect.DeepEqual(res.Problems, wantP) || len(res.Events) > 0 {
					t.Errorf("%s: problems %v, %d events; want %v", comp, res.Problems, len(res.Events), wantP)
				}
			}
		})
	}

	// JSON is never taken for a binary, nor is text that only starts like one.
	for _, text := range []string{"[\"MZ\"]\n", "{\"a\":\"\xff\xfe\"}\n", " [\"BZh9\"]", "MZ is not here\n{\"a\":1}\n", "BZh9 not bzip2\n{\"a\":1}\n"} {
		res := readAll(t, "f", []byte(text), Options{})
		if len(res.Problems) > 0 || len(res.Events) == 0 {
			t.Errorf("%q: problems %v, events %v", text, res.Problems, res.Events)
		}
	}
}

// endless is a binary that never ends, counting what was read of it.
type endless struct {
	head []byte
	n    int64
}

func (e *endless) Read(p []byte) (int, error) {
	k := copy(p, e.head)
	e.head = e.head[k:]
	clear(p[k:])
	e.n += int64(len(p))
	return len(p), nil
}

// TestNotLogQuick: deciding that a huge binary is not a log reads only its
// start.
func TestNotLogQuick(t *testing.T) {
	for _, bin := range binaries {
		src := &endless{head: []byte(bin.head)}
		var probs []Problem
		r := NewReader("f", src, Options{Problem: func(p Problem) { probs = append(probs, p) }})
		if c, err := r.Next(); err != io.EOF {
			t.Fatalf("%s: Next gave a chunk %q", bin.name, c.Data[:16])
		}
		r.Close()
		if len(probs) != 1 || probs[0].Kind != KindNotJSON || src.n > 2<<20 {
			t.Errorf("%s: problems %v after reading %d bytes", bin.name, probs, src.n)
		}
	}
}

// TestEmpty: an empty file, or a compressed one that holds nothing, is
// reported as empty.
func TestEmpty(t *testing.T) {
	for _, tt := range []struct {
		name   string
		data   []byte
		reason string
	}{
		{"plain", nil, "empty file"},
		{"gzip", gz(t, nil), "empty file: its gzip stream decompresses to nothing"},
		{"gzip members", gz(t, nil, nil), "empty file: its gzip stream decompresses to nothing"},
		{"zstd", zst(t, nil), "empty file: its zstd stream decompresses to nothing"},
		{"zstd skippable frame", skippable(10), "empty file: its zstd stream decompresses to nothing"},
	} {
		res := readAll(t, "f", tt.data, Options{})
		if want := []Problem{{"f", 0, KindEmpty, tt.reason}}; !reflect.DeepEqual(res.Problems, want) {
			t.Errorf("%s: problems %v, want %v", tt.name, res.Problems, want)
		}
	}
	res := readAll(t, StdinName, nil, Options{})
	if want := []Problem{{StdinName, 0, KindEmpty, "empty: nothing came on standard input"}}; !reflect.DeepEqual(res.Problems, want) {
		t.Errorf("stdin: problems %v, want %v", res.Problems, want)
	}
}

// TestLimit: in containers, a value whose text (blanks included) is over
// MaxLine is passed over without being held whole, even when the decoder
// would need it all; blanks or a key over the limit end the file.
func TestLimit(t *testing.T) {
	long := `{"m":"` + strings.Repeat("x", 100) + `"}`
	tests := []struct {
		name     string
		text     string
		lines    []int
		problems []Problem
	}{
		{"array element", "[{\"a\":1},\n" + long + ",\n{\"b\":2}]", []int{1, 3}, []Problem{{"f", 2, KindTooLong, "event is 108 bytes, over the 64 bytes limit"}}},
		{"long string element", "[{\"a\":1},\n\"" + strings.Repeat("y", 200) + "\",\n{\"b\":2}]", []int{1, 3}, []Problem{{"f", 2, KindTooLong, "event is 202 bytes, over the 64 bytes limit"}}},
		{"escapes and brackets in it", "[{\"a\":1},\n" + `{"m":"` + strings.Repeat(`\"]}[{`, 30) + `"}` + ",\n{\"b\":2}]", []int{1, 3}, []Problem{{"f", 2, KindTooLong, "event is 188 bytes, over the 64 bytes limit"}}},
		{"document member", "{\n\"b\": 2,\n\"m\": \"" + strings.Repeat("x", 100) + "\"\n}\n{\"c\": 3}\n{\"a\": 1}", []int{5, 6}, []Problem{{"f", 1, KindTooLong, "event is 119 bytes, over the 64 bytes limit"}}},
		{"document key", "{\n\"" + strings.Repeat("k", 100) + "\": 1\n}\n{\"c\": 3}\n", nil, []Problem{{"f", 2, KindTooLong, "more than 64 bytes of JSON text without the end of a value; the rest of the file is skipped"}}},
		{"search response metadata", "{\"took\": 1,\n" + `"aggs": "` + strings.Repeat("z", 100) + `", "hits": {"hits": [{"a":1},` + "\n" + `{"b":2}]}}`, []int{2, 3}, nil},
		{"wrapper member after the events", `{"events": [{"a":1},` + "\n" + `{"b":2}], "more": "` + strings.Repeat("z", 100) + "\"}\n{\"c\":3}", []int{1, 2, 3}, nil},
		{"blanks before an element", "[{\"a\":1},\n" + strings.Repeat(" ", 200) + "\n{\"b\":2},\n" + strings.Repeat("\n", 100) + "{\"c\":3}]", []int{1, 3, 104}, nil},
		{"blanks before a member", "{\"took\": 1,\n\"x\":" + strings.Repeat(" ", 200) + "1, \"hits\": {\"hits\": [{\"a\":1},\n{\"b\":2}]}}", []int{2, 3}, nil},
		{"blanks before the separator", "[{\"a\":1}" + strings.Repeat(" ", 200) + ",\n{\"b\":2},\n{\"c\":3}]", []int{1}, []Problem{{"f", 1, KindTooLong, "more than 64 bytes of JSON text without the end of a value; the rest of the file is skipped"}}},
		{"blanks in an element", "[{\"a\":1},\n{\"b\":" + strings.Repeat(" ", 200) + "2},\n{\"c\":3}]", []int{1, 3}, []Problem{{"f", 2, KindTooLong, "event is 207 bytes, over the 64 bytes limit"}}},
		{"blanks before a member's colon", "{\"took\": 1,\n\"x\"" + strings.Repeat(" ", 200) + ": 1, \"hits\": {\"hits\": [{\"a\":1},\n{\"b\":2}]}}", []int{2, 3}, nil},
		{"blanks before the end", "[{\"a\":1},\n{\"b\":2}" + strings.Repeat(" ", 200) + "]", []int{1, 2}, []Problem{{"f", 2, KindTooLong, "more than 64 bytes of JSON text without the end of a value; the rest of the file is skipped"}}},
		{"long key in an element", "[{\"a\":1},\n{\"" + strings.Repeat("k", 100) + "\": 1},\n{\"b\":2}]", []int{1, 3}, []Problem{{"f", 2, KindTooLong, "event is 107 bytes, over the 64 bytes limit"}}},
		{"cut", "[{\"a\":1},\n" + long[:90], []int{1}, []Problem{{"f", 2, KindTooLong, "event is 90 bytes, over the 64 bytes limit"}, {"f", 2, KindMalformed, "unexpected end of JSON input"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var res result
			r := NewReader("f", iotest.OneByteReader(strings.NewReader(tt.text)), Options{MaxLine: 64, Problem: func(p Problem) { res.Problems = append(res.Problems, p) }})
			for {
				c, err := r.Next()
				if err != nil {
					break
				}
				forLines(c, func(line int, text []byte) { res.Events = append(res.Events, event{line, string(text)}) })
				c.Release()
			}
			r.Close()
			if got := eventLines(res.Events); !reflect.DeepEqual(got, tt.lines) {
				t.Errorf("events on lines %v, want %v", got, tt.lines)
			}
			if !reflect.DeepEqual(res.Problems, tt.problems) {
				t.Errorf("problems:\n got %v\nwant %v", res.Problems, tt.problems)
			}
		})
	}
}
