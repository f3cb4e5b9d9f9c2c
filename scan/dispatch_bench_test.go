package scan

import (
	"testing"

	"dredge/event"
	"dredge/rules"

	"github.com/valyala/fastjson"
)

// BenchmarkDispatchBuild builds the rule index of the whole detection-rules
// collection, a cost every scan pays once before its first event.
func BenchmarkDispatchBuild(b *testing.B) {
	rs := collection(b)
	b.ReportAllocs()
	for b.Loop() {
		p := newPlan(rs, nil)
		p.disp = newDispatch(p, Config{})
	}
}

// BenchmarkPick reads the rule index's fields from generated events and
// evaluates the rules it picks, as a worker does after parsing: the part
// of a scan that grows with the number of rules. Events are parsed before
// the timer starts.
func BenchmarkPick(b *testing.B) {
	for _, c := range []struct {
		name  string
		rules func(testing.TB) []*rules.Rule
	}{{"builtin", builtin}, {"collection", collection}} {
		b.Run(c.name, func(b *testing.B) {
			p := newPlan(c.rules(b), nil)
			p.disp = newDispatch(p, Config{})
			g := newBenchGen()
			const n = 2000
			events := make([]*fastjson.Value, n)
			var size int64
			for i := range events {
				line := g.event(nil)
				size += int64(len(line))
				var ps fastjson.Parser
				v, err := ps.ParseBytes(line)
				if err != nil {
					b.Fatal(err)
				}
				events[i] = v
			}
			sel := newSelector(p.disp)
			var doc event.Doc
			b.SetBytes(size / n)
			b.ReportAllocs()
			i, matched := 0, 0
			for b.Loop() {
				doc.Reset(events[i%n])
				i++
				picked := sel.pick(&doc, "")
				for u := nextUnit(picked, 0); u >= 0; u = nextUnit(picked, u+1) {
					if prog := p.disp.units[u].prog; prog != nil && prog.MatchDoc(&doc) {
						matched++
					}
				}
			}
			b.ReportMetric(float64(matched)/float64(i), "matched/event")
		})
	}
}
