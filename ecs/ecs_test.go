package ecs

import "testing"

func TestTypeOf(t *testing.T) {
	tests := []struct {
		field string
		want  Type
	}{
		{"@timestamp", Date},
		{"process.name", Keyword},
		{"process.name.text", Text},
		{"process.command_line", Wildcard},
		{"message", Text},
		{"source.ip", IP},
		{"process.pid", Number},
		{"event.risk_score", Number},
		{"process.interactive", Bool},
		{"user.id", Keyword},
		{"event.ingested", Date},
		{"not.an.ecs.field", Keyword},
		{"winlog.event_data.Image", Keyword},
	}
	for _, tt := range tests {
		if got := TypeOf(tt.field); got != tt.want {
			t.Errorf("TypeOf(%q) = %v, want %v", tt.field, got, tt.want)
		}
	}
	if Known("not.an.ecs.field") || !Known("host.os.type") {
		t.Error("Known is wrong")
	}
}
