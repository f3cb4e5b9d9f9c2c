package match

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"dredge/rules/ast"
	"dredge/rules/kql"

	"github.com/valyala/fastjson"
)

// A kqlCase is a KQL query on one event and whether the detection engine
// would return the event. The field types are ECS's.
type kqlCase struct {
	name, query, event string
	want               bool
}

func runKQL(t *testing.T, cases []kqlCase, opts Options) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			p := compileKQL(t, tt.query, opts)
			if got := p.Match(fastjson.MustParse(tt.event)); got != tt.want {
				t.Errorf("%s on %s = %v, want %v", tt.query, tt.event, got, tt.want)
			}
		})
	}
}

func compileKQL(t testing.TB, query string, opts Options) *Program {
	t.Helper()
	e, err := kql.Parse(query)
	if err != nil {
		t.Fatalf("parse %q: %v", query, err)
	}
	p, err := CompileKQL(e, opts)
	if err != nil {
		t.Fatalf("compile %q: %v", query, err)
	}
	return p
}

// Keyword and wildcard fields (and fields ECS does not define): a term
// query, or a wildcard query over the whole value, case-sensitive.
var kqlKeyword = []kqlCase{
	{"exact", `host.os.type:linux`, `{"host":{"os":{"type":"linux"}}}`, true},
	{"case-sensitive", `host.os.type:linux`, `{"host":{"os":{"type":"Linux"}}}`, false},
	{"whole value only", `event.action:creation`, `{"event":{"action":"file_creation"}}`, false},
	{"array any element", `event.category:file`, `{"event":{"category":["process","file"]}}`, true},
	{"value list", `file.extension:(pid or lock or reboot)`, `{"file":{"extension":"lock"}}`, true},
	{"value list none", `file.extension:(pid or lock or reboot)`, `{"file":{"extension":"log"}}`, false},
	{"long value list", `process.name:(a or b or c or d or e or f or g or h or i or j or bash)`, `{"process":{"name":"bash"}}`, true},
	{"long value list none", `process.name:(a or b or c or d or e or f or g or h or i or j or bash)`, `{"process":{"name":"zsh"}}`, false},
	{"trailing wildcard", `file.path:/var/run/*`, `{"file":{"path":"/var/run/x.pid"}}`, true},
	{"wildcard whole value", `file.path:/var/run/*`, `{"file":{"path":"/tmp/var/run/x.pid"}}`, false},
	{"wildcard case-sensitive", `file.path:/var/run/*`, `{"file":{"path":"/VAR/RUN/x.pid"}}`, false},
	{"leading wildcard", `process.name:*sh`, `{"process":{"name":"bash"}}`, true},
	{"leading wildcard suffix only", `process.name:*sh`, `{"process":{"name":"shell"}}`, false},
	{"star matches nothing", `file.name:a*`, `{"file":{"name":"a"}}`, true},
	{"inner wildcard", `file.name:jem.*.pid`, `{"file":{"name":"jem.42.pid"}}`, true},
	{"inner wildcard needs dots", `file.name:jem.*.pid`, `{"file":{"name":"jem42pid"}}`, false},
	{"question mark is literal", `file.name:a?c`, `{"file":{"name":"abc"}}`, false},
	{"question mark itself", `file.name:a?c`, `{"file":{"name":"a?c"}}`, true},
	{"wildcard keeps spaces", `user_agent.original:*S3\ Browser*`, `{"user_agent":{"original":"Mozilla S3 Browser 9"}}`, true},
	{"wildcard spaces not split", `user_agent.original:*S3\ Browser*`, `{"user_agent":{"original":"S3Browser"}}`, false},
	{"escaped backslashes", `file.path:C\:\\Windows\\*`, `{"file":{"path":"C:\\Windows\\x.dll"}}`, true},
	{"escaped star is literal", `file.name:a\*b`, `{"file":{"name":"a*b"}}`, true},
	{"escaped star not wildcard", `file.name:a\*b`, `{"file":{"name":"axb"}}`, false},
	{"quoted phrase is literal", `file.name:"a*b"`, `{"file":{"name":"axb"}}`, false},
	{"quoted phrase exact", `file.name:"a*b"`, `{"file":{"name":"a*b"}}`, true},
	{"quoted not analysed", `process.name:"bash"`, `{"process":{"name":"bash -i"}}`, false},
	{"number as text", `user.id:0`, `{"user":{"id":0}}`, true},
	{"string zero", `user.id:0`, `{"user":{"id":"0"}}`, true},
	{"number text exact", `event.code:4624`, `{"event":{"code":4624}}`, true},
	{"boolean as text", `labels.enabled:true`, `{"labels":{"enabled":true}}`, true},
	{"wildcard field type", `process.command_line:*-enc*`, `{"process":{"command_line":"powershell.exe -enc SQBFAFgA"}}`, true},
	{"wildcard field type case-sensitive", `process.command_line:*-enc*`, `{"process":{"command_line":"powershell.exe -ENC SQBFAFgA"}}`, false},
	{"range byte-wise", `host.name > m`, `{"host":{"name":"web-1"}}`, true},
	{"range byte-wise below", `host.name > m`, `{"host":{"name":"db-1"}}`, false},
	{"keyword range is not numeric", `event.code >= 4000`, `{"event":{"code":"500"}}`, true},
	{"caseless", `process.name.caseless:powershell.exe`, `{"process":{"name":"PowerShell.EXE"}}`, true},
	{"caseless wildcard", `process.name.caseless:power*`, `{"process":{"name":"POWERSHELL.exe"}}`, true},
	{"caseless other name", `process.name.caseless:powershell.exe`, `{"process":{"name":"pwsh.exe"}}`, false},
	{"keyword multi-field", `winlog.event_data.TargetUserName.keyword:admin`, `{"winlog":{"event_data":{"TargetUserName":"admin"}}}`, true},
	{"dotted layout", `process.parent.name:bash`, `{"process.parent.name":"bash"}`, true},
	{"mixed layout", `process.parent.name:bash`, `{"process":{"parent.name":"bash"}}`, true},
	{"array of objects", `process.args:-c`, `{"process":[{"args":["bash"]},{"args":["-c","id"]}]}`, true},
	{"undefined field range as numbers", `powershell.file.script_block_length > 1000`, `{"powershell":{"file":{"script_block_length":"12000"}}}`, true},
	{"undefined field range number below", `powershell.file.script_block_length > 1000`, `{"powershell":{"file":{"script_block_length":999}}}`, false},
}

