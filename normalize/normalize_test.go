package normalize_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/valyala/fastjson"

	"dredge/event"
	"dredge/normalize"
)

// apply parses js and normalises it; each event has its own parser and
// arena, so that events stay valid together.
func apply(t testing.TB, n *normalize.Normalizer, js string) (*fastjson.Value, normalize.Result) {
	t.Helper()
	var p fastjson.Parser
	v, err := p.Parse(js)
	if err != nil {
		t.Fatalf("test event: %v\n%s", err, js)
	}
	return v, n.Apply(v, new(fastjson.Arena))
}

// render gives a field's values as JSON, arrays flattened, joined by
// commas; "<missing>" when the event has none.
func render(v *fastjson.Value, field string) string {
	var out []string
	event.NewPath(field).Visit(v, func(x *fastjson.Value) bool {
		out = append(out, x.String())
		return false
	})
	if len(out) == 0 {
		return "<missing>"
	}
	return strings.Join(out, ",")
}

// Sysmon 1 (cmd.exe /c whoami started by explorer.exe) and Sysmon 11
// (lsass.exe creates C:\Windows\Temp\x.dll) on WS-042, as Winlogbeat 8
// writes them without its Sysmon module, as Winlogbeat 6 wrote them, and as
// a flat (HELK-style) export. The Winlogbeat events were forwarded to the
// collector wec-01.
const (
	sysmon1Data = `"RuleName":"-","UtcTime":"2024-03-05 10:15:30.120","ProcessGuid":"{6f1c2a10-7b22-65e6-3a01-000000000c00}",` +
		`"ProcessId":"4242","Image":"C:\\Windows\\System32\\cmd.exe","FileVersion":"10.0.19041.746 (WinBuild.160101.0800)",` +
		`"Description":"Windows Command Processor","Product":"Microsoft® Windows® Operating System","Company":"Microsoft Corporation",` +
		`"OriginalFileName":"Cmd.Exe","CommandLine":"C:\\Windows\\System32\\cmd.exe /c whoami","CurrentDirectory":"C:\\Users\\alice\\",` +
		`"User":"CORP\\alice","LogonGuid":"{6f1c2a10-11aa-65e6-7c3d-050000000000}","LogonId":"0x53d7c","TerminalSessionId":"1",` +
		`"IntegrityLevel":"Medium","Hashes":"MD5=0D2F2B1A6C1E0A43A4AE5C4E4A5A5E2A,SHA256=B99D114B267FFD068C3289199B6DF95A9F9E64872D6C2B666D63974BBCE75BF2,IMPHASH=272245E2988E1E430500B852C4FB5E18",` +
		`"ParentProcessGuid":"{6f1c2a10-11b0-65e6-4e00-000000000c00}","ParentProcessId":"3100","ParentImage":"C:\\Windows\\explorer.exe",` +
		`"ParentCommandLine":"C:\\Windows\\Explorer.EXE","ParentUser":"CORP\\alice"`
	sysmon11Data = `"RuleName":"-","UtcTime":"2024-03-05 10:16:02.458","ProcessGuid":"{6f1c2a10-0f5e-65e6-0c00-000000000c00}",` +
		`"ProcessId":"712","Image":"C:\\Windows\\system32\\lsass.exe","TargetFilename":"C:\\Windows\\Temp\\x.dll",` +
		`"CreationUtcTime":"2024-03-05 10:16:02.458","User":"NT AUTHORITY\\SYSTEM"`
)

func winlogbeat8(id, data, utc string) string {
	return `{"@timestamp":"` + utc + `","agent":{"type":"winlogbeat","version":"8.12.2","name":"wec-01"},` +
		`"host":{"name":"wec-01","hostname":"wec-01","os":{"platform":"windows","family":"windows","name":"Windows Server 2022 Standard"}},` +
		`"log":{"level":"information"},"message":"...",` +
		`"winlog":{"api":"wineventlog","channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"WS-042.corp.example",` +
		`"event_id":"` + id + `","provider_name":"Microsoft-Windows-Sysmon","provider_guid":"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}",` +
		`"record_id":"88123","process":{"pid":2936,"thread":{"id":3812}},"task":"Process Create (rule: ProcessCreate)",` +
		`"user":{"identifier":"S-1-5-18","name":"SYSTEM","domain":"NT AUTHORITY","type":"User"},"version":5,` +
		`"event_data":{` + data + `}}}`
}

func winlogbeat6(id, data, utc string) string {
	return `{"@timestamp":"` + utc + `","@metadata":{"beat":"winlogbeat","type":"doc","version":"6.7.0"},` +
		`"beat":{"name":"wec-01","hostname":"wec-01","version":"6.7.0"},"host":{"name":"wec-01"},"type":"wineventlog",` +
		`"computer_name":"WS-042.corp.example","event_id":` + id + `,"log_name":"Microsoft-Windows-Sysmon/Operational",` +
		`"source_name":"Microsoft-Windows-Sysmon","provider_guid":"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}","record_number":"88123",` +
		`"level":"Information","opcode":"Info","process_id":2936,"thread_id":3812,"version":5,"message":"...",` +
		`"user":{"identifier":"S-1-5-18","name":"SYSTEM","domain":"NT AUTHORITY","type":"User"},` +
		`"event_data":{` + data + `}}`
}

func flat(id, data string) string {
	return `{"TimeCreated":"2024-03-05 10:15:31.000","EventID":` + id + `,"Channel":"Microsoft-Windows-Sysmon/Operational",` +
		`"SourceName":"Microsoft-Windows-Sysmon","Hostname":"WS-042.corp.example","Task":"` + id + `","UserID":"S-1-5-18",` +
		`"Message":"...",` + data + `}`
}

