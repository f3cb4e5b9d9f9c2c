package decode

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
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
// read becomes a Problem (the others are still returned).
//
// In a walk, hidden files and folders (name starting with ".", such as macOS
// "._" resource forks) are passed over, as are sockets, devices and FIFOs;
// symbolic links to files are followed, links to folders are not (no cycles).
// Paths given explicitly are taken whatever their name or type.
func Expand(paths []string) ([]Input, []Problem) {
	var ins []Input
	var probs []Problem
	for _, p := range paths {
		if p == "-" {
			ins = append(ins, Input{Path: "-", Size: -1})
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			probs = append(probs, openProblem(p, err))
			continue
		}
		if !fi.IsDir() {
			ins = append(ins, inputOf(p, fi))
			continue
		}
		ins, probs = walk(p, ins, probs)
	}
	return ins, probs
}

func inputOf(path string, fi fs.FileInfo) Input {
	size := fi.Size()
	if !fi.Mode().IsRegular() {
		size = -1
	}
	return Input{Path: path, Size: size}
}

// walk appends the files under root, in lexical order.
func walk(root string, ins []Input, probs []Problem) ([]Input, []Problem) {
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			probs = append(probs, openProblem(path, err))
			return nil
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch t := d.Type(); {
		case t.IsDir():
		case t.IsRegular():
			fi, err := d.Info()
			if err != nil {
				probs = append(probs, openProblem(path, err))
				return nil
			}
			ins = append(ins, inputOf(path, fi))
		case t&fs.ModeSymlink != 0:
			fi, err := os.Stat(path)
			if err != nil {
				probs = append(probs, openProblem(path, err))
				return nil
			}
			if fi.Mode().IsRegular() {
				ins = append(ins, inputOf(path, fi))
			}
		}
		return nil
	})
	return ins, probs
}
