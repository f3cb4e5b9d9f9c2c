package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"dredge/rules"
)

// The JSON shapes of the JSON and NDJSON reports. Other tools read these
// key names; docs/report-formats.md describes them. A hit is written by hand
// (hitEncoder); its rule and the summary by encoding/json from these types.

// SchemaVersion is the version of the JSON and NDJSON reports' schema, their
// "schema_version". It goes up by one with a change that can break a reader:
// a key removed or renamed, or a value of another type or meaning. Adding a
// key leaves it as it is.
const SchemaVersion = 1

type jsonRule struct {
	ID         string       `json:"id"`
	Name       string       `json:"name"`
	Type       string       `json:"type"`
	Severity   string       `json:"severity"`
	RiskScore  int          `json:"risk_score"`
	Tactics    []jsonAttack `json:"tactics"`
	Techniques []jsonAttack `json:"techniques"`
}

type jsonAttack struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type jsonSummary struct {
	Started       zonedTime        `json:"started"`
	DurationMS    *int64           `json:"duration_ms"` // null when unknown
	Files         []jsonFile       `json:"files"`
	Bytes         int64            `json:"bytes"`
	Events        int64            `json:"events"`
	NoIndex       int64            `json:"events_without_index"`
	NoTime        int64            `json:"events_without_time"`
	OutsideWindow int64            `json:"events_outside_window"`
	Normalized    map[string]int64 `json:"normalized"`
	OSDerived     int64            `json:"host_os_type_derived"`
	Hits          int              `json:"hits"`
	Dropped       int              `json:"hits_dropped"`
	MaxHits       int              `json:"max_hits_per_rule"`
	Complete      bool             `json:"complete"`
	Interrupted   bool             `json:"interrupted"`
	InterruptedBy string           `json:"interrupted_by,omitempty"` // left out when not interrupted
	FirstEvent    zonedTime        `json:"first_event"`
	LastEvent     zonedTime        `json:"last_event"`
	Window        jsonWindow       `json:"window"`
	Hosts         []jsonHost       `json:"hosts"`
	Timeline      jsonTimeline     `json:"timeline"`
	Rules         []jsonRuleCount  `json:"rules"`
	RuleSet       jsonRuleSet      `json:"rule_set"`
	Problems      []jsonProblem    `json:"problems"`
	PassedOver    []string         `json:"passed_over,omitempty"` // left out when none
	Skipped       map[string]int   `json:"skipped"`
}

// jsonWindow is the scan's time window; an open end is null.
type jsonWindow struct {
	From zonedTime `json:"from"`
	To   zonedTime `json:"to"`
}

// jsonHost is one host of the summary's hosts, and one line of the NDJSON
// hosts sidecar.
type jsonHost struct {
	Name       string         `json:"name"`
	FirstEvent zonedTime      `json:"first_event"`
	LastEvent  zonedTime      `json:"last_event"`
	Events     int64          `json:"events"`
	Hits       jsonSeverities `json:"hits"`
}

// jsonSeverities counts hits by severity.
type jsonSeverities struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
}

// jsonTimeline counts the events over time, in buckets of StepMS
// milliseconds; StepMS is 0 and Buckets empty when no event had a time.
type jsonTimeline struct {
	StepMS  int64        `json:"step_ms"`
	Buckets []jsonBucket `json:"buckets"`
}

type jsonBucket struct {
	Start  zonedTime `json:"start"`
	Events int64     `json:"events"`
}

type jsonRuleSet struct {
	Rules       int      `json:"rules"`
	Builtin     int      `json:"builtin"`
	Folders     []string `json:"folders"`
	FromFolders int      `json:"from_folders"`
	Deprecated  int      `json:"deprecated"`
	Unsupported int      `json:"unsupported"`
	Errors      int      `json:"errors"`
	Filter      string   `json:"filter"`
	Filtered    int      `json:"filtered"`
}

type jsonFile struct {
	Path   string  `json:"path"`
	Bytes  int64   `json:"bytes"`
	Events int64   `json:"events"`
	SHA256 *string `json:"sha256"` // null when the file was not read to its end
}

type jsonRuleCount struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Severity  string `json:"severity"`
	RiskScore int    `json:"risk_score"`
	Hits      int    `json:"hits"`
	Dropped   int    `json:"hits_dropped"`
}

type jsonProblem struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Kind   string `json:"kind,omitempty"`
	Reason string `json:"reason"`
}

