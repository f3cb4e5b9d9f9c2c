package match

import (
	"testing"

	"dredge/rules/eql"

	"github.com/valyala/fastjson"
)

// eqlCases are the operator semantics of Elasticsearch's EQL, one row per
// behaviour: a condition, an event, and whether it matches.
var eqlCases = []struct {
	name, cond, event string
	want              bool
}{
	// == and != are case-sensitive.
	{"== exact", `process.name == "bash"`, `{"process":{"name":"bash"}}`, true},
	{"== case-sensitive", `process.name == "bash"`, `{"process":{"name":"BASH"}}`, false},
	{"== no wildcard", `process.name == "ba*"`, `{"process":{"name":"bash"}}`, false},
	{"== star literal", `process.name == "ba*"`, `{"process":{"name":"ba*"}}`, true},
	{"== missing field", `process.name == "bash"`, `{}`, false},
	{"== array any element", `event.type == "start"`, `{"event":{"type":["info","start"]}}`, true},
	{"== array no element", `event.type == "start"`, `{"event":{"type":["info","end"]}}`, false},
	{"== number field as keyword", `user.id == "0"`, `{"user":{"id":0}}`, true},
	{"== string field", `user.id == "0"`, `{"user":{"id":"0"}}`, true},
	{"== number literal", `process.pid == 42`, `{"process":{"pid":42}}`, true},
	{"== number literal no", `process.pid == 42`, `{"process":{"pid":43}}`, false},
	{"== bool", `process.interactive == true`, `{"process":{"interactive":true}}`, true},
	{"!= differs", `event.type != "deletion"`, `{"event":{"type":"creation"}}`, true},
	{"!= same", `event.type != "deletion"`, `{"event":{"type":"deletion"}}`, false},
	{"!= missing field matches", `event.type != "deletion"`, `{}`, true},
	{"!= array holding it", `event.type != "deletion"`, `{"event":{"type":["change","deletion"]}}`, false},
	{"!= case-sensitive", `event.type != "deletion"`, `{"event":{"type":"DELETION"}}`, true},
	// null
	{"== null missing", `process.executable == null`, `{}`, true},
	{"== null null", `process.executable == null`, `{"process":{"executable":null}}`, true},
	{"== null present", `process.executable == null`, `{"process":{"executable":"/bin/sh"}}`, false},
	{"!= null present", `process.executable != null`, `{"process":{"executable":"/bin/sh"}}`, true},
	{"!= null missing", `process.executable != null`, `{}`, false},
	// not of a query is must_not, matching a missing field; not of a
	// script is a script of the not, where null stays null and does not
	// match (Elasticsearch's Nots.doTranslate).
	{"not query missing field", `not endswith(process.name, ".exe")`, `{}`, true},
	{"not script null", `not endswith(string(source.ip), string(host.ip))`, `{"source":{"ip":"10.0.0.5"}}`, false},
	{"not script true", `not endswith(string(source.ip), string(host.ip))`, `{"source":{"ip":"10.0.0.5"},"host":{"ip":"10.0.0.9"}}`, true},
	{"not script false", `not endswith(string(source.ip), string(host.ip))`, `{"source":{"ip":"10.0.0.5"},"host":{"ip":"10.0.0.5"}}`, false},
	{"not script missing length", `not length(process.name) > 3`, `{}`, false},
	{"not script length", `not length(process.name) > 3`, `{"process":{"name":"sh"}}`, true},
	{"not of and with a script", `not (process.name == "sh" and length(process.name) > 3)`, `{"process":{"name":"sh"}}`, true},
	// : is case-insensitive with wildcards over the whole value.
	{": exact", `file.extension : "exe"`, `{"file":{"extension":"EXE"}}`, true},
	{": whole value", `file.extension : "exe"`, `{"file":{"extension":"exe2"}}`, false},
	{": star", `file.path : "/etc/init.d/*"`, `{"file":{"path":"/ETC/init.d/x"}}`, true},
	{": question mark", `process.args : "cap_set?id+ep"`, `{"process":{"args":["setcap","cap_setgid+ep","/x"]}}`, true},
	{": question one char", `process.args : "cap_set?id+ep"`, `{"process":{"args":["cap_setid+ep"]}}`, false},
	{": list", `process.name : ("smss.exe", "lsass.exe")`, `{"process":{"name":"LSASS.EXE"}}`, true},
	{": list none", `process.name : ("smss.exe", "lsass.exe")`, `{"process":{"name":"lsass.exe.bak"}}`, false},
	{": backslash literal", `file.path : "C:\\Windows\\*"`, `{"file":{"path":"c:\\windows\\x.dll"}}`, true},
	// like is case-sensitive, like~ is not.
	{"like star", `file.path like "/etc/init.d/*beat*"`, `{"file":{"path":"/etc/init.d/filebeat"}}`, true},
	{"like case", `file.path like "/etc/init.d/*beat*"`, `{"file":{"path":"/etc/init.d/FILEBEAT"}}`, false},
	{"like~ case", `file.path like~ "/etc/init.d/*beat*"`, `{"file":{"path":"/etc/init.d/FILEBEAT"}}`, true},
	{"like list", `process.executable like ("/nix/store/*", "/snap/*")`, `{"process":{"executable":"/snap/bin/x"}}`, true},
	// regex is Lucene's syntax, anchored; regex~ ignores case.
	{"regex anchored", `process.executable regex """/var/run/\w+\.(pid|lock|reboot)"""`, `{"process":{"executable":"/var/run/x.pid"}}`, true},
	{"regex not partial", `process.executable regex """/var/run/\w+\.(pid|lock|reboot)"""`, `{"process":{"executable":"/tmp/var/run/x.pid"}}`, false},
	{"regex case", `process.executable regex """/var/run/\w+\.(pid|lock|reboot)"""`, `{"process":{"executable":"/var/run/x.PID"}}`, false},
	{"regex~ case", `process.executable regex~ """/var/run/\w+\.(pid|lock|reboot)"""`, `{"process":{"executable":"/VAR/RUN/x.PID"}}`, true},
	{"regex \\w no slash", `process.executable regex~ """/var/run/\w+\.(pid|lock|reboot)"""`, `{"process":{"executable":"/var/run/a/b.pid"}}`, false},
	// in is case-sensitive, in~ is not; not in is must_not.
	{"in", `event.action in ("exec", "exec_event")`, `{"event":{"action":"exec_event"}}`, true},
	{"in case", `event.action in ("exec", "exec_event")`, `{"event":{"action":"EXEC"}}`, false},
	{"in~ case", `event.action in~ ("exec", "exec_event")`, `{"event":{"action":"EXEC"}}`, true},
	{"in large set", `process.name in ("a","b","c","d","e","f","g","h","i","bash")`, `{"process":{"name":"bash"}}`, true},
	{"in~ large set", `process.name in~ ("a","b","c","d","e","f","g","h","i","bash")`, `{"process":{"name":"BaSh"}}`, true},
	{"in large set case", `process.name in ("a","b","c","d","e","f","g","h","i","bash")`, `{"process":{"name":"Bash"}}`, false},
	{"not in", `process.parent.name not in ("jem", "vzctl")`, `{"process":{"parent":{"name":"bash"}}}`, true},
	{"not in listed", `process.parent.name not in ("jem", "vzctl")`, `{"process":{"parent":{"name":"jem"}}}`, false},
	{"not in missing", `process.parent.name not in ("jem", "vzctl")`, `{}`, true},
	{"in numbers", `process.pid in (1, 2)`, `{"process":{"pid":2}}`, true},
	// Elasticsearch leaves null out of the terms: it matches nothing.
	{"in null missing", `process.pid in (null, 2)`, `{}`, false},
	{"in null value", `process.pid in (null, 2)`, `{"process":{"pid":2}}`, true},
	// not and logic
	{"not missing field", `not process.name == "x"`, `{}`, true},
	{"and", `process.name == "a" and process.pid == 1`, `{"process":{"name":"a","pid":1}}`, true},
	{"and one false", `process.name == "a" and process.pid == 1`, `{"process":{"name":"a","pid":2}}`, false},
	{"or", `process.name == "a" or process.pid == 1`, `{"process":{"name":"b","pid":1}}`, true},
	{"true", `true`, `{}`, true},
	{"false", `false`, `{}`, false},
	// ordering comparisons
	{"< number", `process.pid < 10`, `{"process":{"pid":9}}`, true},
	{">= number", `process.pid >= 10`, `{"process":{"pid":9}}`, false},
	{"> number string", `process.pid > 10`, `{"process":{"pid":"11"}}`, true},
	{"< string", `process.name < "m"`, `{"process":{"name":"bash"}}`, true},
	{"> time", `@timestamp > "2024-05-01T00:00:00Z"`, `{"@timestamp":"2024-05-01T10:00:00.000Z"}`, true},
	{"< time millis", `@timestamp < "2024-05-01T00:00:00Z"`, `{"@timestamp":1714521599000}`, true},
	{"literal on the left", `10 > process.pid`, `{"process":{"pid":9}}`, true},
	// layouts
	{"dotted key", `process.parent.name == "sshd"`, `{"process.parent.name":"sshd"}`, true},
	{"mixed keys", `process.parent.name == "sshd"`, `{"process":{"parent.name":"sshd"}}`, true},
}

