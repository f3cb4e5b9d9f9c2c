package rules

import (
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
