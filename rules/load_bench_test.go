package rules

import (
	"os"
	"testing"
)

// BenchmarkLoadCollection loads and compiles Elastic's detection-rules
// collection, as `dredge scan --rules` does before its first event.
func BenchmarkLoadCollection(b *testing.B) {
	const dir = "../../shared/detection-rules"
	if _, err := os.Stat(dir); err != nil {
		b.Skipf("no rule collection at %s", dir)
	}
	b.ReportAllocs()
	for b.Loop() {
		l := LoadDirs([]string{dir})
		if len(l.Rules) < 1000 {
			b.Fatalf("loaded %d rules", len(l.Rules))
		}
	}
}
