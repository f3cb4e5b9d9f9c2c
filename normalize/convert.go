package normalize

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// hashSubs are the fields a cHashes conversion fills, under its To.
var hashSubs = []string{"hash.md5", "hash.sha1", "hash.sha256", "hash.sha384", "hash.sha512", "pe.imphash"}

// hashNames are Sysmon's names of the hashes of hashSubs, in its order.
var hashNames = []string{"MD5", "SHA1", "SHA256", "SHA384", "SHA512", "IMPHASH"}

// Category values of cObjectCategory, shared (they are only read).
var objectCategories = map[string][]string{
	"file": {"file"}, "key": {"registry"}, "process": {"process"}, "thread": {"process"},
}

var logonTypes = map[string]string{
	"2": "Interactive", "3": "Network", "4": "Batch", "5": "Service", "7": "Unlock",
	"8": "NetworkCleartext", "9": "NewCredentials", "10": "RemoteInteractive", "11": "CachedInteractive",
}

var serviceTypes = map[string]string{
	"0x1": "Kernel Driver", "0x2": "File System Driver", "0x8": "Recognizer Driver",
	"0x10": "Win32 Own Process", "0x20": "Win32 Share Process",
	"0x110": "Interactive Own Process", "0x120": "Interactive Share Process",
}

// registryHives gives the short name of a hive, as the Sysmon pipeline does.
var registryHives = map[string]string{
	"HKEY_CLASSES_ROOT": "HKCR", "HKCR": "HKCR", "HKEY_CURRENT_CONFIG": "HKCC", "HKCC": "HKCC",
	"HKEY_CURRENT_USER": "HKCU", "HKCU": "HKCU", "HKEY_DYN_DATA": "HKDD", "HKDD": "HKDD",
	"HKEY_LOCAL_MACHINE": "HKLM", "HKLM": "HKLM", "HKEY_PERFORMANCE_DATA": "HKPD", "HKPD": "HKPD",
	"HKEY_USERS": "HKU", "HKU": "HKU",
}

// dnsTypes names DNS record types in Sysmon's QueryResults.
var dnsTypes = map[string]string{
	"1": "A", "2": "NS", "5": "CNAME", "6": "SOA", "12": "PTR", "13": "HINFO", "15": "MX", "16": "TXT",
	"17": "RP", "18": "AFSDB", "24": "SIG", "25": "KEY", "28": "AAAA", "29": "LOC", "33": "SRV", "35": "NAPTR",
	"36": "KX", "37": "CERT", "39": "DNAME", "41": "OPT", "43": "DS", "46": "RRSIG", "47": "NSEC",
	"48": "DNSKEY", "49": "DHCID", "64": "SVCB", "65": "HTTPS", "251": "IXFR", "252": "AXFR", "255": "ANY",
}

// dnsStatuses names the commonest Sysmon QueryStatus codes; others are
// kept as the code, as the Sysmon pipeline does.
var dnsStatuses = map[string]string{
	"0": "SUCCESS", "5": "ERROR_ACCESS_DENIED", "8": "ERROR_NOT_ENOUGH_MEMORY", "13": "ERROR_INVALID_DATA",
	"14": "ERROR_OUTOFMEMORY", "123": "ERROR_INVALID_NAME", "1214": "ERROR_INVALID_NETNAME",
	"1223": "ERROR_CANCELLED", "1460": "ERROR_TIMEOUT", "4312": "ERROR_OBJECT_NOT_FOUND",
	"9001": "DNS_ERROR_RCODE_FORMAT_ERROR", "9002": "DNS_ERROR_RCODE_SERVER_FAILURE",
	"9003": "DNS_ERROR_RCODE_NAME_ERROR", "9004": "DNS_ERROR_RCODE_NOT_IMPLEMENTED",
	"9005": "DNS_ERROR_RCODE_REFUSED", "9501": "DNS_INFO_NO_RECORDS", "9502": "DNS_ERROR_BAD_PACKET",
	"9503": "DNS_ERROR_NO_PACKET", "9504": "DNS_ERROR_RCODE", "9505": "DNS_ERROR_UNSECURE_PACKET",
	"9506": "DNS_REQUEST_PENDING", "9701": "DNS_ERROR_RECORD_DOES_NOT_EXIST",
	"9851": "DNS_ERROR_NO_TCPIP", "9852": "DNS_ERROR_NO_DNS_SERVERS",
	"10054": "WSAECONNRESET", "10055": "WSAENOBUFS", "10060": "WSAETIMEDOUT",
}

