package match

// Fields lists the fields the query tests, each once, in first-seen order:
// for an event query its predicate's fields; for a sequence or a sample
// each step's fields and join keys in step order, then the until step's.
// A report shows them, so that a reader sees why an event matched. KQL's
// wildcard field names (process.hash.*:x) and free text name no field and
// are not listed.
func (q *Query) Fields() []string {
	if q.Kind == Events {
		return q.Event.Fields
	}
	var out []string
	seen := make(map[string]bool)
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	steps := q.Steps
	if q.Until != nil {
		steps = append(steps[:len(steps):len(steps)], q.Until)
	}
	for _, s := range steps {
		for _, f := range s.Program.Fields {
			add(f)
		}
		for _, k := range s.Keys {
			add(k.Name)
		}
	}
	return out
}
