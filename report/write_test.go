package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestFormatFromPath(t *testing.T) {
	tests := []struct {
		path, want, err string
	}{
		{path: "out.csv", want: "csv"},
		{path: "case/42/OUT.CSV", want: "csv"},
		{path: "r.json", want: "json"},
		{path: "r.ndjson", want: "ndjson"},
		{path: "r.JSONL", want: "ndjson"},
		{path: "r.html", want: "html"},
		{path: "r.Htm", want: "html"},
		{path: "case.timesketch.csv", want: "timesketch"},
		{path: "case/HITS.TimeSketch.CSV", want: "timesketch"},
		{path: "timesketch.csv", want: "csv"},
		{path: "alerts.ecs.ndjson", want: "ecs"},
		{path: "alerts.ECS.jsonl", want: "ecs"},
		{path: "ecs.ndjson", want: "ndjson"},
		{path: "alerts.ecs.json", want: "json"},
		{path: "r.json.gz", err: `report: cannot tell the format of "r.json.gz" from its extension (want .csv, .json, .ndjson, .jsonl, .html, .htm, .timesketch.csv, .ecs.ndjson or .ecs.jsonl)`},
		{path: "report", err: `report: cannot tell the format of "report" from its extension (want .csv, .json, .ndjson, .jsonl, .html, .htm, .timesketch.csv, .ecs.ndjson or .ecs.jsonl)`},
		{path: "html", err: `report: cannot tell the format of "html" from its extension (want .csv, .json, .ndjson, .jsonl, .html, .htm, .timesketch.csv, .ecs.ndjson or .ecs.jsonl)`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := FormatFromPath(tt.path)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("got %q, %v; want error %q", got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	writers := map[string]func(io.Writer, *Result) error{
		"csv": WriteCSV, "json": WriteJSON, "ndjson": WriteNDJSON, "html": WriteHTML,
		"timesketch": Options{}.WriteTimesketch, "ecs": Options{}.WriteECS,
	}
	for format, write := range writers {
		var got, want bytes.Buffer
		if err := Write(&got, format, testResult()); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if err := write(&want, testResult()); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("Write(%q) differs from its writer", format)
		}
	}
	err := Write(io.Discard, "xml", testResult())
	if want := `report: unknown format "xml" (want csv, json, ndjson, html, timesketch or ecs)`; err == nil || err.Error() != want {
		t.Errorf("got error %v, want %s", err, want)
	}
}

func TestNoRule(t *testing.T) {
	res := &Result{Hits: []Hit{{Rule: ruleQuiet}, {}}}
	for _, format := range []string{"csv", "json", "ndjson", "html", "timesketch", "ecs"} {
		err := Write(io.Discard, format, res)
		if want := "report: hit 1 has no rule"; err == nil || err.Error() != want {
			t.Errorf("%s: got error %v, want %s", format, err, want)
		}
	}
}

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, de := range des {
		names = append(names, de.Name())
	}
	return names
}

func TestCreate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := Create(path, "json", testResult()); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := WriteJSON(&want, testResult()); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("the file differs from WriteJSON's output")
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "report.json" {
		t.Errorf("folder holds %q, want only report.json", names)
	}

	// Replace the file with a new report.
	res := testResult()
	res.Hits = res.Hits[:1]
	if err := Create(path, "json", res); err != nil {
		t.Fatal(err)
	}
	want.Reset()
	WriteJSON(&want, res)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("the file was not replaced by the new report")
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("folder holds %q, want only report.json", names)
	}
}