// Text fields: analysed by the standard analyzer, matched by tokens.
var kqlText = []kqlCase{
	{"token", `message:segfault`, `{"message":"kernel: bash[123]: segfault at 0"}`, true},
	{"case-insensitive", `message:SEGFAULT`, `{"message":"kernel: segfault at 0"}`, true},
	{"not a substring", `message:segf`, `{"message":"kernel: segfault at 0"}`, false},
	{"not a suffix", `message:fault`, `{"message":"kernel: segfault at 0"}`, false},
	{"any word", `message:nothing segfault`, `{"message":"kernel: segfault at 0"}`, true},
	{"no word", `message:nothing here`, `{"message":"kernel: segfault at 0"}`, false},
	{"phrase", `message:"command not found"`, `{"message":"bash: foo: command not found"}`, true},
	{"phrase order", `message:"command not found"`, `{"message":"found not command"}`, false},
	{"phrase adjacent", `message:"command not found"`, `{"message":"command is not found"}`, false},
	{"phrase case", `message:"Connection Refused"`, `{"message":"connect: connection refused"}`, true},
	{"phrase punctuation", `message:"signature and/or required key missing - tainting kernel"`,
		`{"message":"module verification failed: signature and/or required key missing - tainting kernel"}`, true},
	{"phrase repeated word", `message:"a a b"`, `{"message":"a a a b"}`, true},
	{"phrase within one value", `message:"alpha beta"`, `{"message":["x alpha","beta y"]}`, false},
	{"phrase in a later value", `message:"alpha beta"`, `{"message":["x","alpha beta"]}`, true},
	{"dot joins letters", `message:powershell.exe`, `{"message":"started PowerShell.exe -nop"}`, true},
	{"dotted token whole", `message:powershell`, `{"message":"started PowerShell.exe -nop"}`, false},
	{"colon before space splits", `message:bash`, `{"message":"bash: x"}`, true},
	{"colon joins letters", `message:"user:root"`, `{"message":"login user:root ok"}`, true},
	{"colon joined word whole", `message:root`, `{"message":"login user:root ok"}`, false},
	{"dots join digits", `message:10.0.0.1`, `{"message":"from 10.0.0.1 port 22"}`, true},
	{"address is one token", `message:10`, `{"message":"from 10.0.0.1 port 22"}`, false},
	{"underscore joins", `message:krb5_child`, `{"message":"krb5_child[12]: segfault"}`, true},
	{"hyphen splits", `message:dbus-daemon`, `{"message":"dbus[7]: daemon restarted"}`, true},
	{"hyphen phrase", `message:"dbus-daemon"`, `{"message":"dbus daemon restarted"}`, true},
	{"phrase not across a token", `message:"dbus-daemon"`, `{"message":"dbus[7]: daemon restarted"}`, false},
	{"no tokens match nothing", `message:"---"`, `{"message":"---"}`, false},
	{"number value", `message:42`, `{"message":42}`, true},
	{"unicode case", `message:über`, `{"message":"ÜBER alles"}`, true},
	{"ideographs one each", `message:中`, `{"message":"中文日志"}`, true},
	{"wildcard on tokens", `message:seg*`, `{"message":"kernel: Segfault at 0"}`, true},
	{"leading wildcard on tokens", `message:*fault`, `{"message":"kernel: segfault at 0"}`, true},
	{"wildcard not across tokens", `message:*-enc*`, `{"message":"powershell -enc x"}`, false},
	{"wildcard pieces at spaces", `message:*foo bar*`, `{"message":"xfoo"}`, true},
	{"wildcard second piece", `message:*foo bar*`, `{"message":"barx"}`, true},
	{"wildcard pieces none", `message:*foo bar*`, `{"message":"zzz"}`, false},
	{"wildcard plain piece analysed", `message:*xyz Segfault`, `{"message":"a segfault"}`, true},
	{"wildcard pattern lowercased", `message:*FAULT`, `{"message":"SegFault"}`, true},
	{"text multi-field", `process.command_line.text:powershell.exe`, `{"process":{"command_line":"C:\\Windows\\PowerShell.exe -enc x"}}`, true},
	{"text multi-field token", `process.command_line.text:enc`, `{"process":{"command_line":"C:\\Windows\\PowerShell.exe -enc x"}}`, true},
	{"parent stays exact", `process.command_line:enc`, `{"process":{"command_line":"C:\\Windows\\PowerShell.exe -enc x"}}`, false},
	{"text range on tokens", `message > "y"`, `{"message":"Alpha Zulu"}`, true},
	{"text range none", `message > "y"`, `{"message":"Alpha Bravo"}`, false},
	{"long message list", `message:(agetty or apache2 or atd or auditd or cron or crond or sshd or sudo or su or login)`,
		`{"message":"segfault in sshd[1]"}`, true},
	{"long message list none", `message:(agetty or apache2 or atd or auditd or cron or crond or sshd or sudo or su or login)`,
		`{"message":"segfault in nginx[1]"}`, false},
}

