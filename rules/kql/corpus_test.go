package kql

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"dredge/rules/ast"
)

var rulesDir = flag.String("rules", "", "folder of detection rules (TOML) whose KQL queries TestCorpus parses")

// TestCorpus parses every KQL query of a rule folder given with -rules,
// such as Elastic's detection-rules collection:
//
//	go test ./rules/kql/ -run TestCorpus -rules ../detection-rules/rules
func TestCorpus(t *testing.T) {
	if *rulesDir == "" {
		t.Skip("no -rules folder given")
	}
	n := 0
	err := filepath.WalkDir(*rulesDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".toml") {
			return err
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
			t.Logf("%s: skipped: %v", path, err)
			return nil
		}
		r := doc.Rule
		for _, q := range []struct{ lang, src string }{{r.Language, r.Query}, {r.ThreatLanguage, r.ThreatQuery}} {
			if q.lang != "kuery" || strings.TrimSpace(q.src) == "" {
				continue
			}
			n++
			x, err := Parse(q.src)
			if err != nil {
				e := err.(*ast.Error)
				line, col := ast.LineCol(q.src, e.Pos)
				t.Errorf("%s: query %d:%d: %s\n%s", path, line, col, e.Msg, ast.Caret(q.src, e.Pos))
				continue
			}
			checkRoundTrip(t, q.src, x)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d KQL queries", n)
}
