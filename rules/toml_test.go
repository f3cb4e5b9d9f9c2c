package rules

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	fasttoml "github.com/pelletier/go-toml/v2"
)

// TestDecodeTOML checks that go-toml and BurntSushi/toml decode every rule
// file alike (the built-in rules, the test rules, and the detection-rules
// collection when it is there), and that decodeTOML's errors are
// BurntSushi's.
func TestDecodeTOML(t *testing.T) {
	var files []string
	for _, root := range []string{"builtin", "../testdata/rules", "/work/shared/detection-rules"} {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".toml") {
				files = append(files, path)
			}
			return nil
		})
	}
	if len(files) == 0 {
		t.Fatal("no rule files")
	}
	compared := 0
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var slow, fast file
		_, serr := toml.Decode(string(data), &slow)
		ferr := fasttoml.Unmarshal(data, &fast)
		if serr != nil || ferr != nil {
			if ferr == nil {
				t.Errorf("%s: go-toml decodes a file BurntSushi/toml refuses: %v", path, serr)
			}
			continue
		}
		compared++
		if !reflect.DeepEqual(slow, fast) {
			t.Errorf("%s: the decoders differ:\nBurntSushi %+v\n   go-toml %+v", path, slow, fast)
		}
		var hs, hf header
		toml.Decode(string(data), &hs)
		fasttoml.Unmarshal(data, &hf)
		if hs != hf {
			t.Errorf("%s: the headers differ: %+v, %+v", path, hs, hf)
		}
	}
	t.Logf("%d files decoded alike", compared)

	var f file
	err := decodeTOML([]byte("[rule\nname = 1\n"), &f)
	if _, ok := err.(toml.ParseError); !ok {
		t.Errorf("decodeTOML's error is %T %v, not BurntSushi's", err, err)
	}
}

// ruleFiles lists the rule files the TOML tests decode: the built-in
// rules, the test rules, and the detection-rules collection when it is
// there.
func ruleFiles(t testing.TB) []string {
	var files []string
	for _, root := range []string{"builtin", "../testdata/rules", "/work/shared/detection-rules"} {
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".toml") {
				files = append(files, path)
			}
			return nil
		})
	}
	if len(files) == 0 {
		t.Fatal("no rule files")
	}
	return files
}

// sameAsGoTOML checks that when the fast decoder takes data, go-toml
// takes it too and decodes it alike. It reports whether the fast decoder
// took it.
func sameAsGoTOML(t *testing.T, d *tomlDecoder, name string, data []byte) bool {
	t.Helper()
	var fast, slow file
	ok := d.fast(data, &fast)
	err := fasttoml.Unmarshal(data, &slow)
	if !ok {
		return false
	}
	if err != nil {
		t.Errorf("%s: the fast decoder takes a file go-toml refuses: %v", name, err)
	} else if !reflect.DeepEqual(fast, slow) {
		t.Errorf("%s: the decoders differ:\n   fast %+v\ngo-toml %+v", name, fast, slow)
	}
	return true
}

// TestDecodeFast checks that the fast decoder decodes every rule file as
// go-toml does, and takes the built-in rules.
func TestDecodeFast(t *testing.T) {
	var d tomlDecoder
	took := 0
	files := ruleFiles(t)
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if sameAsGoTOML(t, &d, path, data) {
			took++
		} else if strings.HasPrefix(path, "builtin/") {
			t.Errorf("%s: the fast decoder leaves a built-in rule to go-toml", path)
		}
	}
	t.Logf("the fast decoder took %d of %d files", took, len(files))
}

