package match

import (
	"testing"

	"dredge/rules/kql"

	"github.com/valyala/fastjson"
)

// kqlCases are the semantics of KQL on ECS keyword fields, as Kibana's
// detection engine runs them: exact, case-sensitive values, * wildcards,
// value lists, not as must_not, field:* as exists.
var kqlCases = []struct {
	name, query, event string
	want               bool
}{
	{"exact", `host.os.type:linux`, `{"host":{"os":{"type":"linux"}}}`, true},
	{"case-sensitive", `host.os.type:linux`, `{"host":{"os":{"type":"Linux"}}}`, false},
	{"no partial match", `event.action:creation`, `{"event":{"action":"file_creation"}}`, false},
	{"array any element", `event.category:file`, `{"event":{"category":["process","file"]}}`, true},
	{"value list", `file.extension:(pid or lock or reboot)`, `{"file":{"extension":"lock"}}`, true},
	{"value list none", `file.extension:(pid or lock or reboot)`, `{"file":{"extension":"log"}}`, false},
	{"trailing wildcard", `file.path:/var/run/*`, `{"file":{"path":"/var/run/x.pid"}}`, true},
	{"wildcard whole value", `file.path:/var/run/*`, `{"file":{"path":"/tmp/var/run/x.pid"}}`, false},
	{"wildcard case-sensitive", `file.path:/var/run/*`, `{"file":{"path":"/VAR/RUN/x.pid"}}`, false},
	{"inner wildcard", `file.name:jem.*.pid`, `{"file":{"name":"jem.42.pid"}}`, true},
	{"inner wildcard needs dots", `file.name:jem.*.pid`, `{"file":{"name":"jem42pid"}}`, false},
	{"leading dot-slash", `process.executable:./*`, `{"process":{"executable":"./implant"}}`, true},
	{"escaped star is literal", `file.name:a\*b`, `{"file":{"name":"a*b"}}`, true},
	{"escaped star not wildcard", `file.name:a\*b`, `{"file":{"name":"axb"}}`, false},
	{"quoted phrase is literal", `file.name:"a*b"`, `{"file":{"name":"axb"}}`, false},
	{"quoted phrase exact", `file.name:"a*b"`, `{"file":{"name":"a*b"}}`, true},
	{"number as keyword", `user.id:0`, `{"user":{"id":0}}`, true},
	{"exists", `process.executable:*`, `{"process":{"executable":"/bin/sh"}}`, true},
	{"exists null", `process.executable:*`, `{"process":{"executable":null}}`, false},
	{"exists missing", `process.executable:*`, `{}`, false},
	{"not matches missing field", `not process.name:sshd`, `{}`, true},
	{"not", `not process.name:sshd`, `{"process":{"name":"sshd"}}`, false},
	{"and binds tighter", `a:1 or b:1 and c:1`, `{"a":1}`, true},
	{"and binds tighter 2", `a:1 or b:1 and c:1`, `{"b":1}`, false},
	{"range number", `process.pid > 100`, `{"process":{"pid":101}}`, true},
	{"range number no", `process.pid > 100`, `{"process":{"pid":100}}`, false},
	{"range date", `@timestamp >= "2024-05-01"`, `{"@timestamp":"2024-05-01T10:00:00Z"}`, true},
	{"dotted layout", `process.parent.name:bash`, `{"process.parent.name":"bash"}`, true},
}

func TestKQLSemantics(t *testing.T) {
	for _, tt := range kqlCases {
		t.Run(tt.name, func(t *testing.T) {
			e, err := kql.Parse(tt.query)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.query, err)
			}
			p, err := CompileKQL(e, Options{})
			if err != nil {
				t.Fatalf("compile %q: %v", tt.query, err)
			}
			if got := p.Match(fastjson.MustParse(tt.event)); got != tt.want {
				t.Errorf("%s on %s = %v, want %v", tt.query, tt.event, got, tt.want)
			}
		})
	}
}

func TestKQLUnsupported(t *testing.T) {
	for _, q := range []string{`linux`, `process.*:bash`, `process:{ name:bash }`} {
		e, err := kql.Parse(q)
		if err != nil {
			t.Fatalf("parse %q: %v", q, err)
		}
		if _, err := CompileKQL(e, Options{}); err == nil {
			t.Errorf("CompileKQL(%q) gave no error; it should say it is not supported yet", q)
		}
	}
}