// ip fields: addresses and CIDR blocks.
var kqlIP = []kqlCase{
	{"cidr", `source.ip:10.0.0.0/8`, `{"source":{"ip":"10.1.2.3"}}`, true},
	{"cidr outside", `source.ip:10.0.0.0/8`, `{"source":{"ip":"11.0.0.1"}}`, false},
	{"address", `source.ip:192.168.1.1`, `{"source":{"ip":"192.168.1.1"}}`, true},
	{"address not prefix", `source.ip:192.168.1.1`, `{"source":{"ip":"192.168.1.10"}}`, false},
	{"ipv6 quoted", `source.ip:"::1"`, `{"source":{"ip":"0:0:0:0:0:0:0:1"}}`, true},
	{"ipv6 cidr", `destination.ip:"FE80::/10"`, `{"destination":{"ip":"fe80::1"}}`, true},
	{"ipv6 cidr outside", `destination.ip:"FE80::/10"`, `{"destination":{"ip":"fec0::1"}}`, false},
	{"mapped ipv4", `source.ip:10.0.0.1`, `{"source":{"ip":"::ffff:10.0.0.1"}}`, true},
	{"not an address", `source.ip:10.0.0.0/8`, `{"source":{"ip":"10.0.0.1 (nat)"}}`, false},
	{"array", `client.ip:127.0.0.0/8`, `{"client":{"ip":["8.8.8.8","127.0.0.1"]}}`, true},
	{"not private", `not destination.ip:(10.0.0.0/8 or 172.16.0.0/12 or 192.168.0.0/16)`, `{"destination":{"ip":"8.8.8.8"}}`, true},
	{"not private inside", `not destination.ip:(10.0.0.0/8 or 172.16.0.0/12 or 192.168.0.0/16)`, `{"destination":{"ip":"172.20.1.1"}}`, false},
	{"range", `source.ip >= 10.0.0.5`, `{"source":{"ip":"10.0.0.7"}}`, true},
	{"range below", `source.ip >= 10.0.0.5`, `{"source":{"ip":"10.0.0.4"}}`, false},
	{"range by address not text", `source.ip < 10.0.0.10`, `{"source":{"ip":"10.0.0.9"}}`, true},
}

