package rules

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse feeds rule files to the loader: whatever the bytes, Parse
// returns a rule or an error, never panics, and an error's position is
// inside the file.
func FuzzParse(f *testing.F) {
	// Small seeds: the fuzzer minimises what it finds, and a built-in
	// rule's investigation guide would make that slow.
	f.Add([]byte("[metadata]\nmaturity = \"production\"\n[rule]\nrule_id = \"a\"\nname = \"n\"\nseverity = \"low\"\nrisk_score = 21\nindex = [\"logs-*\"]\n" +
		"type = \"new_terms\"\nlanguage = \"kuery\"\nquery = \"event.category:process\"\n[rule.new_terms]\nfield = \"new_terms_fields\"\nvalue = [\"host.id\"]\n" +
		"[[rule.new_terms.history_window_start]]\nfield = \"history_window_start\"\nvalue = \"now-7d\"\n[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n[rule.threat.tactic]\nid = \"TA0002\"\n"))
	f.Add([]byte("[rule]\nrule_id = \"b\"\ntype = \"eql\"\nlanguage = \"eql\"\nquery = '''\nsequence by host.id with maxspan=1m [process where true] ![file where true] until [any where x == 1]\n'''\n"))
	f.Add([]byte("[rule]\nrule_id = \"c\"\ntype = \"query\"\nlanguage = \"kuery\"\nquery = \"a:(b or c) and not d:* and e >= 5 and f:{ g:h }\"\n"))
	f.Add([]byte("[rule]\nrule_id = \"d\"\ntype = \"threshold\"\nlanguage = \"kuery\"\nquery = \"x:y\"\n[rule.threshold]\nfield = [\"host.name\"]\nvalue = 3\n[[rule.threshold.cardinality]]\nfield = \"user.name\"\nvalue = 2\n"))
	f.Add([]byte("[rule]\nrule_id = \"e\"\ntype = \"machine_learning\"\n"))
	f.Add([]byte("[metadata\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse("fuzz.toml", data)
		if err == nil {
			if r == nil {
				t.Fatal("no rule and no error")
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			return
		}
		if lines := bytes.Count(data, []byte("\n")) + 1; e.Line < 0 || e.Line > lines {
			t.Errorf("error at line %d of a file of %d lines: %v", e.Line, lines, err)
		}
	})
}
