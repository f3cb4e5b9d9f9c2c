package scan

import (
	"slices"

	"dredge/decode"
	"dredge/event"
	"dredge/normalize"
	"dredge/report"
	"dredge/rules"
	"dredge/rules/match"

	"github.com/valyala/fastjson"
)

// plan is the rules prepared for a scan: read-only, shared by all workers.
type plan struct {
	rules []planRule
	// norm fills in ECS fields on raw event shapes; nil when turned off.
	norm  *normalize.Normalizer
	order map[*rules.Rule]int
	// inputs maps a file name to its position, for ordering hits; names
	// are the inputs' names in order.
	inputs    map[string]int
	names     []string
	timestamp *event.Path
	// cats are the fields that hold event categories, one per distinct
	// name among the rules'. A worker reads each once per event and skips
	// the queries and steps of other categories.
	cats []*event.Path
	// disp is the rule index (dispatch.go).
	disp *dispatch
	// maxHits is Config.MaxHitsPerRule (limit.go).
	maxHits int
	// maxMemCands is the number of sequence candidates a worker holds
	// before it writes them out (spill.go).
	maxMemCands int
	// maxDeadBytes is the size from which a worker lets go of the
	// documents of hits cut (limit.go).
	maxDeadBytes int64

	host, hostname, user, domain, exe, pname, fpath, fname *event.Path
}

type planRule struct {
	rule *rules.Rule
	// query is the rule's compiled query (an event query wrapping
	// rule.Program when the rule has no Compiled query).
	query *match.Query
	// times are the fields that hold the event's time for this rule:
	// its timestamp override, then @timestamp.
	times []*event.Path
	// order is the field that orders its events (timestamp_field, else
	// @timestamp); tiebreaker orders events of the same time, nil when
	// the rule has none.
	order, tiebreaker *event.Path
	newTerms          []*event.Path
	// threshold is set for a threshold rule (threshold.go).
	threshold *planThreshold
	// steps are the distinct steps of a sequence or sample with the
	// stages each one stands for (a step with runs=N stands for N); the
	// until step is stage len(query.Steps).
	steps []planStep
	// first is the first stage of a sequence that is not a missing-event
	// step, and firstStep the step (in steps) that stands for it; -1 when
	// the rule is not a sequence or has more than 64 steps. See gate.go.
	first, firstStep int
	// cat is the index in plan.cats of the field of the rule's event
	// categories, and category the category of an event query; -1 and ""
	// when the query does not look at categories.
	cat      int
	category string
}

type planStep struct {
	step   *match.Step
	stages []int
}

// category returns the index of the category field name in p.cats, adding
// it when new.
func (p *plan) category(name string) int {
	for i, c := range p.cats {
		if c.Name() == name {
			return i
		}
	}
	p.cats = append(p.cats, event.NewPath(name))
	return len(p.cats) - 1
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
		p.names = append(p.names, in.Path)
		if _, ok := p.inputs[in.Path]; !ok {
			p.inputs[in.Path] = i
		}
	}
	for i, r := range rs {
		pr := planRule{rule: r, query: r.Compiled, order: p.timestamp, cat: -1}
		if pr.query == nil {
			pr.query = &match.Query{Kind: match.Events, Event: r.Program}
		}
		if pr.query.CategoryField != "" {
			pr.cat = p.category(pr.query.CategoryField)
			pr.category = pr.query.Category
		}
		if r.TimestampOverride != "" {
			pr.times = append(pr.times, event.NewPath(r.TimestampOverride))
		}
		pr.times = append(pr.times, p.timestamp)
		if r.TimestampField != "" {
			pr.order = event.NewPath(r.TimestampField)
		}
		if r.TiebreakerField != "" {
			pr.tiebreaker = event.NewPath(r.TiebreakerField)
		}
		if pr.query.Kind != match.Events {
			add := func(s *match.Step, stage int) {
				for j := range pr.steps {
					if pr.steps[j].step == s {
						pr.steps[j].stages = append(pr.steps[j].stages, stage)
						return
					}
				}
				pr.steps = append(pr.steps, planStep{step: s, stages: []int{stage}})
			}
			for stage, s := range pr.query.Steps {
				add(s, stage)
			}
			if pr.query.Until != nil {
				add(pr.query.Until, len(pr.query.Steps))
			}
		}
		pr.first, pr.firstStep = -1, -1
		if pr.query.Kind == match.Sequences && len(pr.steps) <= 64 {
			for stage, st := range pr.query.Steps {
				if !st.Missing {
					pr.first = stage
					break
				}
			}
			for j, ps := range pr.steps {
				if pr.first >= 0 && slices.Contains(ps.stages, pr.first) {
					pr.firstStep = j
				}
			}
			if pr.firstStep < 0 {
				pr.first = -1
			}
		}
		pr.threshold = newPlanThreshold(r)
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
		Host:    p.hostField(v),
		User:    p.user.String(v),
		Process: p.exe.String(v),
		File:    p.fpath.String(v),
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

// hostField is the host a hit on event v names (report.Fields.Host).
func (p *plan) hostField(v *fastjson.Value) string {
	if h := p.host.String(v); h != "" {
		return h
	}
	return p.hostname.String(v)
}

// docFields returns the display fields of a stored document, after the
// normalisation a worker applies to the event (index is its index), so that
// a hit of the ordered stage (a sequence, threshold or new_terms hit) names
// the same host as a hit on the event itself: for a forwarded Windows
// event, the computer that logged it, not the collector.
func (p *plan) docFields(doc []byte, index string) report.Fields {
	v, err := fastjson.ParseBytes(doc)
	if err != nil {
		return report.Fields{}
	}
	if p.norm != nil {
		var a fastjson.Arena
		p.norm.ApplyIndex(v, &a, index)
	}
	return p.fields(v)
}
