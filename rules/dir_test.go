package rules

import (
	"os"
	"path/filepath"
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
