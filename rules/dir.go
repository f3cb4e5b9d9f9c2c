package rules

import (
	"errors"
	"io/fs"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"

	"dredge/rules/match"
)

// Loaded is the outcome of loading rule folders: the rules that compiled,
// and an account of the files that did not give one.
type Loaded struct {
	Rules []*Rule
	// Errors are rule files that could not be read, parsed or compiled,
	// each an *Error with its file:line:col where known.
	Errors []error
	// Unsupported are well-formed rules of a kind dredge cannot run yet.
	Unsupported []*Error
	// Deprecated counts rules skipped as deprecated (maturity "deprecated",
	// or a file under a _deprecated folder).
	Deprecated int
	// Files is what became of each rule file, in load order; a folder that
	// could not be read is there too, as an error.
	Files []FileResult
}

// Status is what became of a rule file.
type Status string

// The statuses of a rule file.
const (
	StatusOK          Status = "ok"          // the rule compiled and runs
	StatusUnsupported Status = "unsupported" // well formed, but of a kind dredge cannot run
	StatusError       Status = "error"       // could not be read, parsed or compiled
	StatusDeprecated  Status = "deprecated"  // left out as deprecated
)

// FileResult is what became of one rule file.
type FileResult struct {
	Path   string
	Status Status
	// ID, Name, Type and Language are the rule's, as far as the file
	// could be read; empty when it is not TOML.
	ID, Name, Type, Language string
	// Rule is the compiled rule when Status is StatusOK.
	Rule *Rule
	// Err is the problem when Status is StatusError (an error, an *Error
	// where known) or StatusUnsupported (an *Error).
	Err error
	// Deprecation says how a deprecated rule was known: by its maturity or
	// by its folder.
	Deprecation string
}

// Reason says why a file gave no rule: for an error, the error with its
// file:line:col; for an unsupported rule, what dredge cannot run; for a
// deprecated one, how it was known. Empty for StatusOK.
func (f *FileResult) Reason() string {
	switch f.Status {
	case StatusError:
		return f.Err.Error()
	case StatusUnsupported:
		var e *Error
		if errors.As(f.Err, &e) {
			return e.Msg
		}
		return f.Err.Error()
	case StatusDeprecated:
		return f.Deprecation
	}
	return ""
}

// How a deprecated rule was known.
const (
	deprecatedMaturity = `maturity = "deprecated"`
	deprecatedFolder   = "in a _deprecated folder"
)

// LoadDirs loads every rule file (*.toml) under the given folders,
// recursively and in path order; a path may also name one file. A folder
// of the detection-rules collection loads as it is checked out. Files that
// fail are reported in Loaded and the others still load.
func LoadDirs(paths []string) *Loaded {
	defer relaxGC()()
	l := &Loaded{}
	for _, root := range paths {
		var files []string
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				l.fail(path, &Error{File: path, Msg: pathReason(err)})
				return nil
			}
			if d.IsDir() {
				if path != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(strings.ToLower(d.Name()), ".toml") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			l.fail(root, &Error{File: root, Msg: pathReason(err)})
		}
		sort.Strings(files)
		l.files(files)
	}
	return l
}

// loadGCPercent is the pace of the garbage collector while rules load.
const loadGCPercent = 400

// relaxGC sets the garbage collector's pace (GOGC) to loadGCPercent until
// the function it returns is called, unless the program's pace is slower
// already or the collector is off. Loading rules makes much short-lived
// garbage while the heap of compiled rules grows: at the default pace the
// collector runs again and again over the rules loaded so far. Measured on
// the detection-rules collection (2 cores): a third less CPU for the load,
// and a peak RSS of 85 MB instead of 71 (90 before the loader was made
// lean).
func relaxGC() (restore func()) {
	old := debug.SetGCPercent(loadGCPercent)
	if old < 0 || old >= loadGCPercent {
		debug.SetGCPercent(old)
		return func() {}
	}
	return func() { debug.SetGCPercent(old) }
}

// header is the part of a rule file that names the rule, read when the
// whole file does not give a rule.
type header struct {
	Metadata struct {
		Maturity string `toml:"maturity"`
	} `toml:"metadata"`
	Rule struct {
		RuleID   string `toml:"rule_id"`
		Name     string `toml:"name"`
		Type     string `toml:"type"`
		Language string `toml:"language"`
	} `toml:"rule"`
}

