package rules

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dredge/rules/ast"
	"dredge/rules/eql"
	"dredge/rules/kql"
	"dredge/rules/match"

	"github.com/BurntSushi/toml"
)

//go:embed builtin/*.toml
var builtinFS embed.FS

// Error is a problem in a rule file, at a line and column of that file.
type Error struct {
	File      string
	Line, Col int // 0 when unknown
	Msg       string
	// Context is the offending line of the query with a caret under the
	// column, when the error is in the query.
	Context string
	// Unsupported is set when the rule is well formed but of a kind dredge
	// cannot run (a rule type such as machine_learning).
	Unsupported bool
}

func (e *Error) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Builtin loads and compiles the rules built into dredge, in file name order.
func Builtin() ([]*Rule, error) {
	names, err := fs.Glob(builtinFS, "builtin/*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var out []*Rule
	for _, name := range names {
		data, err := builtinFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		r, err := Parse(name, data)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// file is a rule file in the detection-rules TOML layout: the part of it
// that dredge reads. tomlDecoder.fast fills it too, and must know every
// field.
type file struct {
	Metadata struct {
		Maturity string `toml:"maturity"`
	} `toml:"metadata"`
	Rule tomlRule `toml:"rule"`
}

// tomlRule is the [rule] table of a rule file.
type tomlRule struct {
	Author            []string       `toml:"author"`
	Description       string         `toml:"description"`
	FalsePositives    []string       `toml:"false_positives"`
	Index             []string       `toml:"index"`
	Language          string         `toml:"language"`
	License           string         `toml:"license"`
	Name              string         `toml:"name"`
	Note              string         `toml:"note"`
	References        []string       `toml:"references"`
	RiskScore         int            `toml:"risk_score"`
	RuleID            string         `toml:"rule_id"`
	Severity          string         `toml:"severity"`
	Tags              []string       `toml:"tags"`
	TimestampOverride string         `toml:"timestamp_override"`
	TimestampField    string         `toml:"timestamp_field"`
	TiebreakerField   string         `toml:"tiebreaker_field"`
	CategoryOverride  string         `toml:"event_category_override"`
	Type              string         `toml:"type"`
	Query             string         `toml:"query"`
	Version           int            `toml:"version"`
	NewTerms          *tomlNewTerms  `toml:"new_terms"`
	Threshold         *tomlThreshold `toml:"threshold"`
	Threat            []tomlThreat   `toml:"threat"`
}

// tomlNewTerms is the [rule.new_terms] table of a rule file.
type tomlNewTerms struct {
	Field              string        `toml:"field"`
	Value              []string      `toml:"value"`
	HistoryWindowStart []tomlSetting `toml:"history_window_start"`
}

// tomlSetting is one [[rule.new_terms.history_window_start]].
type tomlSetting struct {
	Field string `toml:"field"`
	Value string `toml:"value"`
}

// tomlThreat is one [[rule.threat]]: an ATT&CK tactic and its techniques.
type tomlThreat struct {
	Framework string          `toml:"framework"`
	Tactic    tomlRef         `toml:"tactic"`
	Technique []tomlTechnique `toml:"technique"`
}

// tomlRef is an ATT&CK tactic or sub-technique.
type tomlRef struct {
	ID        string `toml:"id"`
	Name      string `toml:"name"`
	Reference string `toml:"reference"`
}

// tomlTechnique is one [[rule.threat.technique]].
type tomlTechnique struct {
	ID           string    `toml:"id"`
	Name         string    `toml:"name"`
	Reference    string    `toml:"reference"`
	Subtechnique []tomlRef `toml:"subtechnique"`
}

// Parse reads one rule file and compiles its query. name is the file's
// path, used in errors and kept as the rule's Source.
func Parse(name string, data []byte) (*Rule, error) {
	var d tomlDecoder
	var f file
	if err := d.file(name, data, &f); err != nil {
		return nil, err
	}
	return compile(name, data, &f, nil)
}

// file decodes the rule file data, named name, into f, which must be zero;
// an error is an *Error at the place of the file that TOML refuses.
func (d *tomlDecoder) file(name string, data []byte, f *file) error {
	if err := d.decode(data, f); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return &Error{File: name, Line: pe.Position.Line, Col: pe.Position.Col, Msg: "toml: " + pe.Message}
		}
		return &Error{File: name, Msg: "toml: " + err.Error()}
	}
	return nil
}

// compile checks the decoded rule file f, whose text is data, and compiles
// its query, with the field paths of paths (nil for none).
func compile(name string, data []byte, f *file, paths *match.Paths) (*Rule, error) {
	fr := &f.Rule
	r := &Rule{
		ID: fr.RuleID, Name: fr.Name, Description: strings.TrimSpace(fr.Description), Note: fr.Note,
		Type: fr.Type, Language: fr.Language, Query: fr.Query, Severity: fr.Severity, RiskScore: fr.RiskScore,
		Index: fr.Index, Tags: fr.Tags, References: fr.References, FalsePositive: fr.FalsePositives,
		Author: fr.Author, License: fr.License, Version: fr.Version, TimestampOverride: fr.TimestampOverride,
		TimestampField: fr.TimestampField, TiebreakerField: fr.TiebreakerField, EventCategoryOverride: fr.CategoryOverride,
		Maturity: f.Metadata.Maturity, Source: name,
	}
	for _, t := range fr.Threat {
		th := Threat{Framework: t.Framework, Tactic: Tactic(t.Tactic)}
		for _, te := range t.Technique {
			tq := Technique{ID: te.ID, Name: te.Name, Reference: te.Reference}
			for _, s := range te.Subtechnique {
				tq.Subtechniques = append(tq.Subtechniques, Technique{ID: s.ID, Name: s.Name, Reference: s.Reference})
			}
			th.Techniques = append(th.Techniques, tq)
		}
		r.Threat = append(r.Threat, th)
	}
	r.QueryLine, r.QueryCol = queryPosition(data)
	fail := func(format string, args ...any) error {
		return &Error{File: name, Line: r.QueryLine, Msg: fmt.Sprintf(format, args...)}
	}
	if r.ID == "" {
		return nil, &Error{File: name, Msg: "rule has no rule_id"}
	}
	if fr.NewTerms != nil {
		r.NewTerms = &NewTerms{Fields: fr.NewTerms.Value}
		for _, h := range fr.NewTerms.HistoryWindowStart {
			if h.Field == "history_window_start" {
				r.NewTerms.HistoryWindowStart = h.Value
			}
		}
		d, err := ParseHistory(r.NewTerms.HistoryWindowStart)
		if err != nil {
			return nil, fail("new_terms: %v", err)
		}
		r.NewTerms.History = d
	}
	if fr.Threshold != nil && r.Type == "threshold" {
		th, err := fr.Threshold.threshold()
		if err != nil {
			return nil, &Error{File: name, Line: sectionLine(data, thresholdKey), Msg: "threshold: " + err.Error()}
		}
		r.Threshold = th
	}
	switch r.Type {
	case "eql", "query", "new_terms", "threshold":
	case "":
		return nil, &Error{File: name, Msg: "rule has no type"}
	default:
		if _, known := unsupportedTypes[r.Type]; !known {
			// Not a type of Elastic's rules at all: a mistake in the file.
			line, col := valuePosition(data, typeKey)
			return nil, &Error{File: name, Line: line, Col: col, Msg: fmt.Sprintf("unknown rule type %q (eql, query, new_terms, threshold; esql, machine_learning, threat_match and saved_query are recognised but not run)", r.Type)}
		}
		return nil, &Error{File: name, Msg: unsupportedType(r.Type), Unsupported: true}
	}
	if why := unsupportedLanguage(r.Language); why != "" {
		return nil, &Error{File: name, Msg: why, Unsupported: true}
	}
	if r.Query == "" {
		return nil, &Error{File: name, Msg: "rule has no query"}
	}
	if r.Type == "new_terms" && (r.NewTerms == nil || len(r.NewTerms.Fields) == 0) {
		return nil, &Error{File: name, Msg: "new_terms rule has no new_terms fields"}
	}
	if r.Type == "threshold" {
		if r.Threshold == nil {
			return nil, &Error{File: name, Msg: "threshold rule has no [rule.threshold] settings"}
		}
		if r.Language == "eql" {
			return nil, fail("a threshold rule's query is KQL (language \"kuery\"), not EQL")
		}
	}
	q, err := CompileQuery(r.Language, r.Query, match.Options{CategoryField: r.EventCategoryOverride, Paths: paths})
	if err != nil {
		var qe *QueryError
		if errors.As(err, &qe) {
			e := &Error{File: name, Msg: qe.Msg, Context: qe.Context}
			e.Line = r.QueryLine + qe.Line - 1
			e.Col = qe.Col
			if qe.Line == 1 {
				e.Col = r.QueryCol + qe.Col - 1
			}
			return nil, e
		}
		return nil, fail("%v", err)
	}
	if (r.Type == "new_terms" || r.Type == "threshold") && q.Kind != match.Events {
		return nil, fail("a %s rule needs an event query, not a %s", r.Type, q.Kind)
	}
	r.Compiled = q
	r.Program = q.Event
	return r, nil
}

// QueryError is an error in a query, at a line and column of the query text.
type QueryError struct {
	Line, Col int
	Msg       string
	// Context is the query line with a caret under the column.
	Context string
}

func (e *QueryError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// CompileQuery parses a query in its language ("eql", or "kuery" for KQL)
// and compiles it: an EQL query may be an event query, a sequence or a
// sample, with pipes; a KQL query is an event query. Syntax and type errors
// are *QueryError.
func CompileQuery(language, query string, opts match.Options) (*match.Query, error) {
	var out *match.Query
	var err error
	switch language {
	case "eql":
		var q *ast.Query
		if q, err = eql.Parse(query); err == nil {
			out, err = match.CompileQuery(q, opts)
		}
	case "kuery", "":
		var e ast.Expr
		if e, err = kql.Parse(query); err == nil {
			var prog *match.Program
			if prog, err = match.CompileKQL(e, opts); err == nil {
				out = &match.Query{Kind: match.Events, Event: prog}
			}
		}
	default:
		return nil, fmt.Errorf("query language %q is not supported", language)
	}
	if err != nil {
		var ae *ast.Error
		if errors.As(err, &ae) {
			line, col := ast.LineCol(query, ae.Pos)
			return nil, &QueryError{Line: line, Col: col, Msg: ae.Msg, Context: ast.Caret(query, ae.Pos)}
		}
		return nil, err
	}
	return out, nil
}

// queryPosition finds where the text of the query string starts in a rule
// file: the line and column just after the opening quotes of the first line
// that reads query = followed by quotes (three single or double quotes, or
// one), or the next line when a multi-line string starts with a newline
// (which TOML drops).
func queryPosition(data []byte) (line, col int) {
	for i := 0; i < len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += i
		}
		if start, multi := queryStart(data[i:end]); start >= 0 {
			start += i
			if multi {
				if start < len(data) && data[start] == '\n' {
					start++
				} else if start+1 < len(data) && data[start] == '\r' && data[start+1] == '\n' {
					start += 2
				}
			}
			return lineCol(data, start)
		}
		i = end + 1
	}
	return 0, 0
}

