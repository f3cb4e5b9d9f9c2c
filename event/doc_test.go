package event

import (
	"slices"
	"testing"

	"github.com/valyala/fastjson"
)

// texts returns the text of each value (null as "null", objects as "{}").
func texts(xs []*fastjson.Value) []string {
	var out []string
	for _, x := range xs {
		switch x.Type() {
		case fastjson.TypeNull:
			out = append(out, "null")
		case fastjson.TypeObject:
			out = append(out, "{}")
		default:
			s, _ := Text(x)
			out = append(out, s)
		}
	}
	return out
}

func visited(p *Path, v *fastjson.Value) []*fastjson.Value {
	var out []*fastjson.Value
	p.Visit(v, func(x *fastjson.Value) bool {
		out = append(out, x)
		return false
	})
	return out
}

func TestDocMemo(t *testing.T) {
	events := []string{
		`{"process":{"name":"bash","args":["-c","id"],"parent":{"name":"sshd"}},"user.name":"root"}`,
		`{"process.name":"a","process":{"name":"b","args":[["x"],null,"y"]},"user":{"name":null}}`,
		`{"process":[{"name":"p1"},{"name":"p2","parent.name":"init"}]}`,
		`{"other":1}`,
		// No dotted key at the top: fields are read under their first
		// part alone.
		`{"process":{"name":"n","parent":{"name":"pp","args":[]}},"user":{"name":["u1","u2"]},"host":"scalar"}`,
		`{"process":{"parent.name":"dotted below the top"},"host":{"name":null}}`,
	}
	fields := []string{"process.name", "process.args", "process.parent.name", "user.name", "process", "missing.field", "host.name", "host"}
	d := &Doc{}
	for _, ev := range events {
		v := fastjson.MustParse(ev)
		d.Reset(v)
		for round := range 2 { // the second round reads from the memo
			for _, f := range fields {
				// A new Path of the same name shares the memo.
				p := NewPath(f)
				want := texts(visited(p, v))
				if got := texts(p.Values(d)); !slices.Equal(got, want) {
					t.Errorf("%s: round %d: Values(%s) = %q, Visit gives %q", ev, round, f, got, want)
				}
				var seen []*fastjson.Value
				p.VisitDoc(d, func(x *fastjson.Value) bool {
					seen = append(seen, x)
					return false
				})
				if got := texts(seen); !slices.Equal(got, want) {
					t.Errorf("%s: VisitDoc(%s) = %q, want %q", ev, f, got, want)
				}
				if got, want := p.ExistsDoc(d), p.Exists(v); got != want {
					t.Errorf("%s: ExistsDoc(%s) = %v, want %v", ev, f, got, want)
				}
			}
		}
	}
}

// A Path whose parts hold dots is another field than the same name split
// at every dot: it must not share its memo.
func TestDocMemoParts(t *testing.T) {
	v := fastjson.MustParse(`{"a":{"b":{"c":1}},"a.b":{"c":2}}`)
	d := NewDoc(v)
	split := NewPath("a.b.c")
	whole := NewPathParts([]string{"a.b", "c"})
	if got, want := texts(split.Values(d)), texts(visited(split, v)); !slices.Equal(got, want) {
		t.Errorf("a.b.c = %q, want %q", got, want)
	}
	if got, want := texts(whole.Values(d)), texts(visited(whole, v)); !slices.Equal(got, want) {
		t.Errorf("[a.b c] = %q, want %q", got, want)
	}
}

// VisitDoc stops where fn asks, as Visit does, and reports it.
func TestDocVisitStops(t *testing.T) {
	d := NewDoc(fastjson.MustParse(`{"a":[1,2,3]}`))
	p := NewPath("a")
	n := 0
	stopped := p.VisitDoc(d, func(*fastjson.Value) bool { n++; return n == 2 })
	if !stopped || n != 2 {
		t.Errorf("stopped %v after %d values, want true after 2", stopped, n)
	}
}

// A Doc without a memo (the zero Doc with V set) reads V each time.
func TestDocNoMemo(t *testing.T) {
	v := fastjson.MustParse(`{"a":"x"}`)
	d := &Doc{V: v}
	if got := texts(NewPath("a").Values(d)); !slices.Equal(got, []string{"x"}) {
		t.Errorf("Values = %q", got)
	}
	if len(d.stamp) != 0 {
		t.Errorf("a Doc without a memo kept one")
	}
}

func BenchmarkDocValues(b *testing.B) {
	v := fastjson.MustParse(`{"@timestamp":"2024-05-01T00:00:00Z","event":{"category":["process"],"type":["start"]},` +
		`"host":{"os":{"type":"linux"}},"process":{"name":"bash","args":["-c","id"],"parent":{"name":"sshd"}}}`)
	paths := []*Path{NewPath("process.name"), NewPath("process.args"), NewPath("process.parent.name"), NewPath("host.os.type"), NewPath("event.category")}
	b.Run("visit", func(b *testing.B) {
		for b.Loop() {
			for range 4 { // four rules read each field
				for _, p := range paths {
					p.Visit(v, func(*fastjson.Value) bool { return false })
				}
			}
		}
	})
	b.Run("memo", func(b *testing.B) {
		d := &Doc{}
		for b.Loop() {
			d.Reset(v)
			for range 4 {
				for _, p := range paths {
					p.VisitDoc(d, func(*fastjson.Value) bool { return false })
				}
			}
		}
	})
}
