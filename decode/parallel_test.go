package decode

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// chunkOf is a chunk as it came out.
type chunkOf struct {
	Seq, FirstLine int
	Data           string
}

// chunksOf reads data to its end and gives its chunks, its problems, and
// whether it was decoded in parallel to the end (false: serially from some
// frame on, or not in parallel at all).
func chunksOf(t *testing.T, data []byte, opts Options) (chunks []chunkOf, probs []Problem, parallel bool) {
	t.Helper()
	opts.Problem = func(p Problem) { probs = append(probs, p) }
	r := NewReader("f", bytes.NewReader(data), opts)
	defer r.Close()
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		chunks = append(chunks, chunkOf{c.Seq, c.FirstLine, string(c.Data)})
		c.Release()
	}
	return chunks, probs, r.par != nil && !r.par.serial
}

// atLeastTwoCores lets the test decode in parallel, which is not done on
// one core.
func atLeastTwoCores(t *testing.T) {
	if n := runtime.GOMAXPROCS(0); n < 2 {
		runtime.GOMAXPROCS(2)
		t.Cleanup(func() { runtime.GOMAXPROCS(n) })
	}
}

// TestParallel: multi-frame zstd and BGZF gzip come out in the chunks, on
// the lines, of the same text read plain, decoded frame-parallel where the
// frames allow it.
func TestParallel(t *testing.T) {
	atLeastTwoCores(t)
	text := numbered(1, 60000) // 6 MB: units of 1 MiB
	big := numbered(1, 200000) // 21 MB: over maxFrame
	half := bytes.IndexByte(text[len(text)/2:], '\n') + len(text)/2 + 1
	tests := []struct {
		name     string
		text     []byte
		data     []byte
		parallel bool // to the end
	}{
		{"zstd frames", text, zstFrames(t, text, 64<<10, false), true},
		{"zstd frames of 1 MiB, skippable frames", text, zstFrames(t, text, 1<<20, true), true},
		{"zstd tiny frames", text[:200000], zstFrames(t, text[:200000], 300, false), true},
		{"zstd one frame", text, zst(t, text), true},
		{"zstd one frame of unknown size", text, zstBlocks(t, cutLines(text, 1<<20)...), true},
		{"zstd frame too big, then small ones", concat(big, text), concat(zstBlocks(t, big), zstFrames(t, text, 64<<10, false)), false},
		{"zstd small frames, then one too big", concat(text, big), concat(zstFrames(t, text, 64<<10, false), zst(t, big)), false},
		{"bgzf", text, bgzfOf(t, text, 65280), true},
		{"bgzf without end marker", text, bytes.TrimSuffix(bgzfOf(t, text, 65280), bgzfEOF), true},
		{"bgzf, then plain members", text, concat(bgzfOf(t, text[:half], 65280), gz(t, text[half:], []byte{})), false},
		{"gzip", text, gz(t, text), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, opts := range []Options{{}, {ChunkSize: 100 << 10}} {
				want, _, _ := chunksOf(t, tt.text, opts)
				got, probs, parallel := chunksOf(t, tt.data, opts)
				if len(got) != len(want) || !reflect.DeepEqual(got, want) {
					t.Errorf("chunk size %d: %d chunks, not the %d of the plain text", opts.ChunkSize, len(got), len(want))
				}
				if probs != nil {
					t.Errorf("problems %v", probs)
				}
				if parallel != tt.parallel {
					t.Errorf("decoded in parallel to the end: %v, want %v", parallel, tt.parallel)
				}
			}
		})
	}
}

