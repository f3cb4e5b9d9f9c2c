package event

import (
	"reflect"
	"testing"
	"time"

	"github.com/valyala/fastjson"
)

func TestPathLayouts(t *testing.T) {
	tests := []struct {
		name, doc, field string
		want             []string
	}{
		{"nested", `{"process":{"parent":{"name":"bash"}}}`, "process.parent.name", []string{"bash"}},
		{"dotted", `{"process.parent.name":"bash"}`, "process.parent.name", []string{"bash"}},
		{"mixed", `{"process":{"parent.name":"bash"}}`, "process.parent.name", []string{"bash"}},
		{"mixed other way", `{"process.parent":{"name":"bash"}}`, "process.parent.name", []string{"bash"}},
		{"both layouts merge", `{"process.name":"a","process":{"name":"b"}}`, "process.name", []string{"a", "b"}},
		{"array of values", `{"process":{"args":["setcap","cap_setuid+ep","/tmp/x"]}}`, "process.args", []string{"setcap", "cap_setuid+ep", "/tmp/x"}},
		{"array of objects", `{"process":[{"name":"a"},{"name":"b"}]}`, "process.name", []string{"a", "b"}},
		{"nested arrays", `{"a":[[1,2],[3]]}`, "a", []string{"1", "2", "3"}},
		{"number as text", `{"user":{"id":0}}`, "user.id", []string{"0"}},
		{"bool as text", `{"x":true}`, "x", []string{"true"}},
		{"null is no text", `{"x":null}`, "x", nil},
		{"missing", `{"process":{"pid":1}}`, "process.name", nil},
		{"object is no text", `{"process":{"name":{"a":1}}}`, "process.name", nil},
		{"scalar in the way", `{"process":"x"}`, "process.name", nil},
		{"escaped key", `{"proc\u0065ss":{"name":"x"}}`, "process.name", []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := fastjson.MustParse(tt.doc)
			got := NewPath(tt.field).Strings(v)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Strings(%s) = %q, want %q", tt.field, got, tt.want)
			}
		})
	}
}

func TestExists(t *testing.T) {
	p := NewPath("process.executable")
	for doc, want := range map[string]bool{
		`{"process":{"executable":"/bin/sh"}}`: true,
		`{"process":{"executable":null}}`:      false,
		`{"process":{"executable":[null]}}`:    false,
		`{"process":{"executable":[null,""]}}`: true,
		`{}`:                                   false,
	} {
		if got := p.Exists(fastjson.MustParse(doc)); got != want {
			t.Errorf("Exists in %s = %v, want %v", doc, got, want)
		}
	}
}

func TestTime(t *testing.T) {
	want := time.Date(2024, 5, 1, 10, 0, 0, 123000000, time.UTC)
	tests := []struct {
		name, doc string
		want      time.Time
		ok        bool
	}{
		{"rfc3339", `{"@timestamp":"2024-05-01T10:00:00.123Z"}`, want, true},
		{"offset", `{"@timestamp":"2024-05-01T12:00:00.123+02:00"}`, want, true},
		{"nine digits", `{"@timestamp":"2024-05-01T10:00:00.123000000Z"}`, want, true},
		{"seven digits no zone", `{"@timestamp":"2024-05-01T10:00:00.1230000"}`, want, true},
		{"space", `{"@timestamp":"2024-05-01 10:00:00.123"}`, want, true},
		{"epoch millis", `{"@timestamp":1714557600123}`, want, true},
		{"epoch millis text", `{"@timestamp":"1714557600123"}`, want, true},
		{"override first", `{"event":{"ingested":"2024-05-01T10:00:00.123Z"},"@timestamp":"2020-01-01T00:00:00Z"}`, want, true},
		{"fallback", `{"@timestamp":"2024-05-01T10:00:00.123Z"}`, want, true},
		{"garbage", `{"@timestamp":"yesterday"}`, time.Time{}, false},
		{"missing", `{}`, time.Time{}, false},
	}
	paths := []*Path{NewPath("event.ingested"), NewPath("@timestamp")}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Time(fastjson.MustParse(tt.doc), paths...)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("Time = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// TestLeaves: Leaves passes a key's value as Visit does, arrays flattened
// up to the depth Visit flattens, and stops when fn returns true.
func TestLeaves(t *testing.T) {
	deep := `1`
	for range maxDepth + 1 {
		deep = "[" + deep + "]"
	}
	tests := []struct {
		name, value string
		want        []string
	}{
		{"scalar", `"a"`, []string{`"a"`}},
		{"null", `null`, []string{`null`}},
		{"object", `{"a":1}`, []string{`{"a":1}`}},
		{"array", `[1,[2,[3]],null]`, []string{`1`, `2`, `3`, `null`}},
		{"stop", `[1,"stop",2]`, []string{`1`, `"stop"`}},
		{"too deep", deep, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			stopped := Leaves(fastjson.MustParse(tt.value), func(x *fastjson.Value) bool {
				got = append(got, x.String())
				return x.String() == `"stop"`
			})
			if !reflect.DeepEqual(got, tt.want) || stopped != (tt.name == "stop") {
				t.Errorf("Leaves(%s) = %q, %v; want %q", tt.value, got, stopped, tt.want)
			}
			// The same as Visit on a field of that value.
			var viaPath []string
			NewPath("k").Visit(fastjson.MustParse(`{"k":`+tt.value+`}`), func(x *fastjson.Value) bool {
				viaPath = append(viaPath, x.String())
				return x.String() == `"stop"`
			})
			if !reflect.DeepEqual(got, viaPath) {
				t.Errorf("Leaves(%s) = %q, Visit gives %q", tt.value, got, viaPath)
			}
		})
	}
}
