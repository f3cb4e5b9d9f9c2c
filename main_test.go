package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the dredge command inside the scripts:
// "exec dredge ..." runs main, that is os.Exit(run(...)), in a child process,
// so scripts see the real exit code, stdout and stderr.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"dredge": main})
}

// TestScript runs the end-to-end scripts in testdata/script. Each script
// starts in $WORK with a copy of the repository's samples/ folder and of
// testdata/expected-hits.tsv (at $WORK/expected-hits.tsv, outside samples/ so
// that scanning samples/ does not see it), and of testdata/rules/ at
// $WORK/rules.
//
// Besides testscript's own commands, the scripts have:
//
//	exitcode N PROG [ARGS...]   run PROG; fail unless its exit code is N
//	gzip SRC... DST             compress, one gzip member per SRC
//	zstd SRC... DST             compress, one zstd frame per SRC
//	truncate FILE N[%]          keep the first N bytes (or N per cent) of FILE
//	jsonhits FILE N             FILE is a JSON report with N hits
//	fields [-sort] FILE PATH... print the values at PATHs of each NDJSON line
//	gen [-gzip|-zstd] FILE PART...
//	                            write FILE from PARTs, compressed or not (see cmdGen)
//	signal [-TERM] [-twice] CODE FILE PROG [ARGS...]
//	                            run PROG with a standard input that stays open
//	                            (FILE over and over, 4 MiB in all, then nothing), send
//	                            it SIGINT (SIGTERM with -TERM) a second later, again
//	                            200ms after with -twice, and fail unless it exits with
//	                            code CODE
//	lsdir DIR                   print the names in DIR, hidden ones too, one a line
//	isjson FILE...              each FILE holds exactly one JSON value
//
// When Elastic's detection-rules collection is at ../shared/detection-rules,
// $COLLECTION is its absolute path and the condition [collection] holds;
// scripts that need it skip themselves otherwise.
func TestScript(t *testing.T) {
	samples, err := filepath.Abs("samples")
	if err != nil {
		t.Fatal(err)
	}
	ruleDir, err := filepath.Abs(filepath.Join("testdata", "rules"))
	if err != nil {
		t.Fatal(err)
	}
	expected, err := os.ReadFile(filepath.Join("testdata", "expected-hits.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	collection, err := filepath.Abs(filepath.Join("..", "shared", "detection-rules"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(collection); err != nil || !fi.IsDir() {
		collection = ""
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Condition: func(cond string) (bool, error) {
			if cond == "collection" {
				return collection != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			if collection != "" {
				env.Setenv("COLLECTION", collection)
			}
			if err := os.CopyFS(filepath.Join(env.WorkDir, "samples"), os.DirFS(samples)); err != nil {
				return err
			}
			if err := os.CopyFS(filepath.Join(env.WorkDir, "rules"), os.DirFS(ruleDir)); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(env.WorkDir, "expected-hits.tsv"), expected, 0o644)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitcode,
			"gzip":     compressCmd("gzip"),
			"zstd":     compressCmd("zstd"),
			"truncate": cmdTruncate,
			"jsonhits": cmdJSONHits,
			"fields":   cmdFields,
			"gen":      cmdGen,
			"signal":   cmdSignal,
			"lsdir":    cmdLsdir,
			"isjson":   cmdIsJSON,
		},
	})
}

// cmdExitcode runs a program like exec and checks its exit code exactly;
// stdout and stderr are kept for the commands that follow.
func cmdExitcode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with code %d, want %d", args[1], got, want)
	}
}

// compressCmd makes the gzip or zstd command: each SRC becomes one gzip member
// or zstd frame of DST, so several SRCs make a concatenated stream.
func compressCmd(name string) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) < 2 {
			ts.Fatalf("usage: %s SRC... DST", name)
		}
		var out bytes.Buffer
		for _, src := range args[:len(args)-1] {
			data, err := os.ReadFile(ts.MkAbs(src))
			ts.Check(err)
			switch name {
			case "gzip":
				zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
				ts.Check(err)
				_, err = zw.Write(data)
				ts.Check(err)
				ts.Check(zw.Close())
			case "zstd":
				zw, err := zstd.NewWriter(&out, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
				ts.Check(err)
				_, err = zw.Write(data)
				ts.Check(err)
				ts.Check(zw.Close())
			}
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[len(args)-1]), out.Bytes(), 0o644))
	}
}