// header returns the part of a decoded rule file that names the rule.
func (f *file) header() header {
	var h header
	h.Metadata.Maturity = f.Metadata.Maturity
	h.Rule.RuleID, h.Rule.Name, h.Rule.Type, h.Rule.Language = f.Rule.RuleID, f.Rule.Name, f.Rule.Type, f.Rule.Language
	return h
}

func readHeader(data []byte) header {
	var h header
	decodeTOML(data, &h) // a file that is not TOML leaves h empty
	return h
}

func (l *Loaded) fail(path string, err error) {
	l.Errors = append(l.Errors, err)
	l.Files = append(l.Files, FileResult{Path: path, Status: StatusError, Err: err})
}

// loader is the memory that loading a rule file needs and that the next
// file loaded by the same goroutine reuses.
type loader struct {
	toml  tomlDecoder
	paths match.Paths
	buf   []byte // the file's text
}

// read reads the file at path into ld.buf, as os.ReadFile does. The text
// is overwritten by the next read: what a rule keeps of it is copied.
func (ld *loader) read(path string) ([]byte, error) {
	if ld.buf == nil {
		ld.buf = make([]byte, 0, 64<<10) // most rule files are smaller
	}
	b, err := readFile(path, ld.buf[:0])
	if b != nil {
		ld.buf = b
	}
	return b, err
}

// file loads the rule file at path, with the memory of ld.
func (l *Loaded) file(path string, ld *loader) {
	data, err := ld.read(path)
	if underDeprecated(path) {
		// Not compiled: deprecated rules may use what dredge no longer
		// needs to know. Read only to name them.
		res := FileResult{Path: path, Status: StatusDeprecated, Deprecation: deprecatedFolder}
		if err == nil {
			var f file
			if ld.toml.fast(data, &f) {
				res.named(f.header())
			} else {
				res.named(readHeader(data))
			}
		}
		l.Deprecated++
		l.Files = append(l.Files, res)
		return
	}
	if err != nil {
		l.fail(path, &Error{File: path, Msg: pathReason(err)})
		return
	}
	var f file
	if err := ld.toml.file(path, data, &f); err != nil {
		// The header may still be read: the file may be TOML with a
		// value of a type the rule model does not expect.
		l.broken(path, readHeader(data), err)
		return
	}
	if f.Metadata.Maturity == "deprecated" {
		// Deprecated wins, whether the query compiles or not: the
		// rule would not run.
		res := FileResult{Path: path, Status: StatusDeprecated, Deprecation: deprecatedMaturity}
		res.named(f.header())
		l.Deprecated++
		l.Files = append(l.Files, res)
		return
	}
	r, err := compile(path, data, &f, &ld.paths)
	if err != nil {
		l.broken(path, f.header(), err)
		return
	}
	res := FileResult{Path: path, ID: r.ID, Name: r.Name, Type: r.Type, Language: r.Language}
	res.Status, res.Rule = StatusOK, r
	l.Rules = append(l.Rules, r)
	l.Files = append(l.Files, res)
}

// broken records the file at path, with header h, that gave the error err
// instead of a rule.
func (l *Loaded) broken(path string, h header, err error) {
	res := FileResult{Path: path, Err: err}
	res.named(h)
	var e *Error
	switch {
	case h.Metadata.Maturity == "deprecated":
		// Deprecated wins: the rule would not run even if it
		// compiled.
		res.Status, res.Err, res.Deprecation = StatusDeprecated, nil, deprecatedMaturity
		l.Deprecated++
	case errors.As(err, &e) && e.Unsupported:
		res.Status = StatusUnsupported
		l.Unsupported = append(l.Unsupported, e)
	default:
		res.Status = StatusError
		l.Errors = append(l.Errors, err)
	}
	l.Files = append(l.Files, res)
}

func (f *FileResult) named(h header) {
	f.ID, f.Name, f.Type, f.Language = h.Rule.RuleID, h.Rule.Name, h.Rule.Type, h.Rule.Language
}

func underDeprecated(path string) bool {
	for _, part := range strings.Split(filepath.ToSlash(path), "/") {
		if part == "_deprecated" {
			return true
		}
	}
	return false
}

func pathReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
