package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// fuzzSeeds are inputs from the table tests.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	names, _ := filepath.Glob("testdata/*.*json")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	ev := fixtureEvents(f)
	seeds = append(seeds,
		[]byte("\n\r\n"+ev[0]+"\n\n   \n"+ev[1]+"\r\n"+ev[2]),
		concat(bom, []byte(ev[0])),
		[]byte(`{"expected": [`+strings.Join(ev, ",\n")+"]}"),
		[]byte(ev[0]+" "+ev[1]+"\n"+ev[2]),
		[]byte("[\n"+ev[0]+",\n]"),
		[]byte(`{"took": 1, "hits": {"hits": [`+ev[0]+",\n"+ev[1]+"]\n,"),
		[]byte("[\n\"a\\u00e9\\x\"]"),
		[]byte(`{"a":1}`+"\n"+`{"m":"`+strings.Repeat("x", 100)+`"}`+"\n"),
		[]byte("[[[[[[[[[[1]]]]]]]]]]"),
		[]byte(`{"hits": {"total": 3, "hits": [`+"\n"+ev[0]+"\n"+`]}, "aggs": {"x": [1,`+"\n"+`2]}}`+"\n"+`{"hits": 5}`+"\n"),
		[]byte(`{"events": {"a": [1]}, "hits": [1,2]}`+"\n[1,2]\n"),
		[]byte("{\n\"a\": -0.5e-3, \"b\": [true, false, null, \"\"]}\n1 2 \"s\"\n"),
		[]byte("[\n"+nested(10001, false)+",\n"+ev[0]+"]"),
		[]byte(`{"events": [1,`+"\n"+`{"a": ["]\"", {"b": "[{"}]}]}`),
		[]byte("[\"x\",\n"+strings.Repeat("[\"]\", ", 3)+"\"\\\"]\"]]]],\n1]"),
		gz(f, []byte(ev[0]+"\n"), []byte(ev[1]+"\n"))[:60],
		zst(f, []byte(ev[0]+"\n"), []byte(ev[1]+"\n")),
	)
	return seeds
}

// FuzzReader: arbitrary bytes, or their gzip or zstd forms, never make a
// Reader panic or hang, every NDJSON line it gives is the input line it says,
// every container event is compact valid JSON from a line of the input, and
// containers are judged valid exactly when encoding/json judges them so
// (unless a value over the size limit was passed over unchecked).
func FuzzReader(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		for how := range uint8(3) {
			f.Add(s, uint16(0), uint16(0), how)
			f.Add(s, uint16(7), uint16(90), how)
		}
	}
	f.Fuzz(func(t *testing.T, text []byte, chunk, maxLine uint16, how uint8) {
		opts := Options{ChunkSize: int(chunk % 2048), MaxLine: int(maxLine % 4096)}
		data := text
		switch how % 4 {
		case 1:
			data = gz(t, text)
		case 2:
			data = zst(t, text)
		case 3:
			// Two members or frames, cut anywhere.
			cut := int(chunk) % (len(text) + 1)
			if maxLine%2 == 0 {
				data = gz(t, text[:cut], text[cut:])
			} else {
				data = zst(t, text[:cut], text[cut:])
			}
		}
		ref, refErr := reference(data)
		if how%4 != 0 && refErr != nil {
			t.Fatalf("reference: %v", refErr)
		}
		refLines := bytes.Split(ref, []byte("\n"))

		var probs []Problem
		opts.Problem = func(p Problem) { probs = append(probs, p) }
		r := NewReader("f", bytes.NewReader(data), opts)
		defer r.Close()
		maxLen := r.opts.MaxLine
		prevLine := 0
		for n := 0; ; n++ {
			if n > len(ref)+2 {
				t.Fatalf("%d chunks from %d bytes of text", n, len(ref))
			}
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			lines := bytes.Split(c.Data, []byte("\n"))
			if len(lines[len(lines)-1]) == 0 {
				lines = lines[:len(lines)-1]
			}
			if c.Lines != nil && len(c.Lines) != len(lines) {
				t.Fatalf("%d lines, %d line numbers", len(lines), len(c.Lines))
			}
			for k, l := range lines {
				if c.Lines == nil {
					at := c.FirstLine + k
					if at <= prevLine {
						t.Fatalf("line %d after line %d", at, prevLine)
					}
					prevLine = at
					if at > len(refLines) || !bytes.Equal(refLines[at-1], l) {
						t.Fatalf("line %d: %q is not in the input", at, l)
					}
					if len(l) > maxLen {
						t.Fatalf("line %d: %d bytes, over %d", at, len(l), maxLen)
					}
					continue
				}
				at := c.Lines[k]
				if at < prevLine || at < 1 || at > len(refLines) {
					t.Fatalf("event at line %d after line %d, of %d", at, prevLine, len(refLines))
				}
				prevLine = at
				var b bytes.Buffer
				if err := json.Compact(&b, l); err != nil || !bytes.Equal(b.Bytes(), l) || len(l) > maxLen {
					t.Fatalf("line %d: %q is not compact JSON under %d bytes (%v)", at, l, maxLen, err)
				}
			}
			c.Release()
		}
		if r.doc == nil || refErr != nil {
			return
		}
		malformed, passed := false, false
		for _, p := range probs {
			malformed = malformed || p.Kind == KindMalformed
			passed = passed || p.Kind == KindTooLong
		}
		// A value over the size limit is passed over unchecked, and may
		// end the reading: then only valid text must not be reported
		// malformed.
		if valid := validStream(ref); valid == malformed && !(passed && !valid) {
			t.Fatalf("encoding/json says valid %v, reader reports %v", valid, probs)
		}
	})
}

// reference decompresses data as far as it goes, without a BOM.
func reference(data []byte) ([]byte, error) {
	var rd io.Reader = bytes.NewReader(data)
	switch {
	case bytes.HasPrefix(data, []byte{0x1f, 0x8b}):
		z, err := gzip.NewReader(rd)
		if err != nil {
			return nil, err
		}
		rd = z
	case len(data) >= 4 && (string(data[:4]) == "\x28\xb5\x2f\xfd" || data[0]&0xf0 == 0x50 && string(data[1:4]) == "\x2a\x4d\x18"):
		z, err := zstd.NewReader(rd, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		defer z.Close()
		rd = z
	}
	text, err := io.ReadAll(rd)
	return bytes.TrimPrefix(text, bom), err
}

// validStream tells whether text is a stream of JSON values for encoding/json.
func validStream(text []byte) bool {
	d := json.NewDecoder(bytes.NewReader(text))
	for {
		var v json.RawMessage
		err := d.Decode(&v)
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}