// apply fills one table field from its event data value x.
func (n *Normalizer) apply(w *writer, src *source, cf *cfield, x *fastjson.Value) {
	if cf.Conv == cConst {
		if cf.from == "" || x != nil {
			w.setString(cf.to, cf.Arg)
		}
		return
	}
	if cf.Conv == cLong && x != nil && x.Type() == fastjson.TypeNumber {
		if _, err := x.Int64(); err == nil {
			w.set(cf.to, x)
		}
		return
	}
	s, ok := text(x)
	if !ok {
		return
	}
	switch cf.Conv {
	case cCopy:
		w.set(cf.to, x)
	case cLower:
		w.setString(cf.to, strings.ToLower(s))
	case cLong:
		if i, ok := parseLong(s); ok && !w.has(cf.to) {
			w.put(cf.to, w.a.NewNumberInt(int(i)))
		}
	case cIP:
		if ip, ok := parseIP(s); ok && !w.has(cf.to) {
			var buf [64]byte
			w.put(cf.to, w.a.NewStringBytes(ip.AppendTo(buf[:0])))
		}
	case cUser:
		domain, name, ok := strings.Cut(s, `\`)
		if ok && strings.IndexByte(name, '\\') < 0 {
			w.setString(cf.sub[0], domain)
			w.setString(cf.sub[1], name)
		}
	case cUPN:
		name, _, _ := strings.Cut(s, "@")
		w.setString(cf.to, name)
	case cHashes:
		hashes(w, cf, s)
	case cRegistry:
		registry(w, src, cf, s)
	case cDNSResults:
		dnsResults(w, cf, s)
	case cDNSStatus:
		if name := dnsStatuses[s]; name != "" {
			w.setString(cf.to, name)
		} else {
			w.set(cf.to, x)
		}
	case cLogonType:
		w.setString(cf.to, logonTypes[s])
	case cServiceType:
		w.setString(cf.to, serviceTypes[lower(s)])
	case cDirection:
		switch s {
		case "%%14592":
			w.setString(cf.to, "ingress")
		case "%%14593":
			w.setString(cf.to, "egress")
		}
	case cInitiated:
		switch lower(s) {
		case "true":
			w.setString(cf.to, "egress")
		case "false":
			w.setString(cf.to, "ingress")
		}
	case cIPv6:
		switch lower(s) {
		case "true":
			w.setString(cf.to, "ipv6")
		case "false":
			w.setString(cf.to, "ipv4")
		}
	case cBool:
		switch lower(s) {
		case "true":
			w.set(cf.to, w.a.NewTrue())
		case "false":
			w.set(cf.to, w.a.NewFalse())
		}
	case cTrueIf:
		if strings.EqualFold(s, cf.Arg) {
			w.set(cf.to, w.a.NewTrue())
		}
	case cCN:
		rdn, _, _ := strings.Cut(s, ",")
		if len(rdn) > 3 && strings.EqualFold(rdn[:3], "CN=") {
			rdn = rdn[3:]
		}
		w.setString(cf.to, rdn)
	case cStatusOutcome:
		if v, ok := parseLong(s); ok {
			if v == 0 {
				w.setString(cf.to, "success")
			} else {
				w.setString(cf.to, "failure")
			}
		}
	case cObjectCategory:
		w.setStrings(cf.to, objectCategories[lower(s)])
	}
}

// parseLong reads a decimal or 0x hexadecimal integer, as Java's
// Long.decode does for the Security pipeline.
func parseLong(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	var v uint64
	var err error
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		v, err = strconv.ParseUint(s[2:], 16, 64)
	} else {
		v, err = strconv.ParseUint(s, 10, 64)
	}
	if err != nil || v > 1<<63-1 {
		return 0, false
	}
	if neg {
		return -int64(v), true
	}
	return int64(v), true
}

// parseIP checks an IP address, dropping the "::ffff:" of an IPv4-mapped
// one and any zone.
func parseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimSuffix(s, "]"), "[")
	if !maybeIP(s) {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.Unmap().WithZone(""), true
}

// cleanIP is parseIP's canonical text.
func cleanIP(s string) (string, bool) {
	ip, ok := parseIP(s)
	if !ok {
		return "", false
	}
	return ip.String(), true
}

func isIP(s string) bool {
	if !maybeIP(s) {
		return false
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// maybeIP rejects most text that is not an IP address without parsing it
// (a failed parse allocates its error). A zone may follow a %.
func maybeIP(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' {
			return true
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

// hashes reads Sysmon's "ALGO=hex,ALGO=hex".
func hashes(w *writer, cf *cfield, s string) {
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, ",")
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		i := 0
		for i < len(hashNames) && k != hashNames[i] && !strings.EqualFold(k, hashNames[i]) {
			i++
		}
		v = strings.TrimSpace(v)
		if i == len(hashNames) || strings.Trim(v, "0") == "" {
			continue
		}
		if !w.has(cf.sub[i]) {
			w.put(cf.sub[i], lowerString(w.a, v))
		}
	}
}

// lowerString is a.NewString(strings.ToLower(s)) for ASCII text, without
// the intermediate string.
func lowerString(a *fastjson.Arena, s string) *fastjson.Value {
	var buf [160]byte
	if len(s) > len(buf) {
		return newString(a, strings.ToLower(s))
	}
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		c := lowerASCII[s[i]]
		if c == 0 {
			return newString(a, strings.ToLower(s))
		}
		b[i] = c
	}
	return a.NewStringBytes(b)
}

// lowerASCII maps the printable ASCII bytes that fastjson stores as they
// are to their lower case; others (control characters, '"', '\\', bytes
// of other runes) to 0.
var lowerASCII = func() (t [256]byte) {
	for c := 0x20; c < 0x80; c++ {
		if c != '"' && c != '\\' {
			t[c] = byte(c)
			if 'A' <= c && c <= 'Z' {
				t[c] += 'a' - 'A'
			}
		}
	}
	return
}()

// registry fills registry.* from Sysmon's TargetObject and Details, as the
// Sysmon pipeline does (registry.key is the path after the hive, value name
// included), but naming the data types REG_DWORD and REG_QWORD as ECS and
// Elastic Endpoint do, and reading a QWORD's two halves as high and low
// 32 bits.
func registry(w *writer, src *source, cf *cfield, path string) {
	sub := cf.sub // path, hive, key, value, data.strings, data.type
	w.setString(sub[0], path)
	hive, rest, more := strings.Cut(path, `\`)
	if short := registryHives[strings.ToUpper(hive)]; short != "" {
		w.setString(sub[1], short)
		if more {
			w.setString(sub[2], rest)
		}
	}
	if i := strings.LastIndexByte(path, '\\'); i >= 0 {
		w.setString(sub[3], path[i+1:])
	} else {
		w.setString(sub[3], path)
	}
	if len(cf.aux) == 0 {
		return
	}
	details, ok := text(src.get(&cf.aux[0]))
	if !ok || w.has(sub[4]) && w.has(sub[5]) {
		return
	}
	typ, data := "REG_SZ", details
	switch {
	case strings.HasPrefix(details, "DWORD (") && strings.HasSuffix(details, ")"):
		if v, ok := parseLong(details[len("DWORD (") : len(details)-1]); ok {
			typ, data = "REG_DWORD", strconv.FormatInt(v, 10)
		}
	case strings.HasPrefix(details, "QWORD (") && strings.HasSuffix(details, ")"):
		hi, lo, ok := strings.Cut(details[len("QWORD ("):len(details)-1], "-")
		h, ok1 := parseLong(hi)
		l, ok2 := parseLong(lo)
		if ok && ok1 && ok2 {
			typ, data = "REG_QWORD", strconv.FormatUint(uint64(h)<<32|uint64(l)&0xffffffff, 10)
		}
	case details == "Binary Data":
		typ = "REG_BINARY"
	}
	if !w.has(sub[4]) {
		w.put(sub[4], w.strings([]string{data}))
	}
	w.setString(sub[5], typ)
}

// dnsResults reads Sysmon's QueryResults: "type:  5 name;" entries and
// addresses, separated by ";". Addresses go to dns.resolved_ip and, with
// the named records, to dns.answers.
func dnsResults(w *writer, cf *cfield, s string) {
	resolved, answers := cf.sub[0], cf.sub[1]
	if w.has(resolved) && w.has(answers) {
		return
	}
	ips := w.a.NewArray()
	ans := w.a.NewArray()
	nip, nans := 0, 0
	answer := func(typ, data string) {
		o := w.a.NewObject()
		if typ != "" {
			o.Set("type", newString(w.a, typ))
		}
		o.Set("data", newString(w.a, data))
		ans.SetArrayItem(nans, o)
		nans++
	}
	for s != "" {
		var entry string
		entry, s, _ = strings.Cut(s, ";")
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(entry, "type:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 2 {
				answer(dnsTypes[f[0]], f[1])
			}
			continue
		}
		if ip, ok := cleanIP(entry); ok {
			ips.SetArrayItem(nip, w.a.NewString(ip)) // an address: safe
			nip++
		}
	}
	a, _ := ips.Array()
	for _, ip := range a {
		s := string(ip.GetStringBytes())
		typ := "A"
		if strings.IndexByte(s, ':') >= 0 {
			typ = "AAAA"
		}
		answer(typ, s)
	}
	if nip > 0 {
		w.set(resolved, ips)
	}
	if nans > 0 {
		w.set(answers, ans)
	}
}

// derive fills the fields the pipelines compute from others: process and
// parent names from their executables, args from command lines (split by
// Windows rules), and file name, directory and extension from file.path.
func (n *Normalizer) derive(w *writer) {
	t := &n.t
	baseName(w, t.procExe, t.procName)
	baseName(w, t.parExe, t.parName)
	args(w, t.procCmd, t.procArgs, t.procArgsCount)
	args(w, t.parCmd, t.parArgs, t.parArgsCount)
	if w.has(t.fileName) && w.has(t.fileDir) && w.has(t.fileExt) {
		return
	}
	_, path := w.value(t.filePath)
	i := strings.LastIndexByte(path, '\\')
	if i < 0 {
		return
	}
	name := path[i+1:]
	w.setString(t.fileName, name)
	w.setString(t.fileDir, path[:i])
	if j := strings.LastIndexByte(name, '.'); j >= 0 {
		w.setString(t.fileExt, name[j+1:])
	}
}

func baseName(w *writer, from, to *target) {
	if w.has(to) {
		return
	}
	_, path := w.value(from)
	if i := strings.LastIndexAny(path, `\/`); i >= 0 {
		w.setString(to, path[i+1:])
	}
}

func args(w *writer, from, to, count *target) {
	if w.has(to) {
		return
	}
	_, cmd := w.value(from)
	var buf [256]byte
	arr := w.a.NewArray()
	k := 0
	sp := argSplitter{cmd: cmd}
	for {
		arg, ok := sp.next(buf[:0])
		if !ok {
			break
		}
		arr.SetArrayItem(k, newString(w.a, b2s(arg)))
		k++
	}
	if k == 0 {
		return
	}
	w.put(to, arr)
	if !w.has(count) {
		w.put(count, w.a.NewNumberInt(k))
	}
}

// legacyEndgame maps a legacy Endgame document (endgameTypes).
func (n *Normalizer) legacyEndgame(w *writer) {
	o, _ := w.root.Object()
	et, _ := text(o.Get("event_type"))
	ce := n.endgame[et]
	if ce == nil {
		return
	}
	src := source{root: w.root, l: n.rootLayout}
	src.open(w, w.root)
	n.applyAll(w, &src, &ce.fieldSet)
	w.setStrings(n.t.category, ce.Category)
	if sub, ok := text(o.Get("event_subtype_full")); ok {
		for _, st := range endgameSubtypes {
			if st.Subtype == sub {
				if !w.has(n.t.typ) {
					w.put(n.t.typ, w.strings([]string{st.Type}))
				}
				break
			}
		}
		w.setString(n.t.action, sub)
	}
	w.setString(n.t.kind, "event")
	if !w.has(n.t.timestamp) {
		if x := o.Get("timestamp"); x != nil {
			if t, ok := filetime(x); ok {
				w.setTime(n.t.timestamp, t)
			}
		}
	}
	n.derive(w)
}

// filetime reads a Windows FILETIME (100 ns ticks since 1601) as Endgame
// writes it.
func filetime(x *fastjson.Value) (time.Time, bool) {
	v, err := x.Int64()
	if err != nil {
		b, _ := x.StringBytes()
		v, err = strconv.ParseInt(string(b), 10, 64)
	}
	if err != nil || v < 116444736000000000 {
		return time.Time{}, false
	}
	v -= 116444736000000000 // 1970-01-01 in FILETIME
	return time.Unix(v/1e7, v%1e7*100).UTC(), true
}
