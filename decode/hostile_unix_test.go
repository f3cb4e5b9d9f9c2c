//go:build unix

package decode

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestSymlinkLoops: link loops and links to parent folders never hang a
// walk; a loop is reported, a link to a folder in a walk is not followed,
// and one given explicitly is walked.
func TestSymlinkLoops(t *testing.T) {
	dir := t.TempDir()
	j := func(p string) string { return filepath.Join(dir, p) }
	must(t, os.MkdirAll(j("case/host1"), 0o755))
	must(t, os.WriteFile(j("case/host1/a.ndjson"), []byte("{}\n"), 0o644))
	must(t, os.Symlink(j("case/loop-b"), j("case/loop-a")))
	must(t, os.Symlink(j("case/loop-a"), j("case/loop-b")))
	must(t, os.Symlink("..", j("case/host1/up")))
	must(t, os.Symlink(j("case"), j("case/host1/case")))
	must(t, os.Symlink(j("case"), j("link-to-case")))

	loop := "too many levels of symbolic links"
	for _, tt := range []struct {
		name  string
		paths []string
		ins   []Input
		probs []Problem
	}{
		{"walk", []string{j("case")}, []Input{{Path: j("case/host1/a.ndjson"), Size: 3}}, []Problem{
			{j("case/loop-a"), 0, KindOpen, loop},
			{j("case/loop-b"), 0, KindOpen, loop},
		}},
		{"link given", []string{j("link-to-case")}, []Input{{Path: j("link-to-case/host1/a.ndjson"), Size: 3}}, []Problem{
			{j("link-to-case/loop-a"), 0, KindOpen, loop},
			{j("link-to-case/loop-b"), 0, KindOpen, loop},
		}},
		{"link to a parent given", []string{j("case/host1/up")}, []Input{{Path: j("case/host1/up/host1/a.ndjson"), Size: 3}}, []Problem{
			{j("case/host1/up/loop-a"), 0, KindOpen, loop},
			{j("case/host1/up/loop-b"), 0, KindOpen, loop},
		}},
		{"loop given", []string{j("case/loop-a")}, nil, []Problem{{j("case/loop-a"), 0, KindOpen, loop}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var ins []Input
			var probs []Problem
			go func() {
				ins, probs, _ = Expand(tt.paths)
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Expand hangs")
			}
			if !reflect.DeepEqual(ins, tt.ins) {
				t.Errorf("inputs:\n got %v\nwant %v", ins, tt.ins)
			}
			if !reflect.DeepEqual(probs, tt.probs) {
				t.Errorf("problems:\n got %v\nwant %v", probs, tt.probs)
			}
		})
	}
	if _, err := Open(Input{Path: j("case/loop-a")}, Options{}); err == nil || err.Error() != j("case/loop-a")+": "+loop {
		t.Errorf("Open(loop) error %v", err)
	}
}

// TestSpecialFiles: given explicitly, a FIFO is read like standard input,
// and a device or a socket is refused at once; in a walk they are passed
// over.
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer l.Close()

	ins, probs, _ := Expand([]string{fifo, "/dev/zero", "/dev/urandom", sock, dir})
	wantIns := []Input{{Path: fifo, Size: -1}}
	wantProbs := []Problem{
		{"/dev/zero", 0, KindOpen, "a device, not a file"},
		{"/dev/urandom", 0, KindOpen, "a device, not a file"},
		{sock, 0, KindOpen, "a socket, not a file"},
		{dir, 0, KindEmpty, "no files in this folder"}, // the FIFO and the socket are passed over
	}
	if !reflect.DeepEqual(ins, wantIns) || !reflect.DeepEqual(probs, wantProbs) {
		t.Errorf("Expand:\n got %v %v\nwant %v %v", ins, probs, wantIns, wantProbs)
	}
	for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
		if _, err := Open(Input{Path: dev}, Options{}); err == nil || err.Error() != dev+": a device, not a file" {
			t.Errorf("Open(%s) error %v", dev, err)
		}
	}

	// A responder pipes a log into the FIFO.
	go func() {
		w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		defer w.Close()
		io.WriteString(w, "{\"a\":1}\n{\"b\":2}\n")
	}()
	var got []Problem
	r, err := Open(Input{Path: fifo, Size: -1}, Options{Problem: func(p Problem) { got = append(got, p) }})
	must(t, err)
	var text strings.Builder
	for {
		c, err := r.Next()
		if err != nil {
			break
		}
		text.Write(c.Data)
		c.Release()
	}
	must(t, r.Close())
	if text.String() != "{\"a\":1}\n{\"b\":2}\n" || got != nil {
		t.Errorf("FIFO: read %q, problems %v", text.String(), got)
	}
}

