package report

import (
	"fmt"
	"strings"
	"testing"

	"dredge/rules"
)

// gridText writes the grid as lines: a tactic, then its techniques indented
// with their hits and rules.
func gridText(grid []*attackTactic) string {
	var b strings.Builder
	var tech func(ts []*attackTechnique, indent string)
	names := func(rs []*htmlRule) string {
		var ns []string
		for _, r := range rs {
			ns = append(ns, r.Name)
		}
		return strings.Join(ns, ",")
	}
	tech = func(ts []*attackTechnique, indent string) {
		for _, t := range ts {
			fmt.Fprintf(&b, "%s%s %s %d [%s]\n", indent, t.ID, t.Name, t.Hits, names(t.Rules))
			tech(t.Subs, indent+"  ")
		}
	}
	for _, ta := range grid {
		fmt.Fprintf(&b, "%s %s %d [%s]\n", ta.ID, ta.Name, ta.Hits, names(ta.Rules))
		tech(ta.Techniques, "  ")
	}
	return b.String()
}

func TestAttackGrid(t *testing.T) {
	exec := rules.Tactic{ID: "TA0002", Name: "Execution"}
	persist := rules.Tactic{ID: "TA0003", Name: "Persistence"}
	impact := rules.Tactic{ID: "TA0040", Name: "Impact"}
	shell := rules.Technique{ID: "T1059", Name: "Command and Scripting Interpreter",
		Subtechniques: []rules.Technique{{ID: "T1059.004", Name: "Unix Shell"}}}
	fired := []*htmlRule{
		{Rule: &rules.Rule{Name: "a", Threat: []rules.Threat{
			{Tactic: exec, Techniques: []rules.Technique{shell}},
			{Tactic: persist}, // no technique
		}}, Count: 5},
		{Rule: &rules.Rule{Name: "b", Threat: []rules.Threat{
			{Tactic: impact, Techniques: []rules.Technique{{ID: "T1489", Name: "Service Stop"}}},
			{Tactic: exec, Techniques: []rules.Technique{{ID: "T1059", Name: "Command and Scripting Interpreter"}, {ID: "T1106", Name: "Native API"}}},
		}}, Count: 7},
		{Rule: &rules.Rule{Name: "c", Threat: []rules.Threat{
			{Tactic: rules.Tactic{Name: "Something New"}, Techniques: []rules.Technique{{Name: "no id"}}},
			{Tactic: exec, Techniques: []rules.Technique{{ID: "T1106", Name: "Native API"}}},
		}}, Count: 1},
	}
	want := `TA0002 Execution 13 []
  T1059 Command and Scripting Interpreter 12 [b]
    T1059.004 Unix Shell 5 [a]
  T1106 Native API 8 [b,c]
TA0003 Persistence 5 [a]
TA0040 Impact 7 []
  T1489 Service Stop 7 [b]
 Something New 1 []
   no id 1 [c]
`
	if got := gridText(attackGrid(fired)); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