// zonedTime is a time as formatTimeIn writes it in zone loc, null when
// zero.
type zonedTime struct {
	t   time.Time
	loc *time.Location
}

func (z zonedTime) MarshalJSON() ([]byte, error) {
	return appendTime(nil, z.t, z.loc), nil
}

// hitEncoder turns hits into their JSON objects. It writes them by hand into
// a reused buffer, as encoding/json would with SetEscapeHTML(false) but
// checking a document with fastjson where it can (see document):
//
//	{"timestamp":T,"rule":{...},"origin":{"file":S,"line":N},
//	 "index":S,          (when known)
//	 "new_terms":[S...], (a new_terms hit)
//	 "join_keys":[S...], (a sequence or sample hit: strings and nulls)
//	 "threshold":{...},  (a threshold hit)
//	 "document":D,
//	 "events":[E...]}    (a sequence or sample hit)
//
// where T is a time in timeLayout or null, D is the event (see
// hitEncoder.document) and an event E is {"timestamp":T,"origin":{...},
// "index":S,"document":D} with index left out when unknown, or
// {"missing":true}. It keeps the encoded rule of each rule it has seen, as a
// report has many hits of few rules.
type hitEncoder struct {
	// docOuter and eventOuter are how many levels of arrays and objects
	// the document of a hit and that of an event sit under in the report.
	docOuter, eventOuter int
	// loc is the zone of the times; UTC (timeLayout) when nil.
	loc *time.Location

	buf   []byte // the last hit
	rules map[*rules.Rule]json.RawMessage
	// enc encodes rules and the summary into encBuf.
	enc    *json.Encoder
	encBuf bytes.Buffer
	// wrapped and compact are document's scratch space for a document
	// that is not plainJSON.
	wrapped []byte
	compact bytes.Buffer
}

// newHitEncoder returns an encoder of hits that sit in outer levels of
// arrays and objects in the report, with times in zone loc (UTC when nil).
func newHitEncoder(outer int, loc *time.Location) *hitEncoder {
	e := &hitEncoder{
		loc: loc,
		// A hit's document is in the hit object; an event's document in
		// the event object, in the events array, in the hit object.
		docOuter:   outer + 1,
		eventOuter: outer + 3,
		rules:      make(map[*rules.Rule]json.RawMessage),
	}
	e.enc = json.NewEncoder(&e.encBuf)
	// Event values stay as they are: this is data for tools, not a web page.
	e.enc.SetEscapeHTML(false)
	return e
}

// encode returns the compact JSON of v followed by a newline. The result is
// valid until the next call.
func (e *hitEncoder) encode(v any) ([]byte, error) {
	e.encBuf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return e.encBuf.Bytes(), nil
}

// hit returns the compact JSON of hit i of hits followed by a newline; valid
// until the next call.
func (e *hitEncoder) hit(hits []Hit, i int) ([]byte, error) {
	h := &hits[i]
	if h.Rule == nil {
		return nil, errNoRule(i)
	}
	rule, ok := e.rules[h.Rule]
	if !ok {
		b, err := e.encode(newJSONRule(h.Rule))
		if err != nil {
			return nil, err
		}
		rule = bytes.Clone(bytes.TrimSuffix(b, []byte("\n")))
		e.rules[h.Rule] = rule
	}
	b := append(e.buf[:0], `{"timestamp":`...)
	b = appendTime(b, h.Time, e.loc)
	b = append(b, `,"rule":`...)
	b = append(b, rule...)
	b = appendOrigin(b, h.Origin)
	if h.Index != "" {
		b = append(b, `,"index":`...)
		b = appendString(b, h.Index)
	}
	if len(h.NewTerms) > 0 {
		b = append(b, `,"new_terms":[`...)
		for j, s := range h.NewTerms {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		b = append(b, ']')
	}
	if h.Events != nil {
		b = appendJoinKeys(b, h.JoinKeys)
	}
	if h.Threshold != nil {
		b = appendThreshold(b, h.Threshold, e.loc)
	}
	b = append(b, `,"document":`...)
	b = e.document(b, h.Document, e.docOuter)
	if h.Events != nil {
		b = append(b, `,"events":[`...)
		for j := range h.Events {
			if j > 0 {
				b = append(b, ',')
			}
			b = e.event(b, &h.Events[j])
		}
		b = append(b, ']')
	}
	b = append(b, "}\n"...)
	e.buf = b
	return b, nil
}

// event appends the JSON object of one event of a sequence or sample hit.
func (e *hitEncoder) event(b []byte, ev *Event) []byte {
	if ev.Missing {
		return append(b, `{"missing":true}`...)
	}
	b = append(b, `{"timestamp":`...)
	b = appendTime(b, ev.Time, e.loc)
	b = appendOrigin(b, ev.Origin)
	if ev.Index != "" {
		b = append(b, `,"index":`...)
		b = appendString(b, ev.Index)
	}
	b = append(b, `,"document":`...)
	b = e.document(b, ev.Document, e.eventOuter)
	return append(b, '}')
}

// appendJoinKeys appends the join_keys member of a sequence or sample hit,
// comma first: strings, and null for a null value.
func appendJoinKeys(b []byte, keys []*string) []byte {
	b = append(b, `,"join_keys":[`...)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		if k == nil {
			b = append(b, "null"...)
		} else {
			b = appendString(b, *k)
		}
	}
	return append(b, ']')
}