func TestCreateFails(t *testing.T) {
	old := []byte("the previous report\n")
	bad := &Result{Hits: []Hit{{Rule: ruleQuiet}, {}}} // a hit without a rule fails halfway
	tests := []struct {
		name   string
		path   string // relative to a new temporary folder
		format string
		res    *Result
		err    string // the error ends with this
	}{
		{"missing folder", "no/such/folder/report.html", "html", testResult(), "/no/such/folder does not exist"},
		{"writer fails", "report.csv", "csv", bad, ": hit 1 has no rule"},
		{"writer fails json", "report.json", "json", bad, ": hit 1 has no rule"},
		{"writer fails html", "report.html", "html", bad, ": hit 1 has no rule"},
		{"writer fails timesketch", "report.timesketch.csv", "timesketch", bad, ": hit 1 has no rule"},
		{"writer fails ecs", "report.ecs.ndjson", "ecs", bad, ": hit 1 has no rule"},
		{"unknown format", "report.xml", "xml", testResult(), `unknown format "xml" (want csv, json, ndjson, html, timesketch or ecs)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.path)
			existing := !strings.Contains(tt.path, "/")
			if existing {
				if err := os.WriteFile(path, old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := Create(path, tt.format, tt.res)
			if err == nil || !strings.HasSuffix(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "report: "+path+": ") ||
				strings.Count(err.Error(), "report: ") != 1 {
				t.Fatalf("got error %v, want \"report: %s: ...%s\"", err, path, tt.err)
			}
			if existing {
				if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
					t.Errorf("the existing file was changed to %q", got)
				}
				if names := entries(t, dir); len(names) != 1 {
					t.Errorf("folder holds %q, want only the existing file", names)
				}
			} else {
				if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("stat %s: %v, want it missing", path, err)
				}
				if names := entries(t, dir); len(names) != 0 {
					t.Errorf("folder holds %q, want it empty", names)
				}
			}
		})
	}
}

func TestCreateOntoFolder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.csv")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Create(path, "csv", testResult()); err == nil {
		t.Fatal("writing over a folder succeeded")
	}
	if names := entries(t, dir); len(names) != 1 || names[0] != "report.csv" {
		t.Errorf("folder holds %q, want only the folder report.csv", names)
	}
}

// fullDisk is a file on a disk that fills up after room bytes: a write
// beyond fails as os.File's does, with ENOSPC.
type fullDisk struct {
	f    *os.File
	room int
}

func (d *fullDisk) Write(p []byte) (int, error) {
	if len(p) > d.room {
		n, _ := d.f.Write(p[:d.room])
		d.room = 0
		return n, &fs.PathError{Op: "write", Path: d.f.Name(), Err: syscall.ENOSPC}
	}
	d.room -= len(p)
	return d.f.Write(p)
}

// TestCreateDiskFull fills the disk at several places of each format: the
// error names the report and what happened, not the temporary file; no file
// is left but an earlier report, unchanged.
func TestCreateDiskFull(t *testing.T) {
	old := []byte("the previous report\n")
	for _, format := range []string{FormatCSV, FormatJSON, FormatNDJSON, FormatHTML, FormatTimesketch, FormatECS} {
		for _, room := range []int{0, 100, 70 << 10} {
			for _, existing := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%d/existing=%v", format, room, existing), func(t *testing.T) {
					dir := t.TempDir()
					path := filepath.Join(dir, "report."+format)
					if existing {
						if err := os.WriteFile(path, old, 0o600); err != nil {
							t.Fatal(err)
						}
					}
					res := testResult()
					for range 6 { // more than 70 KiB in every format
						res.Hits = append(res.Hits, res.Hits...)
					}
					wrap := func(w io.Writer) io.Writer { return &fullDisk{f: w.(*os.File), room: room} }
					err := Options{}.create(path, format, res, wrap)
					if want := "report: " + path + ": no space left on device"; err == nil || err.Error() != want {
						t.Fatalf("got error %v, want %s", err, want)
					}
					if !errors.Is(err, syscall.ENOSPC) {
						t.Errorf("errors.Is(%v, ENOSPC) is false", err)
					}
					want := []string(nil)
					if existing {
						want = []string{"report." + format}
						if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
							t.Errorf("the earlier report was changed to %.40q...", got)
						}
					}
					if names := entries(t, dir); !slices.Equal(names, want) {
						t.Errorf("folder holds %q, want %q", names, want)
					}
				})
			}
		}
	}
}

// TestCreateReadOnlyFolder writes into a folder the user may not write to.
func TestCreateReadOnlyFolder(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into any folder")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	old := []byte("the previous report\n")
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o700) })
	want := "report: " + path + ": cannot create a file in the folder " + dir + ": permission denied"
	for name, f := range map[string]func() error{
		"Create":    func() error { return Create(path, FormatJSON, testResult()) },
		"CheckPath": func() error { return CheckPath(path) },
	} {
		if err := f(); err == nil || err.Error() != want || !errors.Is(err, fs.ErrPermission) {
			t.Errorf("%s: got error %v, want %s", name, err, want)
		}
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("the earlier report was changed to %q", got)
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"report.json"}) {
		t.Errorf("folder holds %q, want only report.json", names)
	}
}

func TestCheckPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "folder.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "old.json"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, err string // path relative to dir; err after "report: PATH: "
	}{
		{"new file", "new.json", ""},
		{"existing file", "old.json", ""},
		{"missing folder", "no/such/r.json", "the folder DIR/no/such does not exist"},
		{"folder", "folder.json", "is a folder"},
		{"file as folder", "file/r.json", "DIR/file is not a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.path)
			err := CheckPath(path)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("got error %v", err)
				}
			} else if want := "report: " + path + ": " + strings.ReplaceAll(tt.err, "DIR", dir); err == nil || err.Error() != want {
				t.Fatalf("got error %v, want %s", err, want)
			}
		})
	}
	// Nothing was made or removed.
	if names := entries(t, dir); !slices.Equal(names, []string{"file", "folder.json", "old.json"}) {
		t.Errorf("folder holds %q", names)
	}
}

// TestPendingAbort stops Create halfway, as a second Ctrl-C does: the
// temporary file goes, the earlier report stays, and no Create after makes
// a file.
func TestPendingAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.html")
	old := []byte("the previous report\n")
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	p := new(Pending)
	o := Options{Pending: p}
	var removed []string
	wrap := func(w io.Writer) io.Writer {
		return writerFunc(func(b []byte) (int, error) {
			if removed == nil {
				removed = p.Abort() // the signal arrives while the report is written
			}
			return w.Write(b)
		})
	}
	err := o.create(path, FormatHTML, testResult(), wrap)
	if !errors.Is(err, ErrAborted) || err.Error() != "report: "+path+": aborted: no report is written any more" {
		t.Errorf("got error %v, want ErrAborted", err)
	}
	if len(removed) != 1 || !strings.HasPrefix(filepath.Base(removed[0]), ".report.html.") {
		t.Errorf("Abort removed %q, want the temporary file", removed)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("the earlier report was changed")
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"report.html"}) {
		t.Errorf("folder holds %q, want only report.html", names)
	}
	// After Abort, Create fails at once.
	other := filepath.Join(dir, "other.json")
	if err := o.Create(other, FormatJSON, testResult()); !errors.Is(err, ErrAborted) {
		t.Errorf("Create after Abort: got error %v, want ErrAborted", err)
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"report.html"}) {
		t.Errorf("folder holds %q, want only report.html", names)
	}

	// A report renamed before Abort stays.
	p = new(Pending)
	o = Options{Pending: p}
	if err := o.Create(other, FormatJSON, testResult()); err != nil {
		t.Fatal(err)
	}
	if removed := p.Abort(); len(removed) != 0 {
		t.Errorf("Abort removed %q after the report was whole", removed)
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"other.json", "report.html"}) {
		t.Errorf("folder holds %q", names)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }
