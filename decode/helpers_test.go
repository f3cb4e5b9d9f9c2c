package decode

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// forLines calls f for each non-blank line of the chunk, with its source
// line and without a trailing '\r'.
func forLines(c *Chunk, f func(line int, text []byte)) {
	data := c.Data
	for k := 0; len(data) > 0; k++ {
		text := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			text, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		text = bytes.TrimSuffix(text, []byte("\r"))
		line := c.FirstLine + k
		if c.Lines != nil {
			line = c.Lines[k]
		}
		if len(bytes.TrimSpace(text)) > 0 {
			f(line, text)
		}
	}
}

// event is an event as it came out, with its line.
type event struct {
	Line int
	JSON string
}

// result is all a reader gave.
type result struct {
	Events      []event
	Formats     []string // of each chunk
	Problems    []Problem
	Compression string
	Progress    int
}

// readAll reads data through a Reader, checking chunk sequence numbers.
func readAll(t testing.TB, name string, data []byte, opts Options) result {
	t.Helper()
	var res result
	opts.Problem = func(p Problem) { res.Problems = append(res.Problems, p) }
	opts.Progress = func(n int) { res.Progress += n }
	r := NewReader(name, bytes.NewReader(data), opts)
	defer r.Close()
	for seq := 0; ; seq++ {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if c.Seq != seq {
			t.Errorf("chunk %d has Seq %d", seq, c.Seq)
		}
		res.Formats = append(res.Formats, c.Format)
		forLines(c, func(line int, text []byte) {
			res.Events = append(res.Events, event{line, string(text)})
		})
		c.Release()
	}
	res.Compression = r.Compression()
	return res
}

// Writers are reused: creating them costs more than compressing the small
// inputs of the fuzz targets.
var (
	gzWriters  = sync.Pool{New: func() any { return gzip.NewWriter(nil) }}
	zstWriters = sync.Pool{New: func() any {
		w, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic(err)
		}
		return w
	}}
)

// gz compresses each member as a gzip member of its own, concatenated.
func gz(t testing.TB, members ...[]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzWriters.Get().(*gzip.Writer)
	defer gzWriters.Put(w)
	for _, m := range members {
		w.Reset(&b)
		if _, err := w.Write(m); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// zst compresses each frame as a zstd frame of its own, concatenated.
func zst(t testing.TB, frames ...[]byte) []byte {
	t.Helper()
	w := zstWriters.Get().(*zstd.Encoder)
	defer zstWriters.Put(w)
	var b []byte
	for _, f := range frames {
		b = w.EncodeAll(f, b)
	}
	return b
}

// skippable is a zstd skippable frame holding n bytes.
func skippable(n int) []byte {
	b := []byte{0x5a, 0x2a, 0x4d, 0x18, byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)}
	return append(b, bytes.Repeat([]byte{0xee}, n)...)
}

func compact(t testing.TB, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("compact %q: %v", s, err)
	}
	return b.String()
}

// zstFrames compresses text as zstd frames of about size bytes each, each
// cut after a line, as tools that write a frame per block of events do;
// with skip, a skippable frame goes before each frame, as pzstd writes.
func zstFrames(t testing.TB, text []byte, size int, skip bool) []byte {
	t.Helper()
	var frames [][]byte
	for _, part := range cutLines(text, size) {
		if skip {
			frames = append(frames, nil)
		}
		frames = append(frames, part)
	}
	w := zstWriters.Get().(*zstd.Encoder)
	defer zstWriters.Put(w)
	var b []byte
	for _, f := range frames {
		if f == nil {
			b = append(b, skippable(4)...)
			continue
		}
		b = w.EncodeAll(f, b)
	}
	return b
}

// bgzfEOF is the empty member that ends a BGZF file.
var bgzfEOF = []byte("\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff\x06\x00BC\x02\x00\x1b\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// bgzfOf compresses text as bgzip does: members of at most size bytes of
// text (bgzip: 65280), each with its size in a 'BC' extra field, then the
// empty member that marks the end.
func bgzfOf(t testing.TB, text []byte, size int) []byte {
	t.Helper()
	var b []byte
	for len(text) > 0 {
		n := min(size, len(text))
		b = append(b, bgzfBlock(t, text[:n])...)
		text = text[n:]
	}
	return append(b, bgzfEOF...)
}

// bgzfBlock is one BGZF member of text; each of parts is flushed, so that
// the text of those before a damage can be recovered.
func bgzfBlock(t testing.TB, parts ...[]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzWriters.Get().(*gzip.Writer)
	defer gzWriters.Put(w)
	w.Reset(&b)
	w.Header.Extra = []byte{'B', 'C', 2, 0, 0, 0} // BSIZE, set below
	w.Header.OS = 0xff
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			t.Fatal(err)
		}
		if len(parts) > 1 {
			w.Flush()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m := b.Bytes()
	if len(m) > 1<<16 {
		t.Fatalf("BGZF member of %d bytes", len(m))
	}
	m[16], m[17] = byte(len(m)-1), byte((len(m)-1)>>8)
	return m
}

// cutLines cuts text into parts of about size bytes, each after a newline
// where there is one.
func cutLines(text []byte, size int) [][]byte {
	var parts [][]byte
	for len(text) > 0 {
		n := min(size, len(text))
		if i := bytes.LastIndexByte(text[:n], '\n'); i >= 0 && n < len(text) {
			n = i + 1
		}
		parts = append(parts, text[:n])
		text = text[n:]
	}
	return parts
}