// appendOrigin appends the origin member of a hit or event, comma first.
func appendOrigin(b []byte, o Origin) []byte {
	b = append(b, `,"origin":{"file":`...)
	b = appendString(b, o.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(o.Line), 10)
	return append(b, '}')
}

// appendThreshold appends the threshold member of a threshold hit, comma
// first, after the threshold_result of Kibana's alerts, times in zone loc.
// Its lists are [] when empty.
func appendThreshold(b []byte, t *ThresholdResult, loc *time.Location) []byte {
	b = append(b, `,"threshold":{"terms":[`...)
	for i, x := range t.Terms {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"field":`...)
		b = appendString(b, x.Field)
		b = append(b, `,"value":`...)
		b = appendString(b, x.Value)
		b = append(b, '}')
	}
	b = append(b, `],"count":`...)
	b = strconv.AppendInt(b, t.Count, 10)
	b = append(b, `,"first":`...)
	b = appendTime(b, t.First, loc)
	b = append(b, `,"last":`...)
	b = appendTime(b, t.Last, loc)
	b = append(b, `,"cardinality":[`...)
	for i, c := range t.Cardinality {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"field":`...)
		b = appendString(b, c.Field)
		b = append(b, `,"value":`...)
		b = strconv.AppendInt(b, c.Value, 10)
		b = append(b, '}')
	}
	return append(b, "]}"...)
}

// appendTime appends t as a JSON string as formatTimeIn writes it in zone
// loc, null when zero.
func appendTime(b []byte, t time.Time, loc *time.Location) []byte {
	switch {
	case t.IsZero():
		return append(b, "null"...)
	case loc == nil:
		b = append(b, '"')
		b = t.UTC().AppendFormat(b, timeLayout)
	default:
		b = append(b, '"')
		b = t.In(loc).AppendFormat(b, zonedLayout)
	}
	return append(b, '"')
}

func newJSONRule(r *rules.Rule) jsonRule {
	j := jsonRule{
		ID:         r.ID,
		Name:       r.Name,
		Type:       r.Type,
		Severity:   r.Severity,
		RiskScore:  r.RiskScore,
		Tactics:    []jsonAttack{},
		Techniques: []jsonAttack{},
	}
	for _, t := range r.Threat {
		if t.Tactic.ID != "" {
			j.Tactics = append(j.Tactics, jsonAttack{t.Tactic.ID, t.Tactic.Name})
		}
		for _, te := range t.Techniques {
			j.Techniques = append(j.Techniques, jsonAttack{te.ID, te.Name})
			for _, s := range te.Subtechniques {
				j.Techniques = append(j.Techniques, jsonAttack{s.ID, s.Name})
			}
		}
	}
	return j
}

