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
}

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
				l.Errors = append(l.Errors, &Error{File: path, Msg: pathReason(err)})
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
			l.Errors = append(l.Errors, &Error{File: root, Msg: pathReason(err)})
		}
		sort.Strings(files)
		for _, f := range files {
			l.file(f)
		}
	}
	return l
}

func (l *Loaded) file(path string) {
	if underDeprecated(path) {
		l.Deprecated++
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		l.Errors = append(l.Errors, &Error{File: path, Msg: pathReason(err)})
		return
	}
	r, err := Parse(path, data)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Unsupported {
			l.Unsupported = append(l.Unsupported, e)
			return
		}
		l.Errors = append(l.Errors, err)
		return
	}
	if r.Maturity == "deprecated" {
		l.Deprecated++
		return
	}
	l.Rules = append(l.Rules, r)
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
