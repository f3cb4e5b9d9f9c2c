package scan

import "slices"

// substrings finds which of a set of strings occur in a text, in one pass
// over the text (Aho-Corasick, as a full automaton over the byte classes
// of the strings). It is built once and read-only.
type substrings struct {
	class  [256]uint8 // 0 for bytes in no string
	nclass int
	// next16 (or next32 when the states are too many for it) is the
	// automaton: next[state*nclass+class] is the next state, with the top
	// bit set when some string ends there. States are numbered breadth
	// first, so that the shallow ones, where a text mostly stays, are
	// close together in memory.
	next16 []uint16
	next32 []uint32
	// out are the strings that end at each state; dict is the next state
	// on the failure chain with some, or -1.
	out  [][]int32
	dict []int32
}

// newSubstrings builds the matcher of strs; ids of matches are indices in
// strs. Empty strings are left out.
func newSubstrings(strs []string) *substrings {
	m := &substrings{nclass: 1}
	for _, s := range strs {
		for i := 0; i < len(s); i++ {
			if m.class[s[i]] == 0 {
				m.class[s[i]] = uint8(m.nclass)
				m.nclass++
				if m.nclass == 256 {
					// Every byte value but one: classes stay
					// bytes, one byte wide.
					break
				}
			}
		}
	}
	if m.nclass >= 256 {
		for i := range m.class {
			m.class[i] = uint8(i)
		}
		m.nclass = 256
	}
	// The trie, in rows of nclass edges (-1 for no edge yet), allocated
	// at once for its number of states: growing it state by state cost
	// more than the rest of the build. In sorted order, each string adds
	// the states of what follows its common prefix with the one before.
	sorted := strs
	if !slices.IsSorted(sorted) {
		sorted = slices.Sorted(slices.Values(strs))
	}
	most, prev := 1, ""
	for _, s := range sorted {
		n := 0
		for n < len(s) && n < len(prev) && s[n] == prev[n] {
			n++
		}
		most += len(s) - n
		prev = s
	}
	trie := make([]int32, 0, most*m.nclass)
	m.out = make([][]int32, 0, most)
	newState := func() int32 {
		n := len(trie)
		trie = trie[:n+m.nclass]
		for i := n; i < len(trie); i++ {
			trie[i] = -1
		}
		m.out = append(m.out, nil)
		return int32(len(m.out) - 1)
	}
	newState()
	for id, s := range strs {
		if s == "" {
			continue
		}
		st := int32(0)
		for i := 0; i < len(s); i++ {
			e := int(st)*m.nclass + int(m.class[s[i]])
			if trie[e] < 0 {
				n := newState()
				trie[e] = n
			}
			st = trie[e]
		}
		m.out[st] = append(m.out[st], int32(id))
	}
	// Breadth first: failure links, then the missing edges from them.
	fail := make([]int32, len(m.out))
	m.dict = make([]int32, len(m.out))
	m.dict[0] = -1
	queue := []int32{}
	order := []int32{0} // the states breadth first
	for c := range m.nclass {
		if n := trie[c]; n < 0 {
			trie[c] = 0
		} else {
			fail[n] = 0
			m.dict[n] = -1
			queue = append(queue, n)
		}
	}
	for len(queue) > 0 {
		st := queue[0]
		queue = queue[1:]
		order = append(order, st)
		for c := range m.nclass {
			e := int(st)*m.nclass + c
			n := trie[e]
			f := trie[int(fail[st])*m.nclass+c]
			if n < 0 {
				trie[e] = f
				continue
			}
			fail[n] = f
			if len(m.out[f]) > 0 {
				m.dict[n] = f
			} else {
				m.dict[n] = m.dict[f]
			}
			queue = append(queue, n)
		}
	}
	// Renumber the states breadth first.
	num := make([]int32, len(order))
	for i, st := range order {
		num[st] = int32(i)
	}
	out, dict := make([][]int32, len(order)), make([]int32, len(order))
	for i, st := range order {
		out[i] = m.out[st]
		dict[i] = -1
		if d := m.dict[st]; d >= 0 {
			dict[i] = num[d]
		}
	}
	next := make([]uint32, len(trie))
	for i, st := range order {
		for c := range m.nclass {
			n := trie[int(st)*m.nclass+c]
			e := uint32(num[n])
			if len(m.out[n]) > 0 || m.dict[n] >= 0 {
				e |= found32
			}
			next[i*m.nclass+c] = e
		}
	}
	m.out, m.dict = out, dict
	if len(order) < found16 {
		m.next16 = make([]uint16, len(next))
		for i, e := range next {
			m.next16[i] = uint16(e&^found32) | uint16(e>>16)&found16
		}
	} else {
		m.next32 = next
	}
	return m
}

// found16 and found32 mark a transition to a state where some string ends.
const (
	found16 = 1 << 15
	found32 = 1 << 31
)

// find calls fn with the id of each string found in text, as often as it
// occurs.
func (m *substrings) find(text string, fn func(id int32)) {
	if m.next16 == nil {
		m.find32(text, fn)
		return
	}
	next, nclass := m.next16, m.nclass
	st := uint16(0)
	for i := 0; i < len(text); i++ {
		st = next[int(st)*nclass+int(m.class[text[i]])]
		if st&found16 != 0 {
			st &^= found16
			m.report(int32(st), fn)
		}
	}
}

func (m *substrings) find32(text string, fn func(id int32)) {
	st := uint32(0)
	for i := 0; i < len(text); i++ {
		st = m.next32[int(st)*m.nclass+int(m.class[text[i]])]
		if st&found32 != 0 {
			st &^= found32
			m.report(int32(st), fn)
		}
	}
}

// report calls fn with the strings that end at state st.
func (m *substrings) report(st int32, fn func(id int32)) {
	for s := st; s >= 0; s = m.dict[s] {
		for _, id := range m.out[s] {
			fn(id)
		}
	}
}
