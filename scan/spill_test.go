package scan

import (
	"reflect"
	"testing"

	"dredge/rules/match"
)

// Candidates written to a run read back as they were, in order; a run
// cut short reads back what is whole and reports the damage.
func TestCandRun(t *testing.T) {
	keys := []match.JoinKey{"h\x00x", ""}
	cs := []stateCand{
		{ord: ordinal{ms: -5, hasTime: true, tb: tiebreak{kind: 1, num: 2.5}, input: 1, line: 7, pos: 3, n: 2},
			sec: -1, nsec: 999, hasAt: true, index: "logs-endpoint.events.process-default", w: 1,
			doc: docRef{chunk: 3, n: 1500, off: 1 << 40}, hits: []stageHit{{stage: 0, keys: keys}, {stage: 2, keys: keys[:1]}}},
		{ord: ordinal{ms: 1 << 50, tb: tiebreak{kind: 2, str: "tb"}, line: 1 << 30},
			hits: []stageHit{{stage: 1, keys: []match.JoinKey{}}}},
	}
	var s candSpill
	defer s.close()
	run, ok := s.write(cs)
	if !ok {
		t.Skip("no temporary file")
	}
	r := s.open(run)
	for i := range cs {
		got := r.next()
		if got == nil || !reflect.DeepEqual(*got, cs[i]) {
			t.Fatalf("candidate %d: read back %+v, want %+v (err %v)", i, got, cs[i], r.err)
		}
	}
	if c := r.next(); c != nil || r.err != nil {
		t.Fatalf("after the last: %+v, %v", c, r.err)
	}

	short := s.open(candRun{off: run.off, n: run.n - 3})
	if c := short.next(); c == nil || c.ord.line != 7 {
		t.Fatalf("the whole first candidate of a run cut short: %+v, %v", c, short.err)
	}
	if c := short.next(); c != nil || short.err != errCand {
		t.Fatalf("a cut candidate: %+v, error %v, want %v", c, short.err, errCand)
	}
}
