package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"time"
	"unicode/utf8"

	"dredge/rules"
)

// The JSON shapes of the JSON and NDJSON reports. Other tools read these
// key names; docs/report-formats.md describes them.

type jsonHit struct {
	Timestamp jsonTime        `json:"timestamp"`
	Rule      json.RawMessage `json:"rule"`
	Origin    jsonOrigin      `json:"origin"`
	Index     string          `json:"index,omitempty"`
	NewTerms  []string        `json:"new_terms,omitempty"`
	// JoinKeys are those of a sequence or sample hit: strings and nulls;
	// nil (left out) for a hit on a single event.
	JoinKeys *[]*string `json:"join_keys,omitempty"`
	// Threshold is the group of a threshold hit; left out for other hits.
	Threshold *jsonThreshold `json:"threshold,omitempty"`
	// Document is a json.RawMessage, or a string for a document that is not
	// valid JSON.
	Document any `json:"document"`
	// Events are the events of a sequence or sample hit (jsonEvent
	// objects); left out for a hit on a single event.
	Events json.RawMessage `json:"events,omitempty"`
}

// jsonEvent is one event of a sequence or sample hit. A missing event is
// written {"missing": true} instead.
type jsonEvent struct {
	Timestamp jsonTime   `json:"timestamp"`
	Origin    jsonOrigin `json:"origin"`
	Index     string     `json:"index,omitempty"`
	Document  any        `json:"document"`
}

// jsonThreshold is the group of a threshold hit, after the threshold_result
// of Kibana's alerts. Its lists are [] when empty.
type jsonThreshold struct {
	Terms       []jsonThresholdTerm        `json:"terms"`
	Count       int64                      `json:"count"`
	First       jsonTime                   `json:"first"`
	Last        jsonTime                   `json:"last"`
	Cardinality []jsonThresholdCardinality `json:"cardinality"`
}

type jsonThresholdTerm struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

type jsonThresholdCardinality struct {
	Field string `json:"field"`
	Value int64  `json:"value"`
}

func newJSONThreshold(t *ThresholdResult) *jsonThreshold {
	if t == nil {
		return nil
	}
	j := &jsonThreshold{
		Terms:       make([]jsonThresholdTerm, 0, len(t.Terms)),
		Count:       t.Count,
		First:       jsonTime(t.First),
		Last:        jsonTime(t.Last),
		Cardinality: make([]jsonThresholdCardinality, 0, len(t.Cardinality)),
	}
	for _, x := range t.Terms {
		j.Terms = append(j.Terms, jsonThresholdTerm(x))
	}
	for _, c := range t.Cardinality {
		j.Cardinality = append(j.Cardinality, jsonThresholdCardinality(c))
	}
	return j
}

type jsonOrigin struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

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
	Files      []jsonFile       `json:"files"`
	Bytes      int64            `json:"bytes"`
	Events     int64            `json:"events"`
	NoIndex    int64            `json:"events_without_index"`
	Normalized map[string]int64 `json:"normalized"`
	OSDerived  int64            `json:"host_os_type_derived"`
	Hits       int              `json:"hits"`
	Complete   bool             `json:"complete"`
	FirstEvent jsonTime         `json:"first_event"`
	LastEvent  jsonTime         `json:"last_event"`
	Rules      []jsonRuleCount  `json:"rules"`
	RuleSet    jsonRuleSet      `json:"rule_set"`
	Problems   []jsonProblem    `json:"problems"`
	Skipped    map[string]int   `json:"skipped"`
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
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	Events int64  `json:"events"`
}

type jsonRuleCount struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Severity  string `json:"severity"`
	RiskScore int    `json:"risk_score"`
	Hits      int    `json:"hits"`
}

type jsonProblem struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Kind   string `json:"kind,omitempty"`
	Reason string `json:"reason"`
}

// jsonTime is a time in timeLayout, null when zero.
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + formatTime(time.Time(t)) + `"`), nil
}

// hitEncoder turns hits into their JSON objects. It keeps the encoded rule of
// each rule it has seen, as a report has many hits of few rules.
type hitEncoder struct {
	buf   bytes.Buffer
	enc   *json.Encoder
	rules map[*rules.Rule]json.RawMessage
	// events encodes the events of a sequence or sample hit.
	evBuf bytes.Buffer
	evEnc *json.Encoder
}

func newHitEncoder() *hitEncoder {
	e := &hitEncoder{rules: make(map[*rules.Rule]json.RawMessage)}
	e.enc = json.NewEncoder(&e.buf)
	// Event values stay as they are: this is data for tools, not a web page.
	e.enc.SetEscapeHTML(false)
	e.evEnc = json.NewEncoder(&e.evBuf)
	e.evEnc.SetEscapeHTML(false)
	return e
}