// lineCol is ast.LineCol for a file's bytes, which it does not copy into a
// string: the line and column (in runes) of byte offset off of data.
func lineCol(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return 1 + bytes.Count(data[:off], []byte{'\n'}), 1 + utf8.RuneCount(data[start:off])
}

// queryStart returns the offset just after the opening quotes when line l
// reads query = followed by quotes, and whether they open a multi-line
// string; -1 when it does not.
func queryStart(l []byte) (int, bool) {
	i := 0
	blanks := func() {
		for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
			i++
		}
	}
	blanks()
	if !bytes.HasPrefix(l[i:], []byte("query")) {
		return -1, false
	}
	i += len("query")
	blanks()
	if i >= len(l) || l[i] != '=' {
		return -1, false
	}
	i++
	blanks()
	for _, q := range []string{"'''", `"""`, "'", `"`} {
		if bytes.HasPrefix(l[i:], []byte(q)) {
			return i + len(q), len(q) == 3
		}
	}
	return -1, false
}

var historyRE = regexp.MustCompile(`^now-(\d+)([smhdwMy])$`)

// ParseHistory reads a new_terms history window start such as "now-5d" and
// returns how far back it reaches.
func ParseHistory(s string) (time.Duration, error) {
	m := historyRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("history_window_start %q is not of the form now-N(s|m|h|d|w|M|y)", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, fmt.Errorf("history_window_start %q: %v", s, err)
	}
	unit := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour, "d": 24 * time.Hour,
		"w": 7 * 24 * time.Hour, "M": 30 * 24 * time.Hour, "y": 365 * 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}

// Base is the rule file's name without its folder, for display.
func (r *Rule) Base() string { return path.Base(r.Source) }

// typeKey finds the rule's type key in a rule file.
var typeKey = regexp.MustCompile(`(?m)^[ \t]*type[ \t]*=[ \t]*`)

// valuePosition is the line and column of the value of the first key that
// key finds in data; 0, 0 when there is none.
func valuePosition(data []byte, key *regexp.Regexp) (line, col int) {
	loc := key.FindIndex(data)
	if loc == nil {
		return 0, 0
	}
	return lineCol(data, loc[1])
}
