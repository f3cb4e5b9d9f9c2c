package scan

import (
	"sort"
	"strings"
	"time"

	"dredge/decode"
	"dredge/event"
	"dredge/report"
	"dredge/rules"

	"github.com/valyala/fastjson"
)

// plan is the rules prepared for a scan: read-only, shared by all workers.
type plan struct {
	rules []planRule
	order map[*rules.Rule]int
	// inputs maps a file name to its position, for ordering hits.
	inputs    map[string]int
	timestamp *event.Path

	host, hostname, user, domain, exe, pname, fpath, fname *event.Path
}

type planRule struct {
	rule *rules.Rule
	// times are the fields that hold the event's time for this rule:
	// its timestamp override, then @timestamp.
	times    []*event.Path
	newTerms []*event.Path
}

func newPlan(rs []*rules.Rule, inputs []decode.Input) *plan {
	p := &plan{
		order:     map[*rules.Rule]int{},
		inputs:    map[string]int{},
		timestamp: event.NewPath("@timestamp"),
		host:      event.NewPath("host.name"),
		hostname:  event.NewPath("host.hostname"),
		user:      event.NewPath("user.name"),
		domain:    event.NewPath("user.domain"),
		exe:       event.NewPath("process.executable"),
		pname:     event.NewPath("process.name"),
		fpath:     event.NewPath("file.path"),
		fname:     event.NewPath("file.name"),
	}
	for i, in := range inputs {
		if _, ok := p.inputs[in.Path]; !ok {
			p.inputs[in.Path] = i
		}
	}
	for i, r := range rs {
		pr := planRule{rule: r}
		if r.TimestampOverride != "" {
			pr.times = append(pr.times, event.NewPath(r.TimestampOverride))
		}
		pr.times = append(pr.times, p.timestamp)
		if r.NewTerms != nil {
			for _, f := range r.NewTerms.Fields {
				pr.newTerms = append(pr.newTerms, event.NewPath(f))
			}
		}
		p.rules = append(p.rules, pr)
		p.order[r] = i
	}
	return p
}

// inputOrder is the position of a hit's input among the scan's inputs, so
// that hits of different files at the same time come in input order. A name
// given twice takes its first position; the hits of both are alike.
func (p *plan) inputOrder(h *report.Hit) int { return p.inputs[h.Origin.File] }

// fields extracts the display fields of an event.
func (p *plan) fields(v *fastjson.Value) report.Fields {
	f := report.Fields{
		Host:    p.host.String(v),
		User:    p.user.String(v),
		Process: p.exe.String(v),
		File:    p.fpath.String(v),
	}
	if f.Host == "" {
		f.Host = p.hostname.String(v)
	}
	if d := p.domain.String(v); d != "" && f.User != "" {
		f.User = d + `\` + f.User
	}
	if f.Process == "" {
		f.Process = p.pname.String(v)
	}
	if f.File == "" {
		f.File = p.fname.String(v)
	}
	return f
}

// candidate is an event that matched a new_terms rule's query; the ordered
// stage decides whether its terms are new.
type candidate struct {
	rule   *rules.Rule
	time   time.Time
	input  int
	hit    report.Hit
	combos [][]string
}

func (r *planRule) candidate(v *fastjson.Value, t time.Time, input int, origin report.Origin, index string, doc []byte) candidate {
	c := candidate{rule: r.rule, time: t, input: input}
	c.hit = report.Hit{Rule: r.rule, Time: t, Origin: origin, Index: index, Document: doc}
	// One combination per element of each field's values; an event missing
	// a field has none.
	combos := [][]string{nil}
	for _, p := range r.newTerms {
		vals := dedupe(p.Strings(v))
		if len(vals) == 0 {
			return c
		}
		var next [][]string
		for _, prefix := range combos {
			for _, x := range vals {
				next = append(next, append(append([]string(nil), prefix...), x))
			}
		}
		combos = next
	}
	c.combos = combos
	return c
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// newTerms runs the ordered stage of new_terms rules: candidates are taken
// in time order across all files and workers, and a combination of values
// alerts when it did not occur in a matching event within the rule's
// history window before the event. Events without a time are not judged.
func (p *plan) newTerms(cands []candidate) []report.Hit {
	byRule := map[*rules.Rule][]candidate{}
	for _, c := range cands {
		if c.time.IsZero() || len(c.combos) == 0 {
			continue
		}
		byRule[c.rule] = append(byRule[c.rule], c)
	}
	var hits []report.Hit
	for _, pr := range p.rules {
		cs := byRule[pr.rule]
		if len(cs) == 0 || pr.rule.NewTerms == nil {
			continue
		}
		sort.SliceStable(cs, func(a, b int) bool {
			ca, cb := &cs[a], &cs[b]
			if c := ca.time.Compare(cb.time); c != 0 {
				return c < 0
			}
			if ca.input != cb.input {
				return ca.input < cb.input
			}
			return ca.hit.Origin.Line < cb.hit.Origin.Line
		})
		history := pr.rule.NewTerms.History
		seen := map[string]time.Time{}
		for i := range cs {
			c := &cs[i]
			var fresh [][]string
			for _, combo := range c.combos {
				key := strings.Join(combo, "\x00")
				last, ok := seen[key]
				if !ok || last.Before(c.time.Add(-history)) {
					fresh = append(fresh, combo)
				}
			}
			for _, combo := range c.combos {
				seen[strings.Join(combo, "\x00")] = c.time
			}
			if len(fresh) == 0 {
				continue
			}
			doc, err := fastjson.ParseBytes(c.hit.Document)
			var fields report.Fields
			if err == nil {
				fields = p.fields(doc)
			}
			for _, combo := range fresh {
				h := c.hit
				h.Fields = fields
				h.NewTerms = combo
				hits = append(hits, h)
			}
		}
	}
	return hits
}
