// Package rules holds the detection rule model, loads rules from TOML files
// in the layout of Elastic's detection-rules collection, and embeds the
// built-in rules. Queries are parsed by rules/eql and rules/kql and compiled
// by rules/match; this package ties a rule's metadata to its compiled query.
package rules

import (
	"time"

	"dredge/rules/match"
)

// Rule is one detection rule: what it is for, and its compiled query.
// A loaded Rule is immutable and shared by all scan workers.
type Rule struct {
	ID          string
	Name        string
	Description string
	// Note is the investigation guide, in Markdown.
	Note          string
	Type          string // "eql", "query", "new_terms", "threshold", ...
	Language      string // "eql", "kuery"
	Query         string
	Severity      string // "low", "medium", "high", "critical"
	RiskScore     int
	Index         []string
	Tags          []string
	References    []string
	FalsePositive []string
	Author        []string
	License       string
	Version       int
	Threat        []Threat
	// TimestampOverride names the field that holds the event's time for this
	// rule (event.ingested for some rules); @timestamp is the fallback.
	TimestampOverride string
	// TimestampField is the field that orders the events of an EQL
	// sequence (timestamp_field); @timestamp when empty. Elasticsearch
	// orders by it even when TimestampOverride is set.
	TimestampField string
	// TiebreakerField orders events with the same time (tiebreaker_field);
	// empty when none.
	TiebreakerField string
	// EventCategoryOverride is the field an EQL event category tests
	// (event_category_override); event.category when empty.
	EventCategoryOverride string
	// NewTerms is set for new_terms rules.
	NewTerms *NewTerms
	// Threshold is set for threshold rules.
	Threshold *Threshold

	// Maturity is the metadata's maturity: "production", "development",
	// "deprecated".
	Maturity string
	// Compiled is the compiled query: an event query, a sequence or a
	// sample.
	Compiled *match.Query
	// Program is the compiled query of an event-matching rule
	// (Compiled.Event); nil for a sequence or a sample.
	Program *match.Program

	// Source is the file the rule came from; built-in rules have
	// "builtin/NAME.toml".
	Source string
	// QueryLine and QueryCol are where the query text starts in Source,
	// so that query errors point into the rule file.
	QueryLine, QueryCol int
}

// NewTerms is the configuration of a new_terms rule.
type NewTerms struct {
	// Fields are the fields whose combination of values must be new.
	Fields []string
	// HistoryWindowStart is the setting as written, such as "now-5d".
	HistoryWindowStart string
	// History is how far back from an event's time its combination is looked for.
	History time.Duration
}

// Threshold is the configuration of a threshold rule: the events that
// match its query are grouped by the values of Fields, and a group alerts
// when it has at least Value events and, for its cardinality condition, at
// least that many distinct values of a field.
type Threshold struct {
	// Fields are the fields whose values make a group, in rule order; none
	// puts every matching event in one group.
	Fields []string
	// Value is the number of events a group needs to alert (at least 1).
	Value int
	// Cardinality are the rule's distinct-value conditions as written.
	// Kibana's executor applies the first only, and so does dredge; the
	// rule schema and the editor allow one.
	Cardinality []Cardinality
}

// Cardinality is a threshold rule's distinct-value condition: a group
// needs at least Value distinct values of Field.
type Cardinality struct {
	Field string
	Value int
}

// Threat is one ATT&CK mapping of a rule: a tactic and its techniques.
type Threat struct {
	Framework  string
	Tactic     Tactic
	Techniques []Technique
}

// Tactic is an ATT&CK tactic such as TA0002 Execution.
type Tactic struct {
	ID, Name, Reference string
}

// Technique is an ATT&CK technique with its sub-techniques.
type Technique struct {
	ID, Name, Reference string
	Subtechniques       []Technique
}

// Tactics lists the rule's tactics as "TA0002 Execution", in rule order.
func (r *Rule) Tactics() []string {
	var out []string
	for _, t := range r.Threat {
		if t.Tactic.ID != "" {
			out = append(out, t.Tactic.ID+" "+t.Tactic.Name)
		}
	}
	return out
}

// Techniques lists the rule's techniques and sub-techniques as
// "T1548.001 Setuid and Setgid", in rule order.
func (r *Rule) Techniques() []string {
	var out []string
	for _, t := range r.Threat {
		for _, te := range t.Techniques {
			out = append(out, te.ID+" "+te.Name)
			for _, s := range te.Subtechniques {
				out = append(out, s.ID+" "+s.Name)
			}
		}
	}
	return out
}
