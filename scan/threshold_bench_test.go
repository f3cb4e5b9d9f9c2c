package scan

import (
	"context"
	"fmt"
	"testing"

	"dredge/rules"
)

// BenchmarkThreshold scans the events of BenchmarkScan (about 100 MB of
// Elastic Defend events) with one rule whose query takes every process
// start: as a plain query rule (a hit per event), then as threshold rules
// that group the same events, by host, by host, executable and user (as
// the collection's High Number of Process Terminations does), and by those
// with a cardinality condition on process.args. The difference is what the
// groups cost in the workers and in the merge. It reports the groups'
// hits and events per second.
func BenchmarkThreshold(b *testing.B) {
	d := benchData(b)
	const query = "event.category:process and event.type:start"
	rule := func(typ, settings string) *rules.Rule {
		text := fmt.Sprintf("[rule]\nname = \"Bench\"\nrule_id = \"bench-%s\"\ntype = %q\nlanguage = \"kuery\"\nseverity = \"low\"\nrisk_score = 21\nquery = %q\n%s",
			typ, typ, query, settings)
		r, err := rules.Parse("bench.toml", []byte(text))
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		name string
		rule *rules.Rule
	}{
		{"query", rule("query", "")},
		{"threshold-host", rule("threshold", "\n[rule.threshold]\nfield = [\"host.id\"]\nvalue = 15\n")},
		{"threshold-host-exe-user", rule("threshold", "\n[rule.threshold]\nfield = [\"host.id\", \"process.executable\", \"user.name\"]\nvalue = 15\n")},
		{"threshold-cardinality", rule("threshold", "\n[rule.threshold]\nfield = [\"host.id\", \"process.executable\", \"user.name\"]\nvalue = 1\n\n"+
			"[[rule.threshold.cardinality]]\nfield = \"process.args\"\nvalue = 5\n")},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(d.size)
			b.ReportAllocs()
			var events int64
			hits := 0
			for b.Loop() {
				res, err := Run(context.Background(), inputs(d.plain), Config{Rules: []*rules.Rule{c.rule}})
				if err != nil {
					b.Fatalf("Run: %v", err)
				}
				events += res.Summary.Events
				hits = res.Summary.Hits
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(hits), "hits")
		})
	}
}
