package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The report formats.
const (
	FormatCSV    = "csv"
	FormatJSON   = "json"
	FormatNDJSON = "ndjson"
	FormatHTML   = "html"
)

// Options changes how reports are written. The zero value is the default
// that the package functions (Write, WriteCSV, Create, ...) use.
type Options struct {
	// CSVRaw writes CSV cells exactly as they are, without neutralising the
	// cells that a spreadsheet would run as a formula (a --csv-raw flag).
	CSVRaw bool
}

// FormatFromPath tells the report format from the extension of path,
// ignoring case: .csv, .json, .ndjson or .jsonl, .html or .htm.
func FormatFromPath(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return FormatCSV, nil
	case ".json":
		return FormatJSON, nil
	case ".ndjson", ".jsonl":
		return FormatNDJSON, nil
	case ".html", ".htm":
		return FormatHTML, nil
	}
	return "", fmt.Errorf("report: cannot tell the format of %q from its extension (want .csv, .json, .ndjson, .jsonl, .html or .htm)", path)
}

// Write writes res to w in format: "csv", "json", "ndjson" or "html".
func Write(w io.Writer, format string, res *Result) error {
	return Options{}.Write(w, format, res)
}

// Write writes res to w in format: "csv", "json", "ndjson" or "html".
func (o Options) Write(w io.Writer, format string, res *Result) error {
	switch format {
	case FormatCSV:
		return o.WriteCSV(w, res)
	case FormatJSON:
		return WriteJSON(w, res)
	case FormatNDJSON:
		return WriteNDJSON(w, res)
	case FormatHTML:
		return WriteHTML(w, res)
	}
	return fmt.Errorf("report: unknown format %q (want csv, json, ndjson or html)", format)
}

// Create writes the report to path through a temporary file in the same
// folder, syncs it to disk and renames it to path only when it is complete.
// On any error the temporary file is removed and a file already at path is
// left untouched. The file is readable by its owner only, as it holds
// evidence.
func Create(path, format string, res *Result) error {
	return Options{}.Create(path, format, res)
}

// Create is the package function Create with options o.
func (o Options) Create(path, format string, res *Result) (err error) {
	switch format {
	case FormatCSV, FormatJSON, FormatNDJSON, FormatHTML:
	default:
		return &pathError{path, fmt.Errorf("unknown format %q (want csv, json, ndjson or html)", format)}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return &pathError{path, err}
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close() // a second Close only returns an error we do not need
			os.Remove(tmp)
		}
	}()
	// Every writer buffers its output.
	if err := o.Write(f, format, res); err != nil {
		return &pathError{path, err}
	}
	if err := f.Sync(); err != nil {
		return &pathError{path, err}
	}
	if err := f.Close(); err != nil {
		return &pathError{path, err}
	}
	if err := os.Rename(tmp, path); err != nil {
		return &pathError{path, err}
	}
	// Make the rename itself durable. Not every system can sync a folder
	// (Windows cannot), and the report is whole either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// pathError is an error of Create: the report file and what went wrong.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string {
	return "report: " + e.path + ": " + strings.TrimPrefix(e.err.Error(), "report: ")
}

func (e *pathError) Unwrap() error { return e.err }

// timeLayout is the time format of every report: RFC 3339 in UTC with
// milliseconds, always three digits.
const timeLayout = "2006-01-02T15:04:05.000Z"

// formatTime formats t in timeLayout; "" for the zero time.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}

// errNoRule is returned for a hit without a rule, which the scanner never
// makes.
func errNoRule(i int) error {
	return fmt.Errorf("report: hit %d has no rule", i)
}
