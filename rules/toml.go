package rules

import (
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	fasttoml "github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// decodeTOML decodes a rule file into v. Loading a collection was mostly
// decoding TOML, so a well-formed file is decoded by go-toml, several times
// faster; a file it refuses is decoded again by BurntSushi/toml, whose
// errors (toml.ParseError, with line and column) the messages of dredge
// are made of. TestDecodeTOML checks that both decode the rule files alike.
func decodeTOML(data []byte, v any) error {
	if err := fasttoml.Unmarshal(data, v); err == nil {
		return nil
	}
	reflect.ValueOf(v).Elem().SetZero() // what go-toml had set
	_, err := toml.Decode(string(data), v)
	return err
}

// tomlDecoder decodes rule files into a file, as decodeTOML does but
// several times faster: it walks go-toml's syntax tree (its unstable
// parser) and sets the fields of a file directly, without reflection.
// It takes the common shape of a rule file only, a document that is surely
// valid TOML and whose values have the types of the fields; on anything
// else it lets decodeTOML decode the file, so that the outcome, or the
// error, is always decodeTOML's. TestDecodeFast checks that both decode
// alike.
//
// A tomlDecoder keeps its memory from file to file; it is used by one
// goroutine at a time.
type tomlDecoder struct {
	p unstable.Parser
	// seen holds, by the hash of their path, the tables and keys that
	// the document defined, to refuse what TOML forbids (a key or a
	// table defined twice, a table of a name that holds a value...). A
	// collision of hashes makes a document look invalid and sends it to
	// decodeTOML: a loss of time only.
	seen map[uint64]seenEntry
}

// seenEntry is what a path of the document names.
type seenEntry struct {
	kind  seenKind
	elems int32 // for an array of tables, its number of tables
}

type seenKind uint8

const (
	seenValue    seenKind = iota + 1 // key = value
	seenImplicit                     // a table made by a longer table header
	seenTable                        // [table]
	seenArray                        // [[array of tables]]
)

// section is the part of a file a table header points to: the fields of
// the file that its keys set.
type section uint8

const (
	secOther section = iota // a table dredge does not read; its keys are checked and left
	secRoot
	secMetadata
	secRule
	secNewTerms
	secHistory
	secThreshold
	secCardinality
	secThreat
	secTactic
	secTechnique
	secSubtechnique
)

// decode decodes data into f, which must be zero.
func (d *tomlDecoder) decode(data []byte, f *file) error {
	if d.fast(data, f) {
		return nil
	}
	*f = file{} // what the walk had set
	return decodeTOML(data, f)
}

// fast decodes data into f and reports whether it could.
func (d *tomlDecoder) fast(data []byte, f *file) bool {
	if d.seen == nil {
		d.seen = map[uint64]seenEntry{}
	}
	clear(d.seen)
	d.p.Reset(data)
	sec, path := secRoot, uint64(fnvOffset)
	for d.p.NextExpression() {
		e := d.p.Expression()
		var ok bool
		switch e.Kind {
		case unstable.KeyValue:
			ok = d.keyValue(f, sec, path, e)
		case unstable.Table, unstable.ArrayTable:
			sec, path, ok = d.table(f, e)
		}
		if !ok {
			return false
		}
	}
	return d.p.Error() == nil
}

// Hashes of paths: FNV-1a over the keys, each closed by its length.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// under is the hash of the path of key in the table whose path hashes to
// parent.
func under(parent uint64, key []byte) uint64 {
	h := parent
	for _, c := range key {
		h = (h ^ uint64(c)) * fnvPrime
	}
	return (h ^ uint64(len(key)) ^ 0x5bd1e995) * fnvPrime
}

// element is the hash of the path of the n-th element of the array (of
// tables, or of values) whose path hashes to array.
func element(array uint64, n int) uint64 {
	return (array ^ uint64(n) ^ 0x9e3779b97f4a7c15) * fnvPrime
}

// table enters the table or array of tables that the header e opens. It
// returns the section it points to and the hash of its path, and reports
// false for what the fast path does not take: a table defined twice, or
// after a longer header made it, a header through a value, and a header at
// a field of another kind than the header's.
func (d *tomlDecoder) table(f *file, e *unstable.Node) (section, uint64, bool) {
	sec, path := secRoot, uint64(fnvOffset)
	it := e.Key()
	for it.Next() {
		name := it.Node().Data
		last := it.IsLast()
		q := under(path, name)
		s := d.seen[q]
		var kind seenKind
		switch {
		case !last:
			kind = seenImplicit
		case e.Kind == unstable.ArrayTable:
			kind = seenArray
		default:
			kind = seenTable
		}
		switch {
		case s.kind == seenValue:
			return 0, 0, false
		case !last && s.kind == 0:
			d.seen[q] = seenEntry{kind: seenImplicit}
			path = q
		case !last && s.kind == seenArray:
			path = element(q, int(s.elems))
			kind = seenArray
		case !last:
			path = q
			kind = seenTable
		case s.kind == 0 && kind == seenTable:
			d.seen[q] = seenEntry{kind: seenTable}
			path = q
		case kind == seenArray && (s.kind == 0 || s.kind == seenArray):
			s.kind, s.elems = seenArray, s.elems+1
			d.seen[q] = s
			path = element(q, int(s.elems))
		default:
			return 0, 0, false
		}
		var ok bool
		if sec, ok = f.enter(sec, name, kind == seenArray, last); !ok {
			return 0, 0, false
		}
	}
	return sec, path, true
}

// enter goes from section sec into its table or array of tables name; in
// an array, into its last table, or into a new one when add is set. It
// reports false when name is a field of another kind.
func (f *file) enter(sec section, name []byte, array, add bool) (section, bool) {
	next, isArray := subsection(sec, name)
	switch {
	case next == secOther:
		if sec != secOther && hasUpper(name) {
			// go-toml finds fields whatever the case of the key.
			if n, _ := subsection(sec, []byte(strings.ToLower(string(name)))); n != secOther || field(sec, strings.ToLower(string(name))) {
				return 0, false
			}
		}
		if sec != secOther && field(sec, string(name)) {
			return 0, false // a scalar field as a table
		}
		return secOther, true
	case isArray != array:
		return 0, false
	}
	r := &f.Rule
	switch next {
	case secNewTerms:
		if r.NewTerms == nil {
			r.NewTerms = &tomlNewTerms{}
		}
	case secThreshold:
		if r.Threshold == nil {
			r.Threshold = &tomlThreshold{}
		}
	case secHistory:
		if add {
			r.NewTerms.HistoryWindowStart = append(r.NewTerms.HistoryWindowStart, tomlSetting{})
		}
	case secCardinality:
		if add {
			r.Threshold.Cardinality = append(r.Threshold.Cardinality, tomlCardinality{})
		}
	case secThreat:
		if add {
			r.Threat = append(r.Threat, tomlThreat{})
		}
	case secTechnique:
		if add {
			t := &r.Threat[len(r.Threat)-1]
			t.Technique = append(t.Technique, tomlTechnique{})
		}
	case secSubtechnique:
		if add {
			t := &r.Threat[len(r.Threat)-1]
			te := &t.Technique[len(t.Technique)-1]
			te.Subtechnique = append(te.Subtechnique, tomlRef{})
		}
	}
	return next, true
}

// subsection is the section of the table name in section sec, and whether
// it is an array of tables; secOther when name is not a table of sec.
func subsection(sec section, name []byte) (next section, array bool) {
	switch sec {
	case secRoot:
		switch string(name) {
		case "metadata":
			return secMetadata, false
		case "rule":
			return secRule, false
		}
	case secRule:
		switch string(name) {
		case "new_terms":
			return secNewTerms, false
		case "threshold":
			return secThreshold, false
		case "threat":
			return secThreat, true
		}
	case secNewTerms:
		if string(name) == "history_window_start" {
			return secHistory, true
		}
	case secThreshold:
		if string(name) == "cardinality" {
			return secCardinality, true
		}
	case secThreat:
		switch string(name) {
		case "tactic":
			return secTactic, false
		case "technique":
			return secTechnique, true
		}
	case secTechnique:
		if string(name) == "subtechnique" {
			return secSubtechnique, true
		}
	}
	return secOther, false
}

// field reports whether name is a field of section sec that holds a value
// (not a table).
func field(sec section, name string) bool {
	switch sec {
	case secMetadata:
		return name == "maturity"
	case secRule:
		switch name {
		case "author", "description", "false_positives", "index", "language", "license", "name", "note",
			"references", "risk_score", "rule_id", "severity", "tags", "timestamp_override", "timestamp_field",
			"tiebreaker_field", "event_category_override", "type", "query", "version":
			return true
		}
	case secNewTerms, secHistory, secThreshold, secCardinality:
		return name == "field" || name == "value"
	case secThreat:
		return name == "framework"
	case secTactic, secTechnique, secSubtechnique:
		return name == "id" || name == "name" || name == "reference"
	}
	return false
}

func hasUpper(b []byte) bool {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

// keyValue sets the field that the key-value e in section sec, of path
// hash path, names. It reports false for what the fast path does not take:
// a dotted key, a key defined twice, a value of another type than the
// field's, a table field given as a value.
func (d *tomlDecoder) keyValue(f *file, sec section, path uint64, e *unstable.Node) bool {
	it := e.Key()
	it.Next()
	key := it.Node().Data
	if !it.IsLast() {
		return false // a dotted key
	}
	q := under(path, key)
	if _, dup := d.seen[q]; dup {
		return false
	}
	d.seen[q] = seenEntry{kind: seenValue}
	v := e.Value()
	if !d.checkValue(q, v) {
		return false
	}
	if sec == secOther {
		return true
	}
	name := string(key)
	if sub, _ := subsection(sec, key); sub != secOther {
		return false // a table given as a value
	}
	if !field(sec, name) {
		if hasUpper(key) {
			low := strings.ToLower(name)
			if sub, _ := subsection(sec, []byte(low)); sub != secOther || field(sec, low) {
				return false // go-toml finds fields whatever the case of the key
			}
		}
		return true // a key dredge does not read
	}
	r := &f.Rule
	switch sec {
	case secMetadata:
		return setString(&f.Metadata.Maturity, v)
	case secRule:
		return r.set(name, v)
	case secNewTerms:
		if name == "field" {
			return setString(&r.NewTerms.Field, v)
		}
		return setStrings(&r.NewTerms.Value, v)
	case secHistory:
		h := &r.NewTerms.HistoryWindowStart[len(r.NewTerms.HistoryWindowStart)-1]
		if name == "field" {
			return setString(&h.Field, v)
		}
		return setString(&h.Value, v)
	case secThreshold:
		if name == "field" {
			return setAny(&r.Threshold.Field, v)
		}
		return setInt(&r.Threshold.Value, v)
	case secCardinality:
		c := &r.Threshold.Cardinality[len(r.Threshold.Cardinality)-1]
		if name == "field" {
			return setString(&c.Field, v)
		}
		return setInt(&c.Value, v)
	case secThreat:
		return setString(&r.Threat[len(r.Threat)-1].Framework, v)
	case secTactic:
		t := &r.Threat[len(r.Threat)-1].Tactic
		return setRef(name, v, &t.ID, &t.Name, &t.Reference)
	case secTechnique:
		t := &r.Threat[len(r.Threat)-1]
		te := &t.Technique[len(t.Technique)-1]
		return setRef(name, v, &te.ID, &te.Name, &te.Reference)
	case secSubtechnique:
		t := &r.Threat[len(r.Threat)-1]
		te := &t.Technique[len(t.Technique)-1]
		s := &te.Subtechnique[len(te.Subtechnique)-1]
		return setRef(name, v, &s.ID, &s.Name, &s.Reference)
	}
	return false
}

// checkValue checks what TOML forbids in a value: the same key twice in an
// inline table, or in the inline tables it holds. path hashes the value's
// path.
func (d *tomlDecoder) checkValue(path uint64, v *unstable.Node) bool {
	switch v.Kind {
	case unstable.InlineTable:
		it := v.Children()
		for it.Next() {
			kv := it.Node()
			k := kv.Key()
			k.Next()
			if !k.IsLast() {
				return false // a dotted key
			}
			q := under(path, k.Node().Data)
			if _, dup := d.seen[q]; dup {
				return false
			}
			d.seen[q] = seenEntry{kind: seenValue}
			if !d.checkValue(q, kv.Value()) {
				return false
			}
		}
	case unstable.Array:
		it := v.Children()
		for i := 0; it.Next(); i++ {
			if !d.checkValue(element(path, i), it.Node()) {
				return false
			}
		}
	}
	return true
}

// set sets the field name of the [rule] table to v.
func (r *tomlRule) set(name string, v *unstable.Node) bool {
	switch name {
	case "author":
		return setStrings(&r.Author, v)
	case "description":
		return setString(&r.Description, v)
	case "false_positives":
		return setStrings(&r.FalsePositives, v)
	case "index":
		return setStrings(&r.Index, v)
	case "language":
		return setString(&r.Language, v)
	case "license":
		return setString(&r.License, v)
	case "name":
		return setString(&r.Name, v)
	case "note":
		return setString(&r.Note, v)
	case "references":
		return setStrings(&r.References, v)
	case "risk_score":
		return setInt(&r.RiskScore, v)
	case "rule_id":
		return setString(&r.RuleID, v)
	case "severity":
		return setString(&r.Severity, v)
	case "tags":
		return setStrings(&r.Tags, v)
	case "timestamp_override":
		return setString(&r.TimestampOverride, v)
	case "timestamp_field":
		return setString(&r.TimestampField, v)
	case "tiebreaker_field":
		return setString(&r.TiebreakerField, v)
	case "event_category_override":
		return setString(&r.CategoryOverride, v)
	case "type":
		return setString(&r.Type, v)
	case "query":
		return setString(&r.Query, v)
	case "version":
		return setInt(&r.Version, v)
	}
	return false
}

// setRef sets the field name (id, name or reference) of an ATT&CK tactic
// or technique to v.
func setRef(name string, v *unstable.Node, id, nm, ref *string) bool {
	switch name {
	case "id":
		return setString(id, v)
	case "name":
		return setString(nm, v)
	case "reference":
		return setString(ref, v)
	}
	return false
}

func setString(dst *string, v *unstable.Node) bool {
	if v.Kind != unstable.String {
		return false
	}
	*dst = string(v.Data)
	return true
}

// setStrings sets dst to the array of strings v; an empty array gives an
// empty slice, not nil, as go-toml does.
func setStrings(dst *[]string, v *unstable.Node) bool {
	if v.Kind != unstable.Array {
		return false
	}
	n := 0
	for it := v.Children(); it.Next(); {
		if it.Node().Kind != unstable.String {
			return false
		}
		n++
	}
	out := make([]string, 0, n)
	for it := v.Children(); it.Next(); {
		out = append(out, string(it.Node().Data))
	}
	*dst = out
	return true
}

// setInt sets dst to the integer v, written in decimal digits.
func setInt(dst *int, v *unstable.Node) bool {
	if v.Kind != unstable.Integer {
		return false
	}
	for i, c := range v.Data {
		if !(c >= '0' && c <= '9' || i == 0 && (c == '-' || c == '+')) {
			return false // 0x2a, 1_000: left to go-toml
		}
	}
	n, err := strconv.ParseInt(string(v.Data), 10, 64)
	if err != nil {
		return false
	}
	*dst = int(n)
	return true
}

// setAny sets dst to a string, or an array of strings as []any, as
// go-toml decodes them into an interface.
func setAny(dst *any, v *unstable.Node) bool {
	switch v.Kind {
	case unstable.String:
		*dst = string(v.Data)
		return true
	case unstable.Array:
		var s []string
		if !setStrings(&s, v) {
			return false
		}
		out := make([]any, len(s))
		for i, x := range s {
			out[i] = x
		}
		*dst = out
		return true
	}
	return false
}
