package match

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"dredge/event"
	"dredge/rules/eql"
	"dredge/rules/kql"

	"github.com/valyala/fastjson"
)

// requireEQL compiles an EQL query for the requirement tests.
func requireEQL(t testing.TB, src string) *Query {
	t.Helper()
	q, err := eql.Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	out, err := CompileQuery(q, Options{})
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	return out
}

// requireKQL compiles a KQL query for the requirement tests.
func requireKQL(t testing.TB, src string) *Query {
	t.Helper()
	e, err := kql.Parse(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	p, err := CompileKQL(e, Options{})
	if err != nil {
		t.Fatalf("compile %q: %v", src, err)
	}
	return &Query{Kind: Events, Event: p}
}

// requirementString writes requirements sorted: FIELD=[values] for exact
// values, ~ when folded, * when a value holds one of them; | between the
// fields of one requirement, & between requirements.
func requirementString(rs []Requirement) string {
	var out []string
	for _, r := range rs {
		var fs []string
		for _, fv := range r {
			op := "="
			if fv.Fold {
				op = "~"
			}
			if fv.Contains {
				op += "*"
			}
			vs := slices.Clone(fv.Values)
			slices.Sort(vs)
			fs = append(fs, fmt.Sprintf("%s%s%v", fv.Field, op, vs))
		}
		slices.Sort(fs)
		if len(fs) == 0 {
			fs = []string{"never"}
		}
		out = append(out, strings.Join(fs, "|"))
	}
	slices.Sort(out)
	return strings.Join(out, " & ")
}

func TestRequirements(t *testing.T) {
	tests := []struct {
		name, lang, query, want string
	}{
		{"category and fields", "eql", `process where host.os.type == "linux" and process.name : ("bash", "sh")`,
			"event.category=[process] & host.os.type=[linux] & process.name~[bash sh]"},
		{"in", "eql", `process where event.action in ("exec", "fork")`, "event.action=[exec fork] & event.category=[process]"},
		{"in~", "eql", `any where process.name in~ ("CMD.exe")`, "process.name~[CMD.exe]"},
		{"or of one field", "eql", `any where process.name == "a" or process.name == "b"`, "process.name=[a b]"},
		{"or of two fields", "eql", `any where process.name == "a" or file.name == "b"`, "file.name=[b]|process.name=[a]"},
		{"or keeps what all branches share", "eql", `any where (host.os.type == "linux" and process.name == "a") or (host.os.type == "linux" and file.name == "b")`,
			"file.name=[b]|process.name=[a] & host.os.type=[linux]"},
		{"not", "eql", `any where not process.name == "a"`, ""},
		{"not equal", "eql", `any where process.name != "a"`, ""},
		{"wildcard holds its longest literal", "eql", `any where process.command_line : "*curl*http://*"`, "process.command_line~*[http://]"},
		{"wildcards and values", "eql", `any where process.name : ("cmd.exe", "*.ps1")`, "process.name~*[.ps1 cmd.exe]"},
		{"case-sensitive like", "eql", `any where file.path like "/etc/*"`, "file.path=*[/etc/]"},
		{"star alone", "eql", `any where process.name : "*"`, ""},
		{"startsWith", "eql", `any where startsWith(file.path, "/tmp/")`, "file.path=*[/tmp/]"},
		{"regex", "eql", `any where process.name regex "ba.*"`, ""},
		{"comparison", "eql", `any where process.pid > 3`, ""},
		{"script", "eql", `any where length(process.name) == 3`, ""},
		{"false", "eql", `any where false`, "never"},
		{"true", "eql", `any where true`, ""},
		{"sequence", "eql", `sequence by host.id [process where host.os.type == "linux"] [network where host.os.type == "linux"]`,
			"event.category=[network process] & host.os.type=[linux]"},
		{"sample", "eql", `sample by host.id [process where true] [file where true]`, "event.category=[file process]"},
		{"sequence with any", "eql", `sequence [process where true] [any where true]`, ""},
		{"kql", "kuery", `event.category:process and host.os.type:windows and process.name:(a.exe or b.exe)`,
			"event.category=[process] & host.os.type=[windows] & process.name=[a.exe b.exe]"},
		{"kql wildcard", "kuery", `event.action:logon* and not user.name:admin`, "event.action=*[logon]"},
		{"kql or", "kuery", `process.name:a or process.parent.name:b`, "process.name=[a]|process.parent.name=[b]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var q *Query
			if tc.lang == "eql" {
				q = requireEQL(t, tc.query)
			} else {
				q = requireKQL(t, tc.query)
			}
			if got := requirementString(q.Requirements()); got != tc.want {
				t.Errorf("Requirements(%s)\n got %s\nwant %s", tc.query, got, tc.want)
			}
		})
	}
}

// meets reports whether event v meets requirement r, read the way a rule
// index reads it: the values of each field as keyword text, compared as
// they are or folded with AppendFold.
func meets(v *fastjson.Value, r Requirement) bool {
	for _, fv := range r {
		for _, s := range event.NewPath(fv.Field).Strings(v) {
			for _, w := range fv.Values {
				a, b := s, w
				if fv.Fold {
					a, b = string(AppendFold(nil, s)), string(AppendFold(nil, w))
				}
				if a == b || fv.Contains && strings.Contains(a, b) {
					return true
				}
			}
		}
	}
	return false
}

