// Package report writes scan results — the hits and the scan summary — as
// CSV, JSON, NDJSON or a self-contained HTML file. Writers stream to an
// io.Writer; Create writes a report file under a temporary name and renames
// it when complete, so a crash never leaves a half report that looks whole.
package report

import (
	"fmt"
	"strings"
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
	// Threshold holds, for the hit of a threshold rule, its group of
	// events; nil for other hits. Time, Origin, Index, Document and Fields
	// are then those of the group's first event.
	Threshold *ThresholdResult
}

// ThresholdResult is the group of events of a threshold hit, after the
// threshold_result of Kibana's alerts.
type ThresholdResult struct {
	// Terms are the values that make the group, one per threshold field in
	// the rule's order; empty when the rule groups by no field.
	Terms []ThresholdTerm
	// Count is the number of events in the group.
	Count int64
	// First and Last are the times of the group's first and last events.
	First, Last time.Time
	// Cardinality is the number of distinct values of the field of the
	// rule's cardinality condition in the group; empty when it has none.
	Cardinality []ThresholdCardinality
}

// ThresholdTerm is one value that makes a threshold group.
type ThresholdTerm struct {
	Field, Value string
}

// ThresholdCardinality is the number of distinct values of a field in a
// threshold group.
type ThresholdCardinality struct {
	Field string
	Value int64
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
	// Hits counts every hit found; Dropped those left out of the report
	// by the limit of hits per rule (Summary.MaxHitsPerRule).
	Hits    int
	Dropped int
	// Time is the time spent evaluating the rule, summed over the workers,
	// when the scan measured it (scan.Config.ProfileRules); 0 otherwise.
	Time time.Duration
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
	// SHA256 is the SHA-256 of the file's bytes as read from disk
	// (compressed), in lower-case hex, for the chain of custody; empty when
	// the file could not be read to its end.
	SHA256 string
}

// HostStat is what a scan saw of one host: the host.name of its events
// (after normalisation, so the computer that logged a forwarded Windows
// event), its first and last event times, its event count and its hits by
// severity. Hits counts every hit, those beyond the limit of hits per rule
// included.
type HostStat struct {
	Name        string
	First, Last time.Time
	Events      int64
	Hits        SeverityCounts
}

// TimeCount is the number of events in the timeline bucket that starts at
// Start.
type TimeCount struct {
	Start  time.Time
	Events int64
}

// SeverityCounts counts hits by rule severity.
type SeverityCounts struct {
	Critical, High, Medium, Low int
}

