package normalize_test

import (
	"testing"

	"github.com/valyala/fastjson"

	"dredge/normalize"
)

// BenchmarkApply measures Apply on the shapes of events, parse included
// (Apply changes the event, so it is parsed again each time); the parse
// sub-benchmarks give the parse alone, to subtract, and the apply ones
// Apply alone.
func BenchmarkApply(b *testing.B) {
	events := []struct{ name, js string }{
		{"winlogbeat8-sysmon1", winlogbeat8("1", sysmon1Data, "2024-03-05T10:15:30.121Z")},
		{"winlogbeat8-sysmon11", winlogbeat8("11", sysmon11Data, "2024-03-05T10:16:02.460Z")},
		{"winlogbeat8-4624", `{"@timestamp":"2024-03-05T10:15:30.121Z","agent":{"type":"winlogbeat","version":"8.12.2"},"host":{"name":"dc01","os":{"platform":"windows"}},` +
			`"event":{"code":"4624","kind":"event","provider":"Microsoft-Windows-Security-Auditing","outcome":"success"},"log":{"level":"information"},"message":"An account was successfully logged on.",` +
			`"winlog":{"channel":"Security","computer_name":"DC01.corp.example","event_id":"4624","keywords":["Audit Success"],"provider_name":"Microsoft-Windows-Security-Auditing",` +
			`"record_id":"12282494","task":"Logon","event_data":{"SubjectUserSid":"S-1-5-18","SubjectUserName":"DC01$","SubjectDomainName":"CORP","SubjectLogonId":"0x3e7",` +
			`"TargetUserSid":"S-1-5-21-1-2-3-1104","TargetUserName":"alice","TargetDomainName":"CORP","TargetLogonId":"0x8b1f2","LogonType":"3","LogonProcessName":"NtLmSsp ",` +
			`"AuthenticationPackageName":"NTLM","WorkstationName":"WS-042","LogonGuid":"{00000000-0000-0000-0000-000000000000}","TransmittedServices":"-","LmPackageName":"NTLM V2",` +
			`"KeyLength":"128","ProcessId":"0x0","ProcessName":"-","IpAddress":"192.0.2.10","IpPort":"49811","ImpersonationLevel":"%%1833"}}}`},
		{"winlogbeat6-sysmon1", winlogbeat6("1", sysmon1Data, "2024-03-05T10:15:30.121Z")},
		{"flat-sysmon1", flat("1", sysmon1Data)},
		{"winlogbeat8-ecs-sysmon1", winlogbeat8ECS},
		{"endgame-process", `{"command_line":"C:\\Windows\\system32\\svchost.exe -k netsvcs","event_subtype_full":"already_running","event_type":"process",` +
			`"event_type_full":"process_event","md5":"54a47f6b5e09a77e61649109c6a08866","opcode":3,"parent_process_name":"services.exe","pid":1012,"ppid":612,` +
			`"process_name":"svchost.exe","process_path":"C:\\Windows\\System32\\svchost.exe","serial_event_id":31,"subtype":"create",` +
			`"timestamp":131485996510000000,"unique_pid":31,"unique_ppid":24,"user_domain":"NT AUTHORITY","user_name":"SYSTEM"}`},
		{"ecs-endpoint", `{"@timestamp":"2024-03-05T10:15:30.121Z","agent":{"type":"endpoint"},"event":{"category":["process"],"type":["start"],"action":"start"},` +
			`"host":{"name":"ws-042","os":{"type":"windows","platform":"windows"}},"process":{"pid":4242,"name":"cmd.exe","executable":"C:\\Windows\\System32\\cmd.exe",` +
			`"command_line":"cmd.exe /c whoami","args":["cmd.exe","/c","whoami"],"parent":{"pid":3100,"name":"explorer.exe"}},"user":{"name":"alice","domain":"CORP"}}`},
	}
	n := normalize.New()
	for _, ev := range events {
		data := []byte(ev.js)
		b.Run(ev.name+"/parse", func(b *testing.B) {
			var p fastjson.Parser
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.ParseBytes(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(ev.name+"/parse+apply", func(b *testing.B) {
			var p fastjson.Parser
			var a fastjson.Arena
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				v, err := p.ParseBytes(data)
				if err != nil {
					b.Fatal(err)
				}
				a.Reset()
				n.Apply(v, &a)
			}
		})
		// Apply alone, on events parsed ahead in batches small enough to
		// stay in the cache, the parse outside the timer.
		b.Run(ev.name+"/apply", func(b *testing.B) {
			const batch = 32
			var ps [batch]fastjson.Parser
			var vs [batch]*fastjson.Value
			parse := func() {
				for i := range ps {
					v, err := ps[i].ParseBytes(data)
					if err != nil {
						b.Fatal(err)
					}
					vs[i] = v
				}
			}
			var a fastjson.Arena
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.StopTimer()
			parse()
			b.StartTimer()
			i := 0
			for b.Loop() {
				if i == batch {
					b.StopTimer()
					parse()
					b.StartTimer()
					i = 0
				}
				a.Reset()
				n.Apply(vs[i], &a)
				i++
			}
		})
	}
}

// winlogbeat8ECS is a Sysmon process creation as Winlogbeat 8 ships it
// through its Sysmon module: the ECS fields are there already, but for a
// few (event.provider, host.hostname, the parent's args...) that Apply
// adds.
const winlogbeat8ECS = `{"@timestamp":"2024-03-05T10:15:30.121Z","agent":{"name":"WS-042","id":"0b5e2a47-6d1c-4f0e-9a51-2f3c4d5e6f70","type":"winlogbeat","version":"8.13.2"},` +
	`"winlog":{"computer_name":"WS-042.corp.example","process":{"pid":2936,"thread":{"id":3812}},"channel":"Microsoft-Windows-Sysmon/Operational",` +
	`"event_data":{` + sysmon1Data + `},"record_id":88123,"event_id":"1","task":"Process Create (rule: ProcessCreate)","provider_name":"Microsoft-Windows-Sysmon",` +
	`"user":{"identifier":"S-1-5-18","domain":"NT AUTHORITY","name":"SYSTEM"}},"ecs":{"version":"8.0.0"},` +
	`"event":{"code":"1","kind":"event","category":["process"],"type":["start"],"action":"Process Create (rule: ProcessCreate)","module":"sysmon","dataset":"windows.sysmon_operational"},` +
	`"host":{"name":"WS-042","os":{"type":"windows","name":"Windows 10 Enterprise","family":"windows"},"id":"5d0c4b1e8f2a4c6e9b7d3a1f0e2c4b6d"},` +
	`"process":{"entity_id":"{6f1c2a10-7b22-65e6-3a01-000000000c00}","pid":4242,"executable":"C:\\Windows\\System32\\cmd.exe",` +
	`"command_line":"C:\\Windows\\System32\\cmd.exe /c whoami","name":"cmd.exe","args":["C:\\Windows\\System32\\cmd.exe","/c","whoami"],` +
	`"parent":{"entity_id":"{6f1c2a10-11b0-65e6-4e00-000000000c00}","pid":3100,"executable":"C:\\Windows\\explorer.exe","command_line":"C:\\Windows\\Explorer.EXE","name":"explorer.exe"}},` +
	`"user":{"domain":"CORP","name":"alice","id":"S-1-5-21-1-2-3-1104"},"message":"Process Create:\nRuleName: -\nImage: C:\\Windows\\System32\\cmd.exe"}`
