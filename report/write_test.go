package report

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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
		{path: "r.json.gz", err: `report: cannot tell the format of "r.json.gz" from its extension (want .csv, .json, .ndjson, .jsonl, .html or .htm)`},
		{path: "report", err: `report: cannot tell the format of "report" from its extension (want .csv, .json, .ndjson, .jsonl, .html or .htm)`},
		{path: "html", err: `report: cannot tell the format of "html" from its extension (want .csv, .json, .ndjson, .jsonl, .html or .htm)`},
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
	if want := `report: unknown format "xml" (want csv, json, ndjson or html)`; err == nil || err.Error() != want {
		t.Errorf("got error %v, want %s", err, want)
	}
}

func TestNoRule(t *testing.T) {
	res := &Result{Hits: []Hit{{Rule: ruleQuiet}, {}}}
	for _, format := range []string{"csv", "json", "ndjson", "html"} {
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
		{"missing folder", "no/such/folder/report.html", "html", testResult(), "no such file or directory"},
		{"writer fails", "report.csv", "csv", bad, ": hit 1 has no rule"},
		{"writer fails json", "report.json", "json", bad, ": hit 1 has no rule"},
		{"writer fails html", "report.html", "html", bad, ": hit 1 has no rule"},
		{"unknown format", "report.xml", "xml", testResult(), `unknown format "xml" (want csv, json, ndjson or html)`},
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