// document appends the event to embed in a hit, a document that sits
// under outer levels of arrays and objects in the report: the document as
// it is, less any whitespace between its tokens; null when there is none (or
// only whitespace). Bytes that are not UTF-8 (in a damaged input) become
// U+FFFD. A document that json.Valid rejects, or that would make the report
// nest more than the 10,000 levels encoding/json reads, is embedded as a JSON
// string instead, so that the report stays valid JSON whatever the input was.
func (e *hitEncoder) document(b, doc []byte, outer int) []byte {
	if len(bytes.TrimSpace(doc)) == 0 {
		return append(b, "null"...)
	}
	if !utf8.Valid(doc) {
		doc = bytes.ToValidUTF8(doc, []byte("\uFFFD"))
	}
	if plainJSON(doc) {
		// The usual case: fastjson accepts exactly what json.Valid
		// does here, and a valid document is compact and nests at most
		// fastjson.MaxDepth levels.
		if fastjson.ValidateBytes(doc) != nil {
			return appendString(b, doc)
		}
		return append(b, doc...)
	}
	// json.Compact checks the document as json.Valid does, and compacts
	// it. Wrapped in as many arrays as there are levels above it in the
	// report, it must stay within the 10,000 levels encoding/json reads.
	w := e.wrapped[:0]
	for range outer {
		w = append(w, '[')
	}
	w = append(w, doc...)
	for range outer {
		w = append(w, ']')
	}
	e.wrapped = w
	e.compact.Reset()
	if err := json.Compact(&e.compact, w); err != nil {
		return appendString(b, doc)
	}
	c := e.compact.Bytes()
	return append(b, c[outer:len(c)-outer]...)
}

// plainJSON reports whether fastjson.ValidateBytes judges doc as json.Valid
// does, and doc is compact if it is JSON. That is so when doc has:
//   - at most fastjson.MaxDepth opening brackets: fastjson has no depth
//     limit, and builds its error message level by level, in time quadratic
//     in the depth;
//   - no control character in a string with an escape sequence: fastjson
//     looks for them only after the last escape of a string, and would
//     accept "a\x01\\n";
//   - no whitespace or control character outside its strings.
func plainJSON(doc []byte) bool {
	if bytes.Count(doc, []byte("["))+bytes.Count(doc, []byte("{")) > fastjson.MaxDepth {
		return false
	}
	if bytes.IndexByte(doc, '\\') >= 0 {
		return plainEscapedJSON(doc)
	}
	// No escapes: fastjson checks each string whole, there are no tabs or
	// line breaks in JSON strings, and a space is outside the strings
	// when an even number of quotes come before it.
	if bytes.IndexByte(doc, '\n') >= 0 || bytes.IndexByte(doc, '\t') >= 0 || bytes.IndexByte(doc, '\r') >= 0 {
		return false
	}
	quotes := 0
	for rest := doc; ; {
		i := bytes.IndexByte(rest, ' ')
		if i < 0 {
			return true
		}
		if quotes += bytes.Count(rest[:i], []byte(`"`)); quotes%2 == 0 {
			return false
		}
		rest = rest[i+1:]
	}
}

// plainEscapedJSON is plainJSON on a document with escape sequences, less
// the count of brackets.
func plainEscapedJSON(doc []byte) bool {
	for i := 0; i < len(doc); i++ {
		if doc[i] <= ' ' {
			return false // whitespace or a control character
		}
		if doc[i] != '"' {
			continue
		}
		for i++; i < len(doc) && doc[i] != '"'; i++ {
			switch {
			case doc[i] < 0x20:
				return false
			case doc[i] == '\\':
				i++
			}
		}
	}
	return true
}