// TestUnreadable: files and folders that cannot be read are reported, and
// the walk goes on.
func TestUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their mode")
	}
	dir := t.TempDir()
	j := func(p string) string { return filepath.Join(dir, p) }
	must(t, os.MkdirAll(j("closed"), 0o755))
	must(t, os.WriteFile(j("closed/x.ndjson"), []byte("{}\n"), 0o644))
	must(t, os.WriteFile(j("locked.ndjson"), []byte("{}\n"), 0o644))
	must(t, os.WriteFile(j("open.ndjson"), []byte("{}\n"), 0o644))
	must(t, os.Chmod(j("closed"), 0))
	must(t, os.Chmod(j("locked.ndjson"), 0))
	defer os.Chmod(j("closed"), 0o755)

	ins, probs, _ := Expand([]string{dir, j("closed")})
	wantIns := []Input{{Path: j("locked.ndjson"), Size: 3}, {Path: j("open.ndjson"), Size: 3}}
	wantProbs := []Problem{
		{j("closed"), 0, KindOpen, "permission denied"},
		{j("closed"), 0, KindOpen, "permission denied"},
	}
	if !reflect.DeepEqual(ins, wantIns) || !reflect.DeepEqual(probs, wantProbs) {
		t.Errorf("Expand:\n got %v %v\nwant %v %v", ins, probs, wantIns, wantProbs)
	}
	if _, err := Open(ins[0], Options{}); err == nil || err.Error() != j("locked.ndjson")+": permission denied" {
		t.Errorf("Open(locked) error %v", err)
	}
}

// TestEmptyFolders: a folder with no file to read is reported, only the
// innermost of nested empty ones; the others are walked as usual.
func TestEmptyFolders(t *testing.T) {
	dir := t.TempDir()
	j := func(p string) string { return filepath.Join(dir, p) }
	for _, d := range []string{"case/host1", "case/host2/logs/old", "case/host3", "bare"} {
		must(t, os.MkdirAll(j(d), 0o755))
	}
	must(t, os.WriteFile(j("case/host1/a.ndjson"), []byte("{}\n"), 0o644))
	must(t, os.WriteFile(j("case/host3/.DS_Store"), []byte("x"), 0o644))
	must(t, os.WriteFile(j("case/host3/empty.ndjson"), nil, 0o644))
	ins, probs, _ := Expand([]string{j("case"), j("bare")})
	wantIns := []Input{{Path: j("case/host1/a.ndjson"), Size: 3}, {Path: j("case/host3/empty.ndjson"), Size: 0}}
	wantProbs := []Problem{
		{j("case/host2/logs/old"), 0, KindEmpty, "no files in this folder"},
		{j("bare"), 0, KindEmpty, "no files in this folder"},
	}
	if !reflect.DeepEqual(ins, wantIns) || !reflect.DeepEqual(probs, wantProbs) {
		t.Errorf("Expand:\n got %v %v\nwant %v %v", ins, probs, wantIns, wantProbs)
	}
	// The empty file is reported when it is read.
	var got []Problem
	r, err := Open(ins[1], Options{Problem: func(p Problem) { got = append(got, p) }})
	must(t, err)
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next: %v", err)
	}
	r.Close()
	if want := []Problem{{j("case/host3/empty.ndjson"), 0, KindEmpty, "empty file"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("problems %v, want %v", got, want)
	}
}

