package report

import (
	"cmp"
	"slices"
)

// The ATT&CK grid of the HTML report: what fired, by the rules' threat
// data. Tactics are the columns, in the order of ATT&CK's matrix; under
// each, its techniques and their sub-techniques with the hits of the rules
// that map them, most hits first, and those rules. A rule's hits count once
// for each tactic, technique and sub-technique it maps. The grid shows ids
// and names; the ATT&CK addresses are written out, as text, in each rule's
// section.

// tacticOrder is the order of ATT&CK's enterprise tactics in its matrix.
var tacticOrder = []string{
	"TA0043", // Reconnaissance
	"TA0042", // Resource Development
	"TA0001", // Initial Access
	"TA0002", // Execution
	"TA0003", // Persistence
	"TA0004", // Privilege Escalation
	"TA0005", // Defense Evasion
	"TA0006", // Credential Access
	"TA0007", // Discovery
	"TA0008", // Lateral Movement
	"TA0009", // Collection
	"TA0011", // Command and Control
	"TA0010", // Exfiltration
	"TA0040", // Impact
}

// attackTactic is a column of the grid.
type attackTactic struct {
	ID, Name   string
	Hits       int
	seen       map[*htmlRule]bool
	Techniques []*attackTechnique
	// Rules are the rules that map the tactic and none of its techniques.
	Rules []*htmlRule
}

// attackTechnique is a technique or sub-technique in the grid.
type attackTechnique struct {
	ID, Name string
	Hits     int
	seen     map[*htmlRule]bool
	Subs     []*attackTechnique
	// Rules are the rules that map it and none of its sub-techniques.
	Rules []*htmlRule
}

// attackGrid builds the grid from the rules that fired.
func attackGrid(fired []*htmlRule) []*attackTactic {
	var tactics []*attackTactic
	byKey := make(map[string]*attackTactic)
	for _, hr := range fired {
		for _, th := range hr.Threat {
			key := cmp.Or(th.Tactic.ID, th.Tactic.Name)
			if key == "" {
				continue
			}
			ta := byKey[key]
			if ta == nil {
				ta = &attackTactic{ID: th.Tactic.ID, Name: th.Tactic.Name, seen: map[*htmlRule]bool{}}
				byKey[key] = ta
				tactics = append(tactics, ta)
			}
			if !ta.seen[hr] {
				ta.seen[hr] = true
				ta.Hits += hr.Count
			}
			if len(th.Techniques) == 0 && !slices.Contains(ta.Rules, hr) {
				ta.Rules = append(ta.Rules, hr)
			}
			for _, te := range th.Techniques {
				t := addTechnique(&ta.Techniques, te.ID, te.Name, hr)
				if len(te.Subtechniques) == 0 && !slices.Contains(t.Rules, hr) {
					t.Rules = append(t.Rules, hr)
				}
				for _, sub := range te.Subtechniques {
					s := addTechnique(&t.Subs, sub.ID, sub.Name, hr)
					if !slices.Contains(s.Rules, hr) {
						s.Rules = append(s.Rules, hr)
					}
				}
			}
		}
	}
	rank := func(id string) int {
		if i := slices.Index(tacticOrder, id); i >= 0 {
			return i
		}
		return len(tacticOrder)
	}
	slices.SortStableFunc(tactics, func(a, b *attackTactic) int {
		return cmp.Or(cmp.Compare(rank(a.ID), rank(b.ID)), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Name, b.Name))
	})
	for _, ta := range tactics {
		sortTechniques(ta.Techniques)
	}
	return tactics
}

// addTechnique finds or adds the technique id (or name, without an id) in
// list, and counts the hits of hr in it once.
func addTechnique(list *[]*attackTechnique, id, name string, hr *htmlRule) *attackTechnique {
	key := cmp.Or(id, name)
	i := slices.IndexFunc(*list, func(t *attackTechnique) bool { return cmp.Or(t.ID, t.Name) == key })
	if i < 0 {
		*list = append(*list, &attackTechnique{ID: id, Name: name, seen: map[*htmlRule]bool{}})
		i = len(*list) - 1
	}
	t := (*list)[i]
	if !t.seen[hr] {
		t.seen[hr] = true
		t.Hits += hr.Count
	}
	return t
}

// sortTechniques sorts techniques and their sub-techniques by hits, most
// first, then by id.
func sortTechniques(list []*attackTechnique) {
	slices.SortStableFunc(list, func(a, b *attackTechnique) int {
		return cmp.Or(-cmp.Compare(a.Hits, b.Hits), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Name, b.Name))
	})
	for _, t := range list {
		sortTechniques(t.Subs)
	}
}
