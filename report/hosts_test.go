package report

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestHostsGolden(t *testing.T) {
	for name, write := range map[string]func(Options, io.Writer, *Result) error{
		"report.hosts.csv": Options.writeHostsCSV, "report.hosts.ndjson": Options.writeHostsNDJSON,
	} {
		var buf bytes.Buffer
		if err := write(Options{}, &buf, testResult()); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, name, buf.Bytes())
	}
}

// TestHostsZone checks that the hosts sidecars show times in the display
// zone.
func TestHostsZone(t *testing.T) {
	o := Options{TZ: time.FixedZone("", -5*3600)}
	var c, nd bytes.Buffer
	if err := o.writeHostsCSV(&c, testResult()); err != nil {
		t.Fatal(err)
	}
	if err := o.writeHostsNDJSON(&nd, testResult()); err != nil {
		t.Fatal(err)
	}
	if want := "\r\nweb-01,2024-05-01T05:00:00.123-05:00,2024-05-01T05:05:12.000-05:00,1000,0,3,0,0\r\n"; !strings.Contains(c.String(), want) {
		t.Errorf("CSV:\n%s\nwant a row %q", c.String(), want)
	}
	if want := `{"name":"web-01","first_event":"2024-05-01T05:00:00.123-05:00","last_event":"2024-05-01T05:05:12.000-05:00","events":1000,` +
		`"hits":{"critical":0,"high":3,"medium":0,"low":0}}` + "\n"; !strings.HasSuffix(nd.String(), want) {
		t.Errorf("NDJSON:\n%s\nwant a last line %s", nd.String(), want)
	}
}

func TestHostsPath(t *testing.T) {
	tests := []struct{ path, want string }{
		{"hits.csv", "hits.hosts.csv"},
		{"case/42/HITS.CSV", "case/42/HITS.hosts.CSV"},
		{"x.timesketch.csv", "x.timesketch.hosts.csv"},
		{"hits.ndjson", "hits.hosts.ndjson"},
		{"alerts.ecs.jsonl", "alerts.ecs.hosts.jsonl"},
		{"report", "report.hosts"},
		{"out.d/report", "out.d/report.hosts"},
	}
	for _, tt := range tests {
		if got := hostsPath(tt.path); got != tt.want {
			t.Errorf("hostsPath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestCreateSidecars checks which formats get a hosts sidecar from Create,
// and that it holds what its writer writes.
func TestCreateSidecars(t *testing.T) {
	tests := []struct {
		format, name, sidecar string
		write                 func(Options, io.Writer, *Result) error
	}{
		{FormatCSV, "r.csv", "r.hosts.csv", Options.writeHostsCSV},
		{FormatTimesketch, "r.timesketch.csv", "r.timesketch.hosts.csv", Options.writeHostsCSV},
		{FormatNDJSON, "r.ndjson", "r.hosts.ndjson", Options.writeHostsNDJSON},
		{FormatECS, "r.ecs.ndjson", "r.ecs.hosts.ndjson", Options.writeHostsNDJSON},
		{FormatJSON, "r.json", "", nil},
		{FormatHTML, "r.html", "", nil},
	}
	o := Options{TZ: time.FixedZone("", 3600), CSVRaw: true}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			dir := t.TempDir()
			if err := o.Create(filepath.Join(dir, tt.name), tt.format, testResult()); err != nil {
				t.Fatal(err)
			}
			want := []string{tt.name}
			if tt.sidecar != "" {
				want = append(want, tt.sidecar)
			}
			slices.Sort(want)
			if names := entries(t, dir); !slices.Equal(names, want) {
				t.Fatalf("folder holds %q, want %q", names, want)
			}
			if tt.sidecar == "" {
				return
			}
			got, err := os.ReadFile(filepath.Join(dir, tt.sidecar))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := tt.write(o, &buf, testResult()); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, buf.Bytes()) {
				t.Errorf("the sidecar differs from its writer's output:\n%s", got)
			}
		})
	}
}

// TestCreateSidecarFails checks that a sidecar that cannot be written fails
// Create as the report itself would: the error names the sidecar, no file
// is left, and an earlier report is unchanged.
func TestCreateSidecarFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hits.csv")
	old := []byte("the previous report\n")
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	side := filepath.Join(dir, "hits.hosts.csv")
	if err := os.Mkdir(side, 0o755); err != nil {
		t.Fatal(err)
	}
	err := Create(path, FormatCSV, testResult())
	if want := "report: " + side + ": is a folder"; err == nil || err.Error() != want {
		t.Fatalf("got error %v, want %s", err, want)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Errorf("the earlier report was changed to %.40q", got)
	}
	if names := entries(t, dir); !slices.Equal(names, []string{"hits.csv", "hits.hosts.csv"}) {
		t.Errorf("folder holds %q", names)
	}
}

// TestCreateSidecarDiskFull fills the disk while the report is written:
// neither the report nor its sidecar is left.
func TestCreateSidecarDiskFull(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "hits.ndjson")
	wrap := func(w io.Writer) io.Writer { return &fullDisk{f: w.(*os.File), room: 100} }
	if err := (Options{}).create(path, FormatNDJSON, testResult(), wrap); err == nil {
		t.Fatal("no error")
	}
	if names := entries(t, dir); len(names) != 0 {
		t.Errorf("folder holds %q, want it empty", names)
	}
}
