package normalize

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"dredge/ecs"
)

var update = flag.Bool("update", false, "rewrite ../docs/normalization.md from the tables")

const docPath = "../docs/normalization.md"

// TestDoc checks that docs/normalization.md is what the tables say; run
// with -update to rewrite it.
func TestDoc(t *testing.T) {
	got := doc()
	if *update {
		if err := os.WriteFile(docPath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("%v (run go test ./normalize -run TestDoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is not what the tables say: run go test ./normalize -run TestDoc -update", docPath)
	}
}

// TestTable checks the table itself: ids in order and unique per module
// (and provider), ECS category and type values, and every target an ECS
// field or one of the Winlogbeat/module fields (winlog.*, sysmon.*,
// powershell.*).
func TestTable(t *testing.T) {
	categories := set("api", "authentication", "configuration", "database", "driver", "email", "file", "host",
		"iam", "intrusion_detection", "library", "malware", "network", "package", "process", "registry",
		"session", "threat", "vulnerability", "web")
	types := set("access", "admin", "allowed", "change", "connection", "creation", "deletion", "denied", "end",
		"error", "group", "indicator", "info", "installation", "protocol", "start", "user")
	checkSpec := func(where string, s *spec) {
		for _, c := range s.Category {
			if !categories[c] {
				t.Errorf("%s: event.category %q is not an ECS value", where, c)
			}
		}
		for _, ty := range s.Type {
			if !types[ty] {
				t.Errorf("%s: event.type %q is not an ECS value", where, ty)
			}
		}
		if s.Outcome != "" && s.Outcome != "success" && s.Outcome != "failure" {
			t.Errorf("%s: event.outcome %q", where, s.Outcome)
		}
		for _, f := range s.Fields {
			checkTarget(t, where, f)
		}
	}
	for _, m := range modules {
		prev := -1
		seen := map[string]bool{}
		for i := range m.Specs {
			s := &m.Specs[i]
			where := fmt.Sprintf("%s %d", m.Name, s.ID)
			key := fmt.Sprint(s.ID, s.Provider)
			if seen[key] {
				t.Errorf("%s: twice", where)
			}
			seen[key] = true
			if s.ID < prev {
				t.Errorf("%s: after %d", where, prev)
			}
			prev = s.ID
			checkSpec(where, s)
		}
		if m.Default != nil {
			checkSpec(m.Name+" default", m.Default)
		}
	}
	for _, e := range endgameTypes {
		for _, f := range e.Fields {
			checkTarget(t, "endgame "+e.EventType, f)
		}
	}
	for _, a := range slices.Concat(winlogbeat6, flatWindows) {
		checkTarget(t, "alias "+a.From, field{To: a.To})
	}

	// The writer's bookkeeping (see target): fields start with a
	// lower-case letter or @, and none lies under a field written as a
	// whole object.
	n := New()
	objects := []string{"winlog.event_data", "winlog.user_data", "winlog.user", "dns.answers"}
	for name := range n.targets {
		if c := name[0]; (c < 'a' || c > 'z') && c != '@' {
			t.Errorf("field %s does not start with a lower-case letter or @", name)
		}
		for _, o := range objects {
			if strings.HasPrefix(name, o+".") {
				t.Errorf("field %s lies under %s, which Apply writes whole", name, o)
			}
		}
	}
}

func checkTarget(t *testing.T, where string, f field) {
	t.Helper()
	var names []string
	switch f.Conv {
	case cUser:
		names = []string{f.To + ".domain", f.To + ".name"}
	case cHashes:
		for _, h := range hashSubs {
			names = append(names, f.To+"."+h)
		}
	case cRegistry:
		names = []string{"registry.path", "registry.hive", "registry.key", "registry.value", "registry.data.strings", "registry.data.type"}
	case cDNSResults:
		names = []string{"dns.resolved_ip", "dns.answers"}
	default:
		names = []string{f.To}
	}
	for _, n := range names {
		if ecs.Known(n) {
			continue
		}
		if p, _, _ := strings.Cut(n, "."); p == "winlog" || p == "sysmon" || p == "powershell" {
			continue
		}
		t.Errorf("%s: %s is not an ECS field", where, n)
	}
}

func set(s ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range s {
		m[x] = true
	}
	return m
}

// doc writes docs/normalization.md: the prose below, then the tables.
func doc() []byte {
	var b bytes.Buffer
	b.WriteString(docIntro)
	b.WriteString("\n## Aliases of older and flat exports\n\n")
	b.WriteString("Winlogbeat 6.x and flat exports get the `winlog.*` fields of Winlogbeat 7 and later, which most Windows rules\n")
	b.WriteString("read. Objects are copied (their members shared), but for the event data, which Apply never writes into.\n\n")
	writeAliases(&b, "Winlogbeat 6.x", winlogbeat6)
	b.WriteString("\n")
	writeAliases(&b, "Flat Windows JSON", flatWindows)
	b.WriteString(fmt.Sprintf("\nIn flat exports, `winlog.event_data` collects the other top-level keys that hold a scalar (the first %d: an\n", maxCopyKeys))
	b.WriteString("event with more is no Windows event, and copying is quadratic in fastjson), but for these envelope\n")
	b.WriteString("keys: " + codeList(flatEnvelope) + "; and keys that start with a lower-case letter (but `paramN`), `@` or `_`,\n")
	b.WriteString("or hold a dot, which shippers and ECS use.\n")

	b.WriteString("\n## Windows events by channel\n")
	for _, m := range modules {
		fmt.Fprintf(&b, "\n### %s\n\n", m.Name)
		fmt.Fprintf(&b, "Channel %s", codeList(m.Channels))
		if len(m.Providers) > 0 {
			fmt.Fprintf(&b, "; when the channel is missing or unknown, provider %s", codeList(m.Providers))
		}
		b.WriteString(".")
		if m.ECSModule != "" {
			fmt.Fprintf(&b, " `event.module`: `%s`.", m.ECSModule)
		}
		if m.UserID {
			b.WriteString(" `user.id` from `winlog.user.identifier`.")
		}
		b.WriteString("\n\n")
		b.WriteString("| event id | category | type | action | outcome | from | fields |\n|---|---|---|---|---|---|---|\n")
		writeSpec := func(id string, s *spec) {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", id, codeList(s.Category), codeList(s.Type),
				code(s.Action), code(s.Outcome), s.Origin, fieldList(s.Fields))
		}
		if m.Default != nil {
			writeSpec("any other", m.Default)
		}
		for i := range m.Specs {
			s := &m.Specs[i]
			id := fmt.Sprint(s.ID)
			if s.Provider != "" {
				id += " (" + s.Provider + ")"
			}
			writeSpec(id, s)
		}
	}

	b.WriteString("\n## Legacy Endgame\n\n")
	b.WriteString("Flat Endgame documents (`event_type`, `process_name`, ... as in EQL's test data) by `event_type`. `event.type`\n")
	b.WriteString("comes from `event_subtype_full`, which is also `event.action`; `@timestamp` from `timestamp`, a Windows FILETIME.\n\n")
	b.WriteString("| event_type | category | fields |\n|---|---|---|\n")
	for _, e := range endgameTypes {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", e.EventType, codeList(e.Category), fieldList(e.Fields))
	}
	b.WriteString("\n| event_subtype_full | event.type |\n|---|---|\n")
	for _, s := range endgameSubtypes {
		fmt.Fprintf(&b, "| `%s` | `%s` |\n", s.Subtype, s.Type)
	}
	return b.Bytes()
}

