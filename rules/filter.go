package rules

import (
	"fmt"
	"strconv"
	"strings"
)

// Filter picks rules by id or name, severity, tag and ATT&CK tactic. Each
// kind that is set must match (AND); within a kind, any value may match
// (OR). The zero Filter matches every rule.
type Filter struct {
	// Rules are rule_ids, matched whole, or name patterns with * and ?
	// wildcards; both case-insensitive.
	Rules []string
	// MinSeverity is the lowest severity to keep: "low", "medium", "high"
	// or "critical"; empty for any. A rule of another severity is then
	// left out.
	MinSeverity string
	// Tags are tags matched whole, case-insensitive ("OS: Linux").
	Tags []string
	// Tactics are ATT&CK tactics by id ("TA0002") or name ("Execution"),
	// case-insensitive.
	Tactics []string
}

// severities are the severities, least severe first.
var severities = [...]string{"low", "medium", "high", "critical"}

// SeverityRank orders severities: 1 for low up to 4 for critical, 0 for
// anything else. Case does not matter.
func SeverityRank(s string) int {
	for i, v := range severities {
		if strings.EqualFold(s, v) {
			return i + 1
		}
	}
	return 0
}

// Check reports a filter that cannot match as meant: an unknown severity or
// an empty value.
func (f *Filter) Check() error {
	if f.MinSeverity != "" && SeverityRank(f.MinSeverity) == 0 {
		return fmt.Errorf("--min-severity: unknown severity %q (low, medium, high, critical)", f.MinSeverity)
	}
	for _, kind := range []struct {
		flag string
		vals []string
	}{{"rule", f.Rules}, {"tag", f.Tags}, {"tactic", f.Tactics}} {
		for _, v := range kind.vals {
			if strings.TrimSpace(v) == "" {
				return fmt.Errorf("--%s: empty value", kind.flag)
			}
		}
	}
	return nil
}

// IsZero says whether the filter keeps every rule.
func (f *Filter) IsZero() bool {
	return len(f.Rules) == 0 && f.MinSeverity == "" && len(f.Tags) == 0 && len(f.Tactics) == 0
}

// Match says whether the filter keeps r.
func (f *Filter) Match(r *Rule) bool {
	if len(f.Rules) > 0 && !anyOf(f.Rules, func(p string) bool {
		return strings.EqualFold(p, r.ID) || globFold(p, r.Name)
	}) {
		return false
	}
	if f.MinSeverity != "" && SeverityRank(r.Severity) < SeverityRank(f.MinSeverity) {
		return false
	}
	if len(f.Tags) > 0 && !anyOf(f.Tags, func(t string) bool {
		return anyOf(r.Tags, func(rt string) bool { return strings.EqualFold(t, rt) })
	}) {
		return false
	}
	if len(f.Tactics) > 0 && !anyOf(f.Tactics, func(t string) bool {
		for _, th := range r.Threat {
			if strings.EqualFold(t, th.Tactic.ID) || strings.EqualFold(t, th.Tactic.Name) {
				return true
			}
		}
		return false
	}) {
		return false
	}
	return true
}

// Apply returns the rules the filter keeps, in their order.
func (f *Filter) Apply(rs []*Rule) []*Rule {
	if f.IsZero() {
		return rs
	}
	var out []*Rule
	for _, r := range rs {
		if f.Match(r) {
			out = append(out, r)
		}
	}
	return out
}

// String gives the filter as command-line flags, such as
// `--rule "Setcap*" --min-severity high`; empty for the zero Filter.
func (f *Filter) String() string {
	var parts []string
	for _, v := range f.Rules {
		parts = append(parts, "--rule "+quoteFlag(v))
	}
	if f.MinSeverity != "" {
		parts = append(parts, "--min-severity "+quoteFlag(f.MinSeverity))
	}
	for _, v := range f.Tags {
		parts = append(parts, "--tag "+quoteFlag(v))
	}
	for _, v := range f.Tactics {
		parts = append(parts, "--tactic "+quoteFlag(v))
	}
	return strings.Join(parts, " ")
}

// quoteFlag quotes a flag value that is not a plain word.
func quoteFlag(s string) string {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.", c)) {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

func anyOf(vals []string, pred func(string) bool) bool {
	for _, v := range vals {
		if pred(v) {
			return true
		}
	}
	return false
}

// globFold matches s whole against pattern, where * stands for any run of
// characters and ? for one, without regard to case.
func globFold(pattern, s string) bool {
	p := []rune(strings.ToLower(pattern))
	t := []rune(strings.ToLower(s))
	// The classic two-pointer match: on a mismatch, go back to the last
	// star and let it take one more character.
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			mark++
			pi, ti = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