// TestShapesAgree: the same Sysmon events in the three Windows shapes give
// the same ECS fields, and the fields expected.
func TestShapesAgree(t *testing.T) {
	n := normalize.New()
	tests := []struct {
		name   string
		events map[string]string
		want   map[string]string
	}{{
		name: "sysmon 1 process creation",
		events: map[string]string{
			"winlogbeat8": winlogbeat8("1", sysmon1Data, "2024-03-05T10:15:30.121Z"),
			"winlogbeat6": winlogbeat6("1", sysmon1Data, "2024-03-05T10:15:30.121Z"),
			"flat":        flat("1", sysmon1Data),
		},
		want: map[string]string{
			"event.category":                   `"process"`,
			"event.type":                       `"start"`,
			"event.action":                     `"Process creation"`,
			"event.code":                       `"1"`,
			"event.provider":                   `"Microsoft-Windows-Sysmon"`,
			"event.kind":                       `"event"`,
			"event.module":                     `"sysmon"`,
			"rule.name":                        `<missing>`,
			"process.pid":                      `4242`,
			"process.entity_id":                `"{6f1c2a10-7b22-65e6-3a01-000000000c00}"`,
			"process.executable":               `"C:\\Windows\\System32\\cmd.exe"`,
			"process.name":                     `"cmd.exe"`,
			"process.command_line":             `"C:\\Windows\\System32\\cmd.exe /c whoami"`,
			"process.args":                     `"C:\\Windows\\System32\\cmd.exe","/c","whoami"`,
			"process.args_count":               `3`,
			"process.working_directory":        `"C:\\Users\\alice\\"`,
			"process.pe.original_file_name":    `"Cmd.Exe"`,
			"process.pe.company":               `"Microsoft Corporation"`,
			"process.pe.imphash":               `"272245e2988e1e430500b852c4fb5e18"`,
			"process.hash.md5":                 `"0d2f2b1a6c1e0a43a4ae5c4e4a5a5e2a"`,
			"process.hash.sha256":              `"b99d114b267ffd068c3289199b6df95a9f9e64872d6c2b666d63974bbce75bf2"`,
			"process.hash.sha1":                `<missing>`,
			"process.parent.pid":               `3100`,
			"process.parent.entity_id":         `"{6f1c2a10-11b0-65e6-4e00-000000000c00}"`,
			"process.parent.executable":        `"C:\\Windows\\explorer.exe"`,
			"process.parent.name":              `"explorer.exe"`,
			"process.parent.command_line":      `"C:\\Windows\\Explorer.EXE"`,
			"process.parent.args":              `"C:\\Windows\\Explorer.EXE"`,
			"user.id":                          `"S-1-5-18"`,
			"host.name":                        `"WS-042.corp.example"`,
			"host.hostname":                    `"WS-042.corp.example"`,
			"host.os.type":                     `"windows"`,
			"winlog.channel":                   `"Microsoft-Windows-Sysmon/Operational"`,
			"winlog.computer_name":             `"WS-042.corp.example"`,
			"winlog.event_data.IntegrityLevel": `"Medium"`,
			"winlog.event_data.CommandLine":    `"C:\\Windows\\System32\\cmd.exe /c whoami"`,
		},
	}, {
		name: "sysmon 11 file creation",
		events: map[string]string{
			"winlogbeat8": winlogbeat8("11", sysmon11Data, "2024-03-05T10:16:02.460Z"),
			"winlogbeat6": winlogbeat6("11", sysmon11Data, "2024-03-05T10:16:02.460Z"),
			"flat":        flat("11", sysmon11Data),
		},
		want: map[string]string{
			"event.category":     `"file"`,
			"event.type":         `"creation"`,
			"event.action":       `"FileCreate"`,
			"event.code":         `"11"`,
			"process.pid":        `712`,
			"process.executable": `"C:\\Windows\\system32\\lsass.exe"`,
			"process.name":       `"lsass.exe"`,
			"process.args":       `<missing>`,
			"file.path":          `"C:\\Windows\\Temp\\x.dll"`,
			"file.name":          `"x.dll"`,
			"file.directory":     `"C:\\Windows\\Temp"`,
			"file.extension":     `"dll"`,
			"user.name":          `"SYSTEM"`,
			"user.domain":        `"NT AUTHORITY"`,
			"host.name":          `"WS-042.corp.example"`,
			"host.os.type":       `"windows"`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for shape, js := range tt.events {
				v, r := apply(t, n, js)
				if !r.Shape.Windows() {
					t.Errorf("%s: shape %s", shape, r.Shape)
				}
				for field, want := range tt.want {
					if got := render(v, field); got != want {
						t.Errorf("%s: %s = %s, want %s", shape, field, got, want)
					}
				}
			}
		})
	}
}

