package normalize_test

import (
	"testing"

	"github.com/valyala/fastjson"

	"dredge/normalize"
)

// BenchmarkApply measures Apply on Winlogbeat-shaped events, parse
// included (Apply changes the event, so it is parsed again each time);
// the parse sub-benchmarks give the parse alone, to subtract.
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
	}
}