// Number fields: by value.
var kqlNumber = []kqlCase{
	{"equal", `destination.port:22`, `{"destination":{"port":22}}`, true},
	{"string in event", `destination.port:22`, `{"destination":{"port":"22"}}`, true},
	{"float in event", `destination.port:22`, `{"destination":{"port":22.0}}`, true},
	{"other", `destination.port:22`, `{"destination":{"port":23}}`, false},
	{"quoted", `destination.port:"22"`, `{"destination":{"port":22}}`, true},
	{"float query", `process.pid:4.0`, `{"process":{"pid":4}}`, true},
	{"not a number in event", `process.pid:4`, `{"process":{"pid":"4x"}}`, false},
	{"between", `destination.port >= 5800 and destination.port <= 5810`, `{"destination":{"port":5805}}`, true},
	{"between above", `destination.port >= 5800 and destination.port <= 5810`, `{"destination":{"port":5811}}`, false},
	{"numeric not byte-wise", `network.bytes >= "256"`, `{"network":{"bytes":1000}}`, true},
	{"large", `event.duration > "60000000000"`, `{"event":{"duration":60000000001}}`, true},
	{"large below", `event.duration > "60000000000"`, `{"event":{"duration":59999999999}}`, false},
	{"strict below", `network.packets < 2`, `{"network":{"packets":2}}`, false},
}

// Date fields: ranges of milliseconds, values rounded as Elasticsearch
// rounds range bounds, in UTC.
var kqlDate = []kqlCase{
	{"day last millisecond", `@timestamp:"2024-05-01"`, `{"@timestamp":"2024-05-01T23:59:59.999Z"}`, true},
	{"day first millisecond", `@timestamp:"2024-05-01"`, `{"@timestamp":"2024-05-01T00:00:00Z"}`, true},
	{"next day", `@timestamp:"2024-05-01"`, `{"@timestamp":"2024-05-02T00:00:00Z"}`, false},
	{"day before", `@timestamp:"2024-05-01"`, `{"@timestamp":"2024-04-30T23:59:59.999Z"}`, false},
	{"gt rounds up", `@timestamp > "2024-05-01"`, `{"@timestamp":"2024-05-01T12:00:00Z"}`, false},
	{"gt next day", `@timestamp > "2024-05-01"`, `{"@timestamp":"2024-05-02T00:00:00Z"}`, true},
	{"gte rounds down", `@timestamp >= "2024-05-01"`, `{"@timestamp":"2024-05-01T00:00:00Z"}`, true},
	{"lt rounds down", `@timestamp < "2024-05-01"`, `{"@timestamp":"2024-05-01T00:00:00Z"}`, false},
	{"lt day before", `@timestamp < "2024-05-01"`, `{"@timestamp":"2024-04-30T23:59:59.999Z"}`, true},
	{"lte rounds up", `@timestamp <= "2024-05-01"`, `{"@timestamp":"2024-05-01T23:59:59Z"}`, true},
	{"hour", `@timestamp:"2024-05-01T10"`, `{"@timestamp":"2024-05-01T10:59:00Z"}`, true},
	{"hour next", `@timestamp:"2024-05-01T10"`, `{"@timestamp":"2024-05-01T11:00:00Z"}`, false},
	{"month", `@timestamp:"2024-02"`, `{"@timestamp":"2024-02-29T23:00:00Z"}`, true},
	{"year", `@timestamp:2024`, `{"@timestamp":"2024-12-31T23:59:59Z"}`, true},
	{"zone", `@timestamp:"2024-05-01T12:00:00+02:00"`, `{"@timestamp":"2024-05-01T10:00:00Z"}`, true},
	{"epoch query", `@timestamp:1714557600000`, `{"@timestamp":"2024-05-01T10:00:00Z"}`, true},
	{"epoch event", `@timestamp:"2024-05-01T10:00:00Z"`, `{"@timestamp":1714557600000}`, true},
	{"milliseconds only", `@timestamp:"2024-05-01T10:00:00.123Z"`, `{"@timestamp":"2024-05-01T10:00:00.123456Z"}`, true},
	{"other millisecond", `@timestamp:"2024-05-01T10:00:00.123Z"`, `{"@timestamp":"2024-05-01T10:00:00.124Z"}`, false},
	{"anchored math", `@timestamp < "2024-05-01||+1M"`, `{"@timestamp":"2024-05-31T23:00:00Z"}`, true},
	{"not a date in event", `@timestamp >= "2024-05-01"`, `{"@timestamp":"yesterday"}`, false},
}