// TestShapeDetails: what differs between the shapes, on purpose.
func TestShapeDetails(t *testing.T) {
	n := normalize.New()
	tests := []struct {
		name string
		js   string
		want map[string]string
	}{
		{"winlogbeat 8: the event's user, the collector as observer", winlogbeat8("1", sysmon1Data, "2024-03-05T10:15:30.121Z"), map[string]string{
			"user.name": `"alice"`, "user.domain": `"CORP"`, "observer.name": `"wec-01"`, "observer.hostname": `"wec-01"`,
			"@timestamp": `"2024-03-05T10:15:30.121Z"`, "winlog.event_id": `"1"`,
		}},
		// Winlogbeat 6's user is the account Sysmon logs under; it is not
		// overwritten (winlog.event_data.User has the process's).
		{"winlogbeat 6: its own user kept, aliases", winlogbeat6("1", sysmon1Data, "2024-03-05T10:15:30.121Z"), map[string]string{
			"user.name": `"SYSTEM"`, "user.domain": `"NT AUTHORITY"`, "winlog.event_data.User": `"CORP\\alice"`,
			"winlog.user.identifier": `"S-1-5-18"`, "winlog.user.id": `<missing>`, "user.identifier": `"S-1-5-18"`,
			"observer.name": `"wec-01"`, "observer.hostname": `"wec-01"`, "winlog.event_id": `1`,
			"winlog.provider_name": `"Microsoft-Windows-Sysmon"`, "winlog.record_id": `"88123"`,
			"winlog.process.pid": `2936`, "log.level": `"information"`,
		}},
		{"flat: time from UtcTime, no collector", flat("1", sysmon1Data), map[string]string{
			"user.name": `"alice"`, "user.domain": `"CORP"`, "observer.name": `<missing>`,
			"@timestamp": `"2024-03-05T10:15:30.12Z"`, "message": `"..."`, "winlog.event_id": `1`,
			"winlog.event_data.Hostname": `<missing>`, "winlog.event_data.TimeCreated": `<missing>`,
			"winlog.event_data.UserID": `<missing>`, "winlog.event_data.ParentUser": `"CORP\\alice"`,
		}},
		{"flat without UtcTime: TimeCreated, 7 digits",
			`{"EventID":4689,"Channel":"Security","Hostname":"WS-042","TimeCreated":"2024-03-05 10:15:31.1234567","ProcessName":"C:\\x.exe","ProcessId":"0x10"}`,
			map[string]string{"@timestamp": `"2024-03-05T10:15:31.1234567Z"`, "process.pid": `16`, "process.name": `"x.exe"`,
				"event.category": `"process"`, "event.type": `"end"`}},
		{"flat, NXLog style",
			`{"EventTime":"2024-03-05 10:15:31","Hostname":"ws-042.corp.example","Keywords":-9214364837600034816,"EventType":"AUDIT_FAILURE","SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","EventID":4625,"TargetUserName":"bob","IpAddress":"::ffff:192.0.2.7","LogonType":"3"}`,
			map[string]string{"@timestamp": `"2024-03-05T10:15:31Z"`, "event.outcome": `"failure"`, "source.ip": `"192.0.2.7"`,
				"winlog.logon.type": `"Network"`, "user.name": `"bob"`, "event.action": `"logon-failed"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := apply(t, n, tt.js)
			for field, want := range tt.want {
				if got := render(v, field); got != want {
					t.Errorf("%s = %s, want %s", field, got, want)
				}
			}
		})
	}
}

// TestNeverOverwrite: fields the event has, in any layout, keep their
// values, and nothing is added beside them.
func TestNeverOverwrite(t *testing.T) {
	n := normalize.New()
	data := `"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"computer_name":"WS-042",` +
		`"event_data":{"ProcessId":"4242","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd.exe /c whoami","User":"CORP\\alice",` +
		`"ParentImage":"C:\\Windows\\explorer.exe","Hashes":"MD5=AA"}}`
	tests := []struct {
		name string
		js   string
		want map[string]string
	}{
		{"nested", `{` + data + `,"process":{"executable":"X","pid":"not a number","name":"(null)"},"event":{"category":"custom"},"user":{"name":null}}`,
			map[string]string{"process.executable": `"X"`, "process.pid": `"not a number"`, "process.name": `"(null)"`,
				"event.category": `"custom"`, "event.type": `"start"`, "user.name": `"alice"`, "process.args": `"cmd.exe","/c","whoami"`}},
		{"dotted", `{` + data + `,"process.executable":"X","process.pid":7,"event.category":["custom"],"process.parent.name":"p.exe","host.name":"WS-042"}`,
			map[string]string{"process.executable": `"X"`, "process.pid": `7`, "event.category": `"custom"`,
				"process.parent.name": `"p.exe"`, "process.name": `<missing>`, "host.name": `"WS-042"`, "observer.name": `<missing>`}},
		{"mixed", `{` + data + `,"process":{"parent.executable":"P"},"process.hash":{"md5":"bb"},"host":{"name":"ws-042.corp.example"}}`,
			map[string]string{"process.parent.executable": `"P"`, "process.parent.name": `<missing>`, "process.hash.md5": `"bb"`,
				"process.executable": `"C:\\Windows\\System32\\cmd.exe"`, "host.name": `"ws-042.corp.example"`, "observer.name": `<missing>`}},
		{"a level that is not an object", `{` + data + `,"process":"cmd","user":["x"]}`,
			map[string]string{"process": `"cmd"`, "process.pid": `4242`, "user.name": `"alice"`, "user": `"x"`}},
		{"placeholders are values", `{"winlog":{"channel":"Security","event_id":"4688","event_data":{"NewProcessName":"(null)","CommandLine":"(null)","SubjectUserName":"-","SubjectDomainName":""}}}`,
			map[string]string{"process.executable": `"(null)"`, "process.command_line": `"(null)"`, "process.args": `"(null)"`,
				"user.name": `<missing>`, "user.domain": `<missing>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := apply(t, n, tt.js)
			for field, want := range tt.want {
				if got := render(v, field); got != want {
					t.Errorf("%s = %s, want %s\n%s", field, got, want, v)
				}
			}
		})
	}
}

// TestSecurityEvents: Security, and System 7045, events as the Security
// module maps them.
func TestSecurityEvents(t *testing.T) {
	n := normalize.New()
	ev := func(id, data string) string {
		return `{"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Security-Auditing","event_id":` + id +
			`,"computer_name":"DC01.corp.example","keywords":["Audit Success"],"event_data":{` + data + `}}}`
	}
	subject := `"SubjectUserSid":"S-1-5-21-1-2-3-1104","SubjectUserName":"alice","SubjectDomainName":"CORP","SubjectLogonId":"0x53d7c"`
	alice := map[string]string{"user.id": `"S-1-5-21-1-2-3-1104"`, "user.name": `"alice"`, "user.domain": `"CORP"`, "winlog.logon.id": `"0x53d7c"`}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name string
		js   string
		want map[string]string
	}{
		{"4624 network logon", ev("4624", `"SubjectUserSid":"S-1-5-18","SubjectUserName":"DC01$","SubjectLogonId":"0x3e7","TargetUserSid":"S-1-5-21-1-2-3-1104",`+
			`"TargetUserName":"alice","TargetDomainName":"CORP","TargetLogonId":"0x8b1f2","LogonType":"3","WorkstationName":"WS-042","IpAddress":"192.0.2.10","IpPort":"49811",`+
			`"ProcessId":"0x0","ProcessName":"-","AuthenticationPackageName":"NTLM"`),
			map[string]string{"event.category": `"authentication"`, "event.type": `"start"`, "event.action": `"logged-in"`, "event.outcome": `"success"`,
				"user.id": `"S-1-5-21-1-2-3-1104"`, "user.name": `"alice"`, "user.domain": `"CORP"`, "winlog.logon.id": `"0x8b1f2"`,
				"winlog.logon.type": `"Network"`, "source.ip": `"192.0.2.10"`, "source.port": `49811`, "source.domain": `"WS-042"`,
				"process.pid": `0`, "process.executable": `<missing>`, "event.module": `"security"`, "event.code": `"4624"`}},
		{"4625 failed logon", `{"winlog":{"channel":"Security","event_id":"4625","event_data":{"TargetUserSid":"S-1-0-0","TargetUserName":"administrator","TargetDomainName":"CORP",` +
			`"Status":"0xc000006d","SubStatus":"0xc000006a","LogonType":"10","IpAddress":"-","IpPort":"-"}}}`,
			map[string]string{"event.action": `"logon-failed"`, "event.outcome": `"failure"`, "user.name": `"administrator"`, "user.id": `"S-1-0-0"`,
				"winlog.logon.type": `"RemoteInteractive"`, "source.ip": `<missing>`, "source.port": `<missing>`}},
		{"4634 logoff", ev("4634", `"TargetUserSid":"S-1-5-21-1-2-3-1104","TargetUserName":"alice","TargetDomainName":"CORP","TargetLogonId":"0x8b1f2","LogonType":"2"`),
			map[string]string{"event.category": `"authentication"`, "event.type": `"end"`, "event.action": `"logged-out"`, "user.name": `"alice"`,
				"winlog.logon.id": `"0x8b1f2"`, "winlog.logon.type": `"Interactive"`}},
		{"4648 explicit credentials", ev("4648", subject+`,"TargetUserName":"bob@corp.example","TargetDomainName":"CORP","TargetServerName":"fs01",`+
			`"ProcessId":"0x1a2c","ProcessName":"C:\\Windows\\System32\\runas.exe","IpAddress":"::1","IpPort":"0"`),
			with(alice, "event.action", `"logged-in-explicit"`, "user.effective.name", `"bob"`, "user.effective.domain", `"CORP"`,
				"process.pid", `6700`, "process.name", `"runas.exe"`, "source.ip", `"::1"`)},
		{"4672 special privileges", ev("4672", subject+`,"PrivilegeList":"SeDebugPrivilege\n\t\t\tSeBackupPrivilege"`),
			with(alice, "event.category", `"iam"`, "event.type", `"admin"`, "event.action", `"logged-in-special"`)},
		{"4688 process creation", ev("4688", subject+`,"NewProcessId":"0x1f40","NewProcessName":"C:\\Windows\\System32\\cmd.exe","TokenElevationType":"%%1936",`+
			`"ProcessId":"0xc1c","CommandLine":"cmd.exe /c \"echo a b\" > C:\\out.txt","TargetUserSid":"S-1-0-0","TargetUserName":"-","ParentProcessName":"C:\\Windows\\explorer.exe"`),
			with(alice, "event.category", `"process"`, "event.type", `"start"`, "event.action", `"created-process"`, "process.pid", `8000`,
				"process.executable", `"C:\\Windows\\System32\\cmd.exe"`, "process.name", `"cmd.exe"`, "process.parent.pid", `3100`,
				"process.parent.executable", `"C:\\Windows\\explorer.exe"`, "process.parent.name", `"explorer.exe"`,
				"process.command_line", `"cmd.exe /c \"echo a b\" > C:\\out.txt"`,
				"process.args", `"cmd.exe","/c","echo a b",">","C:\\out.txt"`, "process.args_count", `5`,
				"user.effective.id", `"S-1-0-0"`, "user.effective.name", `<missing>`)},
		{"4689 process exit", ev("4689", subject+`,"ProcessId":"0x1f40","ProcessName":"C:\\Windows\\System32\\cmd.exe","Status":"0x0"`),
			with(alice, "event.type", `"end"`, "event.action", `"exited-process"`, "process.pid", `8000`, "process.name", `"cmd.exe"`)},
		{"4697 service installed", ev("4697", subject+`,"ServiceName":"evilsvc","ServiceFileName":"%COMSPEC% /c calc","ServiceType":"0x10","ServiceStartType":"3"`),
			with(alice, "event.category", `"iam","configuration"`, "event.type", `"admin","change"`, "event.action", `"service-installed"`,
				"service.name", `"evilsvc"`, "service.type", `"Win32 Own Process"`, "winlog.event_data.ServiceFileName", `"%COMSPEC% /c calc"`)},
		{"4698 task created", ev("4698", subject+`,"TaskName":"\\Updater"`),
			with(alice, "event.category", `"iam","configuration"`, "event.type", `"creation","admin"`, "event.action", `"scheduled-task-created"`)},
		{"4699 task deleted", ev("4699", subject), with(alice, "event.action", `"scheduled-task-deleted"`, "event.type", `"deletion","admin"`)},
		{"4700 task enabled", ev("4700", subject), with(alice, "event.action", `"scheduled-task-enabled"`)},
		{"4701 task disabled", ev("4701", subject), with(alice, "event.action", `"scheduled-task-disabled"`)},
		{"4702 task updated", ev("4702", subject), with(alice, "event.action", `"scheduled-task-updated"`)},
		{"4720 user created", ev("4720", subject+`,"TargetSid":"S-1-5-21-1-2-3-1201","TargetUserName":"svc_backup","TargetDomainName":"CORP"`),
			with(alice, "event.category", `"iam"`, "event.type", `"user","creation"`, "event.action", `"added-user-account"`,
				"user.target.id", `"S-1-5-21-1-2-3-1201"`, "user.target.name", `"svc_backup"`, "user.target.domain", `"CORP"`)},
		{"4724 password reset", ev("4724", subject+`,"TargetSid":"S-1-5-21-1-2-3-500","TargetUserName":"Administrator","TargetDomainName":"CORP"`),
			with(alice, "event.action", `"reset-password"`, "user.target.name", `"Administrator"`)},
		{"4728 member added to global group", ev("4728", subject+`,"MemberName":"CN=Bob Jones,OU=Staff,DC=corp,DC=example","MemberSid":"S-1-5-21-1-2-3-1105",`+
			`"TargetUserName":"Domain Admins","TargetDomainName":"CORP","TargetSid":"S-1-5-21-1-2-3-512"`),
			with(alice, "event.type", `"group","change"`, "event.action", `"added-member-to-group"`, "user.target.name", `"Bob Jones"`,
				"group.name", `"Domain Admins"`, "group.id", `"S-1-5-21-1-2-3-512"`, "group.domain", `"CORP"`)},
		{"4732 member added to local group", ev("4732", subject+`,"MemberName":"-","MemberSid":"S-1-5-21-1-2-3-1105","TargetUserName":"Administrators","TargetDomainName":"Builtin","TargetSid":"S-1-5-32-544"`),
			with(alice, "event.action", `"added-member-to-group"`, "group.name", `"Administrators"`, "user.target.name", `<missing>`)},
		{"4738 user changed", ev("4738", subject+`,"TargetSid":"S-1-5-21-1-2-3-1201","TargetUserName":"svc_backup","TargetDomainName":"CORP"`),
			with(alice, "event.action", `"modified-user-account"`, "event.type", `"user","change"`, "user.target.name", `"svc_backup"`)},
		{"4768 TGT requested", ev("4768", `"TargetUserName":"alice","TargetDomainName":"CORP.EXAMPLE","TargetSid":"S-1-5-21-1-2-3-1104","ServiceName":"krbtgt",`+
			`"ServiceSid":"S-1-5-21-1-2-3-502","TicketOptions":"0x40810010","Status":"0x0","TicketEncryptionType":"0x12","IpAddress":"::ffff:192.0.2.10","IpPort":"50123"`),
			map[string]string{"event.action": `"kerberos-authentication-ticket-requested"`, "user.name": `"alice"`, "user.id": `"S-1-5-21-1-2-3-1104"`,
				"source.ip": `"192.0.2.10"`, "source.port": `50123`, "service.name": `"krbtgt"`}},
		{"4769 service ticket requested", ev("4769", `"TargetUserName":"alice@CORP.EXAMPLE","TargetDomainName":"CORP.EXAMPLE","ServiceName":"MSSQLSvc",`+
			`"TicketEncryptionType":"0x17","IpAddress":"::ffff:192.0.2.10","IpPort":"50124","Status":"0x0"`),
			map[string]string{"event.action": `"kerberos-service-ticket-requested"`, "user.name": `"alice"`, "user.domain": `"CORP.EXAMPLE"`,
				"service.name": `"MSSQLSvc"`, "source.ip": `"192.0.2.10"`, "event.category": `"authentication"`}},
		{"4776 NTLM validated", `{"winlog":{"channel":"Security","event_id":4776,"event_data":{"PackageName":"MICROSOFT_AUTHENTICATION_PACKAGE_V1_0","TargetUserName":"alice","Workstation":"WS-042","Status":"0x0"}}}`,
			map[string]string{"event.action": `"credential-validated"`, "event.outcome": `"success"`, "user.name": `"alice"`}},
		{"4776 NTLM failed", `{"winlog":{"channel":"Security","event_id":4776,"event_data":{"TargetUserName":"alice","Workstation":"WS-042","Status":"0xc000006a"}}}`,
			map[string]string{"event.outcome": `"failure"`}},
		{"1102 log cleared", `{"winlog":{"channel":"Security","provider_name":"Microsoft-Windows-Eventlog","event_id":"1102","user_data":{"xml_name":"LogFileCleared",` +
			`"SubjectUserSid":"S-1-5-21-1-2-3-1104","SubjectUserName":"alice","SubjectDomainName":"CORP","SubjectLogonId":"0x53d7c"}}}`,
			with(alice, "event.category", `"iam"`, "event.type", `"admin","change"`, "event.action", `"audit-log-cleared"`, "event.provider", `"Microsoft-Windows-Eventlog"`)},
		{"7045 service installed (System)", `{"winlog":{"channel":"System","provider_name":"Service Control Manager","event_id":7045,"computer_name":"WS-042",` +
			`"user":{"identifier":"S-1-5-21-1-2-3-1104"},"event_data":{"ServiceName":"PSEXESVC","ImagePath":"%SystemRoot%\\PSEXESVC.exe","ServiceType":"user mode service","StartType":"demand start","AccountName":"LocalSystem"}}}`,
			map[string]string{"event.category": `"configuration"`, "event.type": `"creation"`, "event.action": `"service-installed"`,
				"service.name": `"PSEXESVC"`, "service.type": `"user mode service"`, "event.module": `<missing>`, "host.os.type": `"windows"`,
				"winlog.event_data.ImagePath": `"%SystemRoot%\\PSEXESVC.exe"`}},
		{"7045 from another provider is not it", `{"winlog":{"channel":"System","provider_name":"Some Driver","event_id":7045}}`,
			map[string]string{"event.category": `<missing>`, "event.code": `"7045"`, "event.provider": `"Some Driver"`, "event.kind": `"event"`}},
		{"provider only (forwarded events)", `{"winlog":{"channel":"ForwardedEvents","provider_name":"Microsoft-Windows-Security-Auditing","event_id":4689,"event_data":{"ProcessName":"C:\\a.exe"}}}`,
			map[string]string{"event.action": `"exited-process"`, "process.name": `"a.exe"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := apply(t, n, tt.js)
			for field, want := range tt.want {
				if got := render(v, field); got != want {
					t.Errorf("%s = %s, want %s", field, got, want)
				}
			}
		})
	}
}

// TestSysmonConversions: the conversions of the Sysmon table.
func TestSysmonConversions(t *testing.T) {
	n := normalize.New()
	ev := func(id, data string) string {
		return `{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":` + id + `,"event_data":{` + data + `}}}`
	}
	tests := []struct {
		name string
		js   string
		want map[string]string
	}{
		{"3 network", ev("3", `"Image":"C:\\x.exe","Protocol":"tcp","Initiated":"true","SourceIsIpv6":"false","SourceIp":"10.0.0.5","SourcePort":"49700",`+
			`"DestinationIp":"::ffff:203.0.113.9","DestinationHostname":"evil.example","DestinationPort":"443","DestinationPortName":"https"`),
			map[string]string{"network.transport": `"tcp"`, "network.direction": `"egress"`, "network.type": `"ipv4"`, "network.protocol": `"https"`,
				"source.ip": `"10.0.0.5"`, "source.port": `49700`, "destination.ip": `"203.0.113.9"`, "destination.port": `443`,
				"destination.domain": `"evil.example"`, "event.type": `"start","connection","protocol"`}},
		{"7 image load", ev("7", `"Image":"C:\\x.exe","ImageLoaded":"C:\\Windows\\System32\\vaultcli.dll","OriginalFileName":"vaultcli.dll","Hashes":"SHA1=0000000000000000000000000000000000000000,MD5=AB",`+
			`"Signed":"true","Signature":"Microsoft Windows","SignatureStatus":"Valid"`),
			map[string]string{"file.path": `"C:\\Windows\\System32\\vaultcli.dll"`, "file.name": `"vaultcli.dll"`, "file.pe.original_file_name": `"vaultcli.dll"`,
				"process.pe.original_file_name": `<missing>`, "file.hash.md5": `"ab"`, "file.hash.sha1": `<missing>`,
				"file.code_signature.exists": `true`, "file.code_signature.valid": `true`, "file.code_signature.subject_name": `"Microsoft Windows"`}},
		{"10 process access", ev("10", `"SourceProcessGUID":"{a}","SourceProcessId":"1072","SourceThreadId":"3008","SourceImage":"C:\\Windows\\Explorer.EXE",`+
			`"TargetProcessGUID":"{b}","TargetProcessId":"756","TargetImage":"C:\\Windows\\system32\\lsass.exe","GrantedAccess":"0x1010"`),
			map[string]string{"process.entity_id": `"{a}"`, "process.pid": `1072`, "process.thread.id": `3008`, "process.name": `"Explorer.EXE"`,
				"winlog.event_data.TargetImage": `"C:\\Windows\\system32\\lsass.exe"`, "event.type": `"access"`}},
		{"13 registry dword", ev("13", `"EventType":"SetValue","Image":"C:\\x.exe","TargetObject":"HKLM\\System\\CurrentControlSet\\Control\\Lsa\\DisableRestrictedAdmin","Details":"DWORD (0x00000000)"`),
			map[string]string{"registry.path": `"HKLM\\System\\CurrentControlSet\\Control\\Lsa\\DisableRestrictedAdmin"`, "registry.hive": `"HKLM"`,
				"registry.key": `"System\\CurrentControlSet\\Control\\Lsa\\DisableRestrictedAdmin"`, "registry.value": `"DisableRestrictedAdmin"`,
				"registry.data.strings": `"0"`, "registry.data.type": `"REG_DWORD"`}},
		{"13 registry qword and string", ev("13", `"TargetObject":"HKU\\S-1-5-21\\Software\\x","Details":"QWORD (0x00000001-0x00000002)"`),
			map[string]string{"registry.hive": `"HKU"`, "registry.data.strings": `"4294967298"`, "registry.data.type": `"REG_QWORD"`}},
		{"22 dns", ev("22", `"Image":"C:\\x.exe","QueryName":"evil.example","QueryStatus":"0","QueryResults":"type:  5 cdn.example;::ffff:198.51.100.7;2001:db8::1;"`),
			map[string]string{"dns.question.name": `"evil.example"`, "sysmon.dns.status": `"SUCCESS"`, "network.protocol": `"dns"`,
				"dns.resolved_ip": `"198.51.100.7","2001:db8::1"`,
				"dns.answers":     `{"type":"CNAME","data":"cdn.example"},{"type":"A","data":"198.51.100.7"},{"type":"AAAA","data":"2001:db8::1"}`}},
		{"23 file delete", ev("23", `"Image":"C:\\x.exe","TargetFilename":"C:\\Users\\a\\evil","Hashes":"SHA256=CC","IsExecutable":"true","Archived":"false"`),
			map[string]string{"file.name": `"evil"`, "file.extension": `<missing>`, "process.hash.sha256": `"cc"`,
				"sysmon.file.is_executable": `true`, "sysmon.file.archived": `false`, "event.type": `"deletion"`}},
		{"unknown id", ev("99", `"Image":"C:\\x.exe"`),
			map[string]string{"event.category": `<missing>`, "event.code": `"99"`, "process.executable": `<missing>`, "event.module": `"sysmon"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, _ := apply(t, n, tt.js)
			for field, want := range tt.want {
				if got := render(v, field); got != want {
					t.Errorf("%s = %s, want %s", field, got, want)
				}
			}
		})
	}
}

// TestHostOSType: host.os.type from what the event (or its index) says.
func TestHostOSType(t *testing.T) {
	n := normalize.New()
	tests := []struct {
		name, js, index string
		want            string // "" for not set
	}{
		{"platform windows", `{"host":{"os":{"platform":"windows"}}}`, "", "windows"},
		{"platform darwin", `{"host":{"os":{"platform":"darwin"}}}`, "", "macos"},
		{"platform ubuntu", `{"host.os.platform":"ubuntu"}`, "", "linux"},
		{"family redhat", `{"host":{"os":{"family":"redhat"}}}`, "", "linux"},
		{"family debian, name first is platform", `{"host":{"os":{"family":"debian","name":"Windows"}}}`, "", "linux"},
		{"name Windows Server", `{"host":{"os":{"name":"Windows Server 2019 Datacenter"}}}`, "", "windows"},
		{"name Mac OS X", `{"host":{"os":{"name":"Mac OS X"}}}`, "", "macos"},
		{"name FreeBSD", `{"host":{"os":{"name":"FreeBSD"}}}`, "", "unix"},
		{"unknown platform, name", `{"host":{"os":{"platform":"plan9","name":"CentOS Linux"}}}`, "", "linux"},
		{"winlog channel", `{"winlog":{"channel":"Application","event_id":1000}}`, "", "windows"},
		{"Windows provider", `{"event":{"provider":"Microsoft-Windows-Kernel-Process"}}`, "", "windows"},
		{"winlogbeat agent", `{"agent":{"type":"winlogbeat"}}`, "", "windows"},
		{"winlogbeat 6 metadata", `{"@metadata":{"beat":"winlogbeat"}}`, "", "windows"},
		{"windows dataset", `{"data_stream":{"dataset":"windows.sysmon_operational"}}`, "", "windows"},
		{"system security dataset", `{"event":{"dataset":"system.security"}}`, "", "windows"},
		{"winlogbeat index", `{"message":"x"}`, "winlogbeat-7.17.0-2024.03.05", "windows"},
		{"windows data stream", `{"message":"x"}`, "logs-windows.sysmon_operational-default", "windows"},
		{"backing index", `{"message":"x"}`, ".ds-logs-system.security-default-2024.03.05-000001", "windows"},
		{"_index in the event", `{"_index":"winlogbeat-8.12.2","message":"x"}`, "", "windows"},
		{"endpoint index says nothing", `{"message":"x"}`, "logs-endpoint.events.process-default", ""},
		{"system syslog is not windows", `{"event":{"dataset":"system.syslog"}}`, "logs-system.syslog-default", ""},
		{"nothing", `{"message":"x"}`, "", ""},
		{"present: kept", `{"host":{"os":{"type":"linux","platform":"windows"}},"winlog":{"channel":"Security"}}`, "winlogbeat-1", "linux"},
		{"present dotted: kept", `{"host.os.type":"macos","winlog":{"channel":"Security"}}`, "", "macos"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p fastjson.Parser
			v := mustParse(t, &p, tt.js)
			before := event.NewPath("host.os.type").Exists(v)
			r := n.ApplyIndex(v, new(fastjson.Arena), tt.index)
			got := event.NewPath("host.os.type").String(v)
			if got != tt.want {
				t.Errorf("host.os.type %q, want %q", got, tt.want)
			}
			if derived := !before && tt.want != ""; r.HostOSTypeDerived != derived {
				t.Errorf("HostOSTypeDerived %v, want %v", r.HostOSTypeDerived, derived)
			}
		})
	}
}

func mustParse(t testing.TB, p *fastjson.Parser, js string) *fastjson.Value {
	t.Helper()
	v, err := p.Parse(js)
	if err != nil {
		t.Fatalf("%v: %s", err, js)
	}
	return v
}

// TestForwardedHost: the host of a forwarded Windows event is the computer
// that logged it; the collector is kept as observer.
func TestForwardedHost(t *testing.T) {
	n := normalize.New()
	tests := []struct {
		name, host string // JSON members for host.* and observer.*, or ""
		computer   string
		want       map[string]string
	}{
		{"forwarded", `"host":{"name":"wec-01","hostname":"wec-01","ip":["10.0.0.2"]}`, "WS-042.corp.example", map[string]string{
			"host.name": `"WS-042.corp.example"`, "host.hostname": `"WS-042.corp.example"`, "host.ip": `"10.0.0.2"`,
			"observer.name": `"wec-01"`, "observer.hostname": `"wec-01"`}},
		{"forwarded, dotted", `"host.name":"wec-01"`, "WS-042", map[string]string{
			"host.name": `"WS-042"`, "host.hostname": `"WS-042"`, "observer.name": `"wec-01"`, "observer.hostname": `"wec-01"`}},
		{"forwarded, other hostname kept", `"host":{"name":"wec-01","hostname":"collector.corp.example"}`, "WS-042", map[string]string{
			"host.name": `"WS-042"`, "host.hostname": `"collector.corp.example"`, "observer.name": `"wec-01"`, "observer.hostname": `"collector.corp.example"`}},
		{"forwarded, observer present", `"host":{"name":"wec-01"},"observer":{"name":"wef"}`, "WS-042", map[string]string{
			"host.name": `"WS-042"`, "observer.name": `"wef"`, "observer.hostname": `"wec-01"`}},
		{"local, short name", `"host":{"name":"ws-042"}`, "WS-042.corp.example", map[string]string{
			"host.name": `"ws-042"`, "host.hostname": `"WS-042.corp.example"`, "observer.name": `<missing>`}},
		{"local, case", `"host":{"name":"WS-042","hostname":"ws-042"}`, "ws-042", map[string]string{
			"host.name": `"WS-042"`, "host.hostname": `"ws-042"`, "observer.name": `<missing>`}},
		{"IP addresses differ", `"host":{"name":"10.0.0.1"}`, "10.0.0.2", map[string]string{
			"host.name": `"10.0.0.2"`, "observer.name": `"10.0.0.1"`}},
		{"no host", ``, "WS-042", map[string]string{"host.name": `"WS-042"`, "host.hostname": `"WS-042"`, "observer.name": `<missing>`}},
		{"host in an array: left alone", `"host":[{"name":"wec-01"}]`, "WS-042", map[string]string{
			"host.name": `"wec-01"`, "observer.name": `<missing>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			js := `{"winlog":{"channel":"Security","event_id":4689,"computer_name":"` + tt.computer + `"}`
			if tt.host != "" {
				js += "," + tt.host
			}
			js += "}"
			v, _ := apply(t, n, js)
			for field, want := range tt.want {
				if got := render(v, field); got != want {
					t.Errorf("%s = %s, want %s\n%s", field, got, want, v)
				}
			}
			once := string(settled(v))
			n.Apply(v, new(fastjson.Arena))
			if string(settled(v)) != once {
				t.Errorf("second Apply changed the event:\n%s\n%s", once, v)
			}
		})
	}
}

// TestEndgame: legacy Endgame documents.
func TestEndgame(t *testing.T) {
	n := normalize.New()
	v, r := apply(t, n, `{"command_line":"\"C:\\Windows\\system32\\cmd.exe\" /c whoami","event_subtype_full":"creation_event","event_type":"process",`+
		`"event_type_full":"process_event","md5":"aa","opcode":1,"parent_process_name":"explorer.exe","pid":4242,"ppid":3100,"process_name":"cmd.exe",`+
		`"process_path":"C:\\Windows\\System32\\cmd.exe","serial_event_id":7,"subtype":"create","timestamp":131485997150000000,"unique_pid":7,"user_domain":"CORP","user_name":"alice"}`)
	if r.Shape != normalize.Endgame {
		t.Fatalf("shape %s", r.Shape)
	}
	want := map[string]string{
		"event.category": `"process"`, "event.type": `"start"`, "event.action": `"creation_event"`, "@timestamp": `"2017-08-30T20:48:35Z"`,
		"process.pid": `4242`, "process.parent.pid": `3100`, "process.name": `"cmd.exe"`, "process.parent.name": `"explorer.exe"`,
		"process.args": `"C:\\Windows\\system32\\cmd.exe","/c","whoami"`, "user.name": `"alice"`, "process.hash.md5": `"aa"`,
		"host.os.type": `<missing>`,
	}
	for field, w := range want {
		if got := render(v, field); got != w {
			t.Errorf("%s = %s, want %s", field, got, w)
		}
	}
}

// TestSplitCommandLine: CommandLineToArgvW's rules.
func TestSplitCommandLine(t *testing.T) {
	tests := []struct {
		cmd  string
		want []string
	}{
		{``, nil},
		{`   `, nil},
		{`cmd.exe`, []string{`cmd.exe`}},
		{`C:\Windows\System32\cmd.exe /c whoami`, []string{`C:\Windows\System32\cmd.exe`, `/c`, `whoami`}},
		{`  cmd.exe  /c   whoami  `, []string{`cmd.exe`, `/c`, `whoami`}},
		{"cmd.exe\t/c\twhoami", []string{`cmd.exe`, `/c`, `whoami`}},
		{`"C:\Program Files\App\app.exe" --x "a b"`, []string{`C:\Program Files\App\app.exe`, `--x`, `a b`}},
		// The program: backslashes are literal, a quote ends it.
		{`"C:\dir\\" arg`, []string{`C:\dir\\`, `arg`}},
		{`C:\dir\"x" y`, []string{`C:\dir\"x"`, `y`}},
		{`"a b"c d`, []string{`a b`, `c`, `d`}},
		{`"unterminated program`, []string{`unterminated program`}},
		// The arguments: backslashes before quotes.
		{`p a\\b`, []string{`p`, `a\\b`}},
		{`p a\"b`, []string{`p`, `a"b`}},
		{`p a\\"b c"`, []string{`p`, `a\b c`}},
		{`p a\\\"b`, []string{`p`, `a\"b`}},
		{`p "a\\"`, []string{`p`, `a\`}},
		{`p "C:\Users\x\"`, []string{`p`, `C:\Users\x"`}},
		{`p a\`, []string{`p`, `a\`}},
		// Quotes.
		{`p "a b" c`, []string{`p`, `a b`, `c`}},
		{`p ab"c d"e`, []string{`p`, `abc de`}},
		{`p ""`, []string{`p`, ``}},
		{`p "" x`, []string{`p`, ``, `x`}},
		{`p "a""b"`, []string{`p`, `a"b`}},
		{`p "a"" b"`, []string{`p`, `a"`, `b`}},
		{`p """`, []string{`p`, `"`}},
		{`p """"`, []string{`p`, `"`}},
		{`p "unterminated arg`, []string{`p`, `unterminated arg`}},
		{`powershell.exe -enc  SQBFAFgA`, []string{`powershell.exe`, `-enc`, `SQBFAFgA`}},
		{`rundll32.exe C:\windows\System32\comsvcs.dll, MiniDump 624 C:\temp\lsass.dmp full`,
			[]string{`rundll32.exe`, `C:\windows\System32\comsvcs.dll,`, `MiniDump`, `624`, `C:\temp\lsass.dmp`, `full`}},
	}
	for _, tt := range tests {
		got := normalize.SplitCommandLine(tt.cmd)
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", tt.want) {
			t.Errorf("SplitCommandLine(%q) = %q, want %q", tt.cmd, got, tt.want)
		}
	}
}

// TestNotAnObject: Apply leaves anything but an object alone.
func TestNotAnObject(t *testing.T) {
	n := normalize.New()
	for _, js := range []string{`[1,2]`, `"x"`, `null`, `3`} {
		var p fastjson.Parser
		v := mustParse(t, &p, js)
		if r := n.Apply(v, new(fastjson.Arena)); r != (normalize.Result{}) || v.String() != js {
			t.Errorf("%s: %+v %s", js, r, v)
		}
	}
	if r := n.Apply(nil, new(fastjson.Arena)); r != (normalize.Result{}) {
		t.Errorf("nil: %+v", r)
	}
}

// TestConcurrent: one Normalizer used from several goroutines (run with
// -race: the values it shares between events are only read).
func TestConcurrent(t *testing.T) {
	n := normalize.New()
	events := []string{
		winlogbeat8("1", sysmon1Data, "2024-03-05T10:15:30.121Z"),
		winlogbeat6("11", sysmon11Data, "2024-03-05T10:16:02.460Z"),
		flat("1", sysmon1Data),
	}
	want := make([]string, len(events))
	for i, js := range events {
		v, _ := apply(t, n, js)
		want[i] = v.String()
	}
	done := make(chan string)
	for g := 0; g < 4; g++ {
		go func() {
			var p fastjson.Parser
			var a fastjson.Arena
			for k := 0; k < 50; k++ {
				i := (g + k) % len(events)
				v, err := p.Parse(events[i])
				if err != nil {
					done <- err.Error()
					return
				}
				a.Reset()
				n.Apply(v, &a)
				// Read every value, as rules and writers do.
				if got := v.String(); got != want[i] {
					done <- "event " + fmt.Sprint(i) + " differs:\n" + got
					return
				}
			}
			done <- ""
		}()
	}
	for range 4 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}

// TestLargeFlatEvent: the event data copied from a flat export are
// bounded (copying is quadratic in fastjson); the top level keeps them all.
func TestLargeFlatEvent(t *testing.T) {
	n := normalize.New()
	var b strings.Builder
	b.WriteString(`{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\x.exe"`)
	for i := range 5000 {
		fmt.Fprintf(&b, `,"K%d":"v"`, i)
	}
	b.WriteString("}")
	v, _ := apply(t, n, b.String())
	data := v.Get("winlog", "event_data")
	if data == nil {
		t.Fatal("no winlog.event_data")
	}
	if o, _ := data.Object(); o.Len() != 256 {
		t.Errorf("winlog.event_data has %d keys, want 256", o.Len())
	}
	if got := render(v, "process.name"); got != `"x.exe"` {
		t.Errorf("process.name = %s", got)
	}
}

// TestAwkwardText: values made from text with control characters, bytes
// that are not UTF-8 and runes beyond the BMP read back as that text
// (fastjson's Arena.NewString alone would store some of them wrongly).
func TestAwkwardText(t *testing.T) {
	n := normalize.New()
	cmd := "C:\\Windows\\x.exe \"a\u0007b\" c\u0001d\\ \xff\xfe \U000e0001\\\"q \u202eexe.txt \U0001F600"
	js := `{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"event_data":{` +
		`"Image":"C:\\Windows\\x` + "\u000b" + `.exe","CommandLine":` + quoteJSON(cmd) + `,"User":"DOM\u0007\\us\u0010er"}}}`
	v, _ := apply(t, n, js)
	want := normalize.SplitCommandLine(cmd)
	got := event.NewPath("process.args").Strings(v)
	if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
		t.Errorf("process.args = %q, want %q", got, want)
	}
	for field, want := range map[string]string{
		"process.command_line": cmd,
		"process.name":         "x\u000b.exe",
		"user.domain":          "DOM\u0007",
		"user.name":            "us\u0010er",
	} {
		if got := event.NewPath(field).String(v); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}

// quoteJSON encodes s as a JSON string, bytes that are not UTF-8 kept as
// they are (fastjson reads them so).
func quoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestFlatTimes: @timestamp from the times of flat exports.
func TestFlatTimes(t *testing.T) {
	n := normalize.New()
	tests := []struct{ time, want string }{
		{`"2024-03-05 10:15:31"`, `"2024-03-05T10:15:31Z"`},
		{`"2024-03-05 10:15:31.1234567"`, `"2024-03-05T10:15:31.1234567Z"`},
		{`"2024-03-05T10:15:31.123456789"`, `"2024-03-05T10:15:31.123456789Z"`},
		{`"2024-03-05T10:15:31.5Z"`, `"2024-03-05T10:15:31.5Z"`},
		{`"2024-03-05T12:15:31+02:00"`, `"2024-03-05T10:15:31Z"`},
		{`1709633731000`, `"2024-03-05T10:15:31Z"`},
		{`"2024-02-31 10:15:31"`, `<missing>`},
		{`"2024-03-05 25:15:31"`, `<missing>`},
		{`"2024-03-05 10:15:31."`, `<missing>`},
		{`"yesterday"`, `<missing>`},
	}
	for _, tt := range tests {
		v, _ := apply(t, n, `{"EventID":4689,"Channel":"Security","TimeCreated":`+tt.time+`}`)
		if got := render(v, "@timestamp"); got != tt.want {
			t.Errorf("TimeCreated %s: @timestamp %s, want %s", tt.time, got, tt.want)
		}
	}
}