func TestEQLSemantics(t *testing.T) {
	for _, tt := range eqlCases {
		t.Run(tt.name, func(t *testing.T) {
			q, err := eql.Parse("any where " + tt.cond)
			if err != nil {
				t.Fatalf("parse %q: %v", tt.cond, err)
			}
			p, err := CompileEQL(q, Options{})
			if err != nil {
				t.Fatalf("compile %q: %v", tt.cond, err)
			}
			if got := p.Match(fastjson.MustParse(tt.event)); got != tt.want {
				t.Errorf("%s on %s = %v, want %v", tt.cond, tt.event, got, tt.want)
			}
		})
	}
}

func TestEQLCategory(t *testing.T) {
	tests := []struct {
		query, field, event string
		want                bool
	}{
		{`process where true`, "", `{"event":{"category":["process"]}}`, true},
		{`process where true`, "", `{"event":{"category":["network","process"]}}`, true},
		{`process where true`, "", `{"event":{"category":"process"}}`, true},
		{`process where true`, "", `{"event":{"category":["file"]}}`, false},
		{`process where true`, "", `{}`, false},
		{`process where true`, "", `{"event":{"category":["Process"]}}`, false},
		{`any where true`, "", `{}`, true},
		{`process where true`, "event_type", `{"event_type":"process"}`, true},
		{`"process" where true`, "", `{"event":{"category":"process"}}`, true},
	}
	for _, tt := range tests {
		q, err := eql.Parse(tt.query)
		if err != nil {
			t.Fatalf("parse %q: %v", tt.query, err)
		}
		p, err := CompileEQL(q, Options{CategoryField: tt.field})
		if err != nil {
			t.Fatalf("compile %q: %v", tt.query, err)
		}
		if got := p.Match(fastjson.MustParse(tt.event)); got != tt.want {
			t.Errorf("%s (category field %q) on %s = %v, want %v", tt.query, tt.field, tt.event, got, tt.want)
		}
	}
}

func TestEQLCompileErrors(t *testing.T) {
	tests := []struct{ query, want string }{
		{`any where "x"`, `offset 10: condition expression needs to be boolean, found [KEYWORD]`},
		{`any where process.pid < null`, "offset 24: null cannot be ordered with <"},
		{`any where process.name regex "[a"`, `offset 29: regex "[a" has an unterminated character class`},
	}
	for _, tt := range tests {
		q, err := eql.Parse(tt.query)
		if err != nil {
			t.Fatalf("parse %q: %v", tt.query, err)
		}
		_, err = CompileEQL(q, Options{})
		if err == nil || err.Error() != tt.want {
			t.Errorf("CompileEQL(%q) error = %v, want %q", tt.query, err, tt.want)
		}
	}
}
