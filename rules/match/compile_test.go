package match

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"dredge/event"
)

// TestJoinAll checks joinAll against the fold of and and or that it
// replaces, on chains of leaves, constants and nested joins.
func TestJoinAll(t *testing.T) {
	leaves := []node{
		&eqNode{path: event.NewPath("a"), want: "1"},
		&eqNode{path: event.NewPath("b"), want: "2"},
		existsNode{event.NewPath("c")},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var operand func(depth int) node
	operand = func(depth int) node {
		switch k := rng.IntN(8); {
		case k == 0:
			return constNode(true)
		case k == 1:
			return constNode(false)
		case k == 2 && depth < 2:
			return andNode{operand(depth + 1), operand(depth + 1)}
		case k == 3 && depth < 2:
			return orNode{operand(depth + 1), operand(depth + 1)}
		case k == 4 && depth < 2:
			return orNode{operand(depth + 1)}
		}
		return leaves[rng.IntN(len(leaves))]
	}
	for i := range 20000 {
		ns := make([]node, 1+rng.IntN(6))
		for j := range ns {
			ns[j] = operand(0)
		}
		wantAnd, wantOr := ns[0], ns[0]
		for _, n := range ns[1:] {
			wantAnd, wantOr = and(wantAnd, n), or(wantOr, n)
		}
		if got := joinAll[andNode](ns, true); !reflect.DeepEqual(got, wantAnd) {
			t.Fatalf("%d: joinAll and of %#v = %#v, want %#v", i, ns, got, wantAnd)
		}
		if got := joinAll[orNode](ns, false); !reflect.DeepEqual(got, wantOr) {
			t.Fatalf("%d: joinAll or of %#v = %#v, want %#v", i, ns, got, wantOr)
		}
	}
}

// TestParseTime checks that parseTime, which skips what cannot be a time,
// agrees with event.ParseTime.
func TestParseTime(t *testing.T) {
	for _, s := range []string{
		"", "-", "-5", "0", "1700000000000", "2024-01-02", "2024-01-02T03:04:05Z", "2024-01-02 03:04:05",
		"2024-01-02T03:04:05.123+02:00", "2024-01-02T03:04:05z", "z", "Z", " 2024-01-02", "+2024-01-02",
		"now-1d", "cmd.exe", "T2024", "１２３４-01-02", "9999-12-31T23:59:59.999999999Z",
	} {
		gt, gok := parseTime(s)
		wt, wok := event.ParseTime(s)
		if gok != wok || !gt.Equal(wt) {
			t.Errorf("parseTime(%q) = %v, %v; event.ParseTime gives %v, %v", s, gt, gok, wt, wok)
		}
	}
}

// FuzzParseTime checks parseTime against event.ParseTime on any text.
func FuzzParseTime(f *testing.F) {
	f.Add("2024-01-02T03:04:05Z")
	f.Add("-5")
	f.Add("x2024")
	f.Fuzz(func(t *testing.T, s string) {
		gt, gok := parseTime(s)
		wt, wok := event.ParseTime(s)
		if gok != wok || !gt.Equal(wt) {
			t.Errorf("parseTime(%q) = %v, %v; event.ParseTime gives %v, %v", s, gt, gok, wt, wok)
		}
	})
}
