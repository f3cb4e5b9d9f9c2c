package scan

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dredge/decode"
	"dredge/report"
	"dredge/rules"
)

// samplesDir is the repository's sample dumps.
const samplesDir = "../samples"

// builtin loads the built-in rules.
func builtin(t testing.TB) []*rules.Rule {
	t.Helper()
	rs, err := rules.Builtin()
	if err != nil {
		t.Fatalf("rules.Builtin: %v", err)
	}
	return rs
}

// expand turns paths into inputs, failing the test on any problem.
func expand(t testing.TB, paths ...string) []decode.Input {
	t.Helper()
	ins, probs, _ := decode.Expand(paths) // passes over a README beside the data
	if len(probs) > 0 {
		t.Fatalf("decode.Expand(%q): problems %v", paths, probs)
	}
	return ins
}

// inputs makes inputs of paths without looking at them (missing files stay).
func inputs(paths ...string) []decode.Input {
	var ins []decode.Input
	for _, p := range paths {
		ins = append(ins, decode.Input{Path: p, Size: -1})
	}
	return ins
}

// run scans and returns the result and the error.
func run(t testing.TB, ins []decode.Input, cfg Config) (*report.Result, error) {
	t.Helper()
	res, err := Run(context.Background(), ins, cfg)
	if res == nil {
		t.Fatalf("Run returned a nil result (err %v)", err)
	}
	return res, err
}

// hitKey is a hit as expected-hits.tsv lists it.
type hitKey struct {
	File string
	Line int
	Rule string
}

func (k hitKey) String() string { return fmt.Sprintf("%s\t%d\t%s", k.File, k.Line, k.Rule) }

// hitKeys gives the hits' keys in report order, files relative to base.
func hitKeys(t testing.TB, base string, hits []report.Hit) []hitKey {
	t.Helper()
	var out []hitKey
	for _, h := range hits {
		f, err := filepath.Rel(base, h.Origin.File)
		if err != nil {
			t.Fatalf("origin %q is not under %q: %v", h.Origin.File, base, err)
		}
		out = append(out, hitKey{filepath.ToSlash(f), h.Origin.Line, h.Rule.ID})
	}
	return out
}

// readExpected reads a FILE<TAB>LINE<TAB>RULE_ID file.
func readExpected(t testing.TB, path string) []hitKey {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []hitKey
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		fs := strings.Split(sc.Text(), "\t")
		if len(fs) != 3 {
			t.Fatalf("%s:%d: want 3 tab-separated fields, got %q", path, n, sc.Text())
		}
		line, err := strconv.Atoi(fs[1])
		if err != nil {
			t.Fatalf("%s:%d: line: %v", path, n, err)
		}
		out = append(out, hitKey{fs[0], line, fs[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// diffKeys reports the keys missing from got and the ones not wanted, as
// sets; it returns whether they are the same sets.
func diffKeys(t testing.TB, got, want []hitKey) bool {
	t.Helper()
	g := map[hitKey]int{}
	for _, k := range got {
		g[k]++
	}
	w := map[hitKey]int{}
	for _, k := range want {
		w[k]++
	}
	same := true
	for _, k := range want {
		if g[k] == 0 {
			t.Errorf("missing hit: %v", k)
			same = false
		}
	}
	for _, k := range got {
		if w[k] == 0 {
			t.Errorf("unexpected hit: %v", k)
			same = false
		}
	}
	for k, n := range g {
		if n > 1 {
			t.Errorf("hit reported %d times: %v", n, k)
			same = false
		}
	}
	return same
}

// sampleLines reads the lines of a plain sample file (without newlines).
func sampleLines(t testing.TB, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(samplesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// writeFile writes data to name in dir and returns its path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// ndjson joins lines into NDJSON text, each line ended by a newline.
func ndjson(lines ...string) []byte {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ruleIDs returns the rule ids of hits in order.
func ruleIDs(hits []report.Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Rule.ID)
	}
	return out
}
