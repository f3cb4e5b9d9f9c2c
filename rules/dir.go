package rules

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
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

func readHeader(data []byte) header {
	var h header
	decodeTOML(data, &h) // a file that is not TOML leaves h empty
	return h
}

func (l *Loaded) fail(path string, err error) {
	l.Errors = append(l.Errors, err)
	l.Files = append(l.Files, FileResult{Path: path, Status: StatusError, Err: err})
}

func (l *Loaded) file(path string) {
	data, err := os.ReadFile(path)
	if underDeprecated(path) {
		// Not compiled: deprecated rules may use what dredge no longer
		// needs to know. Read only to name them.
		res := FileResult{Path: path, Status: StatusDeprecated, Deprecation: deprecatedFolder}
		if err == nil {
			res.named(readHeader(data))
		}
		l.Deprecated++
		l.Files = append(l.Files, res)
		return
	}
	if err != nil {
		l.fail(path, &Error{File: path, Msg: pathReason(err)})
		return
	}
	r, err := Parse(path, data)
	if err != nil {
		res := FileResult{Path: path, Err: err}
		h := readHeader(data)
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
		return
	}
	res := FileResult{Path: path, ID: r.ID, Name: r.Name, Type: r.Type, Language: r.Language}
	if r.Maturity == "deprecated" {
		res.Status, res.Deprecation = StatusDeprecated, deprecatedMaturity
		l.Deprecated++
	} else {
		res.Status, res.Rule = StatusOK, r
		l.Rules = append(l.Rules, r)
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