// events returns the JSON array of a sequence's or sample's events; valid
// until the next call.
func (e *hitEncoder) events(evs []Event) (json.RawMessage, error) {
	e.evBuf.Reset()
	e.evBuf.WriteByte('[')
	for i := range evs {
		ev := &evs[i]
		if i > 0 {
			e.evBuf.WriteByte(',')
		}
		if ev.Missing {
			e.evBuf.WriteString(`{"missing":true}`)
			continue
		}
		doc := jsonDocument(ev.Document)
		if raw, ok := doc.(json.RawMessage); ok && !json.Valid(raw) {
			doc = string(raw)
		}
		if err := e.evEnc.Encode(jsonEvent{jsonTime(ev.Time), jsonOrigin{ev.Origin.File, ev.Origin.Line}, ev.Index, doc}); err != nil {
			return nil, err
		}
		e.evBuf.Truncate(e.evBuf.Len() - 1) // the encoder's newline
	}
	e.evBuf.WriteByte(']')
	return e.evBuf.Bytes(), nil
}

// encode returns the compact JSON of v followed by a newline. The result is
// valid until the next call.
func (e *hitEncoder) encode(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
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
	j := jsonHit{
		Timestamp: jsonTime(h.Time),
		Rule:      rule,
		Origin:    jsonOrigin{h.Origin.File, h.Origin.Line},
		Index:     h.Index,
		NewTerms:  h.NewTerms,
		Threshold: newJSONThreshold(h.Threshold),
		Document:  jsonDocument(h.Document),
	}
	if h.Events != nil {
		keys := h.JoinKeys
		if keys == nil {
			keys = []*string{}
		}
		j.JoinKeys = &keys
		evs, err := e.events(h.Events)
		if err != nil {
			return nil, err
		}
		j.Events = evs
	}
	b, err := e.encode(j)
	if raw, ok := j.Document.(json.RawMessage); ok && err != nil {
		// The encoder checks a json.RawMessage as it copies it: the
		// document is not JSON, so embed it as a string.
		j.Document = string(raw)
		b, err = e.encode(j)
	}
	return b, err
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

// jsonDocument returns the event to embed in a hit: the document as a
// json.RawMessage, nil when there is none. Bytes that are not UTF-8 (in a
// damaged input) become U+FFFD. A document that is not JSON is embedded as a
// string instead (hitEncoder.hit), so that the report stays valid JSON
// whatever the input was.
func jsonDocument(doc []byte) any {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil
	}
	if !utf8.Valid(doc) {
		doc = bytes.ToValidUTF8(doc, []byte("\uFFFD"))
	}
	return json.RawMessage(doc)
}

func newJSONSummary(s *Summary) jsonSummary {
	j := jsonSummary{
		Files:      make([]jsonFile, 0, len(s.Files)),
		Bytes:      s.Bytes,
		Events:     s.Events,
		NoIndex:    s.NoIndex,
		Normalized: s.Normalized,
		OSDerived:  s.HostOSTypeDerived,
		Hits:       s.Hits,
		Complete:   s.Complete,
		FirstEvent: jsonTime(s.First),
		LastEvent:  jsonTime(s.Last),
		Rules:      make([]jsonRuleCount, 0, len(s.Rules)),
		Problems:   make([]jsonProblem, 0, len(s.Problems)),
		Skipped:    s.Skipped,
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
	for _, f := range s.Files {
		j.Files = append(j.Files, jsonFile{f.Name, f.Bytes, f.Events})
	}
	for _, rc := range s.Rules {
		if rc.Rule == nil {
			continue
		}
		j.Rules = append(j.Rules, jsonRuleCount{rc.Rule.ID, rc.Rule.Name, rc.Rule.Severity, rc.Rule.RiskScore, rc.Hits})
	}
	for _, p := range s.Problems {
		j.Problems = append(j.Problems, jsonProblem(p))
	}
	if j.Normalized == nil {
		j.Normalized = map[string]int64{}
	}
	if j.Skipped == nil {
		j.Skipped = map[string]int{}
	}
	return j
}

// WriteJSON writes res to w as one JSON document, indented by two spaces:
//
//	{"version": ..., "summary": {...}, "hits": [...]}
//
// The hits are encoded one at a time, so the report is never held whole in
// memory.
func WriteJSON(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newHitEncoder()
	var ind bytes.Buffer
	// put writes the compact JSON b indented to sit at the given depth.
	put := func(b []byte, prefix string) error {
		ind.Reset()
		json.Indent(&ind, bytes.TrimSuffix(b, []byte("\n")), prefix, "  ") // b is valid: the encoder made it
		_, err := bw.Write(ind.Bytes())
		return err
	}
	b, err := e.encode(res.Summary.Version)
	if err != nil {
		return err
	}
	bw.WriteString("{\n  \"version\": ")
	put(b, "  ")
	if b, err = e.encode(newJSONSummary(&res.Summary)); err != nil {
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
