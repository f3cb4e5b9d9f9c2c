// Package report writes scan results — the hits and the scan summary — as
// CSV, JSON, NDJSON or a self-contained HTML file. Writers stream to an
// io.Writer; Create writes a report file under a temporary name and renames
// it when complete, so a crash never leaves a half report that looks whole.
package report

import (
	"time"

	"dredge/rules"
)

// Origin is where an event came from: the input file and the line where the
// event starts (1-based).
type Origin struct {
	File string
	Line int
}

// Fields are the event fields a reader looks at first, extracted for display.
// Empty when the event lacks them.
type Fields struct {
	Host    string // host.name, else host.hostname
	User    string // user.name (user.domain\user.name when there is a domain)
	Process string // process.executable, else process.name
	File    string // file.path, else file.name
}

// Hit is one alert: a rule that fired on an event, or on a sequence or
// sample of events.
type Hit struct {
	Rule *rules.Rule
	// Time is the event's time by the rule's timestamp settings; zero when
	// the event has none.
	Time   time.Time
	Origin Origin
	// Index is the event's index (the _index of a wrapped hit), if known.
	Index string
	// Document is the original event as JSON (the _source of a wrapped hit).
	Document []byte
	Fields   Fields
	// NewTerms holds, for a new_terms hit, the field values that were new,
	// in the order of the rule's new_terms fields.
	NewTerms []string
	// Events holds, for the hit of an EQL sequence or sample, its events in
	// the order of the query's steps, a missing-event step included; nil
	// for a hit on a single event. Time, Origin, Index, Document and Fields
	// are then those of the first event that is not missing.
	Events []Event
	// JoinKeys holds, for a sequence or sample hit, the values of its join
	// keys in the order of the query's "by" fields; a nil element is a null
	// value (an optional ?field that the events lack).
	JoinKeys []*string
}

// Event is one event of a sequence or sample hit.
type Event struct {
	// Missing marks the place of a missing-event step (![...]) of a
	// sequence: no such event happened there, which is what the sequence
	// asks. The other fields are then empty.
	Missing bool
	// Time is the event's time by the rule's timestamp settings; zero
	// when the event has none.
	Time     time.Time
	Origin   Origin
	Index    string
	Document []byte
}

// RuleCount is the number of hits of one rule.
type RuleCount struct {
	Rule *rules.Rule
	Hits int
}

// Problem is input that could not be read: a file that would not open, a
// damaged stream, a malformed or oversized line.
type Problem struct {
	File string
	Line int // 0 when the problem concerns the whole file
	// Kind classifies the problem for tools reading the report, such as
	// "open", "decompress", "malformed" or "oversized"; empty when unclassified.
	Kind   string
	Reason string
}

// FileStat is what was read from one input file.
type FileStat struct {
	Name   string
	Bytes  int64 // bytes read from the file (compressed size)
	Events int64
}

// Summary describes a scan. It holds no wall-clock figures, so that the same
// input gives byte-identical reports.
type Summary struct {
	Version string
	Files   []FileStat
	Bytes   int64
	Events  int64
	// Rules lists every rule that was run, with its hit count, in rule order.
	Rules    []RuleCount
	Hits     int
	Problems []Problem
	// Skipped counts skipped lines by reason.
	Skipped map[string]int
	// Complete is false when a file could not be read or a line was skipped.
	Complete bool
	// First and Last are the earliest and latest event times seen.
	First, Last time.Time
}

// Result is everything a report writer needs: the summary and the hits in
// report order (by time, then origin, then rule).
type Result struct {
	Summary Summary
	Hits    []Hit
}