// cmdTruncate keeps the first N bytes of a file, or N per cent of it.
func cmdTruncate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: truncate FILE N[%%]")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	n, err := strconv.Atoi(strings.TrimSuffix(args[1], "%"))
	if err != nil || n < 0 {
		ts.Fatalf("truncate: bad size %q", args[1])
	}
	if strings.HasSuffix(args[1], "%") {
		n = len(data) * n / 100
	}
	if n > len(data) {
		ts.Fatalf("truncate: %s has only %d bytes", args[0], len(data))
	}
	ts.Check(os.WriteFile(path, data[:n], 0o644))
}

// cmdJSONHits checks that a file is one JSON report whose hits list and
// summary.hits both count N.
func cmdJSONHits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: jsonhits FILE N")
	}
	want, err := strconv.Atoi(args[1])
	if err != nil {
		ts.Fatalf("jsonhits: bad count %q", args[1])
	}
	var rep struct {
		Summary struct {
			Hits *int `json:"hits"`
		} `json:"summary"`
		Hits *[]json.RawMessage `json:"hits"`
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	if err := dec.Decode(&rep); err != nil {
		ts.Fatalf("jsonhits: %s: %v", args[0], err)
	}
	if dec.More() {
		ts.Fatalf("jsonhits: %s holds more than one JSON value", args[0])
	}
	if rep.Hits == nil || rep.Summary.Hits == nil {
		ts.Fatalf("jsonhits: %s has no hits list or no summary.hits", args[0])
	}
	if len(*rep.Hits) != want || *rep.Summary.Hits != want {
		ts.Fatalf("jsonhits: %s has %d hits and summary.hits %d, want %d", args[0], len(*rep.Hits), *rep.Summary.Hits, want)
	}
}

// cmdFields prints, for each line of an NDJSON file (or of stdout), the values
// at the given field paths, separated by tabs. A path such as process.name is
// found in nested objects, in flat dotted keys or in a mix of the two. Strings
// are printed as they are, a missing field or null as "-", anything else as
// compact JSON. With -sort the lines are sorted field by field, numbers by
// value. A line that is not a JSON object fails the command.
func cmdFields(ts *testscript.TestScript, neg bool, args []string) {
	sorted := len(args) > 0 && args[0] == "-sort"
	if sorted {
		args = args[1:]
	}
	if neg || len(args) < 2 {
		ts.Fatalf("usage: fields [-sort] FILE PATH...")
	}
	var rows [][]string
	var lines []string
	if text := strings.TrimSuffix(ts.ReadFile(args[0]), "\n"); text != "" {
		lines = strings.Split(text, "\n")
	}
	for i, line := range lines {
		var obj map[string]any
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
			ts.Fatalf("fields: %s:%d: not a JSON object: %v", args[0], i+1, err)
		}
		var row []string
		for _, p := range args[1:] {
			row = append(row, fieldText(lookup(obj, strings.Split(p, "."))))
		}
		rows = append(rows, row)
	}
	if sorted {
		slices.SortStableFunc(rows, compareRows)
	}
	for _, row := range rows {
		fmt.Fprintln(ts.Stdout(), strings.Join(row, "\t"))
	}
}

