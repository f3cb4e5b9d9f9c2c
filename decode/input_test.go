package decode

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"b.ndjson":               "{}\n",
		"a/x.ndjson":             "{}\n{}\n",
		"a/sub/deeper/y.json.gz": "gz",
		"a/sub/z":                "",
		"a/B.log":                "1234",
		"a/.hidden":              "no",
		"a/._x.ndjson":           "no",
		".git/config":            "no",
		"c/.cache/w":             "no",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	must(t, os.Symlink(filepath.Join(dir, "b.ndjson"), filepath.Join(dir, "c/link.ndjson")))
	must(t, os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "c/dangling")))
	must(t, os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "c/loop")))

	j := func(p string) string { return filepath.Join(dir, p) }
	ins, probs, _ := Expand([]string{dir, j("a/.hidden"), "-", j("missing.ndjson")})
	want := []Input{
		{Path: j("a/B.log"), Size: 4},
		{Path: j("a/sub/deeper/y.json.gz"), Size: 2},
		{Path: j("a/sub/z"), Size: 0},
		{Path: j("a/x.ndjson"), Size: 6},
		{Path: j("b.ndjson"), Size: 3},
		{Path: j("c/link.ndjson"), Size: 3},
		{Path: j("a/.hidden"), Size: 2},
		{Path: "-", Size: -1},
	}
	if !reflect.DeepEqual(ins, want) {
		t.Errorf("inputs:\n got %v\nwant %v", ins, want)
	}
	wantProbs := []Problem{
		{j("c/dangling"), 0, KindOpen, "no such file or directory"},
		{j("empty"), 0, KindEmpty, "no files in this folder"},
		{j("missing.ndjson"), 0, KindOpen, "no such file or directory"},
	}
	if !reflect.DeepEqual(probs, wantProbs) {
		t.Errorf("problems:\n got %v\nwant %v", probs, wantProbs)
	}
	if got := wantProbs[2].String(); got != j("missing.ndjson")+": no such file or directory" {
		t.Errorf("String() = %q", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(Input{Path: filepath.Join(dir, "missing"), Size: 0}, Options{})
	var p Problem
	if !errors.As(err, &p) || p != (Problem{filepath.Join(dir, "missing"), 0, KindOpen, "no such file or directory"}) {
		t.Errorf("Open(missing): %#v", err)
	}

	path := filepath.Join(dir, "x.ndjson.zst")
	must(t, os.WriteFile(path, zst(t, []byte("{\"a\":1}\n{\"b\":2}\n")), 0o644))
	var probs []Problem
	r, err := Open(Input{Path: path}, Options{Problem: func(p Problem) { probs = append(probs, p) }})
	must(t, err)
	c, err := r.Next()
	must(t, err)
	if string(c.Data) != "{\"a\":1}\n{\"b\":2}\n" || c.FirstLine != 1 || r.Compression() != "zstd" {
		t.Errorf("chunk %q line %d, compression %s", c.Data, c.FirstLine, r.Compression())
	}
	c.Release()
	if _, err := r.Next(); err == nil {
		t.Error("no io.EOF")
	}
	must(t, r.Close())
	if len(probs) > 0 {
		t.Error(probs)
	}

	// A folder opened as a file cannot be read.
	r, err = Open(Input{Path: dir}, Options{Problem: func(p Problem) { probs = append(probs, p) }})
	must(t, err)
	if _, err := r.Next(); err == nil {
		t.Error("no io.EOF")
	}
	r.Close()
	if want := []Problem{{dir, 0, KindRead, "read: is a directory"}}; !reflect.DeepEqual(probs, want) {
		t.Errorf("problems %v, want %v", probs, want)
	}
}

func TestProblemString(t *testing.T) {
	for _, tt := range []struct {
		p    Problem
		want string
	}{
		{Problem{"a.gz", 12, KindDecompress, "gzip: unexpected EOF"}, "a.gz:12: gzip: unexpected EOF"},
		{Problem{"a.gz", 0, KindOpen, "permission denied"}, "a.gz: permission denied"},
	} {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%#v: %q, want %q", tt.p, got, tt.want)
		}
	}
	for n, want := range map[int]string{16 << 20: "16 MiB", 64 << 10: "64 KiB", 100: "100 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := sizeText(n); got != want {
			t.Errorf("sizeText(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDocumentation(t *testing.T) {
	for name, want := range map[string]bool{
		"README": true, "README.md": true, "readme.txt": true, "LICENSE": true, "Licence.txt": true, "NOTES.MD": true,
		"report.pdf": true, "hits.html": true, "case.docx": true, "CHANGELOG": true,
		"events.ndjson": false, "security.json.gz": false, "notes.txt": false, "readme_logs.zst": false, "COPYING.LESSER": true, "md.ndjson": false, "LICENSES": false,
	} {
		if got := Documentation(name); got != want {
			t.Errorf("Documentation(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestExpandPassesOverDocumentation checks that a walk names the
// documentation beside the logs as passed over, and that a file given by
// name is taken whatever its name.
func TestExpandPassesOverDocumentation(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.ndjson", "README.md", "sub/LICENSE", "sub/b.json"} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ins, probs, passed := Expand([]string{dir, filepath.Join(dir, "README.md")})
	var got []string
	for _, in := range ins {
		got = append(got, "read "+strings.TrimPrefix(in.Path, dir))
	}
	for _, p := range probs {
		got = append(got, p.Kind+" "+strings.TrimPrefix(p.File, dir))
	}
	for _, p := range passed {
		got = append(got, "passed over "+strings.TrimPrefix(p, dir))
	}
	want := []string{"read /a.ndjson", "read /sub/b.json", "read /README.md", "passed over /README.md", "passed over /sub/LICENSE"}
	if !slices.Equal(got, want) {
		t.Errorf("Expand = %q, want %q", got, want)
	}
}
