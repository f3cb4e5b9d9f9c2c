package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
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
	// Pending, when not nil, tracks the temporary file of Create, so that
	// Pending.Abort can remove it.
	Pending *Pending
	// TZ is the zone that times are shown in (a --tz flag); UTC when nil.
	TZ *time.Location
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
func (o Options) Create(path, format string, res *Result) error {
	return o.create(path, format, res, nil)
}

// create is Create; wrap, when not nil, wraps the temporary file for the
// format's writer, so that tests can make writing fail (a full disk).
func (o Options) create(path, format string, res *Result, wrap func(io.Writer) io.Writer) (err error) {
	switch format {
	case FormatCSV, FormatJSON, FormatNDJSON, FormatHTML:
	default:
		return &pathError{path, fmt.Errorf("unknown format %q (want csv, json, ndjson or html)", format)}
	}
	if err := notFolder(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := o.Pending.createTemp(path, dir, filepath.Base(path))
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close() // a second Close only returns an error we do not need
			os.Remove(tmp)
		}
		o.Pending.forget(tmp)
	}()
	// fail names the report, not its temporary file, in an error.
	fail := func(err error) error {
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == tmp {
			err = pe.Err
		}
		return &pathError{path, err}
	}
	var w io.Writer = f
	if wrap != nil {
		w = wrap(f)
	}
	// Every writer buffers its output.
	if err := o.Write(w, format, res); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := o.Pending.rename(tmp, path); err != nil {
		return fail(err)
	}
	// Make the rename itself durable. Not every system can sync a folder
	// (Windows cannot), and the report is whole either way.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// CheckPath tells whether Create could write a report at path: path must
// not be a folder, and a file must be creatable in its folder (CheckPath
// makes one and removes it). A scan calls it before reading anything, so
// that a report it cannot write fails at once, not after hours of reading.
// A full disk is found only when the report is written.
func CheckPath(path string) error {
	if err := notFolder(path); err != nil {
		return err
	}
	var none *Pending // nothing to track
	f, err := none.createTemp(path, filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return err
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// notFolder fails when path is a folder, which a report cannot replace.
func notFolder(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return &pathError{path, errors.New("is a folder")}
	}
	return nil
}

// tempError explains why no temporary file could be made in dir for the
// report at path, naming the folder rather than the temporary file.
func tempError(path, dir string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	fi, serr := os.Stat(dir)
	switch {
	case errors.Is(serr, fs.ErrNotExist):
		err = &explained{"the folder " + dir + " does not exist", err}
	case serr == nil && !fi.IsDir():
		err = &explained{dir + " is not a folder", err}
	default:
		err = fmt.Errorf("cannot create a file in the folder %s: %w", dir, err)
	}
	return &pathError{path, err}
}

// explained is an error told in other words; errors.Is still finds the
// original.
type explained struct {
	msg string
	err error
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// Pending tracks the temporary files of the reports being written, so that
// a program that must stop at once — a second Ctrl-C — can remove them
// before it exits. A nil *Pending tracks nothing. It is safe for concurrent
// use; the zero value is ready to use.
type Pending struct {
	mu      sync.Mutex
	names   map[string]bool
	aborted bool
}

// ErrAborted is the error of a Create that Pending.Abort stopped.
var ErrAborted = errors.New("aborted: no report is written any more")

// Abort removes the temporary files of the reports being written and makes
// every later Create with p fail without making a file. A report already
// renamed to its final name stays: it is whole. Abort returns the names of
// the files it removed.
func (p *Pending) Abort() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.aborted = true
	var removed []string
	for name := range p.names {
		if os.Remove(name) == nil {
			removed = append(removed, name)
		}
		delete(p.names, name)
	}
	sort.Strings(removed)
	return removed
}

// createTemp makes the temporary file of the report at path, in dir, and
// records it.
func (p *Pending) createTemp(path, dir, base string) (*os.File, error) {
	if p != nil {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.aborted {
			return nil, &pathError{path, ErrAborted}
		}
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		return nil, tempError(path, dir, err)
	}
	if p != nil {
		if p.names == nil {
			p.names = make(map[string]bool)
		}
		p.names[f.Name()] = true
	}
	return f, nil
}

// rename gives the temporary file tmp its final name, unless Abort came
// first (and removed it).
func (p *Pending) rename(tmp, path string) error {
	if p == nil {
		return os.Rename(tmp, path)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.aborted {
		return ErrAborted
	}
	delete(p.names, tmp)
	return os.Rename(tmp, path)
}

// forget stops tracking tmp, which was renamed or removed.
func (p *Pending) forget(tmp string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	delete(p.names, tmp)
	p.mu.Unlock()
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
