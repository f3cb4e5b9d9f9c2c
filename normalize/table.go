package normalize

// The mapping tables. They are plain data, read by New (which compiles them
// into a Normalizer) and by the test that writes docs/normalization.md: the
// document is generated from these tables, so the two cannot disagree.
//
// Sources: Winlogbeat's Sysmon and Security modules (elastic/beats,
// x-pack/winlogbeat/module/{sysmon,security}), the PowerShell pipelines of
// the Windows integration (elastic/integrations, packages/windows), and
// dredge's own entries for events those leave uncategorised. Every entry
// says which (Origin).

// origin says where a table entry comes from.
type origin uint8

const (
	fromBeats        origin = iota // Winlogbeat's modules (elastic/beats x-pack/winlogbeat/module)
	fromIntegrations               // the Windows and System integrations (elastic/integrations)
	fromDredge                     // ours: the modules leave these uncategorised
)

var originNames = [...]string{fromBeats: "winlogbeat", fromIntegrations: "integrations", fromDredge: "dredge"}

func (o origin) String() string { return originNames[o] }

// conv says how an event data value becomes the value of an ECS field.
// Every conversion drops what it cannot read: the field is then left unset.
type conv uint8

const (
	cCopy           conv = iota // the value as it is: a string stays a string, a number a number
	cLong                       // an integer, decimal or 0x hexadecimal ("0x12d8" gives 4824)
	cIP                         // an IP address; "::ffff:" before an IPv4 address is dropped
	cUser                       // DOMAIN\name: To.domain and To.name (To is "user")
	cUPN                        // name@realm: the name
	cHashes                     // "SHA1=..,MD5=..": To.hash.sha1 ..., lower case; IMPHASH to To.pe.imphash; all-zero hashes dropped
	cRegistry                   // a registry path (and Details): registry.path, hive, key, value, data.strings, data.type
	cDNSResults                 // Sysmon QueryResults: dns.resolved_ip and dns.answers
	cDNSStatus                  // a DNS status code: its name ("9003" gives "DNS_ERROR_RCODE_NAME_ERROR")
	cLogonType                  // a logon type number: its name ("3" gives "Network")
	cServiceType                // a service type code: its name ("0x10" gives "Win32 Own Process")
	cDirection                  // %%14592 gives "ingress", %%14593 "egress"
	cInitiated                  // "true" gives "egress", "false" "ingress"
	cIPv6                       // "true" gives "ipv6", "false" "ipv4"
	cBool                       // "true" or "false": a boolean
	cTrueIf                     // true when the value is Arg (case-insensitive)
	cCN                         // a distinguished name: its first CN ("CN=bob,OU=x" gives "bob")
	cStatusOutcome              // an NTSTATUS: "0x0" gives "success", any other "failure"
	cObjectCategory             // an object type: File gives [file], Key [registry], Process and Thread [process]
	cConst                      // Arg, when the event has From (always when From is "")
	cLower                      // the text in lower case
)

var convNames = [...]string{
	cCopy: "", cLong: "integer", cIP: "ip", cUser: "DOMAIN\\name", cUPN: "name before @",
	cHashes: "hashes", cRegistry: "registry", cDNSResults: "dns answers", cDNSStatus: "status name",
	cLogonType: "logon type name", cServiceType: "service type name", cDirection: "direction",
	cInitiated: "direction", cIPv6: "ipv4/ipv6", cBool: "boolean", cTrueIf: "true if", cCN: "CN",
	cStatusOutcome: "outcome", cObjectCategory: "category", cConst: "constant", cLower: "lower case",
}

func (c conv) String() string { return convNames[c] }

// field fills one ECS field (or a group, for cUser, cHashes, cRegistry and
// cDNSResults) from one event data value.
type field struct {
	From string // event data name; "user_data.X" reads the event's user data
	To   string // ECS field (dotted)
	Conv conv
	Arg  string // cTrueIf, cConst
}

// spec is what one event id of one module becomes.
type spec struct {
	ID       int
	Provider string // when set, only for events of this provider (case-insensitive)
	Category []string
	Type     []string
	Action   string
	Outcome  string // event.outcome when the event's keywords do not say
	Origin   origin
	Fields   []field
}

// module is one event source: a channel (or, when the event has no channel,
// a provider) and its events.
type module struct {
	Name      string   // as in the documentation
	Channels  []string // winlog.channel values (case-insensitive)
	Providers []string // winlog.provider_name values, used when the channel is missing or unknown
	ECSModule string   // event.module, as the Winlogbeat module sets it; "" for none
	UserID    bool     // user.id from winlog.user.identifier, as the Sysmon and PowerShell pipelines do
	Default   *spec    // for event ids without an entry of their own
	Specs     []spec
}