// TestChangedWhileRead: a file that grows or shrinks while it is read is
// reported with the sizes; reading it ends cleanly with what could be read.
func TestChangedWhileRead(t *testing.T) {
	events := numbered(1, 4000) // ~300 KB
	size := int64(len(events))
	for _, tt := range []struct {
		name   string
		change func(path string)
		read   int64 // bytes read, -1: unchanged
		last   int   // last event read whole
	}{
		{"truncated behind the reader", func(p string) { must(t, os.Truncate(p, 1000)) }, 64 << 10, -1},
		{"truncated ahead of the reader", func(p string) { must(t, os.Truncate(p, 200<<10)) }, 200 << 10, -1},
		{"emptied", func(p string) { must(t, os.Truncate(p, 0)) }, 64 << 10, -1},
		{"appended to", func(p string) {
			f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			must(t, err)
			f.Write(numbered(4001, 100))
			must(t, f.Close())
		}, size + int64(len(numbered(4001, 100))), 4100},
		{"unchanged", func(string) {}, -1, 4000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "live.ndjson")
			must(t, os.WriteFile(path, events, 0o644))
			var probs []Problem
			r, err := Open(Input{Path: path, Size: size}, Options{ChunkSize: 4096, Problem: func(p Problem) { probs = append(probs, p) }})
			must(t, err)
			defer r.Close()
			c, err := r.Next() // reads 64 KiB of the file
			must(t, err)
			c.Release()
			tt.change(path)
			done := make(chan int)
			go func() {
				lines := 0
				for {
					c, err := r.Next()
					if err != nil {
						break
					}
					lines = c.FirstLine + strings.Count(string(c.Data), "\n") - 1
					c.Release()
				}
				done <- lines
			}()
			var last int
			select {
			case last = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("reading hangs")
			}
			var want []Problem
			if tt.read >= 0 {
				want = []Problem{{path, 0, KindRead, fmt.Sprintf("changed while it was read (%d bytes at the start, %d read)", size, tt.read)}}
			}
			if !reflect.DeepEqual(probs, want) {
				t.Errorf("problems:\n got %v\nwant %v", probs, want)
			}
			if tt.last > 0 && last != tt.last {
				t.Errorf("last line read %d, want %d", last, tt.last)
			}
		})
	}
}

// openFiles counts the process's open file descriptors, on Linux; -1
// elsewhere.
func openFiles() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents) - 1 // the one ReadDir had open
}

// TestManyFiles: a tree of 20,000 small files is expanded and read holding
// a bounded number of file descriptors: Expand closes each folder, and each
// reader its file.
func TestManyFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("makes 20,000 files; skipped in -short mode")
	}
	base := openFiles()
	if base < 0 {
		t.Skip("cannot count open files: no /proc/self/fd")
	}
	dir := t.TempDir()
	const folders, each = 100, 200
	// One at a time: on ext4, writers in parallel are slower.
	for d := range folders {
		sub := filepath.Join(dir, fmt.Sprintf("host%03d", d), "logs")
		must(t, os.MkdirAll(sub, 0o755))
		for f := range each {
			must(t, os.WriteFile(filepath.Join(sub, fmt.Sprintf("%04d.ndjson", f)), []byte("{\"n\":1}\n"), 0o644))
		}
	}

	// Count the open files while Expand walks.
	var wg sync.WaitGroup
	var peak atomic.Int64
	stop := make(chan struct{})
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if n := int64(openFiles()); n > peak.Load() {
				peak.Store(n)
			}
			time.Sleep(100 * time.Microsecond)
		}
	})
	ins, probs, _ := Expand([]string{dir})
	close(stop)
	wg.Wait()
	if len(ins) != folders*each || len(probs) > 0 {
		t.Fatalf("%d inputs, problems %v", len(ins), probs)
	}
	if n := openFiles(); n != base || peak.Load() > int64(base+4) {
		t.Errorf("open files: %d before, %d at most while expanding, %d after", base, peak.Load(), n)
	}

	pool := new(Pool)
	events := 0
	for i, in := range ins {
		r, err := Open(in, Options{Pool: pool})
		must(t, err)
		for {
			c, err := r.Next()
			if err != nil {
				break
			}
			events += strings.Count(string(c.Data), "\n")
			c.Release()
		}
		must(t, r.Close())
		if i%1000 == 0 {
			if n := openFiles(); n > base {
				t.Fatalf("%d files open after reading %d files, %d before", n, i+1, base)
			}
		}
	}
	if events != folders*each {
		t.Errorf("%d events, want %d", events, folders*each)
	}
}
