package rules

import (
	"strings"
	"testing"
)

func TestBuiltin(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		name, typ, lang, severity string
		risk                      int
	}{
		"cac91072-d165-11ec-a764-f661ea17fbce": {"Abnormal Process ID or Lock File Created", "new_terms", "kuery", "medium", 47},
		"474fd20e-14cc-49c5-8160-d9ab4ba16c8b": {"System V Init Script Created", "eql", "eql", "low", 21},
		"f5c005d3-4e17-48b0-9cd7-444d48857f97": {"Setcap setuid/setgid Capability Set", "eql", "eql", "medium", 47},
		"3688577a-d196-11ec-90b0-f661ea17fbce": {"Process Started from Process ID (PID) File", "eql", "eql", "high", 73},
		"e94262f2-c1e9-4d3f-a907-aeab16712e1a": {"Unusual Executable File Creation by a System Critical Process", "eql", "eql", "high", 73},
	}
	if len(rs) != len(want) {
		t.Fatalf("got %d built-in rules, want %d", len(rs), len(want))
	}
	for _, r := range rs {
		w, ok := want[r.ID]
		if !ok {
			t.Errorf("unexpected rule %s %q", r.ID, r.Name)
			continue
		}
		if r.Name != w.name || r.Type != w.typ || r.Language != w.lang || r.Severity != w.severity || r.RiskScore != w.risk {
			t.Errorf("rule %s = %q %s/%s %s %d, want %+v", r.ID, r.Name, r.Type, r.Language, r.Severity, r.RiskScore, w)
		}
		if r.Program == nil {
			t.Errorf("rule %s has no compiled query", r.ID)
		}
		if r.Description == "" || r.Note == "" {
			t.Errorf("rule %s lacks a description or an investigation guide", r.ID)
		}
	}
}

func TestNewTermsSettings(t *testing.T) {
	rs, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Type != "new_terms" {
			continue
		}
		if got := strings.Join(r.NewTerms.Fields, ","); got != "process.name,file.name" {
			t.Errorf("new_terms fields = %s", got)
		}
		if r.NewTerms.HistoryWindowStart != "now-5d" || r.NewTerms.History.Hours() != 120 {
			t.Errorf("history = %s (%v)", r.NewTerms.HistoryWindowStart, r.NewTerms.History)
		}
	}
}

func TestParseErrors(t *testing.T) {
	const head = "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"x\"\nrule_id = \"id-1\"\ntype = \"eql\"\nlanguage = \"eql\"\n"
	tests := []struct {
		name, file, want string
	}{
		{"toml syntax", "[rule]\nname = \"x\nrule_id = \"y\"\n", "bad.toml:2:10: toml: strings cannot contain newlines"},
		{"eql on first query line", head + "query = '''process where process.name = \"x\"'''\n", `bad.toml:9:39: "=" is not a comparison; use "==", or ":" to compare strings case-insensitively`},
		{"eql on a later line", head + "query = '''\nprocess where true and\n  process.name == \"x\" and (\n'''\n", "bad.toml:12:1: expected expression, found end of query"},
		{"kql", "[rule]\nname = \"x\"\nrule_id = \"id-1\"\ntype = \"query\"\nlanguage = \"kuery\"\nquery = '''\nhost.os.type:linux and (a:b\n'''\n", "bad.toml:7:24: unbalanced parenthesis"},
		{"unsupported type", "[rule]\nname = \"x\"\nrule_id = \"id\"\ntype = \"machine_learning\"\nquery = \"x\"\n", "bad.toml: rule type machine_learning needs Elastic's ML jobs; dredge runs offline"},
		{"unsupported language", "[rule]\nname = \"x\"\nrule_id = \"id\"\ntype = \"query\"\nlanguage = \"lucene\"\nquery = \"x\"\n", "bad.toml: query language lucene (Lucene query syntax) is not supported; dredge runs EQL and KQL"},
		{"no rule id", "[rule]\nname = \"x\"\ntype = \"eql\"\nquery = \"x\"\n", "bad.toml: rule has no rule_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.toml", []byte(tt.file))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseSequenceRule(t *testing.T) {
	const file = "[rule]\nname = \"s\"\nrule_id = \"id-s\"\ntype = \"eql\"\nlanguage = \"eql\"\n" +
		"tiebreaker_field = \"event.sequence\"\ntimestamp_field = \"event.created\"\nevent_category_override = \"event.type\"\n" +
		"query = '''\nsequence by host.id with maxspan=1m\n  [start where true] by process.entity_id\n  [end where true] by process.entity_id\n'''\n"
	r, err := Parse("seq.toml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if r.Compiled == nil || r.Compiled.Kind.String() != "sequence" || r.Program != nil || len(r.Compiled.Steps) != 2 {
		t.Fatalf("Compiled = %+v, Program = %v; want a sequence of two steps and no single-event program", r.Compiled, r.Program)
	}
	if r.TiebreakerField != "event.sequence" || r.TimestampField != "event.created" || r.EventCategoryOverride != "event.type" {
		t.Errorf("fields: tiebreaker %q, timestamp %q, category %q", r.TiebreakerField, r.TimestampField, r.EventCategoryOverride)
	}
	if got := r.Compiled.CategoryField; got != "event.type" {
		t.Errorf("the query tests categories in %q, want event.type", got)
	}

	// An error in a step points into the rule file.
	bad := strings.Replace(file, "  [end where true] by process.entity_id\n", "  [end where true]\n", 1)
	_, err = Parse("seq.toml", []byte(bad))
	if want := "seq.toml:12:3: this step has 1 join keys and the first step 2; every step needs as many"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}