// appendString appends s as a JSON string, escaped as encoding/json does
// with SetEscapeHTML(false): `"` and `\`, control characters (as \b, \f,
// \n, \r, \t, else \u00XX), U+2028 and U+2029, and \ufffd for each byte
// that is not UTF-8.
func appendString[S string | []byte](b []byte, s S) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		n := min(len(s)-i, utf8.UTFMax)
		r, size := utf8.DecodeRuneInString(string(s[i : i+n]))
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// newJSONSummary returns the summary of the JSON report, times in zone loc
// (UTC when nil).
func newJSONSummary(s *Summary, loc *time.Location) jsonSummary {
	j := jsonSummary{
		Started:       zonedTime{s.Started, loc},
		Files:         make([]jsonFile, 0, len(s.Files)),
		Bytes:         s.Bytes,
		Events:        s.Events,
		NoIndex:       s.NoIndex,
		NoTime:        s.NoTime,
		OutsideWindow: s.OutsideWindow,
		Normalized:    s.Normalized,
		OSDerived:     s.HostOSTypeDerived,
		Hits:          s.Hits,
		Dropped:       s.Dropped,
		MaxHits:       s.MaxHitsPerRule,
		Complete:      s.Complete && s.Interrupted == "",
		FirstEvent:    zonedTime{s.First, loc},
		LastEvent:     zonedTime{s.Last, loc},
		Window:        jsonWindow{zonedTime{s.From, loc}, zonedTime{s.To, loc}},
		Hosts:         newJSONHosts(s.Hosts, loc),
		Timeline:      jsonTimeline{StepMS: s.TimelineStep.Milliseconds(), Buckets: make([]jsonBucket, 0, len(s.Timeline))},
		Rules:         make([]jsonRuleCount, 0, len(s.Rules)),
		Problems:      make([]jsonProblem, 0, len(s.Problems)),
		Skipped:       s.Skipped,
	}
	rs := &s.RuleSet
	j.RuleSet = jsonRuleSet{
		Rules:       len(s.Rules),
		Builtin:     rs.Builtin,
		Folders:     append([]string{}, rs.Folders...),
		FromFolders: rs.FromFolders,
		Deprecated:  rs.Deprecated,
		Unsupported: rs.Unsupported,
		Errors:      rs.Errors,
		Filter:      rs.Filter,
		Filtered:    rs.Filtered,
	}
	if s.Duration != 0 {
		ms := s.Duration.Milliseconds()
		j.DurationMS = &ms
	}
	for _, f := range s.Files {
		jf := jsonFile{Path: f.Name, Bytes: f.Bytes, Events: f.Events}
		if f.SHA256 != "" {
			jf.SHA256 = &f.SHA256
		}
		j.Files = append(j.Files, jf)
	}
	for _, c := range s.Timeline {
		j.Timeline.Buckets = append(j.Timeline.Buckets, jsonBucket{zonedTime{c.Start, loc}, c.Events})
	}
	if len(j.Timeline.Buckets) == 0 {
		j.Timeline.StepMS = 0
	}
	for _, rc := range s.Rules {
		if rc.Rule == nil {
			continue
		}
		j.Rules = append(j.Rules, jsonRuleCount{rc.Rule.ID, rc.Rule.Name, rc.Rule.Severity, rc.Rule.RiskScore, rc.Hits, rc.Dropped})
	}
	for _, p := range s.Problems {
		j.Problems = append(j.Problems, jsonProblem(p))
	}
	j.PassedOver = s.PassedOver
	if s.Interrupted != "" {
		j.Interrupted, j.InterruptedBy = true, s.Interrupted
	}
	if j.Normalized == nil {
		j.Normalized = map[string]int64{}
	}
	if j.Skipped == nil {
		j.Skipped = map[string]int{}
	}
	return j
}

// newJSONHosts returns the hosts of the summary, times in zone loc; [] when
// there are none.
func newJSONHosts(hosts []HostStat, loc *time.Location) []jsonHost {
	out := make([]jsonHost, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, jsonHost{
			Name:       h.Name,
			FirstEvent: zonedTime{h.First, loc},
			LastEvent:  zonedTime{h.Last, loc},
			Events:     h.Events,
			Hits:       jsonSeverities(h.Hits),
		})
	}
	return out
}

// WriteJSON writes res to w as one JSON document, indented by two spaces:
//
//	{"version": ..., "schema_version": 1, "summary": {...}, "hits": [...]}
//
// The hits are encoded one at a time, so the report is never held whole in
// memory.
func WriteJSON(w io.Writer, res *Result) error {
	return Options{}.WriteJSON(w, res)
}

// WriteJSON writes res to w as one JSON document, times in zone o.TZ.
func (o Options) WriteJSON(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newHitEncoder(2, o.TZ) // in the top object's hits array
	var ind bytes.Buffer
	// put writes the compact JSON b indented to sit at the given depth.
	put := func(b []byte, prefix string) error {
		ind.Reset()
		if err := json.Indent(&ind, bytes.TrimSuffix(b, []byte("\n")), prefix, "  "); err != nil {
			return err
		}
		_, err := bw.Write(ind.Bytes())
		return err
	}
	b, err := e.encode(res.Summary.Version)
	if err != nil {
		return err
	}
	bw.WriteString("{\n  \"version\": ")
	put(b, "  ")
	bw.WriteString(",\n  \"schema_version\": " + strconv.Itoa(SchemaVersion))
	if b, err = e.encode(newJSONSummary(&res.Summary, o.TZ)); err != nil {
		return err
	}
	bw.WriteString(",\n  \"summary\": ")
	put(b, "  ")
	bw.WriteString(",\n  \"hits\": [")
	for i := range res.Hits {
		b, err := e.hit(res.Hits, i)
		if err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		if err := put(b, "    "); err != nil {
			return err // the writer failed: stop here
		}
	}
	if len(res.Hits) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}
