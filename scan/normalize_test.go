package scan

import (
	"strings"
	"testing"

	"dredge/rules"
)

// TestNormalizedShapesFire checks that one attack event — lsass.exe
// writing a DLL, Sysmon event 11 — makes the built-in Windows rule fire
// whether it was exported by Winlogbeat 8 without its Sysmon module, by
// Winlogbeat 6, or as flat Windows JSON, and that --no-normalize leaves
// such raw events to Kibana's view, where the rule cannot fire.
func TestNormalizedShapesFire(t *testing.T) {
	const data = `"ProcessId":"712","Image":"C:\\Windows\\system32\\lsass.exe","TargetFilename":"C:\\Windows\\Temp\\msv1_1.dll","UtcTime":"2024-03-05 10:16:02.458","User":"NT AUTHORITY\\SYSTEM"`
	shapes := map[string]string{
		"winlogbeat8": `{"@timestamp":"2024-03-05T10:16:02.458Z","agent":{"type":"winlogbeat","version":"8.12.2"},` +
			`"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"WS-042","event_id":"11",` +
			`"provider_name":"Microsoft-Windows-Sysmon","event_data":{` + data + `}}}`,
		"winlogbeat6": `{"@timestamp":"2024-03-05T10:16:02.458Z","beat":{"version":"6.7.0"},"computer_name":"WS-042",` +
			`"event_id":11,"log_name":"Microsoft-Windows-Sysmon/Operational","source_name":"Microsoft-Windows-Sysmon",` +
			`"event_data":{` + data + `}}`,
		"flat": `{"EventID":11,"Channel":"Microsoft-Windows-Sysmon/Operational","SourceName":"Microsoft-Windows-Sysmon",` +
			`"Hostname":"WS-042",` + data + `}`,
	}
	const ruleID = "e94262f2-c1e9-4d3f-a907-aeab16712e1a"
	dir := t.TempDir()
	for name, line := range shapes {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, dir, name+".ndjson", []byte(line+"\n"))
			res, err := run(t, inputs(path), Config{Rules: builtin(t), Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) != 1 || res.Hits[0].Rule.ID != ruleID {
				t.Fatalf("hits = %d, want one of rule %s", len(res.Hits), ruleID)
			}
			h := res.Hits[0]
			if h.Fields.Host != "WS-042" || h.Origin.Line != 1 || h.Time.IsZero() {
				t.Errorf("hit host %q line %d time %v", h.Fields.Host, h.Origin.Line, h.Time)
			}
			if res.Summary.HostOSTypeDerived != 1 || len(res.Summary.Normalized) != 1 {
				t.Errorf("summary: normalized %v, host.os.type derived %d", res.Summary.Normalized, res.Summary.HostOSTypeDerived)
			}

			raw, err := run(t, inputs(path), Config{Rules: builtin(t), Workers: 1, NoNormalize: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(raw.Hits) != 0 || raw.Summary.Normalized != nil {
				t.Errorf("--no-normalize: %d hits, normalized %v; want none", len(raw.Hits), raw.Summary.Normalized)
			}
		})
	}
}

// TestOrderedStageHostNormalized checks that the hits made after the scan
// (new_terms here, as sequences and thresholds) name the host as a hit on
// the event does: for an event forwarded by a collector, the computer that
// logged it (winlog.computer_name), not the collector (host.name).
func TestOrderedStageHostNormalized(t *testing.T) {
	line := `{"@timestamp":"2024-04-22T08:00:00.000Z","agent":{"type":"winlogbeat","version":"8.12.2"},"host":{"name":"wec-01"},` +
		`"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","computer_name":"WS-042","event_id":"11",` +
		`"provider_name":"Microsoft-Windows-Sysmon","event_data":{"ProcessId":"712","Image":"C:\\Windows\\system32\\cmd.exe",` +
		`"TargetFilename":"C:\\Users\\Public\\run.bat","UtcTime":"2024-04-22 08:00:00.000","User":"CORP\\alice"}}}`
	path := writeFile(t, t.TempDir(), "fwd.ndjson", []byte(line+"\n"))
	res, err := run(t, inputs(path), Config{Rules: []*rules.Rule{parseNewTermsRule(t, "")}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) != 1 {
		t.Fatalf("hits = %d, want the new_terms hit", len(res.Hits))
	}
	if h := res.Hits[0]; h.Fields.Host != "WS-042" || h.Fields.User != `CORP\alice` || strings.Join(h.NewTerms, "|") != "cmd.exe|run.bat" {
		t.Errorf("hit host %q user %q terms %q; want WS-042, CORP\\alice, cmd.exe|run.bat", h.Fields.Host, h.Fields.User, h.NewTerms)
	}
}
