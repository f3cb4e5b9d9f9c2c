package scan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dredge/decode"
	"dredge/rules"
)

// fileSHA256 is what sha256sum prints for the file at path.
func fileSHA256(t testing.TB, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// The summary's chain of custody: each input's SHA-256 as read from disk
// (sha256sum's), "" for a file that could not be read, standard input's as
// it came; when the scan started and how long it took.
func TestCustody(t *testing.T) {
	plain := filepath.Join(samplesDir, "linux-endpoint.ndjson")
	paths := []string{plain, filepath.Join(samplesDir, "linux-endpoint-day2.ndjson.gz"), filepath.Join(samplesDir, "windows-endpoint.ndjson.zst")}
	var want []string
	for _, p := range paths {
		want = append(want, fileSHA256(t, p))
	}
	stdin, err := os.ReadFile(plain)
	if err != nil {
		t.Fatal(err)
	}
	ins := append(inputs(paths...), decode.Input{Path: "-", Size: -1, Stdin: bytes.NewReader(stdin)})
	ins = append(ins, inputs(filepath.Join(t.TempDir(), "missing.ndjson"))...)
	want = append(want, fileSHA256(t, plain), "")

	before := time.Now()
	res, err := run(t, ins, Config{Rules: builtin(t), Workers: 2})
	after := time.Now()
	if err != ErrIncomplete {
		t.Fatalf("Run: %v, want ErrIncomplete (a missing file)", err)
	}
	s := &res.Summary
	for i, f := range s.Files {
		if f.SHA256 != want[i] {
			t.Errorf("%s: SHA-256 %q, want %q", f.Name, f.SHA256, want[i])
		}
	}
	if s.Started.Location() != time.UTC || s.Started.Before(before.Truncate(0)) || s.Started.After(after) {
		t.Errorf("Started %v, want a UTC time between %v and %v", s.Started, before, after)
	}
	if s.Duration <= 0 || s.Duration > after.Sub(before) {
		t.Errorf("Duration %v, want more than 0 and at most %v", s.Duration, after.Sub(before))
	}

	res, err = run(t, inputs(paths...), Config{Rules: []*rules.Rule{}, NoHash: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Summary.Files {
		if f.SHA256 != "" {
			t.Errorf("NoHash: %s has SHA-256 %q", f.Name, f.SHA256)
		}
	}
}

// An interrupted scan gives no SHA-256 to standard input, which ends
// early when the scan is interrupted (the command line makes it so).
func TestCustodyInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	in := decode.Input{Path: "-", Size: -1, Stdin: cancelReader(cancel)}
	res, err := Run(ctx, []decode.Input{in}, Config{})
	if err != context.Canceled {
		t.Fatalf("Run: %v, want context.Canceled", err)
	}
	if got := res.Summary.Files[0].SHA256; got != "" {
		t.Errorf("SHA-256 %q, want \"\"", got)
	}
}

// cancelReader is a stream that is cut by its interruption: its read
// cancels the scan and ends.
type cancelReader context.CancelFunc

func (c cancelReader) Read([]byte) (int, error) {
	c()
	return 0, io.EOF
}
