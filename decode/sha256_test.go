package decode

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// sum is what sha256sum prints for data.
func sum(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// hashOf reads path with Open to its end and returns Reader.SHA256.
func hashOf(t *testing.T, in Input, opts Options) string {
	t.Helper()
	r, err := Open(in, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", in.Path, err)
	}
	defer r.Close()
	for {
		c, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		c.Release()
	}
	return r.SHA256()
}

// The SHA-256 of an input read to its end is that of its bytes as the file
// holds them, whatever the compression and the framing; standard input is
// hashed as it came.
func TestSHA256(t *testing.T) {
	nd := readFixture(t, "events.ndjson")
	truncated := gz(t, nd)
	truncated = truncated[:len(truncated)/2]
	tests := []struct {
		name string
		data []byte
	}{
		{"plain", nd},
		{"gzip", gz(t, nd)},
		{"gzip members", gz(t, nd[:100], nd[100:])},
		{"zstd", zst(t, nd)},
		{"zstd frames and skippable frames", concat(zst(t, nd[:100]), zst(t, nd[100:]), skippable(10))},
		{"array", readFixture(t, "events.json")},
		{"search response", readFixture(t, "search.json")},
		{"pretty-printed", readFixture(t, "pretty.json")},
		{"empty", nil},
		{"truncated gzip, read to its end", truncated},
		{"larger than the buffers", bytes.Repeat(nd, 2000)},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "in")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			want := sum(tt.data)
			if got := hashOf(t, Input{Path: path}, Options{SHA256: true, ChunkSize: 4096}); got != want {
				t.Errorf("file: SHA256() = %q, want %q", got, want)
			}
			if got := hashOf(t, Input{Path: "-", Stdin: bytes.NewReader(tt.data)}, Options{SHA256: true}); got != want {
				t.Errorf("stdin: SHA256() = %q, want %q", got, want)
			}
			if got := hashOf(t, Input{Path: path}, Options{}); got != "" {
				t.Errorf("without Options.SHA256: SHA256() = %q, want \"\"", got)
			}
		})
	}
}

// An input not read to its end has no SHA-256: a Close before io.EOF, a
// file skipped at its first bytes, a stream whose damage stops the
// decompression before its end.
func TestSHA256NotReadToTheEnd(t *testing.T) {
	nd := bytes.Repeat(readFixture(t, "events.ndjson"), 500)
	corrupt := gz(t, nd)
	corrupt[len(corrupt)/4] ^= 0xff // in the deflate stream, far from the end
	notLog := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, 1<<20)...)
	dir := t.TempDir()

	t.Run("closed before the end", func(t *testing.T) {
		path := filepath.Join(dir, "big.ndjson")
		if err := os.WriteFile(path, nd, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(Input{Path: path}, Options{SHA256: true, ChunkSize: 4096})
		if err != nil {
			t.Fatal(err)
		}
		c, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		c.Release()
		r.Close()
		if got := r.SHA256(); got != "" {
			t.Errorf("SHA256() = %q after a Close before the end, want \"\"", got)
		}
	})
	for _, tt := range []struct {
		name string
		data []byte
		kind string
	}{
		{"corrupt gzip", corrupt, KindDecompress},
		{"not a log", notLog, KindNotJSON},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "in")
			if err := os.WriteFile(path, tt.data, 0o644); err != nil {
				t.Fatal(err)
			}
			var kinds []string
			got := hashOf(t, Input{Path: path}, Options{SHA256: true, Problem: func(p Problem) { kinds = append(kinds, p.Kind) }})
			if len(kinds) != 1 || kinds[0] != tt.kind {
				t.Errorf("problems of kinds %q, want one %q", kinds, tt.kind)
			}
			if got != "" {
				t.Errorf("SHA256() = %q, want \"\"", got)
			}
		})
	}
}
