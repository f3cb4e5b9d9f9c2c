package rules

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"dredge/rules/match"
)

// thresholdHead is the [rule] table of a test threshold rule, up to its
// threshold settings (line 9 is the first line after it).
const thresholdHead = `[rule]
name = "Many Service Stops"
rule_id = "00000000-0000-4000-8000-0000000007e5"
type = "threshold"
language = "kuery"
severity = "medium"
risk_score = 47
query = 'event.category:process and process.name:(net.exe or sc.exe)'
`

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		name     string
		settings string
		want     *Threshold
		err      string // the whole error, when Parse fails
	}{
		{
			name:     "fields and value",
			settings: "\n[rule.threshold]\nfield = [\"host.id\", \"user.name\"]\nvalue = 10\n",
			want:     &Threshold{Fields: []string{"host.id", "user.name"}, Value: 10},
		},
		{
			name:     "no field",
			settings: "\n[rule.threshold]\nfield = []\nvalue = 30\n\n[[rule.threshold.cardinality]]\nfield = \"user.name\"\nvalue = 25\n",
			want:     &Threshold{Value: 30, Cardinality: []Cardinality{{"user.name", 25}}},
		},
		{
			name:     "one field as a string, as rules before Kibana 7.12 have it",
			settings: "\n[rule.threshold]\nfield = \"host.id\"\nvalue = 2\n",
			want:     &Threshold{Fields: []string{"host.id"}, Value: 2},
		},
		{
			name:     "an empty string is no field",
			settings: "\n[rule.threshold]\nfield = \"\"\nvalue = 2\n",
			want:     &Threshold{Value: 2},
		},
		{
			name:     "cardinality condition",
			settings: "\n[rule.threshold]\nfield = [\"source.ip\"]\nvalue = 1\n\n[[rule.threshold.cardinality]]\nfield = \"destination.port\"\nvalue = 250\n",
			want:     &Threshold{Fields: []string{"source.ip"}, Value: 1, Cardinality: []Cardinality{{"destination.port", 250}}},
		},
		{
			name:     "no settings",
			settings: "",
			err:      "test.toml: threshold rule has no [rule.threshold] settings",
		},
		{
			name:     "value 0",
			settings: "\n[rule.threshold]\nfield = [\"host.id\"]\nvalue = 0\n",
			err:      "test.toml:10: threshold: value must be at least 1, not 0",
		},
		{
			name:     "value missing",
			settings: "\n[rule.threshold]\nfield = [\"host.id\"]\n",
			err:      "test.toml:10: threshold: value must be at least 1, not 0",
		},
		{
			name:     "six fields",
			settings: "\n[rule.threshold]\nfield = [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]\nvalue = 1\n",
			err:      "test.toml:10: threshold: 6 fields; a threshold groups by 5 fields at most",
		},
		{
			name:     "a field twice",
			settings: "\n[rule.threshold]\nfield = [\"host.id\", \"host.id\"]\nvalue = 1\n",
			err:      `test.toml:10: threshold: field "host.id" is listed twice`,
		},
		{
			name:     "an empty field name",
			settings: "\n[rule.threshold]\nfield = [\"host.id\", \"\"]\nvalue = 1\n",
			err:      "test.toml:10: threshold: field lists an empty field name",
		},
		{
			name:     "a number for a field",
			settings: "\n[rule.threshold]\nfield = 7\nvalue = 1\n",
			err:      "test.toml:10: threshold: field must be a list of field names, not 7",
		},
		{
			name:     "cardinality of a group field",
			settings: "\n[rule.threshold]\nfield = [\"user.name\"]\nvalue = 1\n\n[[rule.threshold.cardinality]]\nfield = \"user.name\"\nvalue = 2\n",
			err:      "test.toml:10: threshold: cardinality of user.name, a field the events are grouped by, is always 1",
		},
		{
			name:     "cardinality without a field",
			settings: "\n[rule.threshold]\nfield = [\"host.id\"]\nvalue = 1\n\n[[rule.threshold.cardinality]]\nvalue = 2\n",
			err:      "test.toml:10: threshold: a cardinality condition has no field",
		},
		{
			name:     "negative cardinality",
			settings: "\n[rule.threshold]\nfield = [\"host.id\"]\nvalue = 1\n\n[[rule.threshold.cardinality]]\nfield = \"user.name\"\nvalue = -1\n",
			err:      "test.toml:10: threshold: cardinality value of user.name must be at least 0, not -1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Parse("test.toml", []byte(thresholdHead+tt.settings))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Threshold, tt.want) {
				t.Errorf("threshold = %+v, want %+v", r.Threshold, tt.want)
			}
			if r.Program == nil || r.Compiled.Kind != match.Events {
				t.Errorf("the query is not compiled as an event query: %+v", r.Compiled)
			}
		})
	}
}

func TestParseThresholdEQL(t *testing.T) {
	text := strings.Replace(thresholdHead, `language = "kuery"`, `language = "eql"`, 1)
	text = strings.Replace(text, "query = 'event.category:process and process.name:(net.exe or sc.exe)'", `query = 'process where process.name == "net.exe"'`, 1)
	_, err := Parse("test.toml", []byte(text+"\n[rule.threshold]\nfield = []\nvalue = 3\n"))
	if want := `test.toml:8: a threshold rule's query is KQL (language "kuery"), not EQL`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

// detectionRules is Elastic's detection-rules collection in the shared
// folder beside the repository, when it is there.
var detectionRules = []string{"/work/shared/detection-rules/rules", "../../shared/detection-rules/rules"}

// TestThresholdCollection parses and compiles every threshold rule of the
// detection-rules collection (deprecated ones left out).
func TestThresholdCollection(t *testing.T) {
	root := ""
	for _, d := range detectionRules {
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			root = d
			break
		}
	}
	if root == "" {
		t.Skipf("no detection-rules collection at %s; skipping", strings.Join(detectionRules, " or "))
	}
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
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
		if !strings.Contains(string(data), `type = "threshold"`) {
			return nil
		}
		r, err := Parse(path, data)
		if err != nil {
			var e *Error
			if errors.As(err, &e) && e.Unsupported {
				t.Errorf("%s: threshold rule is unsupported: %v", path, err)
			} else {
				t.Errorf("%v", err)
			}
			return nil
		}
		if r.Type != "threshold" || r.Threshold == nil || r.Program == nil {
			t.Errorf("%s: type %q, threshold %+v, compiled %v", path, r.Type, r.Threshold, r.Program != nil)
			return nil
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no threshold rule under %s", root)
	}
	t.Logf("%d threshold rules parse and compile", n)
}