func writeAliases(b *bytes.Buffer, title string, as []alias) {
	fmt.Fprintf(b, "| %s | becomes |\n|---|---|\n", title)
	for _, a := range as {
		note := ""
		if a.Conv == cLower {
			note = " (lower case)"
		}
		if a.Require != "" {
			note = " (when it has `" + a.Require + "`)"
		}
		fmt.Fprintf(b, "| `%s` | `%s`%s |\n", a.From, a.To, note)
	}
}

func fieldList(fs []field) string {
	var parts []string
	for _, f := range fs {
		from := "`" + f.From + "`"
		if f.From == "" {
			from = "—"
		}
		s := from + " → `" + f.To + "`"
		switch f.Conv {
		case cCopy:
		case cTrueIf:
			s += " (true if `" + f.Arg + "`)"
		case cConst:
			s += " (`" + f.Arg + "`)"
		case cUser:
			s = from + " → `" + f.To + ".domain`, `" + f.To + ".name` (DOMAIN\\\\name)"
		case cHashes:
			s = from + " → `" + f.To + ".hash.*`, `" + f.To + ".pe.imphash`"
		case cRegistry:
			s = from + ", `Details` → `registry.*`"
		case cDNSResults:
			s = from + " → `dns.resolved_ip`, `dns.answers`"
		default:
			s += " (" + f.Conv.String() + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + s + "`"
}

func codeList(ss []string) string {
	var out []string
	for _, s := range ss {
		out = append(out, code(s))
	}
	return strings.Join(out, ", ")
}

const docIntro = `# Normalisation of event shapes

<!-- Generated by go test ./normalize -run TestDoc -update from normalize/table.go and normalize/doc_test.go; do not edit. -->

Detection rules are written for the Elastic Common Schema (ECS) as Elasticsearch's ingest pipelines leave it. An
incident dump often holds Windows events that never went through those pipelines: Winlogbeat output shipped without
its modules, Winlogbeat 6.x indices, flat JSON from HELK, NXLog or Logstash. Package ` + "`normalize`" + ` fills in, on each
parsed event, the ECS fields that Winlogbeat's Sysmon and Security modules (elastic/beats,
` + "`x-pack/winlogbeat/module`" + `) and the Windows integration's PowerShell pipelines (elastic/integrations) would have
set, from the tables below (` + "`normalize/table.go`" + `). It also derives ` + "`host.os.type`" + `, which every built-in rule
tests, for events of any shape.

## Never overwrite

A field the event already has keeps its value, whatever its layout: nested (` + "`{\"process\": {\"pid\": 4}}`" + `), dotted
(` + "`{\"process.pid\": 4}`" + `) or mixed; presence is tested as rules read fields (a JSON null counts as missing). New fields
are written nested; where a level on the way holds something other than an object, the rest of the name is written
there as one dotted key. Where the table gives two sources for one field, the first the event has wins.

In the event data, ` + "`\"\"`" + `, ` + "`\"-\"`" + ` and the zero GUID mean "no value", as the Sysmon pipeline treats them; other
placeholders, such as ` + "`\"(null)\"`" + `, are values and are copied.

Applying twice gives the same event as applying once.

### The one exception: forwarded events

Winlogbeat on a Windows Event Forwarding collector writes the collector's name in ` + "`host.name`" + ` and the name of the
computer that logged the event in ` + "`winlog.computer_name`" + ` (` + "`computer_name`" + `, ` + "`Hostname`" + `). Rules and analysts mean
the latter by "host". When the two differ (beyond case, or a domain suffix on one of them), the collector is kept in
` + "`observer.name`" + ` and ` + "`observer.hostname`" + ` (when these are missing), and ` + "`host.name`" + ` (and ` + "`host.hostname`" + ` when it also
names the collector) are replaced by the computer's name. The other ` + "`host.*`" + ` fields (` + "`host.id`" + `, ` + "`host.ip`" + `,
` + "`host.os.*`" + `) still describe the collector. When ` + "`host.name`" + ` or ` + "`host.hostname`" + ` is missing, it is set to the computer's
name.

## Shapes

| shape | recognised by | what is done |
|---|---|---|
| ` + "`winlogbeat6`" + ` | top-level ` + "`event_id`" + ` and ` + "`log_name`" + ` or ` + "`source_name`" + ` | aliases below, then as Winlogbeat |
| ` + "`flat-windows`" + ` | top-level ` + "`EventID`" + ` (or ` + "`EventId`" + `) and ` + "`Channel`" + `, ` + "`SourceName`" + ` or ` + "`ProviderName`" + ` | aliases below, then as Winlogbeat |
| ` + "`winlogbeat`" + ` | ` + "`winlog.event_id`" + `, ` + "`winlog.channel`" + ` or ` + "`winlog.provider_name`" + ` | the Windows tables |
| ` + "`endpoint`" + ` | ` + "`agent.type`" + ` ` + "`endpoint`" + `, ` + "`data_stream.dataset`" + ` ` + "`endpoint.*`" + ` or ` + "`event.module`" + ` ` + "`endpoint`" + ` | ` + "`host.os.type`" + ` only |
| ` + "`endgame`" + ` | ` + "`agent.type`" + ` ` + "`endgame`" + `, an ` + "`endgame`" + ` object, or top-level ` + "`event_type_full`" + ` or ` + "`serial_event_id`" + ` | the legacy Endgame table |
| ` + "`none`" + ` | anything else | ` + "`host.os.type`" + ` only |

The older layouts are tested first, so that the ` + "`winlog.*`" + ` fields Apply gives them do not change their shape.

## Every Windows event

For the three Windows shapes, whether or not the table knows the event:

- ` + "`event.code`" + ` from the event id, ` + "`event.provider`" + ` from the provider, ` + "`event.kind`" + ` ` + "`event`" + `, ` + "`event.module`" + ` as below;
- ` + "`event.outcome`" + ` from the keywords (` + "`Audit Success`" + `, ` + "`Audit Failure`" + `; NXLog's ` + "`AUDIT_SUCCESS`" + `), else the table's;
- ` + "`@timestamp`" + `, when missing, from Sysmon's ` + "`UtcTime`" + ` (as the Sysmon pipeline does), then ` + "`TimeCreated`" + `,
  ` + "`EventTime`" + ` (flat) or ` + "`winlog.time_created`" + `, in the forms dredge reads times (7 or 9 fractional digits, a space
  for the T, no zone meaning UTC);
- ` + "`user.id`" + `, for the modules that say so below, from ` + "`winlog.user.identifier`" + ` (Winlogbeat 6: ` + "`user.identifier`" + `;
  flat NXLog exports: ` + "`UserID`" + `);
- ` + "`host.name`" + ` and ` + "`host.hostname`" + ` from the computer name (see forwarded events above);
- then, from the fields present after the table: ` + "`process.name`" + ` and ` + "`process.parent.name`" + ` from the executables;
  ` + "`process.args`" + `, ` + "`process.args_count`" + ` and the parent's from the command lines, split as CommandLineToArgvW does
  (` + "`normalize.SplitCommandLine`" + `); ` + "`file.name`" + `, ` + "`file.directory`" + ` and ` + "`file.extension`" + ` from a Windows ` + "`file.path`" + `.

## host.os.type

When the event lacks it, from the first of: ` + "`host.os.platform`" + `, ` + "`host.os.family`" + ` (` + "`windows`" + `, ` + "`darwin`" + `/` + "`macos`" + `,
Linux distribution names, BSDs as ` + "`unix`" + `...); ` + "`host.os.name`" + ` (` + "`Windows Server 2019`" + `, ` + "`Mac OS X`" + `, ` + "`Ubuntu`" + `...); the
event being a Windows event log record (a Windows shape, an ` + "`event.provider`" + ` starting ` + "`Microsoft-Windows-`" + `,
` + "`agent.type`" + ` or ` + "`@metadata.beat`" + ` ` + "`winlogbeat`" + `, a ` + "`data_stream.dataset`" + ` or ` + "`event.dataset`" + ` ` + "`windows.*`" + `,
` + "`system.security`" + `, ` + "`system.application`" + ` or ` + "`system.system`" + `); the index name, given to ` + "`ApplyIndex`" + ` or in ` + "`_index`" + `
(` + "`winlogbeat-*`" + `, ` + "`logs-windows.*`" + `, ` + "`logs-system.security*`" + `, ` + "`logs-system.application*`" + `,
` + "`logs-system.system*`" + `, also as ` + "`.ds-`" + ` backing indices). ` + "`Result.HostOSTypeDerived`" + ` says it was set.

## Where dredge differs from the modules

- The modules move event data (` + "`rename`" + `); dredge copies it, so ` + "`winlog.event_data.*`" + ` stays for the rules that read it.
- ` + "`process.args`" + ` follows CommandLineToArgvW for every event. The Sysmon pipeline uses Go's splitter, which differs
  only on a program name with a backslash before a double quote; the Security pipeline's 4688 splitter keeps the
  quotes.
- ` + "`winlog.logon.id`" + ` is the target's logon id for 4624, 4625, 4627, 4634, 4647, 4964 (the session that was created or
  ended, which Security rules join on), the subject's for the others.
- Registry data types are named ` + "`REG_DWORD`" + ` and ` + "`REG_QWORD`" + ` (as ECS and Elastic Endpoint do; the Sysmon pipeline
  writes ` + "`SZ_DWORD`" + `), and a QWORD's halves are read as 32-bit halves.
- ` + "`file.extension`" + ` is taken from the file name, not the whole path.
- Sysmon's ` + "`Signed`" + ` goes to ECS's ` + "`file.code_signature.exists`" + ` (the pipeline writes ` + "`file.code_signature.signed`" + `, which
  ECS does not define).
- ` + "`related.*`" + `, ` + "`dns.question.registered_domain`" + `, Kerberos and UAC descriptions, SDDL translations and PowerShell 800/4103
  parameter splitting are not done.
- Entries marked ` + "`dredge`" + ` in the tables are dredge's own: the modules leave these events uncategorised. ` + "`integrations`" + `
  marks entries from the Windows and System integrations rather than Winlogbeat's modules.
- Winlogbeat 6.x's top-level ` + "`user`" + ` is the account the event was logged under (Winlogbeat 7 moved it to ` + "`winlog.user`" + `).
  Since it is there, it is not overwritten: a Winlogbeat 6 Sysmon event keeps ` + "`user.name`" + ` ` + "`SYSTEM`" + ` where the Sysmon
  module would give the ` + "`User`" + ` of the event data (still in ` + "`winlog.event_data.User`" + `).
`
