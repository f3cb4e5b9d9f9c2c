package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/valyala/fastjson"

	"dredge/rules"
)

// WriteECS writes the hits of res to w as ECS alert documents, one per
// line (NDJSON), to index into Elasticsearch. A document is the hit's event
// as it was read, with:
//
//   - event.kind "alert", and event.risk_score and event.risk_score_norm,
//     the rule's risk score (0 to 100);
//   - rule.*: id and uuid (the rule's rule_id), name, description,
//     reference, author, license and version;
//   - threat.*: the rule's MITRE ATT&CK tactics, techniques and
//     sub-techniques;
//   - dredge.*: what ECS has no field for (the rule's severity and type,
//     the event's origin and index, the new terms, the chain of a sequence,
//     the group of a threshold), and the event's own values of the fields
//     above, under dredge.original, as they were.
//
// A sequence or sample hit is one document, its first event's, and
// dredge.events lists its whole chain by time, origin and index. An event
// that is not a JSON object (damaged input) is kept as text in
// event.original. Times are in UTC whatever o.TZ, as Elasticsearch keeps
// them; the event's @timestamp is left as it is.
func (o Options) WriteECS(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newECSEncoder(&res.Summary)
	for i := range res.Hits {
		b, err := e.alert(res.Hits, i)
		if err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// ecsEncoder turns hits into ECS alert documents. It keeps the encoded
// fields of each rule it has seen, as a report has many hits of few rules.
type ecsEncoder struct {
	s     *Summary
	doc   *hitEncoder // to check and compact documents
	p     fastjson.Parser
	rules map[*rules.Rule]ecsRule
	// buf and docBuf hold the last alert and its event's document.
	buf, docBuf []byte
	// original collects the event's own values of the fields the alert
	// sets: their keys and JSON values.
	original []ecsMember
}

// ecsRule is the encoded fields of a rule: its members of the event
// object (comma first), and the rule, threat and dredge.rule members.
type ecsRule struct {
	event, top, dredge []byte
}

// ecsMember is a member of an event object: its key and its JSON value.
type ecsMember struct {
	key   string
	value []byte
}

// newECSEncoder returns an encoder of the alerts of the scan of s.
func newECSEncoder(s *Summary) *ecsEncoder {
	return &ecsEncoder{s: s, doc: newHitEncoder(0, nil), rules: make(map[*rules.Rule]ecsRule)}
}

// ecsOwned tells whether a top-level key of an event names a field that
// the alert sets: rule.*, threat.*, dredge.*, or one of the event.* fields
// of ecsOwnedEvent written with a dotted key. (An "event" member that is
// not an object is the alert's too; see eventMembers.)
func ecsOwned(key string) bool {
	for _, ns := range [...]string{"rule", "threat", "dredge"} {
		if key == ns || strings.HasPrefix(key, ns+".") {
			return true
		}
	}
	sub, ok := strings.CutPrefix(key, "event.")
	return ok && ecsOwnedEvent(sub)
}

// ecsOwnedEvent tells whether a key of the event object names a field that
// the alert sets.
func ecsOwnedEvent(key string) bool {
	return key == "kind" || key == "risk_score" || key == "risk_score_norm"
}

// alert returns the ECS document of hit i followed by a newline; valid until
// the next call.
func (e *ecsEncoder) alert(hits []Hit, i int) ([]byte, error) {
	h := &hits[i]
	if h.Rule == nil {
		return nil, errNoRule(i)
	}
	r, ok := e.rules[h.Rule]
	if !ok {
		r = newECSRule(h.Rule)
		e.rules[h.Rule] = r
	}
	b := e.eventMembers(append(e.buf[:0], '{'), h.Document, r)
	b = append(b, r.top...)
	b = e.dredgeObject(b, h, r)
	b = append(b, "}\n"...)
	e.buf = b
	return b, nil
}

// eventMembers appends the members of the event doc to b, which opens the
// alert, less those the alert sets, which go to e.original; and the event
// object with the alert's members r.event.
func (e *ecsEncoder) eventMembers(b, doc []byte, r ecsRule) []byte {
	e.original = e.original[:0]
	e.docBuf = e.doc.document(e.docBuf[:0], doc, 1)
	doc = e.docBuf
	var v *fastjson.Value
	if doc[0] == '{' {
		// doc is valid, compact JSON: fastjson reads it as encoding/json
		// does, unless it nests deeper than fastjson.MaxDepth.
		v, _ = e.p.ParseBytes(doc)
	}
	hasEvent := false
	if v != nil {
		obj, _ := v.Object()
		obj.Visit(func(key []byte, x *fastjson.Value) {
			k := string(key)
			switch {
			case ecsOwned(k):
				e.original = append(e.original, ecsMember{k, x.MarshalTo(nil)})
			case k == "event" && !hasEvent && x.Type() == fastjson.TypeObject:
				// The alert's event fields go into the event's object,
				// where it is.
				hasEvent = true
				b = appendKey(b, "event")
				b = e.eventObject(b, x, r.event)
			case k == "event":
				// Not an object, or a second one: the alert's event
				// object takes its place.
				e.original = append(e.original, ecsMember{k, x.MarshalTo(nil)})
			default:
				b = appendKey(b, k)
				b = x.MarshalTo(b)
			}
		})
	}
	if hasEvent {
		return b
	}
	b = appendKey(b, "event")
	b = append(b, '{')
	if v == nil && string(doc) != "null" {
		// Not a JSON object: the event's text, as a JSON string.
		b = append(b, `"original":`...)
		if doc[0] == '"' {
			b = append(b, doc...)
		} else {
			b = appendString(b, doc)
		}
		b = append(b, r.event...)
	} else {
		b = append(b, r.event[1:]...) // no comma first
	}
	return append(b, '}')
}

// dredgeObject appends the dredge member of hit h's alert, comma first.
func (e *ecsEncoder) dredgeObject(b []byte, h *Hit, r ecsRule) []byte {
	b = append(b, `,"dredge":{"version":`...)
	b = appendString(b, e.s.Version)
	if why := e.s.Interrupted; why != "" {
		b = append(b, `,"interrupted_by":`...)
		b = appendString(b, why)
	}
	b = append(b, r.dredge...)
	b = appendOrigin(b, h.Origin)
	if h.Index != "" {
		b = append(b, `,"index":`...)
		b = appendString(b, h.Index)
	}
	if len(h.NewTerms) > 0 {
		b = append(b, `,"new_terms":`...)
		b = appendStrings(b, h.NewTerms)
	}
	if h.Events != nil {
		b = appendJoinKeys(b, h.JoinKeys)
		b = append(b, `,"events":[`...)
		for j := range h.Events {
			if j > 0 {
				b = append(b, ',')
			}
			ev := &h.Events[j]
			if ev.Missing {
				b = append(b, `{"missing":true}`...)
				continue
			}
			b = append(b, `{"timestamp":`...)
			b = appendTime(b, ev.Time, nil)
			b = appendOrigin(b, ev.Origin)
			if ev.Index != "" {
				b = append(b, `,"index":`...)
				b = appendString(b, ev.Index)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if h.Threshold != nil {
		b = appendThreshold(b, h.Threshold, nil)
	}
	if len(e.original) > 0 {
		b = append(b, `,"original":{`...)
		for j, m := range e.original {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m.key)
			b = append(b, ':')
			b = append(b, m.value...)
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

// eventObject appends the event object x with the alert's members, which
// replace the event's own values of them; those go to e.original, as one
// "event" object.
func (e *ecsEncoder) eventObject(b []byte, x *fastjson.Value, alert []byte) []byte {
	b = append(b, '{')
	var own []byte
	obj, _ := x.Object()
	obj.Visit(func(key []byte, y *fastjson.Value) {
		k := string(key)
		if ecsOwnedEvent(k) {
			own = append(own, ',')
			own = appendString(own, k)
			own = append(own, ':')
			own = y.MarshalTo(own)
			return
		}
		b = appendKey(b, k)
		b = y.MarshalTo(b)
	})
	if own != nil {
		own[0] = '{'
		e.original = append(e.original, ecsMember{"event", append(own, '}')})
	}
	if b[len(b)-1] == '{' {
		alert = alert[1:] // no comma first
	}
	b = append(b, alert...)
	return append(b, '}')
}

// appendKey appends "key": to the members of an object that b opens,
// after a comma unless it is the first.
func appendKey(b []byte, key string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = appendString(b, key)
	return append(b, ':')
}

// newECSRule encodes the fields of rule r.
func newECSRule(r *rules.Rule) ecsRule {
	var x ecsRule
	x.event = append(x.event, `,"kind":"alert","risk_score":`...)
	x.event = strconv.AppendInt(x.event, int64(r.RiskScore), 10)
	x.event = append(x.event, `,"risk_score_norm":`...)
	x.event = strconv.AppendInt(x.event, int64(r.RiskScore), 10)

	b := append([]byte(nil), `,"rule":{"id":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"uuid":`...)
	b = appendString(b, r.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, r.Name)
	b = appendMember(b, "description", r.Description)
	if len(r.References) > 0 {
		b = append(b, `,"reference":`...)
		b = appendStrings(b, r.References)
	}
	if len(r.Author) > 0 {
		b = append(b, `,"author":`...)
		b = appendStrings(b, r.Author)
	}
	b = appendMember(b, "license", r.License)
	if r.Version > 0 {
		b = appendMember(b, "version", strconv.Itoa(r.Version))
	}
	b = append(b, '}')
	b = appendThreat(b, r.Threat)
	x.top = b

	x.dredge = append(x.dredge, `,"rule":{"severity":`...)
	x.dredge = appendString(x.dredge, r.Severity)
	x.dredge = append(x.dredge, `,"type":`...)
	x.dredge = appendString(x.dredge, r.Type)
	x.dredge = append(x.dredge, '}')
	return x
}

// appendThreat appends the threat member of the rule's ATT&CK mappings,
// comma first, as ECS has it: the framework, and lists of the ids, names
// and references of the tactics, techniques and sub-techniques, each in
// rule order. Nothing when the rule has none.
func appendThreat(b []byte, threats []rules.Threat) []byte {
	var framework string
	var tactics, techniques, subs []rules.Technique
	for _, t := range threats {
		if framework == "" {
			framework = t.Framework
		}
		if t.Tactic.ID != "" {
			tactics = append(tactics, rules.Technique{ID: t.Tactic.ID, Name: t.Tactic.Name, Reference: t.Tactic.Reference})
		}
		for _, te := range t.Techniques {
			techniques = append(techniques, te)
			subs = append(subs, te.Subtechniques...)
		}
	}
	if framework == "" && len(tactics) == 0 && len(techniques) == 0 {
		return b
	}
	b = append(b, `,"threat":{`...)
	if framework != "" {
		b = appendKey(b, "framework")
		b = appendString(b, framework)
	}
	if len(tactics) > 0 {
		b = appendKey(b, "tactic")
		b = appendAttack(b, tactics, nil)
	}
	if len(techniques) > 0 {
		b = appendKey(b, "technique")
		var sub []byte
		if len(subs) > 0 {
			sub = appendAttack(nil, subs, nil)
		}
		b = appendAttack(b, techniques, sub)
	}
	return append(b, '}')
}

// appendAttack appends {"id":[...],"name":[...],"reference":[...]} for ts,
// with a "subtechnique" member holding sub when it is not empty.
func appendAttack(b []byte, ts []rules.Technique, sub []byte) []byte {
	for i, part := range [...]string{"id", "name", "reference"} {
		if i == 0 {
			b = append(b, '{')
		} else {
			b = append(b, ',')
		}
		b = appendString(b, part)
		b = append(b, ":["...)
		for j, t := range ts {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, [...]string{t.ID, t.Name, t.Reference}[i])
		}
		b = append(b, ']')
	}
	if len(sub) > 0 {
		b = append(b, `,"subtechnique":`...)
		b = append(b, sub...)
	}
	return append(b, '}')
}

// appendMember appends ,"key":"value", nothing when value is "".
func appendMember(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',')
	b = appendString(b, key)
	b = append(b, ':')
	return appendString(b, value)
}

// appendStrings appends ss as a JSON array of strings.
func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}
