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
	// FormatTimesketch is a CSV timeline that Timesketch imports as it is.
	FormatTimesketch = "timesketch"
	// FormatECS is NDJSON of ECS alert documents, for Elasticsearch.
	FormatECS = "ecs"
)

// formatList names the formats in error messages.
const formatList = "csv, json, ndjson, html, timesketch or ecs"

// knownFormat reports whether format is one of the report formats.
func knownFormat(format string) bool {
	switch format {
	case FormatCSV, FormatJSON, FormatNDJSON, FormatHTML, FormatTimesketch, FormatECS:
		return true
	}
	return false
}

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
// ignoring case: .timesketch.csv, .ecs.ndjson or .ecs.jsonl, .csv, .json,
// .ndjson or .jsonl, .html or .htm.
func FormatFromPath(path string) (string, error) {
	lower := strings.ToLower(path)
	switch {
	case strings.HasSuffix(lower, ".timesketch.csv"):
		return FormatTimesketch, nil
	case strings.HasSuffix(lower, ".ecs.ndjson"), strings.HasSuffix(lower, ".ecs.jsonl"):
		return FormatECS, nil
	}
	switch filepath.Ext(lower) {
	case ".csv":
		return FormatCSV, nil
	case ".json":
		return FormatJSON, nil
	case ".ndjson", ".jsonl":
		return FormatNDJSON, nil
	case ".html", ".htm":
		return FormatHTML, nil
	}
	return "", fmt.Errorf("report: cannot tell the format of %q from its extension (want .csv, .json, .ndjson, .jsonl, .html, .htm, .timesketch.csv, .ecs.ndjson or .ecs.jsonl)", path)
}

// Write writes res to w in format: "csv", "json", "ndjson", "html",
// "timesketch" or "ecs".
func Write(w io.Writer, format string, res *Result) error {
	return Options{}.Write(w, format, res)
}

// Write writes res to w in format: "csv", "json", "ndjson", "html",
// "timesketch" or "ecs". Sidecars are only written by Create.
func (o Options) Write(w io.Writer, format string, res *Result) error {
	switch format {
	case FormatCSV:
		return o.WriteCSV(w, res)
	case FormatJSON:
		return o.WriteJSON(w, res)
	case FormatNDJSON:
		return o.WriteNDJSON(w, res)
	case FormatHTML:
		return o.WriteHTML(w, res)
	case FormatTimesketch:
		return o.WriteTimesketch(w, res)
	case FormatECS:
		return o.WriteECS(w, res)
	}
	return fmt.Errorf("report: unknown format %q (want %s)", format, formatList)
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
// format's writer, so that tests can make writing fail (a full disk). The
// report's sidecars are written to temporary files too, after it; when all
// are complete, the sidecars are renamed, then the report, so that a report
// in place has its sidecars.
func (o Options) create(path, format string, res *Result, wrap func(io.Writer) io.Writer) (err error) {
	if !knownFormat(format) {
		return &pathError{path, fmt.Errorf("unknown format %q (want %s)", format, formatList)}
	}
	files := reportFiles(path, format, res)
	for _, f := range files {
		if err := notFolder(f.path); err != nil {
			return err
		}
	}
	var temps []string
	defer func() {
		for _, tmp := range temps {
			if err != nil {
				os.Remove(tmp)
			}
			o.Pending.forget(tmp)
		}
	}()
	for i, f := range files {
		w := wrap
		if i > 0 {
			w = nil // only the report's writer fails in tests
		}
		tmp, err := o.writeTemp(f.path, res, f.write, w)
		if tmp != "" {
			temps = append(temps, tmp)
		}
		if err != nil {
			return err
		}
	}
	for i := len(files) - 1; i >= 0; i-- {
		if err := o.Pending.rename(temps[i], files[i].path); err != nil {
			return &pathError{files[i].path, err}
		}
	}
	// Make the renames themselves durable. Not every system can sync a
	// folder (Windows cannot), and the report is whole either way.
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// writeTemp writes the file at path with write to a new temporary file in
// its folder, syncs and closes it, and returns its name; the name is "" when
// it could not be made. Errors name path, not the temporary file.
func (o Options) writeTemp(path string, res *Result, write func(Options, io.Writer, *Result) error, wrap func(io.Writer) io.Writer) (string, error) {
	f, err := o.Pending.createTemp(path, filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	// fail names the file, not its temporary file, in an error.
	fail := func(err error) error {
		f.Close() // a second Close only returns an error we do not need
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
	if err := write(o, w, res); err != nil {
		return tmp, fail(err)
	}
	if err := f.Sync(); err != nil {
		return tmp, fail(err)
	}
	if err := f.Close(); err != nil {
		return tmp, fail(err)
	}
	return tmp, nil
}

// sidecar is a file Create writes, the report or a file next to it: its
// path and its writer.
type sidecar struct {
	path  string
	write func(o Options, w io.Writer, res *Result) error
}

// reportFiles lists the files Create writes for a report at path in
// format: the report first, then its sidecars. The line formats, which have
// no room for the summary, get the hosts of the scan (Summary.Hosts):
// REPORT.hosts.csv next to REPORT.csv or REPORT.timesketch.csv, as a CSV
// table; REPORT.hosts.ndjson next to REPORT.ndjson or REPORT.ecs.ndjson, one
// JSON object a line. An HTML page gets the hits it does not show
// (htmlFiles).
func reportFiles(path, format string, res *Result) []sidecar {
	report := sidecar{path, func(o Options, w io.Writer, res *Result) error {
		return o.Write(w, format, res)
	}}
	switch format {
	case FormatCSV, FormatTimesketch:
		return []sidecar{report, {hostsPath(path), Options.writeHostsCSV}}
	case FormatNDJSON, FormatECS:
		return []sidecar{report, {hostsPath(path), Options.writeHostsNDJSON}}
	case FormatHTML:
		return htmlFiles(path, res)
	}
	return []sidecar{report}
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

// zonedLayout is the time format of a report with a display zone
// (Options.TZ): RFC 3339 with milliseconds and the zone's offset, such as
// 2024-05-01T12:00:00.123+02:00, and Z when the offset is zero.
const zonedLayout = "2006-01-02T15:04:05.000Z07:00"

// formatTimeIn formats t in zone loc (zonedLayout), or in timeLayout when
// loc is nil; "" for the zero time.
func formatTimeIn(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		return t.UTC().Format(timeLayout)
	}
	return t.In(loc).Format(zonedLayout)
}

// hostsPath is the path of the hosts sidecar of the report at path: its
// name with .hosts before the extension, such as hits.hosts.csv for
// hits.csv.
func hostsPath(path string) string {
	ext := filepath.Ext(path)
	return strings.TrimSuffix(path, ext) + ".hosts" + ext
}

// errNoRule is returned for a hit without a rule, which the scanner never
// makes.
func errNoRule(i int) error {
	return fmt.Errorf("report: hit %d has no rule", i)
}
