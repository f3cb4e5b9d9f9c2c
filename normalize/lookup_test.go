package normalize

import (
	"fmt"
	"testing"

	"github.com/valyala/fastjson"
)

// lookupEvents have the layouts that the writer's lookups (write.go:
// prefix) must read as event.Path does from the root: dotted keys at
// every level, alone or mixed with nested ones, arrays of objects, nulls
// and scalars where objects are expected, keys given twice, and
// Winlogbeat events with and without their ECS fields.
var lookupEvents = []string{
	`{"agent":{"type":"endpoint"},"host":{"name":"ws","os":{"type":"windows"}},"process":{"name":"cmd.exe"}}`,
	`{"agent":{"type":"endpoint"},"host":{"name":"ws","os":{"platform":"windows"}}}`,
	`{"agent":{"type":"endpoint"},"host":{"os.type":"linux","os":{"platform":"windows"}}}`,
	`{"agent":{"type":"endpoint"},"host":{"os":[{"platform":"darwin"},{"type":null}]}}`,
	`{"agent":{"type":"endpoint"},"host":[{"os":{"platform":"darwin"}}]}`,
	`{"agent":{"type":"endpoint"},"host":{"os":{"type":null,"name":"Ubuntu"}}}`,
	`{"agent":{"type":"endpoint"},"host":{"os":{"type":[null],"name":"Windows 11"}}}`,
	`{"agent":{"type":"endpoint"},"host":{"os":null},"host.os.family":"debian"}`,
	`{"agent.type":"endpoint","host.os.platform":"linux"}`,
	`{"agent":{"type":"endgame"},"host":"ws","host.os.name":"macOS"}`,
	`{"host":{"os":{"name":"x"}},"host":{"os":{"platform":"windows"}}}`,
	`{"data_stream":{"dataset":"endpoint.events.process"},"process":{"executable":"C:\\a\\b.exe","command_line":"b.exe /x"}}`,
	`{"event":{"module":"endpoint"},"process":{"parent.executable":"C:\\p.exe","parent":{"command_line":"p.exe -y"}}}`,
	`{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"computer_name":"ws.corp","event_data":{"Image":"C:\\a\\b.exe","CommandLine":"b.exe /c","ParentImage":"C:\\p.exe","ParentCommandLine":"p.exe","Hashes":"MD5=AB,SHA256=CD","User":"CORP\\u"}},` +
		`"process":{"parent":null,"pe":"x"},"host":{"name":"wec"},"user":[{"name":"a"}]}`,
	`{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":"1","event_data":{"Image":"C:\\a\\b.exe","CommandLine":"b.exe","ParentCommandLine":"p.exe q"}},` +
		`"process":{"parent":{"args":[]},"hash":{"md5":null}},"process.pe.company":"x","@timestamp":null}`,
	`{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":"11","event_data":{"Image":"C:\\a.exe","TargetFilename":"C:\\t\\x.dll"}},` +
		`"file":{"path":null,"name.x":1},"process":"y","event":{"category":null}}`,
	`{"winlog.channel":"Security","winlog.event_id":4624,"winlog.event_data.TargetUserName":"x@y","winlog.event_data.IpAddress":"::ffff:10.0.0.1","host.name":"a","winlog.computer_name":"b"}`,
	`{"event_id":4688,"log_name":"Security","event_data":{"NewProcessName":"C:\\w\\n.exe","CommandLine":"n.exe a b","SubjectUserName":"u"},"computer_name":"pc","host":{"name":"pc"},"process":{"name":null}}`,
	`{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"pc","Image":"C:\\x.exe","CommandLine":"x.exe","process":{"args":null},"event.kind":"alert"}`,
	`{"event_type":"process","event_subtype_full":"creation_event","process_path":"C:\\e.exe","command_line":"e.exe z","timestamp":131485997150000000,"process":{"name":"given"}}`,
	`{"@timestamp":"2024-03-05T10:15:30.121Z","agent":{"type":"winlogbeat"},"winlog":{"computer_name":"WS-042.corp","channel":"Microsoft-Windows-Sysmon/Operational",` +
		`"event_data":{"Image":"C:\\W\\cmd.exe","CommandLine":"cmd.exe /c x","ParentImage":"C:\\W\\explorer.exe","ParentCommandLine":"C:\\W\\Explorer.EXE","Hashes":"MD5=AA,SHA256=BB","User":"CORP\\alice","CurrentDirectory":"C:\\"},` +
		`"event_id":"1","provider_name":"Microsoft-Windows-Sysmon"},"event":{"code":"1","kind":"event","category":["process"],"module":"sysmon"},` +
		`"host":{"name":"WS-042","os":{"type":"windows"}},"process":{"executable":"C:\\W\\cmd.exe","command_line":"cmd.exe /c x","name":"cmd.exe","args":["cmd.exe","/c","x"],` +
		`"parent":{"executable":"C:\\W\\explorer.exe","command_line":"C:\\W\\Explorer.EXE","name":"explorer.exe"}},"user":{"domain":"CORP","name":"alice"}}`,
}

// TestLookupsAgree: Apply with the writer's lookups gives the event and
// the result it gives when every lookup walks from the root.
func TestLookupsAgree(t *testing.T) {
	fast, ref := New(), New()
	ref.reference = true
	for _, js := range lookupEvents {
		if got, want := applyWith(t, fast, js), applyWith(t, ref, js); got != want {
			t.Errorf("%s:\nlookups: %s\nwalks:   %s", js, got, want)
		}
	}
}

// FuzzLookups is TestLookupsAgree on any JSON object.
func FuzzLookups(f *testing.F) {
	for _, js := range lookupEvents {
		f.Add([]byte(js))
	}
	fast, ref := New(), New()
	ref.reference = true
	f.Fuzz(func(t *testing.T, data []byte) {
		var p fastjson.Parser
		if v, err := p.ParseBytes(data); err != nil || v.Type() != fastjson.TypeObject {
			return
		}
		if got, want := applyWith(t, fast, string(data)), applyWith(t, ref, string(data)); got != want {
			t.Fatalf("%s:\nlookups: %s\nwalks:   %s", data, got, want)
		}
	})
}

// applyWith applies n to the event js twice, and gives the two results
// and the event as JSON.
func applyWith(t testing.TB, n *Normalizer, js string) string {
	t.Helper()
	var p fastjson.Parser
	v, err := p.Parse(js)
	if err != nil {
		t.Fatalf("test event: %v\n%s", err, js)
	}
	var a fastjson.Arena
	r1 := n.Apply(v, &a)
	r2 := n.Apply(v, &a)
	return fmt.Sprintf("%+v %+v %s", r1, r2, v.MarshalTo(nil))
}
