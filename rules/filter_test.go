package rules

import (
	"strings"
	"testing"
)

func TestFilter(t *testing.T) {
	execution := Threat{Tactic: Tactic{ID: "TA0002", Name: "Execution"}}
	persistence := Threat{Tactic: Tactic{ID: "TA0003", Name: "Persistence"}}
	all := []*Rule{
		{ID: "aaaa-0001", Name: "Setcap setuid/setgid Capability Set", Severity: "medium",
			Tags: []string{"OS: Linux", "Tactic: Persistence"}, Threat: []Threat{persistence}},
		{ID: "aaaa-0002", Name: "Process Started from Process ID (PID) File", Severity: "high",
			Tags: []string{"OS: Linux", "Tactic: Execution"}, Threat: []Threat{execution}},
		{ID: "aaaa-0003", Name: "System V Init Script Created", Severity: "low",
			Tags: []string{"OS: Linux"}},
		{ID: "aaaa-0004", Name: "Unusual Executable File Creation", Severity: "Critical",
			Tags: []string{"OS: Windows"}, Threat: []Threat{execution, persistence}},
		{ID: "aaaa-0005", Name: "No Severity", Severity: ""},
	}
	tests := []struct {
		name   string
		filter Filter
		want   string // the ids kept, by their last digit
	}{
		{"zero filter keeps all", Filter{}, "12345"},
		{"rule id", Filter{Rules: []string{"aaaa-0002"}}, "2"},
		{"rule id any case", Filter{Rules: []string{"AAAA-0002"}}, "2"},
		{"rule id is whole", Filter{Rules: []string{"aaaa-000"}}, ""},
		{"name exact any case", Filter{Rules: []string{"system v init script created"}}, "3"},
		{"name star", Filter{Rules: []string{"*file*"}}, "24"},
		{"name question mark", Filter{Rules: []string{"System ? Init*"}}, "3"},
		{"name glob is whole", Filter{Rules: []string{"Setcap"}}, ""},
		{"rules OR", Filter{Rules: []string{"aaaa-0001", "System*"}}, "13"},
		{"min severity low keeps known severities", Filter{MinSeverity: "low"}, "1234"},
		{"min severity medium", Filter{MinSeverity: "medium"}, "124"},
		{"min severity high", Filter{MinSeverity: "HIGH"}, "24"},
		{"min severity critical, any case in rule", Filter{MinSeverity: "critical"}, "4"},
		{"tag", Filter{Tags: []string{"os: linux"}}, "123"},
		{"tag is whole", Filter{Tags: []string{"Linux"}}, ""},
		{"tags OR", Filter{Tags: []string{"OS: Windows", "Tactic: Persistence"}}, "14"},
		{"tactic id", Filter{Tactics: []string{"ta0002"}}, "24"},
		{"tactic name", Filter{Tactics: []string{"persistence"}}, "14"},
		{"tactics OR", Filter{Tactics: []string{"TA0002", "Persistence"}}, "124"},
		{"tactic needs a threat entry, not a tag", Filter{Tactics: []string{"Tactic: Execution"}}, ""},
		{"kinds AND", Filter{Tags: []string{"OS: Linux"}, Tactics: []string{"Execution"}}, "2"},
		{"kinds AND with severity", Filter{MinSeverity: "medium", Tactics: []string{"TA0003"}}, "14"},
		{"kinds AND with rule", Filter{Rules: []string{"*"}, Tags: []string{"OS: Windows"}}, "4"},
		{"nothing left", Filter{MinSeverity: "critical", Tags: []string{"OS: Linux"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.filter.Check(); err != nil {
				t.Fatalf("Check: %v", err)
			}
			var got strings.Builder
			for _, r := range tt.filter.Apply(all) {
				got.WriteString(r.ID[len(r.ID)-1:])
			}
			if got.String() != tt.want {
				t.Errorf("kept %q, want %q", got.String(), tt.want)
			}
		})
	}
}

func TestFilterCheck(t *testing.T) {
	tests := []struct {
		name   string
		filter Filter
		want   string
	}{
		{"fine", Filter{MinSeverity: "Medium", Rules: []string{"x"}}, ""},
		{"unknown severity", Filter{MinSeverity: "severe"}, `--min-severity: unknown severity "severe" (low, medium, high, critical)`},
		{"empty rule", Filter{Rules: []string{""}}, "--rule: empty value"},
		{"blank tag", Filter{Tags: []string{" "}}, "--tag: empty value"},
		{"empty tactic", Filter{Tactics: []string{"TA0002", ""}}, "--tactic: empty value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := tt.filter.Check(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Check() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFilterString(t *testing.T) {
	tests := []struct {
		filter Filter
		want   string
	}{
		{Filter{}, ""},
		{Filter{Rules: []string{"aaaa-0001", "Setcap*"}}, `--rule aaaa-0001 --rule "Setcap*"`},
		{Filter{MinSeverity: "high", Tags: []string{"OS: Linux"}, Tactics: []string{"TA0002", "Defense Evasion"}},
			`--min-severity high --tag "OS: Linux" --tactic TA0002 --tactic "Defense Evasion"`},
	}
	for _, tt := range tests {
		if got := tt.filter.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

func TestGlobFold(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything", true},
		{"a*c", "abbbc", true},
		{"a*c", "abbbd", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*a*b*", "xxaxxbxx", true},
		{"*a*b", "xxaxxbxxb", true},
		{"*a*b", "xxaxxbxxc", false},
		{"ÉTÉ*", "été chaud", true},
		{"??", "éé", true},
		{"[a]", "[A]", true},
		{"a", "ab", false},
	}
	for _, tt := range tests {
		if got := globFold(tt.pattern, tt.s); got != tt.want {
			t.Errorf("globFold(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
		}
	}
}
