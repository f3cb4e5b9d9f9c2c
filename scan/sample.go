package scan

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"dredge/rules/match"
)

// matchSamples finds the samples of q among the ordered candidates, as
// Elasticsearch does: a sample is a join key that every step has an event
// for, with one event per step, all different. The keys come in order of
// their values (null first); for each key, the events are chosen among the
// first events of each step, as many as there are steps, taking the first
// choice that makes them all different. Time plays no part in it.
func matchSamples(q *match.Query, cands []stateCand) []result {
	n := len(q.Steps)
	byKey := make([]map[match.JoinKey][]int, n)
	for i := range byKey {
		byKey[i] = map[match.JoinKey][]int{}
	}
	for ci := range cands {
		for _, h := range cands[ci].hits {
			for _, k := range h.keys {
				if l := byKey[h.stage][k]; len(l) < n {
					byKey[h.stage][k] = append(l, ci)
				}
			}
		}
	}
	var keys []match.JoinKey
	for k := range byKey[n-1] {
		all := true
		for i := range n - 1 {
			if _, ok := byKey[i][k]; !ok {
				all = false
				break
			}
		}
		if all {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareJoinKeys)
	var out []result
	for _, k := range keys {
		lists := make([][]int, n)
		for i := range n {
			lists[i] = byKey[i][k]
		}
		if events, ok := distinct(lists); ok {
			r := result{key: k, events: make([]*stateCand, len(events))}
			for i, ci := range events {
				r.events[i] = &cands[ci]
			}
			out = append(out, r)
		}
	}
	return out
}

// distinct picks one element of each list, all different: the first such
// choice, trying the elements of each list in order.
func distinct(lists [][]int) ([]int, bool) {
	picked := make([]int, 0, len(lists))
	var pick func(i int) bool
	pick = func(i int) bool {
		if i == len(lists) {
			return true
		}
		for _, c := range lists[i] {
			if slices.Contains(picked, c) {
				continue
			}
			picked = append(picked, c)
			if pick(i + 1) {
				return true
			}
			picked = picked[:len(picked)-1]
		}
		return false
	}
	if !pick(0) {
		return nil, false
	}
	return picked, true
}

// compareJoinKeys orders join keys value by value, the way a composite
// aggregation orders its buckets: a null value first, numbers by value,
// IP addresses by address, other values as text.
func compareJoinKeys(a, b match.JoinKey) int {
	va, vb := a.Values(), b.Values()
	for i := range min(len(va), len(vb)) {
		if c := compareKeyValue(va[i], vb[i]); c != 0 {
			return c
		}
	}
	return len(va) - len(vb)
}

func compareKeyValue(a, b *string) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if fa, err := strconv.ParseFloat(*a, 64); err == nil {
		if fb, err := strconv.ParseFloat(*b, 64); err == nil {
			if fa != fb {
				if fa < fb {
					return -1
				}
				return 1
			}
		}
	}
	if ia, err := netip.ParseAddr(*a); err == nil {
		if ib, err := netip.ParseAddr(*b); err == nil {
			if c := ia.Compare(ib); c != 0 {
				return c
			}
		}
	}
	return strings.Compare(*a, *b)
}
