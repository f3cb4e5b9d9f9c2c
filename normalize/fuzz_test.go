package normalize_test

import (
	"bytes"
	"testing"

	"github.com/valyala/fastjson"

	"dredge/normalize"
)

// FuzzApply: any JSON object is normalised without a panic, and applying
// twice gives the same event as applying once.
func FuzzApply(f *testing.F) {
	for _, s := range []string{
		winlogbeat8("1", sysmon1Data, "2024-03-05T10:15:30.121Z"),
		winlogbeat6("1", sysmon1Data, "2024-03-05T10:15:30.121Z"),
		flat("1", sysmon1Data),
		winlogbeat8("11", sysmon11Data, "2024-03-05T10:16:02.460Z"),
		flat("13", `"TargetObject":"HKLM\\x\\y","Details":"QWORD (0x1-0x2)"`),
		flat("22", `"QueryName":"a","QueryResults":"type:  5 b;::ffff:1.2.3.4;;type:"`),
		`{"winlog":{"channel":"Security","event_id":"4688","event_data":{"CommandLine":"a \"b\\\" c","NewProcessId":"0xZZ"}},"host":{"name":"wec"}}`,
		`{"winlog.channel":"Security","winlog.event_id":4624,"winlog.event_data.TargetUserName":"x@y","host.name":"a","winlog.computer_name":"b"}`,
		`{"process":"x","event":[1],"host":null,"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"event_data":{"Image":"C:\\a","User":"a\\b\\c"}}}`,
		`{"event_id":4720,"log_name":"Security","user":{"identifier":"S-1-5-18"},"event_data":{"TargetUserName":"u"},"computer_name":"pc"}`,
		`{"event_type":"process","event_subtype_full":"creation_event","timestamp":131485997150000000,"command_line":"\"","pid":-1}`,
		`{"host":{"os":{"name":"Windows 11"}}}`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
	n := normalize.New()
	f.Fuzz(func(t *testing.T, data []byte) {
		var p fastjson.Parser
		v, err := p.ParseBytes(data)
		if err != nil || v.Type() != fastjson.TypeObject {
			return
		}
		var a fastjson.Arena
		n.Apply(v, &a)
		once := settled(v)
		r := n.Apply(v, &a)
		twice := settled(v)
		if !bytes.Equal(once, twice) || r.Added != 0 || r.HostOSTypeDerived {
			t.Fatalf("second Apply changed the event (%+v):\nonce:  %s\ntwice: %s", r, once, twice)
		}
	})
}

// settled marshals v after reading every string and key in it: fastjson
// unescapes them in place when first read and marshals a string
// differently before and after (see normalize's newString), so that only
// read values compare.
func settled(v *fastjson.Value) []byte {
	var walk func(x *fastjson.Value, depth int)
	walk = func(x *fastjson.Value, depth int) {
		if depth > 1000 {
			return
		}
		switch x.Type() {
		case fastjson.TypeObject:
			o, _ := x.Object()
			o.Visit(func(_ []byte, c *fastjson.Value) { walk(c, depth+1) })
		case fastjson.TypeArray:
			a, _ := x.Array()
			for _, c := range a {
				walk(c, depth+1)
			}
		}
	}
	walk(v, 0)
	return v.MarshalTo(nil)
}