// Date math counts from Options.Now.
var kqlDateMath = []kqlCase{
	{"now minus a day", `@timestamp >= "now-1d"`, `{"@timestamp":"2024-05-01T12:00:00Z"}`, true},
	{"now minus a day before", `@timestamp >= "now-1d"`, `{"@timestamp":"2024-05-01T11:59:59.999Z"}`, false},
	{"rounded down", `@timestamp >= "now-30d/d"`, `{"@timestamp":"2024-04-02T00:00:00Z"}`, true},
	{"rounded down before", `@timestamp >= "now-30d/d"`, `{"@timestamp":"2024-04-01T23:59:59.999Z"}`, false},
	{"lte rounded up", `@timestamp <= "now/d"`, `{"@timestamp":"2024-05-02T23:59:59.999Z"}`, true},
	{"gt rounded up", `@timestamp > "now/d"`, `{"@timestamp":"2024-05-02T23:59:59.999Z"}`, false},
	{"week starts monday", `@timestamp >= "now/w"`, `{"@timestamp":"2024-04-29T00:00:00Z"}`, true},
	{"week before", `@timestamp >= "now/w"`, `{"@timestamp":"2024-04-28T23:59:59Z"}`, false},
	{"term is the rounded period", `@timestamp:"now/M"`, `{"@timestamp":"2024-05-31T23:00:00Z"}`, true},
}

// Boolean fields: true and false, as JSON or as text.
var kqlBool = []kqlCase{
	{"true", `process.interactive:true`, `{"process":{"interactive":true}}`, true},
	{"true string", `process.interactive:true`, `{"process":{"interactive":"true"}}`, true},
	{"false", `process.interactive:true`, `{"process":{"interactive":false}}`, false},
	{"false matches false", `process.code_signature.trusted:false`, `{"process":{"code_signature":{"trusted":false}}}`, true},
	{"missing", `process.code_signature.trusted:false`, `{}`, false},
	{"not true when missing", `not process.code_signature.trusted:true`, `{}`, true},
}

// field:* is an exists query.
var kqlExists = []kqlCase{
	{"value", `process.executable:*`, `{"process":{"executable":"/bin/sh"}}`, true},
	{"empty string", `process.executable:*`, `{"process":{"executable":""}}`, true},
	{"null", `process.executable:*`, `{"process":{"executable":null}}`, false},
	{"missing", `process.executable:*`, `{}`, false},
	{"empty array", `process.args:*`, `{"process":{"args":[]}}`, false},
	{"array of nulls", `process.args:*`, `{"process":{"args":[null,null]}}`, false},
	{"array with a value", `process.args:*`, `{"process":{"args":[null,"-c"]}}`, true},
	{"object with a field", `process:*`, `{"process":{"name":"sh"}}`, true},
	{"empty object", `process:*`, `{"process":{}}`, false},
	{"object of nulls", `process:*`, `{"process":{"name":null}}`, false},
	{"multi-field", `process.command_line.text:*`, `{"process":{"command_line":"sh -c id"}}`, true},
	{"number", `destination.port:*`, `{"destination":{"port":0}}`, true},
}

// Free text: every field of the event, each by its type.
var kqlFreeText = []kqlCase{
	{"text field token", `segfault`, `{"message":"kernel: segfault at 0"}`, true},
	{"keyword whole value", `bash`, `{"process":{"name":"bash"}}`, true},
	{"keyword not a substring", `bas`, `{"process":{"name":"bash"}}`, false},
	{"keyword case-sensitive", `Bash`, `{"event":{"action":"bash"}}`, false},
	{"keyword's text multi-field", `Bash`, `{"process":{"name":"bash"}}`, true},
	{"text case-insensitive", `Bash`, `{"message":"bash rocks"}`, true},
	{"phrase", `"command not found"`, `{"event":{"id":"1"},"message":"x: command not found"}`, true},
	{"phrase keyword exact", `"command not found"`, `{"error":{"code":"command not found"}}`, true},
	{"multi-field of a wildcard field", `powershell.exe`, `{"process":{"command_line":"C:\\x\\powershell.exe -nop"}}`, true},
	{"undefined field is keyword", `powershell.exe`, `{"custom":{"line":"run powershell.exe now"}}`, false},
	{"number field", `22`, `{"destination":{"port":22}}`, true},
	{"number field other", `22`, `{"destination":{"port":2222}}`, false},
	{"ip field cidr", `10.0.0.0/8`, `{"source":{"ip":"10.9.8.7"}}`, true},
	{"date field day", `2024-05-01`, `{"@timestamp":"2024-05-01T10:00:00Z"}`, true},
	{"word skips typed fields", `hello`, `{"destination":{"port":22},"source":{"ip":"10.0.0.1"},"@timestamp":"2024-05-01T10:00:00Z"}`, false},
	{"wildcard keyword", `power*`, `{"process":{"name":"powershell.exe"}}`, true},
	{"wildcard text token", `power*`, `{"message":"PowerShell started"}`, true},
	{"wildcard skips numbers", `2*`, `{"destination":{"port":22}}`, false},
	{"wildcard cut at spaces", `*foo bar*`, `{"event":{"action":"xfoo"}}`, true},
	{"wildcard second piece", `*foo bar*`, `{"event":{"action":"barx"}}`, true},
	{"wildcard pieces not joined", `*foo bar*`, `{"event":{"action":"xfoo barx"}}`, false},
	{"wildcard plain piece exact", `*zzz bash`, `{"event":{"action":"bash"}}`, true},
	{"field name keeps spaces", `*:*foo\ bar*`, `{"event":{"action":"xfoo barx"}}`, true},
	{"arrays of objects", `x`, `{"a":[{"b":"y"},{"b":"x"}]}`, true},
	{"dotted keys", `bash`, `{"process.parent.name":"bash"}`, true},
	{"all fields name", `*:bash`, `{"process":{"name":"bash"}}`, true},
	{"match all", `*:*`, `{}`, true},
	{"not free text", `not bash`, `{"process":{"name":"zsh"}}`, true},
}