// TestDecodeFastShapes checks documents of the shapes the fast decoder
// leaves to decodeTOML, or takes: whenever it takes one, go-toml decodes
// it alike, and it refuses what TOML or go-toml refuse.
func TestDecodeFastShapes(t *testing.T) {
	tests := []struct {
		name, doc string
		fast      bool
	}{
		{"rule", "[metadata]\nmaturity = \"production\"\n[rule]\nname = \"n\"\nrisk_score = 21\ntags = [\"a\", \"b\",]\nauthor = []\n", true},
		{"threat", "[rule]\n[[rule.threat]]\nframework = \"f\"\n[rule.threat.tactic]\nid = \"TA1\"\n[[rule.threat.technique]]\nid = \"T1\"\n" +
			"[[rule.threat.technique.subtechnique]]\nid = \"T1.1\"\n[[rule.threat.technique]]\nid = \"T2\"\n[[rule.threat]]\n[rule.threat.tactic]\nname = \"x\"\n", true},
		{"implicit super-table", "[rule.new_terms]\nfield = \"f\"\nvalue = [\"a\"]\n[[rule.new_terms.history_window_start]]\nfield = \"h\"\nvalue = \"now-1d\"\n", true},
		{"pointer table without keys", "[rule.threshold]\n", true},
		{"threshold field string", "[rule.threshold]\nfield = \"host.name\"\nvalue = 3\n[[rule.threshold.cardinality]]\nfield = \"u\"\nvalue = -2\n", true},
		{"threshold field list", "[rule.threshold]\nfield = [\"a\", \"b\"]\nvalue = +3\n", true},
		{"threshold field empty", "[rule.threshold]\nfield = []\n", true},
		{"unknown tables and keys", "x = 1\n[rule]\nmeta = {a = 1, b = [{c = 2}, {c = 3}]}\n[rule.filters.query.wildcard.\"file.path\"]\nq = 1\n[[transform.osquery]]\nlabel = \"x\"\n[[transform.osquery]]\nlabel = \"y\"\n", true},
		{"strings", "[rule]\nname = 'lit'\nnote = \"\"\"\nline \\\n  joined \\u00e9\"\"\"\nquery = '''\nraw \\ text'''\n", true},

		{"duplicate key", "[rule]\nname = \"a\"\nname = \"b\"\n", false},
		{"duplicate unknown key", "[rule]\nx = 1\nx = 2\n", false},
		{"duplicate table", "[rule]\n[rule]\n", false},
		{"duplicate unknown table", "[a]\n[a]\n", false},
		{"duplicate in inline table", "[rule]\nx = {a = 1, a = 2}\n", false},
		{"duplicate in inline table in array", "x = [[{a = 1, a = 2}]]\n", false},
		{"table over a value", "[rule]\nx = {a = 1}\n[rule.x.b]\n", false},
		{"array of tables over a table", "[rule]\n[[rule]]\n", false},
		{"table over an array of tables", "[[a]]\n[a]\n", false},
		{"super-table after", "[rule.threshold]\n[rule]\nname = \"n\"\n", false},
		{"dotted key", "[rule]\nthreat.framework = \"f\"\n", false},
		{"dotted key elsewhere", "[a]\nb.c = 1\n", false},
		{"wrong type", "[rule]\nname = 1\n", false},
		{"wrong array type", "[rule]\ntags = [1]\n", false},
		{"mixed array", "[rule]\ntags = [\"a\", 1]\n", false},
		{"float for int", "[rule]\nrisk_score = 21.0\n", false},
		{"hex int", "[rule]\nrisk_score = 0x15\n", false},
		{"underscore int", "[rule]\nrisk_score = 1_000\n", false},
		{"int too large", "[rule]\nrisk_score = 99999999999999999999\n", false},
		{"table as value", "[rule]\nthreat = []\n", false},
		{"struct as value", "rule = {name = \"n\"}\n", false},
		{"scalar as table", "[rule.name]\n", false},
		{"table for array of tables", "[rule.threat]\n", false},
		{"array of tables for table", "[[rule.new_terms]]\n", false},
		{"tactic without threat", "[rule.threat.tactic]\n", false},
		{"key in other case", "[rule]\nName = \"n\"\n", false},
		{"table in other case", "[Rule]\nname = \"n\"\n", false},
		{"syntax error", "[rule\nname = \"n\"\n", false},
	}
	var d tomlDecoder
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sameAsGoTOML(t, &d, tt.name, []byte(tt.doc)); got != tt.fast {
				t.Errorf("fast decoder took it: %v, want %v", got, tt.fast)
			}
			// Whichever decodes it, decode gives what decodeTOML gives.
			var got, want file
			gerr, werr := d.decode([]byte(tt.doc), &got), decodeTOML([]byte(tt.doc), &want)
			if !reflect.DeepEqual(got, want) || fmt.Sprint(gerr) != fmt.Sprint(werr) {
				t.Errorf("decode = %+v, %v\ndecodeTOML = %+v, %v", got, gerr, want, werr)
			}
		})
	}
}

// FuzzDecodeFast checks that whatever the fast decoder takes, go-toml
// decodes alike.
func FuzzDecodeFast(f *testing.F) {
	f.Add([]byte("[metadata]\nmaturity = \"production\"\n[rule]\nname = \"n\"\nrisk_score = 21\ntags = [\"a\"]\n[rule.threshold]\nfield = [\"a\"]\nvalue = 1\n"))
	f.Add([]byte("[rule]\n[[rule.threat]]\nframework = \"f\"\n[rule.threat.tactic]\nid = \"TA1\"\n[[rule.threat.technique]]\n[[rule.threat.technique.subtechnique]]\nid = \"T1.1\"\n"))
	f.Add([]byte("x = {a = [{b = 1}]}\n[a.b]\n[[c]]\n[c.d]\nk = 'v'\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d tomlDecoder
		sameAsGoTOML(t, &d, "fuzz", data)
	})
}
