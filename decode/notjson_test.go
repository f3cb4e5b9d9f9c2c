package decode

import (
	"reflect"
	"testing"
)

// TestNotJSON checks that a file holding no JSON events is skipped whole,
// with one problem, and that a dump cut in the middle of an event is not.
func TestNotJSON(t *testing.T) {
	tests := []struct {
		name, data string
		problems   []Problem
		events     int
	}{
		{"markdown", "# Notes\n\nSome text.\n", []Problem{{"f", 0, KindNotJSON, `not a JSON log: no line of the first 20 bytes starts with { or [ (it starts with "# Notes\n\nSome te")`}}, 0},
		{"tsv", "a\tb\n1\t2", []Problem{{"f", 0, KindNotJSON, `not a JSON log: no line of the first 7 bytes starts with { or [ (it starts with "a\tb\n1\t2")`}}, 0},
		{"cut mid-event", "ss\":{\"name\":\"x\"}}\n{\"a\":1}\n", nil, 2},
		{"empty", "", []Problem{{"f", 0, KindEmpty, "empty file"}}, 0},
		{"blank", "\n\n  \n", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := readAll(t, "f", []byte(tt.data), Options{})
			if !reflect.DeepEqual(res.Problems, tt.problems) {
				t.Errorf("problems = %#v, want %#v", res.Problems, tt.problems)
			}
			if len(res.Events) != tt.events {
				t.Errorf("%d events, want %d", len(res.Events), tt.events)
			}
		})
	}
}