// TestParallelDamage: damage to a multi-frame zstd or BGZF file keeps the
// events before it, those of the good blocks of a damaged frame included,
// and reports it at the line reached, as when the file is read serially.
func TestParallelDamage(t *testing.T) {
	atLeastTwoCores(t)
	const per, n = 2000, 20 // events per frame; frames: 4 MB in all
	part := func(k int) []byte { return numbered(1+k*per, per) }
	var frames, members [][]byte
	for k := range n {
		frames = append(frames, zst(t, part(k)))
		members = append(members, bgzfBlock(t, part(k)))
	}
	// Frame and member 12 hold two blocks: the first part of its events,
	// then the rest.
	cut := bytes.IndexByte(part(12)[len(part(12))/2:], '\n') + len(part(12))/2 + 1
	lines12 := bytes.Count(part(12)[:cut], newline)
	frames[12] = zstBlocks(t, part(12)[:cut], part(12)[cut:])
	members[12] = bgzfBlock(t, part(12)[:cut], part(12)[cut:])
	at := func(parts [][]byte, k int) int { return len(concat(parts[:k]...)) }
	z, g := concat(frames...), concat(append(members, bgzfEOF)...)
	zLast, gLast := at(frames, n-1), at(members, n-1)
	tests := []struct {
		name   string
		data   []byte
		least  int    // events 1..least survive, and more if the stream decoder gives more
		reason string // of the problem at the line reached
	}{
		{"zstd corrupt frame", flip(z, at(frames, 12)+len(frames[12])-100, 4), 12*per + lines12, "zstd: 57 extra bits on block, should be 0"},
		{"zstd corrupt frame header", flip(z, at(frames, 7)+1, 4), 7 * per, "zstd: invalid input: magic number mismatch"},
		{"zstd truncated last frame", z[:len(z)-30], (n - 1) * per, "zstd: unexpected EOF"},
		{"zstd truncated in a frame header", z[:zLast+7], (n - 1) * per, "zstd: unexpected EOF"},
		{"zstd truncated in a block header", z[:zLast+10], (n - 1) * per, "zstd: unexpected EOF"},
		{"zstd garbage after", concat(z, []byte("hello\n")), n * per, "zstd: invalid input: magic number mismatch"},
		{"bgzf corrupt member", flip(g, at(members, 12)+len(members[12])-100, 4), 12*per + lines12, "gzip: invalid checksum"}, // the text garbled before the end of the member comes out, as from the stream
		{"bgzf corrupt member header", flip(g, at(members, 7), 1), 7 * per, "gzip: invalid header"},
		{"bgzf truncated last member", g[:gLast+len(members[n-1])-30], (n - 1) * per, "gzip: unexpected EOF"},
		{"bgzf trailing zeros", concat(g, make([]byte, 10)), n * per, "gzip: invalid header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref, err := serialText(tt.data)
			last := bytes.Count(ref, newline)
			if err == nil || last < tt.least {
				t.Fatalf("the stream decoder gives %d lines and %v, want %d or more and an error", last, err, tt.least)
			}
			if !bytes.HasPrefix(ref, numbered(1, tt.least)) {
				t.Errorf("the stream decoder loses some of events 1..%d", tt.least)
			}
			// The same events, those the damage garbled included.
			res := readAll(t, "f", tt.data, Options{})
			lines := strings.SplitAfter(string(ref), "\n")
			if len(res.Events) != last {
				t.Errorf("events 1..%d survive, want 1..%d", len(res.Events), last)
			}
			for i, e := range res.Events {
				if e.Line != i+1 || e.JSON+"\n" != lines[i] {
					t.Fatalf("event %d on line %d: %s", i+1, e.Line, e.JSON)
				}
			}
			if want := []Problem{{"f", last + 1, KindDecompress, tt.reason}}; !reflect.DeepEqual(res.Problems, want) {
				t.Errorf("problems:\n got %#v\nwant %#v", res.Problems, want)
			}
		})
	}
}

// serialText decodes data as the reader did before it decoded in parallel:
// one stream decoder over the buffered input, to the end or the damage.
func serialText(data []byte) ([]byte, error) {
	pool := new(Pool)
	raw := bufio.NewReaderSize(bytes.NewReader(data), 64<<10)
	var rd io.Reader
	var err error
	if bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
		rd, err = pool.gzipReader(raw)
	} else {
		rd, err = pool.zstdReader(raw)
	}
	if err != nil {
		return nil, err
	}
	return io.ReadAll(rd)
}

// parallelText decodes data with a parallel reader whose units are filled
// to fill bytes.
func parallelText(comp string, data []byte, fill int) ([]byte, error) {
	p := newParallel(new(Pool), comp, bufio.NewReaderSize(bytes.NewReader(data), 64<<10))
	p.fill = fill
	defer p.close()
	return io.ReadAll(p)
}

// TestParallelUnits: units of one frame each, and units of many, give the
// text of the stream decoder.
func TestParallelUnits(t *testing.T) {
	text := numbered(1, 3000)
	for _, data := range [][]byte{zstFrames(t, text, 1000, true), bgzfOf(t, text, 1000)} {
		comp := "zstd"
		if data[0] == 0x1f {
			comp = "gzip"
		}
		for _, fill := range []int{1, 5000, 1 << 20} {
			got, err := parallelText(comp, data, fill)
			if err != nil || !bytes.Equal(got, text) {
				t.Errorf("%s, units of %d: %d bytes, %v; want %d bytes", comp, fill, len(got), err, len(text))
			}
		}
	}
}