// Summary describes a scan. Its only wall-clock figures are Started and
// Duration, so that the same input with the same Started and Duration gives
// byte-identical reports (the golden tests set them).
type Summary struct {
	Version string
	Files   []FileStat
	Bytes   int64
	Events  int64
	// NoIndex counts the events whose index is unknown: not a wrapped hit
	// with an _index, and no field that tells its data source. Rules apply
	// to them by the scan's setting (--unknown-index).
	NoIndex int64
	// Normalized counts, by event shape ("winlogbeat", "winlogbeat6",
	// "flat-windows", ...), the events that had ECS fields filled in;
	// HostOSTypeDerived those whose host.os.type was derived.
	Normalized        map[string]int64
	HostOSTypeDerived int64
	// Rules lists every rule that was run, with its hit count, in rule order.
	Rules []RuleCount
	// RuleSet says where the rules came from and which were left out.
	RuleSet RuleSet
	// Hits counts the hits in the report, Dropped those found beyond
	// MaxHitsPerRule, the most a rule reports (0: no limit); a rule keeps
	// its earliest hits.
	Hits           int
	Dropped        int
	MaxHitsPerRule int
	Problems       []Problem
	// PassedOver are the files found in folders that were not read
	// because their names say they are documentation beside the logs
	// (README, LICENSE, Markdown...): listed for the record, they do not
	// make the scan incomplete.
	PassedOver []string
	// Skipped counts skipped lines by reason.
	Skipped map[string]int
	// Complete is false when a file could not be read or a line was
	// skipped, or when the scan was interrupted.
	Complete bool
	// Interrupted says what stopped the scan before the end of its input,
	// such as "SIGINT"; empty when it was not interrupted. The hits of an
	// interrupted scan are those of the input read before, and every
	// format marks its report INCOMPLETE.
	Interrupted string
	// First and Last are the earliest and latest event times seen, of the
	// events in the window when there is one.
	First, Last time.Time
	// From and To are the scan's time window, [From, To) by @timestamp; a
	// zero time is an open end, and both are zero without a window.
	From, To time.Time
	// OutsideWindow counts the events whose @timestamp is outside the
	// window, left out of the scan; NoTime the events without a usable
	// @timestamp, which the window leaves out too when there is one.
	OutsideWindow int64
	NoTime        int64
	// Hosts lists, by name, the hosts of the events scanned; the events
	// without a host.name are under the name "".
	Hosts []HostStat
	// Timeline counts the events scanned over time, by @timestamp, in
	// buckets of TimelineStep (a minute, or coarser when the events span
	// too long for minutes), in time order; only buckets with events.
	// Events without a usable @timestamp are not in it (NoTime).
	Timeline     []TimeCount
	TimelineStep time.Duration
	// Started is when the scan began (wall clock) and Duration how long it
	// took, for the chain of custody; zero when unknown.
	Started  time.Time
	Duration time.Duration
}

// Windowed reports whether the scan had a time window (From or To set).
func (s *Summary) Windowed() bool { return !s.From.IsZero() || !s.To.IsZero() }

// RuleSet says where the rules of a scan came from and which were left
// out. The rules that ran are those of Summary.Rules.
type RuleSet struct {
	// Builtin is the number of built-in rules loaded; 0 when they were
	// left out.
	Builtin int
	// Folders are the rule folders (or files) given, as given; FromFolders
	// is the number of rules loaded from them.
	Folders     []string
	FromFolders int
	// Deprecated, Unsupported and Errors count the rule files under
	// Folders that gave no rule: deprecated ones, rules of a kind dredge
	// cannot run, and files that could not be read or compiled.
	Deprecated, Unsupported, Errors int
	// Filter is the rule filter as command-line flags, such as
	// "--min-severity high"; empty when there was none. Filtered is the
	// number of loaded rules it left out.
	Filter   string
	Filtered int
}

// Text describes the rule set in one line, such as "5 built-in, 1719 from
// rules/ (skipped 124 deprecated, 349 unsupported, 0 with errors); 1000
// left out by --min-severity high"; empty for the zero RuleSet.
func (rs *RuleSet) Text() string {
	var parts []string
	if rs.Builtin > 0 {
		parts = append(parts, fmt.Sprintf("%d built-in", rs.Builtin))
	}
	if len(rs.Folders) > 0 {
		parts = append(parts, fmt.Sprintf("%d from %s (skipped %d deprecated, %d unsupported, %d with errors)",
			rs.FromFolders, strings.Join(rs.Folders, ", "), rs.Deprecated, rs.Unsupported, rs.Errors))
	}
	s := strings.Join(parts, ", ")
	if rs.Filter != "" {
		s += fmt.Sprintf("; %d left out by %s", rs.Filtered, rs.Filter)
	}
	return s
}

// interruptedNote says in one sentence that the scan was interrupted and
// what the hits cover, for the CSV report's marker row.
func interruptedNote(s *Summary) string {
	return fmt.Sprintf("scan interrupted by %s after %d events: the hits cover only those events; the rest of the input was not scanned",
		s.Interrupted, s.Events)
}

// Result is everything a report writer needs: the summary and the hits in
// report order (by time, then origin, then rule).
type Result struct {
	Summary Summary
	Hits    []Hit
}
