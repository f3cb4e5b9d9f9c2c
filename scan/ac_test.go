package scan

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSubstrings checks the matcher against strings.Index on random texts
// over a small alphabet, where strings overlap and nest.
func TestSubstrings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "abc.\\"[r.IntN(5)]
		}
		return string(b)
	}
	for range 200 {
		var strs []string
		for range 1 + r.IntN(20) {
			strs = append(strs, word(r.IntN(6)))
		}
		m := newSubstrings(strs)
		for range 20 {
			text := word(r.IntN(40))
			var got []int32
			m.find(text, func(id int32) {
				if !slices.Contains(got, id) {
					got = append(got, id)
				}
			})
			slices.Sort(got)
			var want []int32
			for id, s := range strs {
				if s != "" && strings.Contains(text, s) {
					want = append(want, int32(id))
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("strings %q in %q: found %v, want %v", strs, text, got, want)
			}
		}
	}
}

// TestSubstringsLarge checks the wide automaton (more states than the
// narrow one holds) and strings over every byte value.
func TestSubstringsLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var strs []string
	for range 4000 {
		b := make([]byte, 12)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		strs = append(strs, string(b))
	}
	m := newSubstrings(strs)
	if m.next16 != nil {
		t.Fatalf("%d states fit the narrow automaton; the test wants the wide one", len(m.out))
	}
	for i := 0; i < len(strs); i += 97 {
		text := "x" + strs[i] + strs[(i+1)%len(strs)][:5]
		found := false
		m.find(text, func(id int32) { found = found || int(id) == i })
		if !found {
			t.Errorf("string %d not found in %q", i, text)
		}
	}
}