// FuzzSplit: the splitter, fed arbitrary bytes, never panics or hangs, and
// what it splits off and what it leaves are the input, in order.
func FuzzSplit(f *testing.F) {
	text := numbered(1, 20)
	for _, s := range [][]byte{
		zstFrames(f, text, 300, true), zst(f, text), zstBlocks(f, text[:500], text[500:]), skippable(3),
		bgzfOf(f, text, 500), gz(f, text), {0x28, 0xb5, 0x2f, 0xfd, 0xe0, 0, 0, 0, 0, 1, 0, 0, 0, 0x11, 0, 0, '{', '}'},
	} {
		f.Add(s, uint16(1))
		f.Add(s, uint16(2000))
	}
	f.Fuzz(func(t *testing.T, data []byte, fill uint16) {
		for _, comp := range []string{"zstd", "gzip"} {
			p := newParallel(new(Pool), comp, bufio.NewReaderSize(bytes.NewReader(data), 64<<10))
			p.fill = int(fill)
			var got []byte
			for n := 0; !p.ended && !p.rest; n++ {
				if n > len(data) {
					t.Fatalf("%s: %d units from %d bytes", comp, n, len(data))
				}
				u := new(unit)
				if p.split(u) {
					if u.bound > maxFrame+p.fill || len(u.comp) > maxFrame+p.fill {
						t.Fatalf("%s: a unit of %d bytes, bound %d", comp, len(u.comp), u.bound)
					}
					got = append(got, u.comp...)
				}
			}
			got = append(got, p.tail...)
			rest, _ := io.ReadAll(p.raw)
			if got = append(got, rest...); !bytes.Equal(got, data) {
				t.Fatalf("%s: split %q into %q", comp, data, got)
			}
		}
	})
}

// FuzzParallel: the parallel reader gives the text, and the error, of the
// stream decoder, for multi-frame zstd and BGZF inputs, damaged or not, and
// arbitrary bytes.
func FuzzParallel(f *testing.F) {
	text := numbered(1, 30)
	f.Add(text, uint16(0), uint16(0), uint8(0))
	f.Add([]byte("\x28\xb5\x2f\xfd\x00\x00\x00\x00"), uint16(0), uint16(0), uint8(0))
	for how := range uint8(8) {
		f.Add(text, uint16(300), uint16(0), how)
		f.Add(text, uint16(700), uint16(1234), how)
		f.Add(text, uint16(100), uint16(65000), how)
	}
	f.Fuzz(func(t *testing.T, text []byte, size, damage uint16, how uint8) {
		if len(text) > 1<<14 {
			return
		}
		data, comp := text, "zstd"
		switch how % 4 {
		case 0:
			if how&4 != 0 {
				comp = "gzip"
			}
		case 1:
			data = zstFrames(t, text, int(size)+1, how&4 != 0)
		case 2:
			comp = "gzip"
			data = bgzfOf(t, text, min(int(size)+1, 32<<10))
		case 3:
			data = concat(zstFrames(t, text, int(size)+1, false), zst(t, text))
		}
		if damage > 0 && len(data) > 0 {
			at := int(damage) % len(data)
			if how&8 != 0 {
				data = data[:at]
			} else {
				data = flip(data, at, 1)
			}
		}
		ref, refErr := serialText(data)
		if comp == "gzip" && !bytes.HasPrefix(data, []byte{0x1f, 0x8b}) || comp == "zstd" && bytes.HasPrefix(data, []byte{0x1f, 0x8b}) {
			return // serialText would read it in the other format
		}
		for _, fill := range []int{1, int(size)} {
			got, err := parallelText(comp, data, fill)
			if !bytes.Equal(got, ref) || errors.Is(err, errTooBig) || errString(err) != errString(refErr) {
				t.Fatalf("%s, units of %d: %d bytes, %v; the stream decoder gives %d bytes, %v", comp, fill, len(got), err, len(ref), refErr)
			}
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestParallelSHA256: a multi-frame input is hashed exactly when it was
// hashed decoded serially: when the decoding reached its end, not when it
// stopped at damage before (though the splitter read ahead to the end).
func TestParallelSHA256(t *testing.T) {
	atLeastTwoCores(t)
	text := numbered(1, 20000)
	z, g := zstFrames(t, text, 64<<10, true), bgzfOf(t, text, 65280)
	dir := t.TempDir()
	for _, tt := range []struct {
		name   string
		data   []byte
		hashed bool
	}{
		{"zstd frames", z, true},
		{"bgzf", g, true},
		{"zstd frames, garbage after", concat(z, []byte("garbage\n")), false},
		{"bgzf, garbage after", concat(g, []byte("garbage\n")), true}, // gzip reads a header of 10 bytes, to the end
		{"zstd frames, corrupt frame near the end", flip(z, len(z)-1000, 4), false},
		{"zstd frames, truncated", z[:len(z)-1000], true},
		{"bgzf, truncated", g[:len(g)-1000], true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "in")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.hashed {
				want = fmt.Sprintf("%x", sha256.Sum256(tt.data))
			}
			if got := hashOf(t, Input{Path: path}, Options{SHA256: true}); got != want {
				t.Errorf("SHA256() = %q, want %q", got, want)
			}
		})
	}
}
