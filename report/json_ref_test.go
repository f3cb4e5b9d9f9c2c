package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"dredge/rules"
)

// The reference JSON writers: the encoding/json code that wrote hits before
// hitEncoder wrote them by hand, kept as it was (renamed) so that tests and
// fuzz targets can check that both give the same bytes, and benchmarks can
// compare them.

// jsonTime is a time in timeLayout, null when zero.
type jsonTime time.Time

func (t jsonTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + formatTime(time.Time(t)) + `"`), nil
}

type refJSONHit struct {
	Timestamp jsonTime          `json:"timestamp"`
	Rule      json.RawMessage   `json:"rule"`
	Origin    jsonOrigin        `json:"origin"`
	Index     string            `json:"index,omitempty"`
	NewTerms  []string          `json:"new_terms,omitempty"`
	JoinKeys  *[]*string        `json:"join_keys,omitempty"`
	Threshold *refJSONThreshold `json:"threshold,omitempty"`
	Document  any               `json:"document"`
	Events    json.RawMessage   `json:"events,omitempty"`
}

type jsonOrigin struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

type refJSONEvent struct {
	Timestamp jsonTime   `json:"timestamp"`
	Origin    jsonOrigin `json:"origin"`
	Index     string     `json:"index,omitempty"`
	Document  any        `json:"document"`
}

type refJSONThreshold struct {
	Terms       []refJSONThresholdTerm        `json:"terms"`
	Count       int64                         `json:"count"`
	First       jsonTime                      `json:"first"`
	Last        jsonTime                      `json:"last"`
	Cardinality []refJSONThresholdCardinality `json:"cardinality"`
}

type refJSONThresholdTerm struct {
	Field string `json:"field"`
	Value string `json:"value"`
}

type refJSONThresholdCardinality struct {
	Field string `json:"field"`
	Value int64  `json:"value"`
}

func refNewJSONThreshold(t *ThresholdResult) *refJSONThreshold {
	if t == nil {
		return nil
	}
	j := &refJSONThreshold{
		Terms:       make([]refJSONThresholdTerm, 0, len(t.Terms)),
		Count:       t.Count,
		First:       jsonTime(t.First),
		Last:        jsonTime(t.Last),
		Cardinality: make([]refJSONThresholdCardinality, 0, len(t.Cardinality)),
	}
	for _, x := range t.Terms {
		j.Terms = append(j.Terms, refJSONThresholdTerm(x))
	}
	for _, c := range t.Cardinality {
		j.Cardinality = append(j.Cardinality, refJSONThresholdCardinality(c))
	}
	return j
}

type refHitEncoder struct {
	buf   bytes.Buffer
	enc   *json.Encoder
	rules map[*rules.Rule]json.RawMessage
	evBuf bytes.Buffer
	evEnc *json.Encoder
}

func newRefHitEncoder() *refHitEncoder {
	e := &refHitEncoder{rules: make(map[*rules.Rule]json.RawMessage)}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	e.evEnc = json.NewEncoder(&e.evBuf)
	e.evEnc.SetEscapeHTML(false)
	return e
}

func (e *refHitEncoder) events(evs []Event) (json.RawMessage, error) {
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
		doc := refJSONDocument(ev.Document)
		if raw, ok := doc.(json.RawMessage); ok && !json.Valid(raw) {
			doc = string(raw)
		}
		if err := e.evEnc.Encode(refJSONEvent{jsonTime(ev.Time), jsonOrigin{ev.Origin.File, ev.Origin.Line}, ev.Index, doc}); err != nil {
			return nil, err
		}
		e.evBuf.Truncate(e.evBuf.Len() - 1)
	}
	e.evBuf.WriteByte(']')
	return e.evBuf.Bytes(), nil
}

func (e *refHitEncoder) encode(v any) ([]byte, error) {
	e.buf.Reset()
	if err := e.enc.Encode(v); err != nil {
		return nil, err
	}
	return e.buf.Bytes(), nil
}

func (e *refHitEncoder) hit(hits []Hit, i int) ([]byte, error) {
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
	j := refJSONHit{
		Timestamp: jsonTime(h.Time),
		Rule:      rule,
		Origin:    jsonOrigin{h.Origin.File, h.Origin.Line},
		Index:     h.Index,
		NewTerms:  h.NewTerms,
		Threshold: refNewJSONThreshold(h.Threshold),
		Document:  refJSONDocument(h.Document),
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
		j.Document = string(raw)
		b, err = e.encode(j)
	}
	return b, err
}

func refJSONDocument(doc []byte) any {
	if len(bytes.TrimSpace(doc)) == 0 {
		return nil
	}
	if !utf8.Valid(doc) {
		doc = bytes.ToValidUTF8(doc, []byte("\uFFFD"))
	}
	return json.RawMessage(doc)
}

// refWriteJSON is WriteJSON as it was.
func refWriteJSON(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newRefHitEncoder()
	var ind bytes.Buffer
	put := func(b []byte, prefix string) error {
		ind.Reset()
		json.Indent(&ind, bytes.TrimSuffix(b, []byte("\n")), prefix, "  ")
		_, err := bw.Write(ind.Bytes())
		return err
	}
	b, err := e.encode(res.Summary.Version)
	if err != nil {
		return err
	}
	bw.WriteString("{\n  \"version\": ")
	put(b, "  ")
	bw.WriteString(",\n  \"schema_version\": " + strconv.Itoa(SchemaVersion)) // added with the schema version
	if b, err = e.encode(newJSONSummary(&res.Summary, nil)); err != nil {
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
			return err
		}
	}
	if len(res.Hits) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

// refWriteNDJSON is WriteNDJSON as it was.
func refWriteNDJSON(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newRefHitEncoder()
	for i := range res.Hits {
		b, err := e.hit(res.Hits, i)
		if err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}