// TestRequirementsHold checks that every event a query matches meets its
// requirements, and that a program without the conditions it proves
// matches the same of those events.
func TestRequirementsHold(t *testing.T) {
	events := []string{
		`{"event":{"category":"process","action":"exec"},"host":{"os":{"type":"linux"}},"process":{"name":"bash","command_line":"curl http://x | bash"}}`,
		`{"event":{"category":["process","file"],"action":"exec"},"host.os.type":"linux","process.name":"BASH","file":{"path":"/etc/passwd"}}`,
		`{"event":{"category":"file"},"host":{"os":{"type":"windows"}},"process":{"name":"CMD.EXE"},"file":{"path":"C:\\Temp\\a.ps1","name":"a.ps1"}}`,
		`{"event":{"category":"process"},"host":{"os":{"type":"linux"}},"process":[{"name":"sh"},{"name":"ssh"}]}`,
		`{"event":{"category":"network"},"host":{"os":{"type":"linux"}},"process":{"name":"\u212aworker"}}`,
		`{"event":{"category":"process"},"process":{"name":7,"pid":7}}`,
	}
	queries := []string{
		`process where host.os.type == "linux" and process.name : ("bash", "sh")`,
		`process where process.name in~ ("bash", "kworker", "ssh", "a", "b", "c", "d", "e", "f", "g")`,
		`any where process.name : "kworker" and event.category == "network"`,
		`any where process.command_line : "*curl*http*"`,
		`any where (process.name == "bash" and file.path : "/etc/*") or (process.name == "BASH" and file.path like "/etc/*")`,
		`any where file.name : "*.ps1" or process.name : "cmd.exe"`,
		`process where process.name == "7" or process.pid == 7`,
		`file where host.os.type == "windows" and process.name : "cmd.exe" and file.extension == "ps1"`,
	}
	for _, src := range queries {
		q := requireEQL(t, src)
		reqs := q.Requirements()
		var proven []FieldValues
		for _, r := range reqs {
			if len(r) == 1 {
				proven = append(proven, r[0])
			}
		}
		without := q.Event.Without(func(fv FieldValues) bool {
			return slices.ContainsFunc(proven, func(p FieldValues) bool { return reflectEqual(p, fv) })
		})
		for _, e := range events {
			v := fastjson.MustParse(e)
			match := q.Event.Match(v)
			met := true
			for _, r := range reqs {
				if !meets(v, r) {
					met = false
					if match {
						t.Errorf("%s matches %s but does not meet %s", src, e, requirementString([]Requirement{r}))
					}
				}
			}
			if met && without.Match(v) != match {
				t.Errorf("%s: on %s, without what it proves, matches %v, with %v", src, e, without.Match(v), match)
			}
		}
	}
}

func reflectEqual(a, b FieldValues) bool {
	return a.Field == b.Field && a.Fold == b.Fold && a.Contains == b.Contains && slices.Equal(a.Values, b.Values)
}

// TestWithout checks which conditions a program leaves out.
func TestWithout(t *testing.T) {
	q := requireEQL(t, `process where host.os.type == "linux" and process.name : ("bash", "sh") and process.args : "-c*"`)
	all := q.Event.Without(func(FieldValues) bool { return true })
	// The category, OS and names are left out, the pattern kept.
	if got, want := requirementString(all.Requirements()), "process.args~*[-c]"; got != want {
		t.Errorf("without everything it can: %s, want %s", got, want)
	}
	// The cheapest conditions are tested first; a program already in that
	// order is kept as it is.
	if got := q.Event.Without(func(FieldValues) bool { return false }); got == q.Event {
		t.Errorf("without nothing: the program was not reordered")
	}
	sorted := requireEQL(t, `process where host.os.type == "linux" and process.name : "bash*"`)
	if sorted.Event.Without(func(FieldValues) bool { return false }) != sorted.Event {
		t.Errorf("without nothing, in order: not the program itself")
	}
	// A large folded set with a value that Unicode folding alone makes
	// equal stays.
	big := requireEQL(t, "any where process.name in~ (\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"\u212aworker\")")
	if big.Event.Without(func(FieldValues) bool { return true }) != big.Event {
		t.Errorf("a large folded set with a non-ASCII value was left out")
	}
}

func TestAppendFold(t *testing.T) {
	words := []string{"", "a", "A", "k", "K", "\u212a", "s", "S", "\u017f", "straße", "STRASSE", "Straße", "ǅ", "ǆ", "Ǆ",
		"µ", "Μ", "μ", "cmd.exe", "CMD.EXE", "Cmd.Exe", "\xff", "\xfe", "\ufffd", "İ", "i", "ı", "I", "Σ", "σ", "ς"}
	for _, a := range words {
		for _, b := range words {
			same := string(AppendFold(nil, a)) == string(AppendFold(nil, b))
			if want := strings.EqualFold(a, b); same != want {
				t.Errorf("AppendFold(%q) == AppendFold(%q) is %v, strings.EqualFold %v", a, b, same, want)
			}
		}
	}
}
