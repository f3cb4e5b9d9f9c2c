package match

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"dredge/rules/ast"
	"dredge/rules/kql"

	"github.com/BurntSushi/toml"
)

// detectionRules is Elastic's detection-rules collection in the shared
// folder of the project, when it is there.
const detectionRules = "../../../shared/detection-rules"

// TestKQLCollection compiles every KQL query of Elastic's detection rules
// (rules/ and rules_building_block/, leaving out _deprecated): the query of
// each rule written in kuery, and the threat query of indicator-match
// rules. The TOML is decoded here, since package rules imports this one.
func TestKQLCollection(t *testing.T) {
	if _, err := os.Stat(detectionRules); err != nil {
		t.Skipf("no detection-rules collection at %s: %v", detectionRules, err)
	}
	queries, threats := 0, 0
	var compiled, withNow int
	count := func(needsNow bool, ok bool) {
		switch {
		case ok && needsNow:
			withNow++
		case ok:
			compiled++
		}
	}
	for _, dir := range []string{"rules", "rules_building_block"} {
		err := filepath.WalkDir(filepath.Join(detectionRules, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == "_deprecated" {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".toml") {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			var doc struct {
				Rule struct {
					Language       string `toml:"language"`
					Query          string `toml:"query"`
					ThreatLanguage string `toml:"threat_language"`
					ThreatQuery    string `toml:"threat_query"`
				} `toml:"rule"`
			}
			if _, err := toml.Decode(string(data), &doc); err != nil {
				t.Errorf("%s: %v", path, err)
				return nil
			}
			r := doc.Rule
			if r.Language == "kuery" {
				queries++
				count(compileKQLSource(t, path, r.Query))
			}
			if r.ThreatLanguage == "kuery" {
				threats++
				count(compileKQLSource(t, path+" (threat_query)", r.ThreatQuery))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if queries == 0 {
		t.Fatal("no KQL query found")
	}
	t.Logf("%d KQL queries and %d KQL threat queries: %d compile, %d more with a time for \"now\"",
		queries, threats, compiled, withNow)
}

// compileKQLSource parses and compiles one query, reporting an error with
// its place in the query. A query with date math is compiled again with a
// time for "now": needsNow says it needed one, ok that it compiled.
func compileKQLSource(t *testing.T, place, src string) (needsNow, ok bool) {
	t.Helper()
	e, err := kql.Parse(src)
	if err == nil {
		_, err = CompileKQL(e, Options{})
		if err != nil && strings.Contains(err.Error(), "date math") {
			needsNow = true
			_, err = CompileKQL(e, Options{Now: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)})
		}
	}
	if err != nil {
		msg := err.Error()
		if ae, ok := err.(*ast.Error); ok {
			line, col := ast.LineCol(src, ae.Pos)
			msg = fmt.Sprintf("%d:%d: %s\n%s", line, col, ae.Msg, ast.Caret(src, ae.Pos))
		}
		t.Errorf("%s: %s", place, msg)
		return needsNow, false
	}
	return needsNow, true
}