// Wildcard field names: every field whose dotted name matches, by its
// type.
var kqlWildcardNames = []kqlCase{
	{"any field under", `process.*:bash`, `{"process":{"name":"bash"}}`, true},
	{"deeper field", `process.*:bash`, `{"process":{"parent":{"name":"bash"}}}`, true},
	{"other object", `process.*:bash`, `{"parent":{"process":"bash"}}`, false},
	{"exists", `process.hash.*:*`, `{"process":{"hash":{"md5":"0cc1"}}}`, true},
	{"exists empty", `process.hash.*:*`, `{"process":{"hash":{}}}`, false},
	{"exists null", `process.hash.*:*`, `{"process":{"hash":{"md5":null}}}`, false},
	{"middle star nested", `azure.auditlogs.properties.target_resources.*.display_name:guest`,
		`{"azure":{"auditlogs":{"properties":{"target_resources":{"0":{"display_name":"guest"}}}}}}`, true},
	{"middle star flat", `azure.auditlogs.properties.target_resources.*.display_name:guest`,
		`{"azure.auditlogs.properties.target_resources.0.display_name":"guest"}`, true},
	{"middle star needs a segment", `azure.auditlogs.properties.target_resources.*.display_name:guest`,
		`{"azure":{"auditlogs":{"properties":{"target_resources":{"display_name":"guest"}}}}}`, false},
	{"number field by value", `*.port:22`, `{"destination":{"port":"22.0"}}`, true},
	{"ip field by address", `source.*:10.0.0.0/8`, `{"source":{"ip":"10.1.1.1"}}`, true},
	{"keyword field by text", `source.*:10.0.0.0/8`, `{"source":{"address":"10.0.0.0/8"}}`, true},
	{"keyword field not a range", `source.*:10.0.0.0/8`, `{"source":{"address":"10.1.1.1"}}`, false},
	{"text multi-field", `process.command_line.*:enc`, `{"process":{"command_line":"a -enc b"}}`, true},
	{"wildcard skips numbers", `destination.*:2*`, `{"destination":{"port":22}}`, false},
	{"wildcard on keyword", `destination.*:2*`, `{"destination":{"domain":"2x.example"}}`, true},
	{"range", `destination.* > 1000`, `{"destination":{"port":3389}}`, true},
	{"range below", `destination.* > 1000`, `{"destination":{"port":80}}`, false},
	{"not", `not process.*:bash`, `{"process":{"name":"zsh"}}`, true},
}

