package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func TestLoadDirs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const good = "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"Good\"\nrule_id = \"%s\"\ntype = \"eql\"\nlanguage = \"eql\"\nseverity = \"low\"\nrisk_score = 21\nquery = '''\nprocess where process.name == \"x\"\n'''\n"
	write("linux/b_good.toml", strings.Replace(good, "%s", "id-b", 1))
	write("a_good.toml", strings.Replace(good, "%s", "id-a", 1))
	write("linux/bad.toml", "[rule]\nname = \"Bad\"\nrule_id = \"id-bad\"\ntype = \"eql\"\nlanguage = \"eql\"\nquery = '''\nprocess where process.name = \"x\"\n'''\n")
	write("ml/ml.toml", "[rule]\nname = \"ML\"\nrule_id = \"id-ml\"\ntype = \"machine_learning\"\n")
	write("_deprecated/old.toml", strings.Replace(good, "%s", "id-old", 1))
	write("old2.toml", "[metadata]\nmaturity = \"deprecated\"\n"+strings.Replace(good, "%s", "id-old2", 1)[len("[metadata]\nmaturity = \"production\"\n"):])
	write("notes.md", "# not a rule")

	l := LoadDirs([]string{dir})
	var ids []string
	for _, r := range l.Rules {
		ids = append(ids, r.ID)
	}
	if got := strings.Join(ids, ","); got != "id-a,id-b" {
		t.Errorf("rules = %s, want id-a,id-b", got)
	}
	if len(l.Errors) != 1 || l.Errors[0].Error() != filepath.Join(dir, "linux/bad.toml")+`:7:28: "=" is not a comparison; use "==", or ":" to compare strings case-insensitively` {
		t.Errorf("errors = %v", l.Errors)
	}
	if len(l.Unsupported) != 1 || l.Unsupported[0].File != filepath.Join(dir, "ml/ml.toml") {
		t.Errorf("unsupported = %v", l.Unsupported)
	}
	if l.Deprecated != 2 {
		t.Errorf("deprecated = %d, want 2", l.Deprecated)
	}

	missing := LoadDirs([]string{filepath.Join(dir, "nope")})
	if len(missing.Errors) != 1 || len(missing.Rules) != 0 {
		t.Errorf("missing folder: %+v", missing)
	}
}