// Field helpers, to keep the table readable.
func f(from, to string) field             { return field{From: from, To: to} }
func fc(c conv, from, to string) field    { return field{From: from, To: to, Conv: c} }
func fa(c conv, from, to, a string) field { return field{From: from, To: to, Conv: c, Arg: a} }
func join(groups ...[]field) []field {
	var out []field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
func cats(c ...string) []string { return c }

// Sysmon event data groups, in the order the Sysmon pipeline applies them.
var (
	sysRule   = []field{f("RuleName", "rule.name")}
	sysUser   = []field{fc(cUser, "User", "user")}
	sysProc   = []field{f("ProcessGuid", "process.entity_id"), fc(cLong, "ProcessId", "process.pid"), f("Image", "process.executable")}
	sysSource = []field{
		f("SourceProcessGuid", "process.entity_id"), f("SourceProcessGUID", "process.entity_id"),
		fc(cLong, "SourceProcessId", "process.pid"), fc(cLong, "SourceThreadId", "process.thread.id"),
		f("SourceImage", "process.executable"),
	}
	sysCmd    = []field{f("CommandLine", "process.command_line"), f("CurrentDirectory", "process.working_directory")}
	sysParent = []field{
		f("ParentProcessGuid", "process.parent.entity_id"), fc(cLong, "ParentProcessId", "process.parent.pid"),
		f("ParentImage", "process.parent.executable"), f("ParentCommandLine", "process.parent.command_line"),
	}
	sysFile = []field{f("TargetFilename", "file.path")}
	sysSig  = []field{
		f("Signature", "file.code_signature.subject_name"), f("SignatureStatus", "file.code_signature.status"),
		fa(cTrueIf, "Signed", "file.code_signature.exists", "true"),
		fa(cTrueIf, "SignatureStatus", "file.code_signature.valid", "Valid"),
	}
	sysNet = []field{
		f("Protocol", "network.transport"),
		f("DestinationPortName", "network.protocol"), f("SourcePortName", "network.protocol"),
		fc(cIP, "SourceIp", "source.ip"), f("SourceHostname", "source.domain"), fc(cLong, "SourcePort", "source.port"),
		fc(cIP, "DestinationIp", "destination.ip"), f("DestinationHostname", "destination.domain"),
		fc(cLong, "DestinationPort", "destination.port"),
		fc(cInitiated, "Initiated", "network.direction"), fc(cIPv6, "SourceIsIpv6", "network.type"),
	}
	sysRegistry = []field{fc(cRegistry, "TargetObject", "registry")}
	sysDeleted  = []field{fc(cBool, "IsExecutable", "sysmon.file.is_executable"), fc(cBool, "Archived", "sysmon.file.archived")}
)

// sysPE is the PE header group of Sysmon 1 (process.pe) and 7 (file.pe).
func sysPE(to string) []field {
	return []field{
		f("OriginalFileName", to+".pe.original_file_name"), f("Company", to+".pe.company"),
		f("Description", to+".pe.description"), f("FileVersion", to+".pe.file_version"), f("Product", to+".pe.product"),
	}
}

// sysHashes: Sysmon 15 calls the field Hash, the others Hashes.
func sysHashes(to string) []field {
	return []field{fc(cHashes, "Hashes", to), fc(cHashes, "Hash", to)}
}

// Security event data groups.
var (
	// The subject: who did it.
	secSubject = []field{
		f("SubjectUserSid", "user.id"), f("SubjectUserName", "user.name"), f("SubjectDomainName", "user.domain"),
		f("SubjectLogonId", "winlog.logon.id"),
	}
	// The target as the user of the event (logons, Kerberos, NTLM).
	secTargetUser = []field{
		f("TargetUserSid", "user.id"), f("TargetSid", "user.id"),
		fc(cUPN, "TargetUserName", "user.name"), f("TargetDomainName", "user.domain"),
		f("TargetLogonId", "winlog.logon.id"),
	}
	// The target as an account acted upon (account management).
	secTargetAccount = []field{
		f("TargetSid", "user.target.id"), fc(cUPN, "TargetUserName", "user.target.name"),
		f("TargetDomainName", "user.target.domain"),
	}
	// The target as the credentials used (4648 explicit credentials, 4688).
	secEffective = []field{
		f("TargetUserSid", "user.effective.id"), fc(cUPN, "TargetUserName", "user.effective.name"),
		f("TargetDomainName", "user.effective.domain"),
	}
	// The group of a group-management event, and the member.
	secGroup = []field{
		fc(cCN, "MemberName", "user.target.name"),
		f("TargetSid", "group.id"), f("TargetUserName", "group.name"), f("TargetDomainName", "group.domain"),
	}
	// Where a logon came from, and the process that asked.
	secAuth = []field{
		fc(cLong, "ProcessId", "process.pid"), f("ProcessName", "process.executable"),
		fc(cIP, "IpAddress", "source.ip"), fc(cLong, "IpPort", "source.port"), f("WorkstationName", "source.domain"),
		fc(cLogonType, "LogonType", "winlog.logon.type"),
	}
	secProc   = []field{fc(cLong, "ProcessId", "process.pid"), f("ProcessName", "process.executable")}
	secSource = []field{fc(cIP, "IpAddress", "source.ip"), fc(cLong, "IpPort", "source.port")}
	secSvc    = []field{f("ServiceName", "service.name"), fc(cServiceType, "ServiceType", "service.type")}
	// Windows Filtering Platform connection events (5152 to 5159).
	secWFP = []field{
		f("Application", "process.executable"), fc(cLong, "ProcessID", "process.pid"),
		fc(cIP, "SourceAddress", "source.ip"), fc(cLong, "SourcePort", "source.port"),
		fc(cIP, "DestAddress", "destination.ip"), fc(cLong, "DestPort", "destination.port"),
		fc(cLong, "Protocol", "network.iana_number"), fc(cDirection, "Direction", "network.direction"),
	}
	secObject = []field{fc(cObjectCategory, "ObjectType", "event.category")}
)

// modules is the whole Windows table.
var modules = []module{
	{
		Name:      "sysmon",
		Channels:  []string{"Microsoft-Windows-Sysmon/Operational"},
		Providers: []string{"Microsoft-Windows-Sysmon"},
		ECSModule: "sysmon",
		UserID:    true,
		Specs: []spec{
			{ID: 1, Category: cats("process"), Type: cats("start"), Action: "Process creation",
				Fields: join(sysRule, sysProc, sysCmd, sysParent, sysPE("process"), sysHashes("process"), sysUser)},
			{ID: 2, Category: cats("file"), Type: cats("change"), Action: "A process changed a file creation time",
				Fields: join(sysRule, sysProc, sysFile, sysUser)},
			{ID: 3, Category: cats("network"), Type: cats("start", "connection", "protocol"), Action: "Network connection",
				Fields: join(sysRule, sysProc, sysNet, sysUser)},
			{ID: 4, Category: cats("process"), Type: cats("change"), Action: "Sysmon service state changed"},
			{ID: 5, Category: cats("process"), Type: cats("end"), Action: "Process terminated",
				Fields: join(sysRule, sysProc, sysUser)},
			{ID: 6, Category: cats("driver"), Type: cats("start"), Action: "Driver loaded",
				Fields: join(sysRule, []field{f("ImageLoaded", "file.path")}, sysHashes("file"), sysSig)},
			{ID: 7, Category: cats("process"), Type: cats("change"), Action: "Image loaded",
				Fields: join(sysRule, sysProc, []field{f("ImageLoaded", "file.path")}, sysPE("file"), sysHashes("file"), sysSig, sysUser)},
			{ID: 8, Category: cats("process"), Type: cats("change"), Action: "CreateRemoteThread",
				Fields: join(sysRule, sysSource)},
			{ID: 9, Category: cats("process"), Type: cats("access"), Action: "RawAccessRead",
				Fields: join(sysRule, sysProc, []field{f("Device", "file.path")}, sysUser)},
			{ID: 10, Category: cats("process"), Type: cats("access"), Action: "ProcessAccess",
				Fields: join(sysRule, sysSource)},
			{ID: 11, Category: cats("file"), Type: cats("creation"), Action: "FileCreate",
				Fields: join(sysRule, sysProc, sysFile, sysUser)},
			{ID: 12, Category: cats("configuration", "registry"), Type: cats("change"), Action: "RegistryEvent (Object create and delete)",
				Fields: join(sysRule, sysProc, sysRegistry, sysUser)},
			{ID: 13, Category: cats("configuration", "registry"), Type: cats("change"), Action: "RegistryEvent (Value Set)",
				Fields: join(sysRule, sysProc, sysRegistry, sysUser)},
			{ID: 14, Category: cats("configuration", "registry"), Type: cats("change"), Action: "RegistryEvent (Key and Value Rename)",
				Fields: join(sysRule, sysProc, sysRegistry, sysUser)},
			{ID: 15, Category: cats("file"), Type: cats("access"), Action: "FileCreateStreamHash",
				Fields: join(sysRule, sysProc, sysFile, sysHashes("file"), sysUser)},
			{ID: 16, Category: cats("configuration"), Type: cats("change"), Action: "ServiceConfigurationChange"},
			{ID: 17, Category: cats("file"), Type: cats("creation"), Action: "PipeEvent (Pipe Created)",
				Fields: join(sysRule, sysProc, []field{f("PipeName", "file.name")}, sysUser)},
			{ID: 18, Category: cats("file"), Type: cats("access"), Action: "PipeEvent (Pipe Connected)",
				Fields: join(sysRule, sysProc, []field{f("PipeName", "file.name")}, sysUser)},
			{ID: 19, Category: cats("process"), Type: cats("info"), Action: "WmiEvent (WmiEventFilter activity detected)",
				Fields: join(sysRule, sysUser)},
			{ID: 20, Category: cats("process"), Type: cats("change"), Action: "WmiEvent (WmiEventConsumer activity detected)",
				Fields: join(sysRule, []field{f("Destination", "process.executable")}, sysUser)},
			{ID: 21, Category: cats("process"), Type: cats("access"), Action: "WmiEvent (WmiEventConsumerToFilter activity detected)",
				Fields: join(sysRule, sysUser)},
			{ID: 22, Category: cats("network"), Type: cats("connection", "protocol", "info"), Action: "DNSEvent (DNS query)",
				Fields: join(sysRule, sysProc, []field{
					f("QueryName", "dns.question.name"), fc(cDNSStatus, "QueryStatus", "sysmon.dns.status"),
					fc(cDNSResults, "QueryResults", "dns"), fa(cConst, "", "network.protocol", "dns"),
				}, sysUser)},
			{ID: 23, Category: cats("file"), Type: cats("deletion"), Action: "FileDelete (File Delete archived)",
				Fields: join(sysRule, sysProc, sysFile, sysHashes("process"), sysDeleted, sysUser)},
			{ID: 24, Category: nil, Type: cats("change"), Action: "ClipboardChange (New content in the clipboard)",
				Fields: join(sysRule, sysProc, sysHashes("process"), sysDeleted, sysUser)},
			{ID: 25, Category: cats("process"), Type: cats("change"), Action: "ProcessTampering (Process image change)",
				Fields: join(sysRule, sysProc, sysUser)},
			{ID: 26, Category: cats("file"), Type: cats("deletion"), Action: "FileDeleteDetected (File Delete logged)",
				Fields: join(sysRule, sysProc, sysFile, sysHashes("process"), sysDeleted, sysUser)},
			{ID: 27, Category: cats("file"), Type: cats("creation"), Outcome: "failure", Action: "FileBlockExecutable",
				Fields: join(sysRule, sysProc, sysFile, sysUser)},
			{ID: 28, Category: cats("file"), Type: cats("deletion"), Action: "FileBlockShredding",
				Fields: join(sysRule, sysProc, sysFile, sysUser)},
			{ID: 29, Category: cats("file"), Type: cats("creation"), Action: "FileExecutableDetected",
				Fields: join(sysRule, sysProc, sysFile, sysHashes("file"), sysUser)},
			{ID: 255, Category: cats("process"), Outcome: "failure", Action: "Error",
				Fields: []field{f("ID", "error.code")}},
		},
	},
	{
		Name:      "security",
		Channels:  []string{"Security"},
		Providers: []string{"Microsoft-Windows-Security-Auditing"},
		ECSModule: "security",
		Specs: []spec{
			{ID: 1100, Category: cats("process"), Type: cats("end"), Action: "logging-service-shutdown"},
			{ID: 1102, Category: cats("iam"), Type: cats("admin", "change"), Action: "audit-log-cleared",
				Fields: []field{
					f("user_data.SubjectUserSid", "user.id"), f("user_data.SubjectUserName", "user.name"),
					f("user_data.SubjectDomainName", "user.domain"), f("user_data.SubjectLogonId", "winlog.logon.id"),
				}},
			{ID: 1104, Category: cats("iam"), Type: cats("admin"), Action: "logging-full"},
			{ID: 1105, Category: cats("iam"), Type: cats("admin"), Action: "auditlog-archieved"},
			{ID: 1108, Category: cats("iam"), Type: cats("admin"), Action: "logging-processing-error"},
			{ID: 4610, Category: cats("configuration"), Type: cats("access"), Action: "authentication-package-loaded"},
			{ID: 4611, Category: cats("configuration"), Type: cats("change"), Action: "trusted-logon-process-registered",
				Fields: secSubject},
			{ID: 4614, Category: cats("configuration"), Type: cats("access"), Action: "notification-package-loaded"},
			{ID: 4616, Category: cats("configuration"), Type: cats("change"), Action: "system-time-changed",
				Fields: join(secSubject, secProc)},
			{ID: 4622, Category: cats("configuration"), Type: cats("access"), Action: "security-package-loaded"},
			{ID: 4624, Category: cats("authentication"), Type: cats("start"), Action: "logged-in",
				Fields: join(secTargetUser, secAuth)},
			{ID: 4625, Category: cats("authentication"), Type: cats("start"), Action: "logon-failed", Outcome: "failure",
				Fields: join(secTargetUser, secAuth)},
			{ID: 4627, Category: cats("iam"), Type: cats("group", "info"), Action: "group-membership-information", Origin: fromDredge,
				Fields: join(secTargetUser, []field{fc(cLogonType, "LogonType", "winlog.logon.type")})},
			{ID: 4634, Category: cats("authentication"), Type: cats("end"), Action: "logged-out",
				Fields: join(secTargetUser, []field{fc(cLogonType, "LogonType", "winlog.logon.type")})},
			{ID: 4647, Category: cats("authentication"), Type: cats("end"), Action: "logged-out",
				Fields: secTargetUser},
			{ID: 4648, Category: cats("authentication"), Type: cats("start"), Action: "logged-in-explicit",
				Fields: join(secSubject, secEffective, secAuth)},
			{ID: 4656, Category: cats("process"), Type: cats("access"), Action: "object-handle-requested", Origin: fromDredge,
				Fields: join(secObject, secSubject, secProc)},
			{ID: 4657, Category: cats("registry", "configuration"), Type: cats("change"), Action: "registry-value-modified",
				Fields: join(secSubject, secProc)},
			{ID: 4658, Category: cats("process"), Type: cats("access"), Action: "object-handle-closed", Origin: fromDredge,
				Fields: join(secSubject, secProc)},
			{ID: 4663, Category: cats("process"), Type: cats("access"), Action: "object-accessed", Origin: fromDredge,
				Fields: join(secObject, secSubject, secProc)},
			{ID: 4670, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "permissions-changed",
				Fields: join(secSubject, secTargetAccount, secProc)},
			{ID: 4672, Category: cats("iam"), Type: cats("admin"), Action: "logged-in-special",
				Fields: secSubject},
			{ID: 4673, Category: cats("iam"), Type: cats("admin"), Action: "privileged-service-called",
				Fields: join(secSubject, secProc)},
			{ID: 4674, Category: cats("iam"), Type: cats("admin"), Action: "privileged-operation",
				Fields: join(secSubject, secProc)},
			{ID: 4688, Category: cats("process"), Type: cats("start"), Action: "created-process",
				Fields: join(secSubject, secEffective, []field{
					fc(cLong, "NewProcessId", "process.pid"), f("NewProcessName", "process.executable"),
					f("ParentProcessName", "process.parent.executable"), fc(cLong, "ProcessId", "process.parent.pid"),
					f("CommandLine", "process.command_line"),
				})},
			{ID: 4689, Category: cats("process"), Type: cats("end"), Action: "exited-process",
				Fields: join(secSubject, secProc)},
			{ID: 4690, Category: cats("process"), Type: cats("access"), Action: "object-handle-duplicated", Origin: fromDredge,
				Fields: join(secSubject, []field{fc(cLong, "SourceProcessId", "process.pid")})},
			{ID: 4697, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "service-installed",
				Fields: join(secSubject, secSvc)},
			{ID: 4698, Category: cats("iam", "configuration"), Type: cats("creation", "admin"), Action: "scheduled-task-created",
				Fields: secSubject},
			{ID: 4699, Category: cats("iam", "configuration"), Type: cats("deletion", "admin"), Action: "scheduled-task-deleted",
				Fields: secSubject},
			{ID: 4700, Category: cats("iam", "configuration"), Type: cats("change", "admin"), Action: "scheduled-task-enabled",
				Fields: secSubject},
			{ID: 4701, Category: cats("iam", "configuration"), Type: cats("change", "admin"), Action: "scheduled-task-disabled",
				Fields: secSubject},
			{ID: 4702, Category: cats("iam", "configuration"), Type: cats("change", "admin"), Action: "scheduled-task-updated",
				Fields: secSubject},
			{ID: 4703, Category: cats("iam"), Type: cats("admin", "change"), Action: "token-right-adjusted", Origin: fromDredge,
				Fields: join(secSubject, secProc)},
			{ID: 4706, Category: cats("configuration"), Type: cats("creation"), Action: "domain-trust-added",
				Fields: secSubject},
			{ID: 4707, Category: cats("configuration"), Type: cats("deletion"), Action: "domain-trust-removed",
				Fields: secSubject},
			{ID: 4713, Category: cats("configuration"), Type: cats("change"), Action: "kerberos-policy-changed",
				Fields: secSubject},
			{ID: 4714, Category: cats("configuration"), Type: cats("change"), Action: "encrypted-data-recovery-policy-changed"},
			{ID: 4715, Category: cats("configuration"), Type: cats("change"), Action: "object-audit-policy-changed"},
			{ID: 4716, Category: cats("configuration"), Type: cats("change"), Action: "trusted-domain-information-changed",
				Fields: secSubject},
			{ID: 4717, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "system-security-access-granted",
				Fields: secSubject},
			{ID: 4718, Category: cats("iam", "configuration"), Type: cats("admin", "deletion"), Action: "system-security-access-removed",
				Fields: secSubject},
			{ID: 4719, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "changed-audit-config",
				Fields: secSubject},
			{ID: 4720, Category: cats("iam"), Type: cats("user", "creation"), Action: "added-user-account",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4722, Category: cats("iam"), Type: cats("user", "change"), Action: "enabled-user-account",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4723, Category: cats("iam"), Type: cats("user", "change"), Action: "changed-password",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4724, Category: cats("iam"), Type: cats("user", "change"), Action: "reset-password",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4725, Category: cats("iam"), Type: cats("user", "deletion"), Action: "disabled-user-account",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4726, Category: cats("iam"), Type: cats("user", "deletion"), Action: "deleted-user-account",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4727, Category: cats("iam"), Type: cats("group", "creation"), Action: "added-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4728, Category: cats("iam"), Type: cats("group", "change"), Action: "added-member-to-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4729, Category: cats("iam"), Type: cats("group", "change"), Action: "removed-member-from-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4730, Category: cats("iam"), Type: cats("group", "deletion"), Action: "deleted-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4731, Category: cats("iam"), Type: cats("group", "creation"), Action: "added-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4732, Category: cats("iam"), Type: cats("group", "change"), Action: "added-member-to-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4733, Category: cats("iam"), Type: cats("group", "change"), Action: "removed-member-from-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4734, Category: cats("iam"), Type: cats("group", "deletion"), Action: "deleted-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4735, Category: cats("iam"), Type: cats("group", "change"), Action: "modified-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4737, Category: cats("iam"), Type: cats("group", "change"), Action: "modified-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4738, Category: cats("iam"), Type: cats("user", "change"), Action: "modified-user-account",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4739, Category: cats("configuration"), Type: cats("change"), Action: "domain-policy-changed",
				Fields: secSubject},
			{ID: 4740, Category: cats("iam"), Type: cats("user", "change"), Action: "locked-out-user-account",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4741, Category: cats("iam"), Type: cats("creation", "admin"), Action: "added-computer-account",
				Fields: secSubject},
			{ID: 4742, Category: cats("iam"), Type: cats("change", "admin"), Action: "changed-computer-account",
				Fields: secSubject},
			{ID: 4743, Category: cats("iam"), Type: cats("deletion", "admin"), Action: "deleted-computer-account",
				Fields: secSubject},
			{ID: 4744, Category: cats("iam"), Type: cats("group", "creation"), Action: "added-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4745, Category: cats("iam"), Type: cats("group", "change"), Action: "changed-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4746, Category: cats("iam"), Type: cats("group", "change"), Action: "added-member-to-distribution-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4747, Category: cats("iam"), Type: cats("group", "change"), Action: "removed-member-from-distribution-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4748, Category: cats("iam"), Type: cats("group", "deletion"), Action: "deleted-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4749, Category: cats("iam"), Type: cats("group", "creation"), Action: "added-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4750, Category: cats("iam"), Type: cats("group", "change"), Action: "changed-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4751, Category: cats("iam"), Type: cats("group", "change"), Action: "added-member-to-distribution-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4752, Category: cats("iam"), Type: cats("group", "change"), Action: "removed-member-from-distribution-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4753, Category: cats("iam"), Type: cats("group", "deletion"), Action: "deleted-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4754, Category: cats("iam"), Type: cats("group", "creation"), Action: "added-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4755, Category: cats("iam"), Type: cats("group", "change"), Action: "modified-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4756, Category: cats("iam"), Type: cats("group", "change"), Action: "added-member-to-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4757, Category: cats("iam"), Type: cats("group", "change"), Action: "removed-member-from-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4758, Category: cats("iam"), Type: cats("group", "deletion"), Action: "deleted-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4759, Category: cats("iam"), Type: cats("group", "creation"), Action: "added-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4760, Category: cats("iam"), Type: cats("group", "change"), Action: "changed-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4761, Category: cats("iam"), Type: cats("group", "change"), Action: "added-member-to-distribution-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4762, Category: cats("iam"), Type: cats("group", "change"), Action: "removed-member-from-distribution-group",
				Fields: join(secSubject, secGroup)},
			{ID: 4763, Category: cats("iam"), Type: cats("group", "deletion"), Action: "deleted-distribution-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4764, Category: cats("iam"), Type: cats("group", "change"), Action: "type-changed-group-account",
				Fields: join(secSubject, secGroup)},
			{ID: 4767, Category: cats("iam"), Type: cats("user", "change"), Action: "unlocked-user-account",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4768, Category: cats("authentication"), Type: cats("start"), Action: "kerberos-authentication-ticket-requested",
				Fields: join(secTargetUser, secSource, secSvc)},
			{ID: 4769, Category: cats("authentication"), Type: cats("start"), Action: "kerberos-service-ticket-requested",
				Fields: join(secTargetUser, secSource, secSvc)},
			{ID: 4770, Category: cats("authentication"), Type: cats("start"), Action: "kerberos-service-ticket-renewed",
				Fields: join(secTargetUser, secSource, secSvc)},
			{ID: 4771, Category: cats("authentication"), Type: cats("start"), Action: "kerberos-preauth-failed", Outcome: "failure",
				Fields: join(secTargetUser, secSource, secSvc)},
			{ID: 4776, Category: cats("authentication"), Type: cats("start"), Action: "credential-validated",
				Fields: join(secTargetUser, []field{fc(cStatusOutcome, "Status", "event.outcome")})},
			{ID: 4778, Category: cats("authentication", "session"), Type: cats("start"), Action: "session-reconnected",
				Fields: []field{f("AccountName", "user.name"), f("AccountDomain", "user.domain"),
					fc(cIP, "ClientAddress", "source.ip"), f("ClientName", "source.domain"), f("LogonID", "winlog.logon.id")}},
			{ID: 4779, Category: cats("authentication", "session"), Type: cats("end"), Action: "session-disconnected",
				Fields: []field{f("AccountName", "user.name"), f("AccountDomain", "user.domain"),
					fc(cIP, "ClientAddress", "source.ip"), f("ClientName", "source.domain"), f("LogonID", "winlog.logon.id")}},
			{ID: 4781, Category: cats("iam"), Type: cats("user", "change"), Action: "renamed-user-account",
				Fields: join(secSubject, []field{f("OldTargetUserName", "user.target.name"), f("NewTargetUserName", "user.changes.name")})},
			{ID: 4798, Category: cats("iam"), Type: cats("user", "info"), Action: "group-membership-enumerated",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4799, Category: cats("iam"), Type: cats("group", "info"), Action: "user-member-enumerated",
				Fields: join(secSubject, secGroup)},
			{ID: 4817, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "object-audit-changed",
				Fields: join(secSubject, secTargetAccount)},
			{ID: 4902, Category: cats("iam", "configuration"), Type: cats("admin", "creation"), Action: "user-audit-policy-created"},
			{ID: 4904, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "security-event-source-added",
				Fields: join(secSubject, secProc)},
			{ID: 4905, Category: cats("iam", "configuration"), Type: cats("admin", "deletion"), Action: "security-event-source-removed",
				Fields: join(secSubject, secProc)},
			{ID: 4906, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "crash-on-audit-changed"},
			{ID: 4907, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "audit-setting-changed",
				Fields: join(secSubject, secTargetAccount, secProc)},
			{ID: 4908, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "special-group-table-changed"},
			{ID: 4912, Category: cats("iam", "configuration"), Type: cats("admin", "change"), Action: "per-user-audit-policy-changed",
				Fields: secSubject},
			{ID: 4946, Category: cats("configuration"), Type: cats("creation"), Action: "windows-firewall-rule-added", Origin: fromDredge},
			{ID: 4947, Category: cats("configuration"), Type: cats("change"), Action: "windows-firewall-rule-modified", Origin: fromDredge},
			{ID: 4948, Category: cats("configuration"), Type: cats("deletion"), Action: "windows-firewall-rule-deleted", Origin: fromDredge},
			{ID: 4950, Category: cats("configuration"), Type: cats("change"), Action: "windows-firewall-setting-changed"},
			{ID: 4954, Category: cats("configuration"), Type: cats("change"), Action: "windows-firewall-group-policy-changed"},
			{ID: 4964, Category: cats("iam"), Type: cats("admin", "group"), Action: "logged-in-special",
				Fields: secTargetUser},
			{ID: 5024, Category: cats("process"), Type: cats("start"), Action: "windows-firewall-service-started"},
			{ID: 5025, Category: cats("process"), Type: cats("end"), Action: "windows-firewall-service-stopped"},
			{ID: 5033, Category: cats("driver"), Type: cats("start"), Action: "windows-firewall-driver-started"},
			{ID: 5034, Category: cats("driver"), Type: cats("end"), Action: "windows-firewall-driver-stopped"},
			{ID: 5037, Category: cats("driver"), Type: cats("end"), Action: "windows-firewall-driver-error"},
			{ID: 5058, Category: cats("configuration"), Type: cats("access"), Action: "key-file-operation", Origin: fromDredge,
				Fields: secSubject},
			{ID: 5061, Category: cats("configuration"), Type: cats("access"), Action: "cryptographic-operation", Origin: fromDredge,
				Fields: secSubject},
			{ID: 5140, Category: cats("network", "file"), Type: cats("info", "access"), Action: "network-share-object-accessed", Origin: fromIntegrations,
				Fields: join(secSubject, secSource)},
			{ID: 5145, Category: cats("network", "file"), Type: cats("info", "access"), Action: "network-share-object-access-checked", Origin: fromIntegrations,
				Fields: join(secSubject, secSource)},
			{ID: 5152, Category: cats("network"), Type: cats("connection", "denied"), Action: "network-packet-dropped", Origin: fromDredge,
				Fields: secWFP},
			{ID: 5154, Category: cats("network"), Type: cats("start", "allowed"), Action: "network-listen-permitted", Origin: fromDredge,
				Fields: secWFP},
			{ID: 5156, Category: cats("network"), Type: cats("connection", "allowed"), Action: "network-connection-permitted", Origin: fromDredge,
				Fields: secWFP},
			{ID: 5157, Category: cats("network"), Type: cats("connection", "denied"), Action: "network-connection-blocked", Origin: fromDredge,
				Fields: secWFP},
			{ID: 5158, Category: cats("network"), Type: cats("connection", "allowed"), Action: "network-bind-permitted", Origin: fromDredge,
				Fields: secWFP},
			{ID: 5159, Category: cats("network"), Type: cats("connection", "denied"), Action: "network-bind-blocked", Origin: fromDredge,
				Fields: secWFP},
		},
	},
	{
		Name:     "system",
		Channels: []string{"System"},
		// Service Control Manager writes only to System: an event without
		// a channel is still known by its provider.
		Providers: []string{"Service Control Manager"},
		Specs: []spec{
			{ID: 104, Provider: "Microsoft-Windows-Eventlog", Category: cats("iam"), Type: cats("admin", "change"), Action: "audit-log-cleared", Origin: fromDredge,
				Fields: []field{f("user_data.SubjectUserName", "user.name"), f("user_data.SubjectDomainName", "user.domain")}},
			{ID: 1056, Provider: "Microsoft-Windows-TerminalServices-RemoteConnectionManager", Category: cats("configuration"), Type: cats("creation"), Action: "rdp-certificate-created", Origin: fromDredge},
			{ID: 7045, Provider: "Service Control Manager", Category: cats("configuration"), Type: cats("creation"), Action: "service-installed", Origin: fromDredge,
				Fields: []field{f("ServiceName", "service.name"), f("ServiceType", "service.type")}},
		},
	},
	{
		Name:      "powershell",
		Channels:  []string{"Windows PowerShell"},
		Providers: []string{"PowerShell"},
		ECSModule: "powershell",
		Default:   &spec{Category: cats("process"), Type: cats("info"), Origin: fromIntegrations},
		Specs: []spec{
			{ID: 400, Category: cats("process"), Type: cats("start"), Origin: fromIntegrations},
			{ID: 403, Category: cats("process"), Type: cats("end"), Origin: fromIntegrations},
		},
	},
	{
		Name:      "powershell_operational",
		Channels:  []string{"Microsoft-Windows-PowerShell/Operational"},
		Providers: []string{"Microsoft-Windows-PowerShell"},
		ECSModule: "powershell",
		UserID:    true,
		Default: &spec{Category: cats("process"), Type: cats("info"), Origin: fromIntegrations,
			Fields: []field{
				fc(cUser, "User", "user"),
				f("ScriptBlockText", "powershell.file.script_block_text"), f("ScriptBlockId", "powershell.file.script_block_id"),
				fc(cLong, "MessageNumber", "powershell.sequence"), fc(cLong, "MessageTotal", "powershell.total"),
				f("Path", "file.path"),
			}},
		Specs: []spec{
			{ID: 4105, Category: cats("process"), Type: cats("start"), Origin: fromIntegrations},
			{ID: 4106, Category: cats("process"), Type: cats("end"), Origin: fromIntegrations},
		},
	},
	{
		Name:      "wmi",
		Channels:  []string{"Microsoft-Windows-WMI-Activity/Operational"},
		Providers: []string{"Microsoft-Windows-WMI-Activity"},
		Specs: []spec{
			{ID: 5857, Category: cats("process"), Type: cats("info"), Action: "wmi-provider-started", Origin: fromDredge,
				Fields: []field{fc(cLong, "user_data.ProcessID", "process.pid")}},
			{ID: 5858, Category: cats("process"), Type: cats("error"), Action: "wmi-operation-failed", Origin: fromDredge,
				Fields: []field{fc(cLong, "user_data.ClientProcessId", "process.pid")}},
			{ID: 5860, Category: cats("configuration"), Type: cats("creation"), Action: "wmi-temporary-consumer-registered", Origin: fromDredge},
			{ID: 5861, Category: cats("configuration"), Type: cats("creation"), Action: "wmi-permanent-consumer-registered", Origin: fromDredge},
		},
	},
	{
		Name:      "firewall",
		Channels:  []string{"Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
		Providers: []string{"Microsoft-Windows-Windows Firewall With Advanced Security"},
		Specs: []spec{
			{ID: 2004, Category: cats("configuration"), Type: cats("creation"), Action: "windows-firewall-rule-added", Origin: fromDredge},
			{ID: 2005, Category: cats("configuration"), Type: cats("change"), Action: "windows-firewall-rule-modified", Origin: fromDredge},
			{ID: 2006, Category: cats("configuration"), Type: cats("deletion"), Action: "windows-firewall-rule-deleted", Origin: fromDredge},
		},
	},
	{
		Name:      "terminalservices",
		Channels:  []string{"Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational"},
		Providers: []string{"Microsoft-Windows-TerminalServices-RemoteConnectionManager"},
		Specs: []spec{
			{ID: 261, Category: cats("network"), Type: cats("connection", "start"), Action: "rdp-connection-received", Origin: fromDredge},
			{ID: 1149, Category: cats("authentication"), Type: cats("start"), Action: "rdp-user-authenticated", Origin: fromDredge,
				Fields: []field{f("user_data.Param1", "user.name"), f("user_data.Param2", "user.domain"), fc(cIP, "user_data.Param3", "source.ip")}},
			{ID: 20523, Category: cats("configuration"), Type: cats("info"), Action: "rdp-listener-class-set", Origin: fromDredge},
		},
	},
}

// alias copies an envelope field of an older or flat export to where
// Winlogbeat 7 and later put it, so that rules written against winlog.*
// (most Windows rules are) read it there too.
//
// An object is copied (its members are shared), so that fields Apply adds
// to one do not appear in the other, but for the event data, which Apply
// never writes into.
type alias struct {
	From    string // top-level key
	To      string
	Conv    conv   // cCopy or cLower
	Share   bool   // an object that is not copied
	Require string // for an object: a member it must have
}

// winlogbeat6 is Winlogbeat 6.x's envelope: Winlogbeat 7 moved these under
// winlog (and user to winlog.user).
var winlogbeat6 = []alias{
	{From: "event_id", To: "winlog.event_id"},
	{From: "log_name", To: "winlog.channel"},
	{From: "source_name", To: "winlog.provider_name"},
	{From: "computer_name", To: "winlog.computer_name"},
	{From: "record_number", To: "winlog.record_id"},
	{From: "provider_guid", To: "winlog.provider_guid"},
	{From: "event_data", To: "winlog.event_data", Share: true},
	{From: "user_data", To: "winlog.user_data", Share: true},
	// Winlogbeat 6's user (the account the event was logged under) has an
	// identifier; ECS's, which Apply may add, has an id.
	{From: "user", To: "winlog.user", Require: "identifier"},
	{From: "task", To: "winlog.task"},
	{From: "opcode", To: "winlog.opcode"},
	{From: "keywords", To: "winlog.keywords"},
	{From: "process_id", To: "winlog.process.pid"},
	{From: "thread_id", To: "winlog.process.thread.id"},
	{From: "activity_id", To: "winlog.activity_id"},
	{From: "related_activity_id", To: "winlog.related_activity_id"},
	{From: "version", To: "winlog.version"},
	{From: "level", To: "log.level", Conv: cLower},
}

// flatWindows is the envelope of flat exports (HELK, NXLog, Logstash): the
// event data are the other top-level keys, collected into winlog.event_data.
var flatWindows = []alias{
	{From: "EventID", To: "winlog.event_id"},
	{From: "EventId", To: "winlog.event_id"},
	{From: "Channel", To: "winlog.channel"},
	{From: "SourceName", To: "winlog.provider_name"},
	{From: "ProviderName", To: "winlog.provider_name"},
	{From: "Hostname", To: "winlog.computer_name"},
	{From: "Computer", To: "winlog.computer_name"},
	{From: "ComputerName", To: "winlog.computer_name"},
	{From: "RecordNumber", To: "winlog.record_id"},
	{From: "EventRecordID", To: "winlog.record_id"},
	{From: "ProviderGuid", To: "winlog.provider_guid"},
	{From: "Task", To: "winlog.task"},
	{From: "Opcode", To: "winlog.opcode"},
	{From: "Keywords", To: "winlog.keywords"},
	{From: "ExecutionProcessID", To: "winlog.process.pid"},
	{From: "ThreadID", To: "winlog.process.thread.id"},
	{From: "Version", To: "winlog.version"},
	{From: "Message", To: "message"},
}

// flatEnvelope lists the top-level keys of flat exports that are not event
// data: the aliases above, and what the shippers add.
var flatEnvelope = []string{
	"EventID", "EventId", "Channel", "SourceName", "ProviderName", "Hostname", "Computer", "ComputerName",
	"RecordNumber", "EventRecordID", "ProviderGuid", "Task", "Opcode", "OpcodeValue", "Keywords",
	"ExecutionProcessID", "ThreadID", "Version", "Message", "TimeCreated", "EventTime", "EventReceivedTime",
	"Level", "Severity", "SeverityValue", "EventType", "Category", "SourceModuleName", "SourceModuleType",
	"UserID", "AccountType",
}

// endgameType is what a legacy Endgame event_type becomes.
type endgameType struct {
	EventType string
	Category  []string
	Fields    []field
}

// endgameSubtypes gives event.type from event_subtype_full.
var endgameSubtypes = []struct{ Subtype, Type string }{
	{"already_running", "start"}, {"creation_event", "start"}, {"termination_event", "end"},
	{"file_create_event", "creation"}, {"file_delete_event", "deletion"}, {"file_modify_event", "change"},
	{"file_rename_event", "change"},
	{"registry_create_event", "creation"}, {"registry_modify_event", "change"}, {"registry_delete_event", "deletion"},
	{"ipv4_connection_attempt_event", "start"}, {"ipv6_connection_attempt_event", "start"},
	{"ipv4_connection_accept_event", "start"}, {"ipv6_connection_accept_event", "start"},
	{"ipv4_disconnect_received_event", "end"}, {"ipv6_disconnect_received_event", "end"},
	{"request_event", "protocol"}, {"image_load_event", "start"},
}

var endgameProcess = []field{
	f("process_name", "process.name"), f("process_path", "process.executable"),
	f("command_line", "process.command_line"), fc(cLong, "pid", "process.pid"), fc(cLong, "ppid", "process.parent.pid"),
	f("parent_process_name", "process.parent.name"), f("parent_process_path", "process.parent.executable"),
	f("user_name", "user.name"), f("user_domain", "user.domain"),
}

// endgameTypes is the legacy Endgame (EQL test data) table: flat,
// snake_case keys, a FILETIME timestamp.
var endgameTypes = []endgameType{
	{EventType: "process", Category: cats("process"), Fields: join(endgameProcess, []field{
		f("md5", "process.hash.md5"), f("sha1", "process.hash.sha1"), f("sha256", "process.hash.sha256"),
		f("original_file_name", "process.pe.original_file_name"), fc(cLong, "exit_code", "process.exit_code"),
	})},
	{EventType: "file", Category: cats("file"), Fields: join(endgameProcess, []field{
		f("file_path", "file.path"), f("file_name", "file.name"),
	})},
	{EventType: "registry", Category: cats("registry"), Fields: join(endgameProcess, []field{
		f("registry_path", "registry.path"), f("key_path", "registry.key"), f("registry_value", "registry.value"),
	})},
	{EventType: "network", Category: cats("network"), Fields: join(endgameProcess, []field{
		fc(cIP, "source_address", "source.ip"), fc(cLong, "source_port", "source.port"),
		fc(cIP, "destination_address", "destination.ip"), fc(cLong, "destination_port", "destination.port"),
		f("protocol", "network.transport"),
	})},
	{EventType: "dns", Category: cats("network"), Fields: join(endgameProcess, []field{
		f("query_name", "dns.question.name"), fa(cConst, "", "network.protocol", "dns"),
	})},
	{EventType: "image_load", Category: cats("library"), Fields: join(endgameProcess, []field{
		f("image_path", "dll.path"), f("image_name", "dll.name"),
	})},
}