// Nested queries: all conditions on one object.
var kqlNested = []kqlCase{
	{"same object", `gcp.d:{ action:"ADD" and role:"roles/x" }`,
		`{"gcp":{"d":[{"action":"ADD","role":"roles/y"},{"action":"REMOVE","role":"roles/x"},{"action":"ADD","role":"roles/x"}]}}`, true},
	{"split across objects", `gcp.d:{ action:"ADD" and role:"roles/x" }`,
		`{"gcp":{"d":[{"action":"ADD","role":"roles/y"},{"action":"REMOVE","role":"roles/x"}]}}`, false},
	{"single object", `gcp.d:{ action:ADD and role:(a or b) }`, `{"gcp":{"d":{"action":"ADD","role":"b"}}}`, true},
	{"not per object", `a:{ not b:1 }`, `{"a":[{"b":1},{"b":2}]}`, true},
	{"not all objects", `a:{ not b:1 }`, `{"a":[{"b":1}]}`, false},
	{"no objects", `a:{ not b:1 }`, `{"a":[]}`, false},
	{"missing", `a:{ not b:1 }`, `{}`, false},
	{"types by full name", `process:{ pid:4.0 }`, `{"process":{"pid":"4"}}`, true},
	{"exists inside", `a:{ b:* and c:x }`, `{"a":[{"b":1},{"c":"x"}]}`, false},
	{"exists inside same", `a:{ b:* and c:x }`, `{"a":[{"b":1,"c":"x"}]}`, true},
	{"nested in nested", `a:{ b:{ c:1 and d:2 } }`, `{"a":[{"b":[{"c":1},{"c":1,"d":2}]}]}`, true},
	{"nested in nested split", `a:{ b:{ c:1 and d:2 } }`, `{"a":[{"b":[{"c":1},{"d":2}]}]}`, false},
	{"wildcard name inside", `a:{ b.*:x }`, `{"a":[{"b":{"c":"x"}}]}`, true},
	{"free text inside", `a:{ x }`, `{"a":[{"b":"y"}],"c":"x"}`, false},
}

// How and, or and not combine, whatever the fields.
var kqlLogic = []kqlCase{
	{"not matches missing field", `not process.name:sshd`, `{}`, true},
	{"not", `not process.name:sshd`, `{"process":{"name":"sshd"}}`, false},
	{"and binds tighter", `a:1 or b:1 and c:1`, `{"a":1}`, true},
	{"and binds tighter 2", `a:1 or b:1 and c:1`, `{"b":1}`, false},
	{"grouping", `(a:1 or b:1) and c:1`, `{"b":1,"c":1}`, true},
	{"value and", `process.args:(a and b)`, `{"process":{"args":["b","a"]}}`, true},
	{"value not", `process.name:(not bash)`, `{"process":{"name":"zsh"}}`, true},
}

func TestKQLKeyword(t *testing.T)       { runKQL(t, kqlKeyword, Options{}) }
func TestKQLText(t *testing.T)          { runKQL(t, kqlText, Options{}) }
func TestKQLIP(t *testing.T)            { runKQL(t, kqlIP, Options{}) }
func TestKQLNumber(t *testing.T)        { runKQL(t, kqlNumber, Options{}) }
func TestKQLDate(t *testing.T)          { runKQL(t, kqlDate, Options{}) }
func TestKQLBool(t *testing.T)          { runKQL(t, kqlBool, Options{}) }
func TestKQLExists(t *testing.T)        { runKQL(t, kqlExists, Options{}) }
func TestKQLFreeText(t *testing.T)      { runKQL(t, kqlFreeText, Options{}) }
func TestKQLWildcardNames(t *testing.T) { runKQL(t, kqlWildcardNames, Options{}) }
func TestKQLNested(t *testing.T)        { runKQL(t, kqlNested, Options{}) }
func TestKQLLogic(t *testing.T)         { runKQL(t, kqlLogic, Options{}) }
func TestKQLDateMathNow(t *testing.T)   { runKQL(t, kqlDateMath, Options{Now: testNow}) }
func TestKQLDateMathNoNow(t *testing.T) {
	testKQLError(t, `@timestamp >= "now-30d/d"`, Options{}, dateMathNoNow)
}
func TestKQLOtherDateMath(t *testing.T) {
	testKQLError(t, `@timestamp < "now+1q"`, Options{Now: testNow}, `@timestamp: date math "now+1q": unknown unit 'q'`)
}
func TestKQLDateMathAnchor(t *testing.T) {
	testKQLError(t, `@timestamp < "x||+1d"`, Options{}, `@timestamp: "x" is not a date (ISO 8601 or epoch milliseconds)`)
}

// testNow is a Thursday.
var testNow = time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC)

const dateMathNoNow = `@timestamp: date math ("now-30d/d") needs a time for "now", and none was given`

