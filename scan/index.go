package scan

import (
	"strings"

	"github.com/valyala/fastjson"
)

// A rule applies only to events of its data sources: its index patterns
// (logs-endpoint.events.*, winlogbeat-*, ...) must match the index the
// event was stored in. That index is the _index of a wrapped hit, or else
// the one its fields imply (docs/indices.md has the table).

// indexFields are the fields an event's index is derived from, by their
// place in the scan's fieldSet.
type indexFields struct {
	dsType, dsDataset, dsNamespace int
	agentType, agentVersion        int
	module, dataset, category      int
	metaBeat, metaVersion          int
	winlog, logName, computerName  int
}

func addIndexFields(s *fieldSet) indexFields {
	return indexFields{
		dsType: s.add("data_stream.type"), dsDataset: s.add("data_stream.dataset"), dsNamespace: s.add("data_stream.namespace"),
		agentType: s.add("agent.type"), agentVersion: s.add("agent.version"),
		module: s.add("event.module"), dataset: s.add("event.dataset"), category: s.add("event.category"),
		// Beats write their name and version in @metadata, which
		// Logstash and file outputs keep.
		metaBeat: s.add("@metadata.beat"), metaVersion: s.add("@metadata.version"),
		winlog: s.add("winlog.channel"), logName: s.add("log_name"), computerName: s.add("computer_name"),
	}
}

// endpointDatasets gives the Elastic Defend data stream of an event
// category, for Endpoint events that do not name their dataset.
var endpointDatasets = map[string]string{
	"process": "endpoint.events.process", "file": "endpoint.events.file", "network": "endpoint.events.network",
	"registry": "endpoint.events.registry", "library": "endpoint.events.library", "driver": "endpoint.events.library",
	"authentication": "endpoint.events.security", "session": "endpoint.events.security", "iam": "endpoint.events.security",
	"api": "endpoint.events.api", "host": "endpoint.events.security",
}

// winlogbeatModules are the event.module values of Winlogbeat's modules.
var winlogbeatModules = map[string]bool{"sysmon": true, "security": true, "powershell": true}

// index derives the index of an event, appended to dst: wrapped, the
// _index of its hit (empty when the event was not wrapped), else from its
// fields, read in r. It returns dst unchanged when nothing tells the index.
// docs/indices.md has the table.
func (f indexFields) index(dst []byte, r *fieldValues, wrapped string) []byte {
	if wrapped != "" {
		return append(dst, normalIndex(wrapped)...)
	}
	if typ, ds := r.first(f.dsType), r.first(f.dsDataset); typ != "" && ds != "" {
		ns := r.first(f.dsNamespace)
		if ns == "" {
			ns = "default"
		}
		return append(append(append(append(append(dst, typ...), '-'), ds...), '-'), ns...)
	}
	agent, module, dataset := r.first(f.agentType), r.first(f.module), r.first(f.dataset)
	switch {
	case agent == "endpoint" || module == "endpoint":
		if !strings.HasPrefix(dataset, "endpoint.") {
			dataset = ""
			for _, c := range r.get(f.category) {
				if dataset = endpointDatasets[c]; dataset != "" {
					break
				}
			}
			if dataset == "" {
				dataset = "endpoint.events.unknown"
			}
		}
		return append(append(append(dst, "logs-"...), dataset...), "-default"...)
	case agent == "endgame" || module == "endgame":
		return versioned(dst, "endgame", r.first(f.agentVersion))
	case strings.HasSuffix(agent, "beat"):
		return versioned(dst, agent, r.first(f.agentVersion))
	}
	if beat := r.first(f.metaBeat); beat != "" {
		return versioned(dst, beat, r.first(f.metaVersion))
	}
	switch {
	case module != "" && strings.HasPrefix(dataset, module+".") && !winlogbeatModules[module]:
		// An Elastic Agent integration: its dataset is its data stream's.
		return append(append(append(dst, "logs-"...), dataset...), "-default"...)
	case winlogbeatModules[module] || r.first(f.winlog) != "" || r.first(f.logName) != "" && r.first(f.computerName) != "":
		// Winlogbeat 7 and later (winlog.*), or 6 (log_name, computer_name).
		return versioned(dst, "winlogbeat", r.first(f.agentVersion))
	}
	return dst
}

// dataStreamIndex appends the index of an event whose data_stream object
// names its type and dataset (Elastic Agent's events, nested): the usual
// case, read without a walk over the event. ok is false for any other
// event, whose index index derives.
func dataStreamIndex(dst []byte, v *fastjson.Value) (out []byte, ok bool) {
	ds := v.Get("data_stream")
	if ds == nil {
		return dst, false
	}
	typ, dataset := ds.GetStringBytes("type"), ds.GetStringBytes("dataset")
	if len(typ) == 0 || len(dataset) == 0 {
		return dst, false
	}
	ns := ds.GetStringBytes("namespace")
	if len(ns) == 0 {
		ns = []byte("default")
	}
	return append(append(append(append(append(dst, typ...), '-'), dataset...), '-'), ns...), true
}

// versioned appends a Beat's index name: NAME-VERSION, or NAME- when the
// version is unknown.
func versioned(dst []byte, name, version string) []byte {
	return append(append(append(dst, name...), '-'), version...)
}

// normalIndex returns the index a stored index name belongs to: a remote
// cluster's prefix ("cluster:"), a data stream's backing-index prefix
// (".ds-") and rollover suffix ("-2024.05.01-000001") taken away, so that
// .ds-logs-endpoint.events.process-default-2024.05.01-000001 is
// logs-endpoint.events.process-default.
func normalIndex(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		s = s[i+1:]
	}
	if t, ok := strings.CutPrefix(s, ".ds-"); ok {
		s = t
		// -YYYY.MM.DD-NNNNNN
		const suffix = len("-2024.05.01-000001")
		if n := len(s) - suffix; n > 0 && isRollover(s[n:]) {
			s = s[:n]
		}
	}
	return s
}

func isRollover(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 0, 11:
			if c != '-' {
				return false
			}
		case 5, 8:
			if c != '.' {
				return false
			}
		default:
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// indexPattern is a rule's list of Elasticsearch index patterns, compiled:
// each entry may itself be a comma-separated list; * matches any run of
// characters; an entry starting with - excludes the indices it matches
// from those the entries before it include.
type indexPattern struct {
	terms []indexTerm
}

type indexTerm struct {
	exclude bool
	parts   []string // the pattern cut at each *
}

func compileIndexPattern(list []string) *indexPattern {
	p := &indexPattern{}
	for _, entry := range list {
		for _, s := range strings.Split(entry, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			var t indexTerm
			if rest, ok := strings.CutPrefix(s, "-"); ok && len(p.terms) > 0 {
				// A leading - is an exclusion only after a pattern it
				// can take from, as Elasticsearch reads it.
				t.exclude, s = true, rest
			}
			if i := strings.IndexByte(s, ':'); i >= 0 {
				s = s[i+1:] // a remote cluster's pattern: its index part
			}
			t.parts = strings.Split(s, "*")
			p.terms = append(p.terms, t)
		}
	}
	return p
}

// any reports whether the list has no pattern: the rule reads every index.
func (p *indexPattern) any() bool { return len(p.terms) == 0 }

// match reports whether index is one the patterns select.
func (p *indexPattern) match(index string) bool {
	in := false
	for _, t := range p.terms {
		if t.exclude == in && wildcard(t.parts, index) {
			in = !t.exclude
		}
	}
	return in
}

// wildcard matches s against a pattern cut at its stars.
func wildcard(parts []string, s string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