// TestLoadDirsClassify checks what LoadDirs makes of one rule file: its
// status, the rule's names as far as the file could be read, and the
// reason.
func TestLoadDirsClassify(t *testing.T) {
	const meta = "[metadata]\nmaturity = \"production\"\n\n"
	rule := func(typ, lang, query string, extra ...string) string {
		s := "[rule]\nname = \"R\"\nrule_id = \"id-1\"\ntype = \"" + typ + "\"\n"
		if lang != "" {
			s += "language = \"" + lang + "\"\n"
		}
		for _, e := range extra {
			s += e + "\n"
		}
		return s + "query = '''\n" + query + "\n'''\n"
	}
	const newTerms = "[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"host.id\", \"process.name\"]\n" +
		"[[rule.new_terms.history_window_start]]\nfield = \"history_window_start\"\nvalue = \"now-7d\"\n"
	tests := []struct {
		name, path, text string
		status           Status
		typ, lang        string // of the result; the id is id-1 unless the file has none
		reason           string // %s is the file's path
	}{
		{"eql", "r.toml", meta + rule("eql", "eql", `process where process.name == "x"`), StatusOK, "eql", "eql", ""},
		{"kql query", "r.toml", meta + rule("query", "kuery", `process.name:x`), StatusOK, "query", "kuery", ""},
		{"new terms", "r.toml", meta + rule("new_terms", "kuery", `process.name:x`) + newTerms, StatusOK, "new_terms", "kuery", ""},
		{"eql sequence", "r.toml", meta + rule("eql", "eql", "sequence by host.id [process where true] [network where true]"), StatusOK, "eql", "eql", ""},
		{"machine learning", "r.toml", meta + "[rule]\nname = \"R\"\nrule_id = \"id-1\"\ntype = \"machine_learning\"\nanomaly_threshold = 50\nmachine_learning_job_id = [\"x\"]\n",
			StatusUnsupported, "machine_learning", "", "rule type machine_learning needs Elastic's ML jobs; dredge runs offline"},
		{"esql", "r.toml", meta + rule("esql", "esql", "from logs-* | where x == 1"),
			StatusUnsupported, "esql", "esql", "rule type esql is an ES|QL query, which needs Elasticsearch; dredge runs EQL and KQL"},
		{"threat match", "r.toml", meta + rule("threat_match", "kuery", "file.hash.*:*"),
			StatusUnsupported, "threat_match", "kuery", "rule type threat_match matches events against threat intelligence indicators kept in Elasticsearch; dredge runs offline"},
		{"saved query", "r.toml", meta + rule("saved_query", "kuery", "x:y"),
			StatusUnsupported, "saved_query", "kuery", "rule type saved_query runs a query saved in Kibana, which the rule file need not hold; dredge runs the rule files' own queries"},
		{"unknown type", "r.toml", meta + rule("sigma", "kuery", "x:y"),
			StatusError, "sigma", "kuery", `%s:7:8: unknown rule type "sigma" (eql, query, new_terms, threshold; esql, machine_learning, threat_match and saved_query are recognised but not run)`},
		{"lucene", "r.toml", meta + rule("query", "lucene", "process.name:x"),
			StatusUnsupported, "query", "lucene", "query language lucene (Lucene query syntax) is not supported; dredge runs EQL and KQL"},
		{"eql syntax error", "r.toml", meta + rule("eql", "eql", `process where process.name = "x"`),
			StatusError, "eql", "eql", `%s:10:28: "=" is not a comparison; use "==", or ":" to compare strings case-insensitively`},
		{"kql syntax error", "r.toml", meta + rule("query", "kuery", `process.name:(x`),
			StatusError, "query", "kuery", "%s:10:14: unbalanced parenthesis"},
		{"no type", "r.toml", meta + "[rule]\nname = \"R\"\nrule_id = \"id-1\"\nquery = \"x\"\n",
			StatusError, "", "", "%s: rule has no type"},
		{"not toml", "r.toml", "[rule\nname = \"R\"\n", StatusError, "", "", "%s:2:6: toml: expected '.' or ']' to end table name, but got '\\n' instead"},
		{"deprecated by maturity", "r.toml", "[metadata]\nmaturity = \"deprecated\"\n\n" + rule("eql", "eql", `process where true`),
			StatusDeprecated, "eql", "eql", `maturity = "deprecated"`},
		{"deprecated beats an error", "r.toml", "[metadata]\nmaturity = \"deprecated\"\n\n" + rule("eql", "eql", `process where process.name = "x"`),
			StatusDeprecated, "eql", "eql", `maturity = "deprecated"`},
		{"deprecated beats unsupported", "r.toml", "[metadata]\nmaturity = \"deprecated\"\n\n" + rule("esql", "esql", `from x`),
			StatusDeprecated, "esql", "esql", `maturity = "deprecated"`},
		{"deprecated by folder, not compiled", "_deprecated/r.toml", meta + rule("eql", "eql", `process where process.name = "x"`),
			StatusDeprecated, "eql", "eql", "in a _deprecated folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, tt.path)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			l := LoadDirs([]string{dir})
			if len(l.Files) != 1 {
				t.Fatalf("Files = %+v, want one", l.Files)
			}
			f := l.Files[0]
			wantID, wantName := "id-1", "R"
			if tt.typ == "" {
				wantID, wantName = "", ""
				if strings.Contains(tt.text, "rule_id") {
					wantID, wantName = "id-1", "R"
				}
			}
			if f.Path != p || f.Status != tt.status || f.ID != wantID || f.Name != wantName || f.Type != tt.typ || f.Language != tt.lang {
				t.Errorf("got %s %s id %q name %q type %q language %q, want %s %s id %q name %q type %q language %q",
					f.Path, f.Status, f.ID, f.Name, f.Type, f.Language, p, tt.status, wantID, wantName, tt.typ, tt.lang)
			}
			if want := strings.ReplaceAll(tt.reason, "%s", p); f.Reason() != want {
				t.Errorf("Reason() = %q, want %q", f.Reason(), want)
			}
			if (f.Rule != nil) != (tt.status == StatusOK) {
				t.Errorf("Rule = %v with status %s", f.Rule, f.Status)
			}
			// The older fields agree.
			counts := map[Status]int{StatusOK: len(l.Rules), StatusError: len(l.Errors), StatusUnsupported: len(l.Unsupported), StatusDeprecated: l.Deprecated}
			for s, n := range counts {
				if want := map[bool]int{true: 1}[s == tt.status]; n != want {
					t.Errorf("%s count = %d, want %d", s, n, want)
				}
			}
		})
	}
}

// TestReadFile checks that readFile reads what os.ReadFile reads, with its
// errors, into a buffer it grows.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("0123456789abcdef", 10000)
	for name, text := range map[string]string{"empty.toml": "", "small.toml": "[rule]\n", "big.toml": big} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"empty.toml", "small.toml", "big.toml", "missing.toml", "."} {
		path := filepath.Join(dir, name)
		want, werr := os.ReadFile(path)
		for _, buf := range [][]byte{nil, make([]byte, 0, 16), make([]byte, 0, 1<<20)} {
			got, gerr := readFile(path, buf)
			if string(got) != string(want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Errorf("readFile(%s) with a buffer of %d = %d bytes, %v; os.ReadFile gives %d bytes, %v",
					name, cap(buf), len(got), gerr, len(want), werr)
			}
		}
	}
}

// TestRelaxGC checks that relaxGC only ever slows the collector's pace,
// and restores it.
func TestRelaxGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tt := range []struct{ before, during int }{{100, loadGCPercent}, {50, loadGCPercent}, {1000, 1000}, {-1, -1}} {
		debug.SetGCPercent(tt.before)
		restore := relaxGC()
		during := debug.SetGCPercent(0)
		debug.SetGCPercent(during)
		restore()
		after := debug.SetGCPercent(100)
		if during != tt.during || after != tt.before {
			t.Errorf("GOGC %d: %d while loading, %d after", tt.before, during, after)
		}
	}
}
