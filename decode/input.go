package decode

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Input is one thing to read: a file, or standard input when Path is "-".
type Input struct {
	Path string // as given or found by walking
	Size int64  // -1 when unknown (stdin, FIFO)
	// Stdin is read instead of os.Stdin when Path is "-" and it is set, so
	// that the whole command line can be run in tests.
	Stdin io.Reader
}

// Expand turns command-line paths into inputs: files as given, folders walked
// recursively with files in lexical order, "-" for stdin. A path that cannot be
// read becomes a Problem (the others are still returned), and so does a folder
// in which the walk finds no file to read (kind "empty").
//
// In a walk, hidden files and folders (name starting with ".", such as macOS
// "._" resource forks) are passed over, as are sockets, devices and FIFOs;
// documentation beside the logs (README, LICENSE, Markdown, PDF, HTML: see
// Documentation) is not read but returned in passedOver, for the record: it
// is no fault of the input;
// symbolic links to files are followed, links to folders are not (no cycles).
// Paths given explicitly are taken whatever their name, and a link to a
// folder is walked; a FIFO is read like standard input, but a device or a
// socket is refused: reading /dev/zero would never end.
//
// The walk reads one folder at a time and closes it before going down into
// its subfolders, so it holds at most one file descriptor whatever the size
// of the tree.
func Expand(paths []string) (inputs []Input, problems []Problem, passedOver []string) {
	var w walker
	for _, p := range paths {
		if p == "-" {
			w.ins = append(w.ins, Input{Path: "-", Size: -1})
			continue
		}
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			w.probs = append(w.probs, openProblem(p, err))
		case fi.IsDir():
			w.dir(p)
		case notFile(fi.Mode()) != "":
			w.probs = append(w.probs, Problem{File: p, Kind: KindOpen, Reason: notFile(fi.Mode())})
		default:
			w.ins = append(w.ins, inputOf(p, fi))
		}
	}
	return w.ins, w.probs, w.passed
}

// notFile says why a path of this mode is not read ("a device, not a file"),
// or "" when it can be: a regular file, a FIFO, or a folder to walk.
func notFile(m fs.FileMode) string {
	switch {
	case m&fs.ModeDevice != 0:
		return "a device, not a file"
	case m&fs.ModeSocket != 0:
		return "a socket, not a file"
	}
	return ""
}

func inputOf(path string, fi fs.FileInfo) Input {
	size := fi.Size()
	if !fi.Mode().IsRegular() {
		size = -1
	}
	return Input{Path: path, Size: size}
}

// walker collects the inputs, problems and documentation passed over of a
// walk.
type walker struct {
	ins    []Input
	probs  []Problem
	passed []string
}

// dir appends the files under the folder path, in lexical order. A folder
// in which nothing was found, neither a file, documentation nor a problem,
// is reported as
// empty; its parent then counts it as found, so that only the innermost of
// nested empty folders is reported.
func (w *walker) dir(path string) {
	found := func() int { return len(w.ins) + len(w.probs) + len(w.passed) }
	n := found()
	// os.ReadDir closes the folder before returning; on an error it gives
	// the entries read before it.
	ents, err := os.ReadDir(path)
	if err != nil {
		w.probs = append(w.probs, openProblem(path, err))
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		w.entry(filepath.Join(path, e.Name()), e)
	}
	if found() == n {
		w.probs = append(w.probs, Problem{File: path, Kind: KindEmpty, Reason: "no files in this folder"})
	}
}

// entry appends what one entry of a folder holds.
func (w *walker) entry(path string, e fs.DirEntry) {
	switch t := e.Type(); {
	case t.IsDir():
		w.dir(path)
	case Documentation(e.Name()):
		w.passed = append(w.passed, path)
	case t.IsRegular():
		fi, err := e.Info()
		if err != nil {
			w.probs = append(w.probs, openProblem(path, err))
			return
		}
		w.ins = append(w.ins, inputOf(path, fi))
	case t&fs.ModeSymlink != 0:
		// A link loop fails here with "too many levels of symbolic links".
		fi, err := os.Stat(path)
		if err != nil {
			w.probs = append(w.probs, openProblem(path, err))
			return
		}
		if fi.Mode().IsRegular() {
			w.ins = append(w.ins, inputOf(path, fi))
		}
	}
}

// docNames and docExts are the names (before any extension, upper case) and
// extensions of documentation files, which people put beside logs.
var (
	docNames = []string{"README", "LICENSE", "LICENCE", "COPYING", "NOTICE", "CHANGELOG", "AUTHORS"}
	docExts  = []string{".md", ".markdown", ".rst", ".adoc", ".pdf", ".html", ".htm", ".doc", ".docx", ".odt"}
)

// Documentation reports whether a file of this name, found in a folder with
// logs, is documentation rather than a log: README, LICENSE and the like,
// Markdown, PDF, HTML and office documents. A walk passes over such files;
// given by name, a file is read whatever its name.
func Documentation(name string) bool {
	// The name up to its first dot: README.md, LICENSE.txt, COPYING.LESSER,
	// but not readme_logs.ndjson.
	stem, _, _ := strings.Cut(name, ".")
	if slices.Contains(docNames, strings.ToUpper(stem)) {
		return true
	}
	ext := strings.ToLower(filepath.Ext(name))
	return slices.Contains(docExts, ext)
}
