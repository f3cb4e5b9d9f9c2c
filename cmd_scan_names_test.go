package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileName is an input file name as an attacker may choose it: quotes,
// HTML, a CSV separator and a spreadsheet formula, a newline and a tab (to
// fake output lines), and a byte that is not UTF-8.
const hostileName = "=cmd|' -C calc'!A0 \"q\" <script>alert(1)<b>, x\ny\tz\xff.ndjson"

// hostileEvents is one event that the setcap rule matches, then a line that
// is not JSON, so that the name appears with a hit and with a problem.
const hostileEvents = `{"@timestamp":"2024-05-03T10:00:01.000Z","event":{"category":["process"],"type":["start"],"action":"exec"},"host":{"name":"h1","os":{"type":"linux"}},"user":{"id":"0","name":"root"},"process":{"name":"setcap","executable":"/usr/sbin/setcap","args":["setcap","cap_setuid+ep","/tmp/a"]}}
{"@timestamp": not json
`

// scanIn runs dredge scan ARGS in-process and returns its exit code, stdout
// and stderr.
func scanIn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), nil, append([]string{"dredge", "scan"}, args...), strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestHostileFileName scans a file with a hostile name and checks that the
// name is safe in every report and on the terminal.
func TestHostileFileName(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, hostileName), []byte(hostileEvents), 0o600); err != nil {
		t.Skipf("the file system refuses the name: %v", err)
	}
	t.Chdir(dir) // the origin is then the bare name, which starts with "="
	valid := strings.ToValidUTF8(hostileName, "\uFFFD")
	quoted := strconv.Quote(hostileName)

	t.Run("text", func(t *testing.T) {
		code, stdout, stderr := scanIn(t, hostileName)
		if code != exitIncomplete {
			t.Errorf("exit code %d, want %d (a line was skipped)", code, exitIncomplete)
		}
		lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
		if len(lines) != 1 || !strings.HasSuffix(lines[0], "  "+quoted+":1") {
			t.Errorf("stdout is not one hit line ending with the quoted name:\n%s", stdout)
		}
		if !strings.Contains(stderr, "\n  "+quoted+":2: ") {
			t.Errorf("stderr does not list the problem with the quoted name:\n%s", stderr)
		}
		for _, out := range []string{stdout, stderr} {
			if strings.Contains(out, "\ny\tz") || !utf8.ValidString(out) {
				t.Errorf("the name was printed as it is:\n%s", out)
			}
		}
	})

	t.Run("json", func(t *testing.T) {
		scanIn(t, "-q", "-o", "r.json", hostileName)
		data, err := os.ReadFile("r.json")
		if err != nil {
			t.Fatal(err)
		}
		var rep struct {
			Summary struct {
				Files    []struct{ Path string }
				Problems []struct{ File string }
			}
			Hits []struct {
				Origin struct{ File string }
			}
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatal(err)
		}
		s := rep.Summary
		if len(s.Files) != 1 || s.Files[0].Path != valid || len(s.Problems) != 1 || s.Problems[0].File != valid ||
			len(rep.Hits) != 1 || rep.Hits[0].Origin.File != valid {
			t.Errorf("the name is not in the report as it is (less its bad byte):\n%s", data)
		}
	})

	t.Run("ndjson", func(t *testing.T) {
		scanIn(t, "-q", "-o", "r.ndjson", hostileName)
		data, err := os.ReadFile("r.ndjson")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		var hit struct{ Origin struct{ File string } }
		if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &hit) != nil || hit.Origin.File != valid {
			t.Errorf("want one hit line with the name as origin:\n%s", data)
		}
	})

	t.Run("csv", func(t *testing.T) {
		scanIn(t, "-q", "-o", "r.csv", hostileName)
		f, err := os.Open("r.csv")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[1][12] != "'"+valid {
			t.Fatalf("want a header and a row whose origin_file is the name neutralised: %q", recs)
		}
		for _, cell := range recs[1] {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("cell %q may run as a formula", cell)
			}
		}
	})

	t.Run("html", func(t *testing.T) {
		scanIn(t, "-q", "-o", "r.html", hostileName)
		data, err := os.ReadFile("r.html")
		if err != nil {
			t.Fatal(err)
		}
		page := string(data)
		if strings.Contains(page, "<script>alert") || strings.Contains(page, "<b>, x") || strings.Contains(page, `"q"`) {
			t.Errorf("the name is in the page unescaped")
		}
		// The inputs table, the problem and the hit's origin.
		if n := strings.Count(html.UnescapeString(page), valid); n < 3 {
			t.Errorf("the escaped name is in the page %d times, want at least 3", n)
		}
		if !utf8.Valid(data) {
			t.Errorf("the page is not UTF-8")
		}
	})
}

// TestScanReadOnlyOutput writes a report into a folder the user may not
// write to: exit code 2 before any scan, an error naming the path, and the
// earlier report kept.
func TestScanReadOnlyOutput(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes into any folder")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.ndjson")
	if err := os.WriteFile(in, []byte(hostileEvents), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "ro", "hits.json")
	if err := os.Mkdir(filepath.Dir(out), 0o700); err != nil {
		t.Fatal(err)
	}
	old := []byte("the previous report\n")
	if err := os.WriteFile(out, old, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(out), 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Dir(out), 0o700) })
	code, stdout, stderr := scanIn(t, "-o", out, in)
	want := "dredge: writing the report: report: " + out + ": cannot create a file in the folder " + filepath.Dir(out) + ": permission denied\n"
	if code != exitIncomplete || stdout != "" || stderr != want {
		t.Errorf("got exit code %d, stdout %q, stderr %q; want %d, nothing, %q", code, stdout, stderr, exitIncomplete, want)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, old) {
		t.Errorf("the earlier report was changed to %q", got)
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "dump/host-a/process.ndjson.gz", "dump/host-a/process.ndjson.gz"},
		{"spaces and quotes inside", `case 42/it's "x".ndjson`, `case 42/it's "x".ndjson`},
		{"windows", `C:\cases\42\a.ndjson`, `C:\cases\42\a.ndjson`},
		{"unicode", "dump/håndtering/事件.ndjson", "dump/håndtering/事件.ndjson"},
		{"newline", "a\nb.ndjson", `"a\nb.ndjson"`},
		{"tab", "a\tb", `"a\tb"`},
		{"escape sequence", "a\x1b[2Jb", `"a\x1b[2Jb"`},
		{"not utf-8", "a\xffb", `"a\xffb"`},
		{"right-to-left override", "evil\u202eldnjson.exe", `"evil\u202eldnjson.exe"`},
		{"leading quote", `"a\nb.ndjson"`, `"\"a\\nb.ndjson\""`},
		{"empty", "", `""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := displayName(tt.in); got != tt.want {
				t.Errorf("displayName(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