// lookup finds the value at path, trying every split of the path into nested
// keys and flat dotted keys.
func lookup(v any, path []string) any {
	if len(path) == 0 {
		return v
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	for i := 1; i <= len(path); i++ {
		if sub, ok := obj[strings.Join(path[:i], ".")]; ok {
			if x := lookup(sub, path[i:]); x != nil {
				return x
			}
		}
	}
	return nil
}

func fieldText(v any) string {
	switch v := v.(type) {
	case nil:
		return "-"
	case string:
		return v
	case json.Number:
		return v.String()
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func compareRows(a, b []string) int {
	for i := range a {
		x, errx := strconv.ParseFloat(a[i], 64)
		y, erry := strconv.ParseFloat(b[i], 64)
		var c int
		if errx == nil && erry == nil {
			c = compareFloat(x, y)
		} else {
			c = strings.Compare(a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

func compareFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// cmdSignal runs a program whose standard input never ends, as a pipe
// from a tool that keeps it open, interrupts it with a signal (twice with
// -twice) and checks its exit code; its stdout and stderr are kept for the
// commands that follow.
func cmdSignal(ts *testscript.TestScript, neg bool, args []string) {
	const usage = "usage: signal [-TERM] [-twice] CODE FILE PROG [ARGS...]"
	if neg {
		ts.Fatalf("unsupported: ! signal")
	}
	sig, twice := os.Signal(os.Interrupt), false
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-twice":
			twice = true
		case "-TERM":
			sig = syscall.SIGTERM
		default:
			ts.Fatalf(usage)
		}
		args = args[1:]
	}
	if len(args) < 3 {
		ts.Fatalf(usage)
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("signal: bad code %q", args[0])
	}
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	if len(data) == 0 {
		ts.Fatalf("signal: %s is empty", args[1])
	}
	// testscript.Main put the commands in this process's $PATH.
	prog, err := exec.LookPath(args[2])
	ts.Check(err)
	cmd := exec.Command(prog, args[3:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Env = append(os.Environ(), "TMPDIR="+ts.Getenv("TMPDIR"), "HOME="+ts.Getenv("HOME"), "WORK="+ts.Getenv("WORK"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	stdin, err := cmd.StdinPipe()
	ts.Check(err)
	defer stdin.Close()
	ts.Check(cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for n := 0; n < 4<<20; n += len(data) {
		if _, err := stdin.Write(data); err != nil {
			ts.Fatalf("signal: %s stopped reading its input: %v\n%s", args[2], err, stderr.Bytes())
		}
	}
	time.Sleep(time.Second) // time to scan what it read
	ts.Check(cmd.Process.Signal(sig))
	if twice {
		time.Sleep(200 * time.Millisecond) // two signals at once may arrive as one
		ts.Check(cmd.Process.Signal(sig))
	}
	select {
	case err = <-exited:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		<-exited
		ts.Fatalf("signal: %s did not stop within a minute of the signal\n%s", args[2], stderr.Bytes())
	}
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("signal: %v", err)
		}
		got = ee.ExitCode()
	}
	ts.Stdout().Write(stdout.Bytes())
	ts.Stderr().Write(stderr.Bytes())
	if got != want {
		ts.Fatalf("%s exited with code %d, want %d\n%s", args[2], got, want, stderr.Bytes())
	}
}

// cmdLsdir prints the names in a folder, hidden ones included, in order.
func cmdLsdir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lsdir DIR")
	}
	des, err := os.ReadDir(ts.MkAbs(args[0]))
	ts.Check(err)
	out := ts.Stdout() // an empty folder prints nothing, not the last stdout
	for _, de := range des {
		fmt.Fprintln(out, de.Name())
	}
}

// cmdIsJSON checks that each file holds exactly one JSON value.
func cmdIsJSON(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: isjson FILE...")
	}
	for _, name := range args {
		if !json.Valid([]byte(ts.ReadFile(name))) {
			ts.Fatalf("isjson: %s is not one JSON value", name)
		}
	}
}

// cmdGen writes a file made of parts, such as a decompression bomb or the
// first bytes of a binary, that a txtar file cannot hold: each PART is text
// with Go escapes (\n, \x00; a '"' stands for itself), repeated N times when
// it ends with *N, or @NAME for the content of the file NAME. With -gzip or
// -zstd the file is compressed, as one gzip member or zstd frame. Folders
// are made as needed. The parts are streamed, so that gigabytes take little
// memory.
func cmdGen(ts *testscript.TestScript, neg bool, args []string) {
	comp := ""
	if len(args) > 0 && (args[0] == "-gzip" || args[0] == "-zstd") {
		comp, args = args[0][1:], args[1:]
	}
	if neg || len(args) < 1 {
		ts.Fatalf("usage: gen [-gzip|-zstd] FILE PART...")
	}
	path := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	ts.Check(err)
	var w io.WriteCloser = f
	switch comp {
	case "gzip":
		w = gzip.NewWriter(f)
	case "zstd":
		w, err = zstd.NewWriter(f)
	}
	ts.Check(err)
	for _, part := range args[1:] {
		ts.Check(genPart(ts, w, part))
	}
	if comp != "" {
		ts.Check(w.Close())
	}
	ts.Check(f.Close())
}

// genPart writes one PART of cmdGen.
func genPart(ts *testscript.TestScript, w io.Writer, part string) error {
	if name, ok := strings.CutPrefix(part, "@"); ok {
		_, err := io.WriteString(w, ts.ReadFile(name))
		return err
	}
	n := 1
	if i := strings.LastIndexByte(part, '*'); i >= 0 {
		if k, err := strconv.Atoi(part[i+1:]); err == nil && k >= 0 {
			part, n = part[:i], k
		}
	}
	text, err := strconv.Unquote(`"` + strings.ReplaceAll(part, `"`, `\"`) + `"`)
	if err != nil {
		return fmt.Errorf("gen: bad part %q: %v", part, err)
	}
	if text == "" || n == 0 {
		return nil
	}
	block := []byte(strings.Repeat(text, max(1, min(n, (64<<10)/len(text)))))
	for k := len(block) / len(text); n > 0; n -= k {
		k = min(k, n)
		if _, err := w.Write(block[:k*len(text)]); err != nil {
			return err
		}
	}
	return nil
}
