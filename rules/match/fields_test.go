package match

import (
	"reflect"
	"testing"

	"dredge/rules/kql"
)

func TestQueryFields(t *testing.T) {
	tests := []struct {
		name, query string
		want        []string
	}{
		{"event query", `process where event.type == "start" and process.name : ("bash", "sh") and process.args : "*/dev/tcp/*"`,
			[]string{"event.type", "process.name", "process.args", "event.category"}},
		{"any, optional field, function", "any where `odd field` == 1 and ?process.x == null and length(process.name) > 3",
			[]string{"odd field", "process.x", "process.name"}},
		{"sequence with until", `sequence by host.id with maxspan=1m
			[process where event.type == "start" and process.executable : "/tmp/*"] by process.entity_id
			[network where destination.port == 4444] by process.entity_id
			until [process where event.type == "end"] by process.entity_id`,
			[]string{"event.type", "process.executable", "event.category", "host.id", "process.entity_id", "destination.port"}},
		{"sample", `sample by host.id [file where file.name == "a"] [process where process.name == "b"]`,
			[]string{"file.name", "event.category", "host.id", "process.name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := compileQuery(t, tt.query).Fields(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Fields() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQueryFieldsKQL(t *testing.T) {
	e, err := kql.Parse(`event.category:file and process.hash.*:abc and not user.name:root and "mimikatz"`)
	if err != nil {
		t.Fatal(err)
	}
	p, err := CompileKQL(e, Options{})
	if err != nil {
		t.Fatal(err)
	}
	q := &Query{Kind: Events, Event: p}
	if got, want := q.Fields(), []string{"event.category", "user.name"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Fields() = %q, want %q", got, want)
	}
}
