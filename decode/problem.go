package decode

import (
	"errors"
	"fmt"
	"io/fs"
)

// Problem kinds: short, stable reason classes for counting problems.
const (
	KindOpen       = "open"           // the input could not be opened or found, or is a device or socket
	KindRead       = "read"           // reading the underlying file failed, or it changed while read
	KindDecompress = "decompress"     // a gzip or zstd stream is corrupt or truncated
	KindTooLong    = "line too long"  // an event over Options.MaxLine was skipped
	KindMalformed  = "malformed json" // not JSON, or nested too deep; found here in containers, by the workers in NDJSON
	KindNotJSON    = "not a log"      // the file holds no JSON events at all (a binary, an archive, text) and was skipped
	KindEmpty      = "empty"          // an empty file (or one that decompresses to nothing), a folder with no file
)

// Problem is input that could not be read, with its place.
type Problem struct {
	File   string
	Line   int    // 1-based; 0 when it concerns the whole file
	Kind   string // one of the Kind constants
	Reason string // human text, e.g. "gzip: unexpected EOF"
}

// String gives "FILE:LINE: REASON", or "FILE: REASON" when there is no line.
func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
	}
	return p.File + ": " + p.Reason
}

// Error makes a Problem usable as an error (Open returns one).
func (p Problem) Error() string { return p.String() }

// openProblem describes a path that cannot be opened; the reason drops the
// path that *fs.PathError repeats.
func openProblem(path string, err error) Problem {
	return Problem{File: path, Kind: KindOpen, Reason: pathReason(err)}
}

func pathReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// sizeText writes a byte limit the way people say it: "16 MiB", "64 KiB", "100 bytes".
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