// The values a field's type cannot read, and wildcards on such fields,
// fail as Elasticsearch fails the search.
var kqlErrors = []struct{ name, query, want string }{
	{"word in a number field", `destination.port:http`, `destination.port: "http" is not a number`},
	{"wildcard on a number field", `destination.port:8*`, `destination.port: wildcards work only on keyword, wildcard and text fields, and this is a number field`},
	{"range bound not a number", `destination.port > abc`, `destination.port: "abc" is not a number`},
	{"wildcard on an ip field", `source.ip:10.0.*`, `source.ip: wildcards work only on keyword, wildcard and text fields, and this is an ip field`},
	{"not an address", `source.ip:localhost`, `source.ip: "localhost" is not an IP address or CIDR block`},
	{"cidr as a range bound", `source.ip > 10.0.0.0/8`, `source.ip: "10.0.0.0/8" is not an IP address`},
	{"not a date", `@timestamp:yesterday`, `@timestamp: "yesterday" is not a date (ISO 8601 or epoch milliseconds)`},
	{"bad day", `@timestamp:"2024-02-30"`, `@timestamp: "2024-02-30" is not a date (ISO 8601 or epoch milliseconds)`},
	{"wildcard on a date field", `@timestamp:2024*`, `@timestamp: wildcards work only on keyword, wildcard and text fields, and this is a date field`},
	{"not a boolean", `process.interactive:yes`, `process.interactive: "yes" is not true or false`},
	{"wildcard on a boolean field", `process.interactive:t*`, `process.interactive: wildcards work only on keyword, wildcard and text fields, and this is a boolean field`},
	{"inside nested", `process:{ pid:x }`, `process.pid: "x" is not a number`},
	{"wildcard nested name", `a*:{ b:1 }`, `a nested query needs a field name without wildcards`},
}

func TestKQLErrors(t *testing.T) {
	for _, tt := range kqlErrors {
		t.Run(tt.name, func(t *testing.T) { testKQLError(t, tt.query, Options{}, tt.want) })
	}
}

func testKQLError(t *testing.T, query string, opts Options, want string) {
	t.Helper()
	e, err := kql.Parse(query)
	if err != nil {
		t.Fatalf("parse %q: %v", query, err)
	}
	_, err = CompileKQL(e, opts)
	ae, ok := err.(*ast.Error)
	if !ok || ae.Msg != want {
		t.Errorf("CompileKQL(%q) error = %v, want %q", query, err, want)
	}
}

// TestAnalyze checks the tokens of the standard analyzer.
func TestAnalyze(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"The Quick-Brown fox", "the quick brown fox"},
		{`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe -enc SQBFAFgA`, "c windows system32 windowspowershell v1.0 powershell.exe enc sqbfafga"},
		{"from 10.0.0.1:22 port 1,000.5", "from 10.0.0.1 22 port 1,000.5"},
		{"user:root a:1 1:a", "user:root a 1 1 a"},
		{"don't stop. end.", "don't stop end"},
		{"krb5_child __ _x x_", "krb5_child _x x_"},
		{"a.1 1.a v1.2", "a 1 1 a v1.2"},
		{"http://example.com/a?b=c", "http example.com a b c"},
		{"ÜBER straße", "über straße"},
		{"中文ab日本", "中 文 ab 日 本"},
		{"カタカナ 한국어", "カタカナ 한국어"},
		{"café", "café"},
		{"x\u200dy", "x\u200dy"},
		{"--- ...", ""},
		{strings.Repeat("a", 300), strings.Repeat("a", 255) + " " + strings.Repeat("a", 45)},
	} {
		if got := strings.Join(analyze(tt.in), " "); got != tt.want {
			t.Errorf("analyze(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestKQLLongPhrase checks a phrase of more tokens than the fast matcher
// holds.
func TestKQLLongPhrase(t *testing.T) {
	words := make([]string, 70)
	for i := range words {
		words[i] = "w" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	phrase := strings.Join(words, " ")
	p := compileKQL(t, `message:"`+phrase+`"`, Options{})
	for _, tt := range []struct {
		msg  string
		want bool
	}{
		{"x " + phrase + " y", true},
		{"x " + strings.Join(words[:69], " ") + " y " + words[69], false},
	} {
		if got := p.Match(fastjson.MustParse(`{"message":"` + tt.msg + `"}`)); got != tt.want {
			t.Errorf("long phrase on %q = %v, want %v", tt.msg[:20], got, tt.want)
		}
	}
}

func ExampleCompileKQL() {
	e, _ := kql.Parse(`event.category:process and process.name:(bash or sh) and message:"reverse shell"`)
	p, _ := CompileKQL(e, Options{})
	for _, doc := range []string{
		`{"event":{"category":"process"},"process":{"name":"bash"},"message":"Reverse Shell to 10.0.0.1"}`,
		`{"event":{"category":"process"},"process":{"name":"Bash"},"message":"Reverse Shell to 10.0.0.1"}`,
		`{"event":{"category":"process"},"process":{"name":"bash"},"message":"shell reverse"}`,
	} {
		fmt.Println(p.Match(fastjson.MustParse(doc)))
	}
	// Output:
	// true
	// false
	// false
}
