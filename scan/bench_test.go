package scan

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// BenchmarkScan scans about 100 MiB of generated Elastic Defend events
// (process, file, network and registry events of Linux and Windows hosts,
// about 1.5 KB each, a few of them hits of the built-in rules) with the
// built-in rules and the default number of workers, from plain NDJSON and
// from zstd. Bytes per second are of the uncompressed text.
//
// The data is generated once per test binary into a folder under
// os.TempDir() and reused by the sub-benchmarks.
// benchNoHash leaves out the SHA-256 of the inputs (Config.NoHash) when
// DREDGE_BENCH_NOHASH is set, to measure the scan without it.
var benchNoHash = os.Getenv("DREDGE_BENCH_NOHASH") != ""

func BenchmarkScan(b *testing.B) {
	d := benchData(b)
	rs := builtin(b)
	for _, c := range []struct{ name, path string }{
		{"plain", d.plain},
		{"zstd", d.zstd},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(d.size)
			b.ReportAllocs()
			var events int64
			checked := false
			cpu := cpuTime()
			for b.Loop() {
				res, err := Run(context.Background(), inputs(c.path), Config{Rules: rs, NoHash: benchNoHash})
				if err != nil {
					b.Fatalf("Run: %v", err)
				}
				events += res.Summary.Events
				if checked {
					continue
				}
				// The scan must really find what was planted, or it
				// measures nothing.
				checked = true
				if res.Summary.Events != d.events {
					b.Fatalf("scanned %d events, generated %d", res.Summary.Events, d.events)
				}
				for _, rc := range res.Summary.Rules {
					if rc.Hits != d.hits[rc.Rule.ID] {
						b.Errorf("rule %s: %d hits, planted %d", rc.Rule.ID, rc.Hits, d.hits[rc.Rule.ID])
					}
				}
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			reportCPU(b, cpu)
		})
	}
	// The whole detection-rules collection (some 1,700 rules) on the same
	// events, from plain NDJSON: rules that do not apply to an event must
	// cost little. With --all-indices, the rules of other data sources
	// (Windows event logs, cloud audit logs...) are left to the rule index
	// alone.
	for _, c := range []struct {
		name string
		all  bool
	}{{"collection", false}, {"collection-all-indices", true}} {
		b.Run(c.name, func(b *testing.B) {
			rs := collection(b)
			b.SetBytes(d.size)
			b.ReportAllocs()
			var events int64
			hits := 0
			cpu := cpuTime()
			for b.Loop() {
				res, err := Run(context.Background(), inputs(d.plain), Config{Rules: rs, AllIndices: c.all, NoHash: benchNoHash})
				if err != nil {
					b.Fatalf("Run: %v", err)
				}
				if res.Summary.Events != d.events {
					b.Fatalf("scanned %d events, generated %d", res.Summary.Events, d.events)
				}
				events += res.Summary.Events
				hits = res.Summary.Hits
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(hits), "hits")
			reportCPU(b, cpu)
		})
	}
}

// cpuTime is the CPU time the process has used, user and system, all
// threads: on a shared machine it varies less than the elapsed time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// benchFiles is the generated benchmark input.
type benchFiles struct {
	plain, zstd string
	size        int64 // bytes of NDJSON
	events      int64
	hits        map[string]int // expected hits by rule id
}

var (
	benchOnce sync.Once
	benchRes  benchFiles
	benchErr  error
)

// benchSize is how much NDJSON to generate: 100 MiB, or
// $DREDGE_BENCH_MB MiB (a few for a run under valgrind, whose counts of
// instructions do not depend on what else the machine runs).
var benchSize = func() int64 {
	if mb, err := strconv.Atoi(os.Getenv("DREDGE_BENCH_MB")); err == nil && mb > 0 {
		return int64(mb) << 20
	}
	return 100 << 20
}()

func benchData(b *testing.B) benchFiles {
	b.Helper()
	benchOnce.Do(func() {
		start := time.Now()
		benchRes, benchErr = writeBenchFiles(filepath.Join(os.TempDir(), fmt.Sprintf("dredge-bench-scan-%d", benchSize>>20)))
		if benchErr == nil {
			b.Logf("generated %d events, %d bytes, in %v: %s", benchRes.events, benchRes.size, time.Since(start).Round(time.Millisecond), benchRes.plain)
		}
	})
	if benchErr != nil {
		b.Fatalf("generating benchmark data: %v", benchErr)
	}
	return benchRes
}

// writeBenchFiles writes events.ndjson and events.ndjson.zst in dir, each
// under a temporary name renamed when complete.
func writeBenchFiles(dir string) (benchFiles, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return benchFiles{}, err
	}
	res := benchFiles{plain: filepath.Join(dir, "events.ndjson"), zstd: filepath.Join(dir, "events.ndjson.zst")}
	tmp, err := os.CreateTemp(dir, "events-*.tmp")
	if err != nil {
		return res, err
	}
	defer os.Remove(tmp.Name())
	zf, err := os.CreateTemp(dir, "events-*.zst.tmp")
	if err != nil {
		tmp.Close()
		return res, err
	}
	defer os.Remove(zf.Name())
	zw, err := zstd.NewWriter(zf)
	if err != nil {
		return res, err
	}
	w := bufio.NewWriterSize(io.MultiWriter(tmp, zw), 1<<20)
	g := newBenchGen()
	var line []byte
	for res.size < benchSize {
		line = g.event(line[:0])
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return res, err
		}
		res.size += int64(len(line))
		res.events++
	}
	res.hits = g.hits
	res.hits[ruleNewTerms] = len(g.terms)
	for _, err := range []error{w.Flush(), zw.Close(), tmp.Close(), zf.Close()} {
		if err != nil {
			return res, err
		}
	}
	if err := os.Rename(tmp.Name(), res.plain); err != nil {
		return res, err
	}
	return res, os.Rename(zf.Name(), res.zstd)
}

// benchHost is a host of the generated events, its ECS fields written once.
type benchHost struct {
	windows bool
	agent   string // agent id
	json    string // "host":{...}
	users   [][2]string
	progs   []benchProg
}

// benchProg is a program that runs on a host.
type benchProg struct {
	exe, name string
	args      []string
}

func newBenchHost(name, id, ip, mac, os string, windows bool, agent string) benchHost {
	h := benchHost{windows: windows, agent: agent}
	h.json = fmt.Sprintf(`"host":{"architecture":"x86_64","hostname":%q,"id":%q,"ip":[%q],"mac":[%q],"name":%q,"os":%s}`,
		name, id, ip, mac, name, os)
	if windows {
		h.users = [][2]string{{"S-1-5-18", "SYSTEM"}, {"S-1-5-21-1004336348-1177238915-682003330-1104", "svc_backup"}, {"S-1-5-21-1004336348-1177238915-682003330-1187", "j.moreau"}}
		h.progs = []benchProg{
			{`C:\Windows\System32\svchost.exe`, "svchost.exe", []string{`C:\Windows\System32\svchost.exe`, "-k", "netsvcs", "-p", "-s", "Schedule"}},
			{`C:\Windows\explorer.exe`, "explorer.exe", []string{`C:\Windows\explorer.exe`}},
			{`C:\Program Files\Google\Chrome\Application\chrome.exe`, "chrome.exe", []string{`C:\Program Files\Google\Chrome\Application\chrome.exe`, "--type=renderer", "--lang=en-US", "--renderer-client-id=7"}},
			{`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, "powershell.exe", []string{"powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", `C:\Scripts\inventory.ps1`}},
			{`C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24030.9-0\MsMpEng.exe`, "MsMpEng.exe", []string{"MsMpEng.exe"}},
			{`C:\Windows\System32\conhost.exe`, "conhost.exe", []string{`\??\C:\Windows\system32\conhost.exe`, "0xffffffff", "-ForceV1"}},
			{`C:\Windows\System32\lsass.exe`, "lsass.exe", []string{`C:\Windows\system32\lsass.exe`}},
			{`C:\Windows\WinSxS\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.17763.5568_none_5d2c8e0e1f0a7b3c\TiWorker.exe`, "TiWorker.exe", []string{"TiWorker.exe", "-Embedding"}},
		}
		return h
	}
	h.users = [][2]string{{"0", "root"}, {"33", "www-data"}, {"1000", "ubuntu"}, {"1001", "deploy"}}
	h.progs = []benchProg{
		{"/usr/sbin/nginx", "nginx", []string{"nginx", "-g", "daemon on; master_process on;"}},
		{"/usr/sbin/php-fpm8.1", "php-fpm8.1", []string{"php-fpm: pool www"}},
		{"/usr/bin/python3.10", "python3", []string{"/usr/bin/python3", "/usr/lib/ubuntu-release-upgrader/check-new-release", "-q"}},
		{"/usr/sbin/sshd", "sshd", []string{"sshd:", "ubuntu", "[priv]"}},
		{"/usr/sbin/cron", "cron", []string{"/usr/sbin/CRON", "-f", "-P"}},
		{"/usr/bin/bash", "bash", []string{"/bin/bash", "-c", "/usr/local/bin/backup.sh --incremental /srv/www"}},
		{"/usr/bin/curl", "curl", []string{"curl", "-fsS", "-m", "10", "--retry", "5", "https://hc-ping.example.com/5f2c9a1e-0b7d-4f38-9d6e-2a1c3b4d5e6f"}},
		{"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "java", []string{"/usr/lib/jvm/java-17-openjdk-amd64/bin/java", "-Xmx2g", "-jar", "/opt/app/shop.jar", "--spring.profiles.active=prod"}},
		{"/usr/bin/git", "git", []string{"git", "fetch", "--prune", "origin"}},
		{"/usr/bin/dockerd", "dockerd", []string{"/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"}},
	}
	return h
}

// benchGen generates events deterministically.
type benchGen struct {
	r     *rand.Rand
	t     time.Time
	seq   int64
	hosts []benchHost
	hits  map[string]int     // planted stateless hits by rule id
	terms map[[2]string]bool // planted new terms pairs
}

func newBenchGen() *benchGen {
	linuxOS := func(family, full, kernel, platform, version string) string {
		return fmt.Sprintf(`{"Ext":{"variant":%q},"family":%q,"full":%q,"kernel":%q,"name":"Linux","platform":%q,"type":"linux","version":%q}`,
			full, family, full, kernel, platform, version)
	}
	winOS := `{"Ext":{"variant":"Windows Server 2019 Datacenter"},"family":"windows","full":"Windows Server 2019 Datacenter 1809 (10.0.17763.5696)","kernel":"1809 (10.0.17763.5696)","name":"Windows","platform":"windows","type":"windows","version":"1809"}`
	ubuntu := linuxOS("ubuntu", "Ubuntu 22.04.4", "5.15.0-105-generic", "ubuntu", "22.04.4")
	suse := linuxOS("suse", "openSUSE Leap 15.5", "5.14.21-150500.55.52-default", "opensuse-leap", "15.5")
	return &benchGen{
		r: rand.New(rand.NewPCG(20240603, 1)),
		t: time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC),
		hosts: []benchHost{
			newBenchHost("web-prod-01", "8f3c2a9d41e64b7fa0d9c51e2b7a6f13", "10.20.1.15", "00-16-3E-4A-1B-2C", ubuntu, false, "d2b6f0a4-3c1e-4b8a-9f57-61e0c8a4b2d9"),
			newBenchHost("web-prod-02", "1c7e5b3a9d2f4e6a8b0c1d2e3f4a5b6c", "10.20.1.16", "00-16-3E-4A-1B-2D", ubuntu, false, "0e4f6a8b-1c2d-4e3f-8a9b-0c1d2e3f4a5b"),
			newBenchHost("ci-build-02", "27e9b1c04d5a4f3e8b6c0d9a1f2e3b4c", "10.20.3.12", "52-54-00-8E-71-D3", suse, false, "7a1c9e52-0b4d-4f26-8e3a-c5d1f7b90e48"),
			newBenchHost("win-fs01", "a4d8c2e6f0b14a3c9e7d5b1f3a2c4e6d", "10.20.5.21", "00-15-5D-01-0A-21", winOS, true, "3f9b2d7e-5a1c-4e8b-b6d0-2c4e6a8f0b1d"),
			newBenchHost("win-dc01", "b5e9d3f7a1c25b4d0f8e6c2a4b3d5f7e", "10.20.5.10", "00-15-5D-01-0A-10", winOS, true, "4a0c3e8f-6b2d-4f9c-a7e1-3d5f7b9a1c2e"),
		},
		hits:  map[string]int{},
		terms: map[[2]string]bool{},
	}
}

// pick returns a random element.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

const idChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// id appends n random base64 characters.
func (g *benchGen) id(b []byte, n int) []byte {
	for range n {
		b = append(b, idChars[g.r.IntN(len(idChars))])
	}
	return b
}

// event appends one event to b.
func (g *benchGen) event(b []byte) []byte {
	g.t = g.t.Add(time.Duration(g.r.IntN(150)) * time.Millisecond)
	g.seq++
	h := &g.hosts[g.r.IntN(len(g.hosts))]
	u := pick(g.r, h.users)
	p := pick(g.r, h.progs)
	if g.r.IntN(500) == 0 {
		return g.planted(b, h)
	}
	n := g.r.IntN(100)
	switch {
	case n < 35:
		action, typ := "exec", "start"
		if h.windows {
			action = "start"
		}
		if n%3 == 0 {
			action, typ = "end", "end"
		}
		return g.process(b, h, u, p, action, typ)
	case n < 70:
		return g.file(b, h, u, p, n)
	case n < 88 || !h.windows:
		return g.network(b, h, u, p)
	default:
		return g.registry(b, h, u, p)
	}
}

// head appends the start of an event: the fields every event has, up to and
// including "host":{...}.
func (g *benchGen) head(b []byte, h *benchHost, dataset, action, category, typ string) []byte {
	b = append(b, `{"@timestamp":"`...)
	b = g.t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","agent":{"id":"`...)
	b = append(b, h.agent...)
	b = append(b, `","type":"endpoint","version":"8.13.2"},"data_stream":{"dataset":"endpoint.events.`...)
	b = append(b, dataset...)
	b = append(b, `","namespace":"default","type":"logs"},"ecs":{"version":"8.10.0"},"elastic":{"agent":{"id":"`...)
	b = append(b, h.agent...)
	b = append(b, `"}},"event":{"action":"`...)
	b = append(b, action...)
	b = append(b, `","category":["`...)
	b = append(b, category...)
	b = append(b, `"],"created":"`...)
	b = g.t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","dataset":"endpoint.events.`...)
	b = append(b, dataset...)
	b = append(b, `","id":"`...)
	b = g.id(b, 24)
	b = append(b, `","ingested":"`...)
	b = g.t.Add(time.Duration(2000+g.r.IntN(3000))*time.Millisecond).AppendFormat(b, "2006-01-02T15:04:05Z")
	b = append(b, `","kind":"event","module":"endpoint","sequence":`...)
	b = strconv.AppendInt(b, 50000+g.seq, 10)
	b = append(b, `,"type":["`...)
	b = append(b, typ...)
	b = append(b, `"]},`...)
	b = append(b, h.json...)
	return b
}

// proc appends "process":{...} for program p.
func (g *benchGen) proc(b []byte, h *benchHost, p benchProg, full bool) []byte {
	b = append(b, `"process":{"Ext":{"ancestry":["`...)
	b = g.id(b, 64)
	b = append(b, `"]},`...)
	if full {
		b = append(b, `"args":`...)
		b = appendStrings(b, p.args)
		b = append(b, `,"args_count":`...)
		b = strconv.AppendInt(b, int64(len(p.args)), 10)
		b = append(b, `,"command_line":`...)
		b = appendString(b, joinArgs(p.args))
		b = append(b, ',')
	}
	b = append(b, `"entity_id":"`...)
	b = g.id(b, 64)
	b = append(b, `","executable":`...)
	b = appendString(b, p.exe)
	b = append(b, `,"name":`...)
	b = appendString(b, p.name)
	if full {
		parent := pick(g.r, h.progs)
		b = append(b, `,"parent":{"args":`...)
		b = appendStrings(b, parent.args)
		b = append(b, `,"entity_id":"`...)
		b = g.id(b, 64)
		b = append(b, `","executable":`...)
		b = appendString(b, parent.exe)
		b = append(b, `,"name":`...)
		b = appendString(b, parent.name)
		b = append(b, `,"pid":`...)
		b = strconv.AppendInt(b, int64(1+g.r.IntN(400000)), 10)
		b = append(b, '}')
	}
	b = append(b, `,"pid":`...)
	b = strconv.AppendInt(b, int64(1+g.r.IntN(400000)), 10)
	return append(b, '}')
}

func (g *benchGen) user(b []byte, h *benchHost, u [2]string) []byte {
	b = append(b, `,"user":{`...)
	if h.windows {
		b = append(b, `"domain":"CORP",`...)
	}
	b = append(b, `"id":"`...)
	b = append(b, u[0]...)
	b = append(b, `","name":"`...)
	b = append(b, u[1]...)
	return append(b, `"}}`...)
}

func (g *benchGen) process(b []byte, h *benchHost, u [2]string, p benchProg, action, typ string) []byte {
	b = g.head(b, h, "process", action, "process", typ)
	b = append(b, `,"message":"Endpoint process event",`...)
	b = g.proc(b, h, p, true)
	return g.user(b, h, u)
}

var (
	linuxFiles = []string{"/var/log/nginx/access.log", "/var/log/nginx/error.log", "/tmp/php8Yq2Lm.tmp", "/home/ubuntu/.cache/pip/http/a/b/c4f2.body",
		"/var/lib/docker/overlay2/9b1f3c/diff/app/static/main.js", "/etc/nginx/conf.d/shop.conf", "/srv/www/shop/var/cache/prod/pools.php",
		"/run/nginx.pid", "/var/lib/apt/lists/partial/archive.ubuntu.com_ubuntu_dists_jammy-updates_InRelease", "/opt/app/logs/shop.2024-06-03.log"}
	windowsFiles = []string{`C:\Windows\Temp\MpCmdRun.log`, `C:\Users\j.moreau\AppData\Local\Google\Chrome\User Data\Default\Cache\Cache_Data\f_00a1b2`,
		`C:\Windows\ServiceProfiles\LocalService\AppData\Local\Temp\tw-1a2b-3c4d.tmp`, `C:\Windows\SoftwareDistribution\Download\9f8e7d\windows10.0-kb5036896-x64.cab`,
		`C:\ProgramData\Microsoft\Windows Defender\Definition Updates\{6C1B2F9E-4D3A-4E8B-9C7F-2A1D0E5B6C48}\mpengine.dll`,
		`C:\Shares\Finance\2024\Q2\forecast.xlsx`, `C:\Windows\Temp\lsass_trace.txt`, `C:\Windows\System32\winevt\Logs\Security.evtx`}
)

func (g *benchGen) file(b []byte, h *benchHost, u [2]string, p benchProg, n int) []byte {
	action, typ := "creation", "creation"
	switch n % 3 {
	case 1:
		action, typ = "modification", "change"
	case 2:
		action, typ = "deletion", "deletion"
	}
	path := pick(g.r, linuxFiles)
	if h.windows {
		path = pick(g.r, windowsFiles)
	}
	if path == "/run/nginx.pid" {
		p = h.progs[0] // nginx writes its own PID file: not a hit
	}
	if h.windows {
		if path == `C:\Windows\Temp\lsass_trace.txt` {
			p = h.progs[6] // lsass.exe writes a text file: not a hit
		} else if p.name == "lsass.exe" {
			p = h.progs[0] // only planted events are hits
		}
	}
	b = g.head(b, h, "file", action, "file", typ)
	b = append(b, `,"file":{"extension":`...)
	b = appendString(b, extension(path))
	b = append(b, `,"name":`...)
	b = appendString(b, base(path))
	b = append(b, `,"path":`...)
	b = appendString(b, path)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, int64(g.r.IntN(1<<20)), 10)
	b = append(b, `},"message":"Endpoint file event",`...)
	b = g.proc(b, h, p, false)
	return g.user(b, h, u)
}

func (g *benchGen) network(b []byte, h *benchHost, u [2]string, p benchProg) []byte {
	action, dir := "connection_attempted", "egress"
	if g.r.IntN(2) == 0 {
		action, dir = "connection_accepted", "ingress"
	}
	b = g.head(b, h, "network", action, "network", "start")
	b = fmt.Appendf(b, `,"destination":{"address":"203.0.113.%d","ip":"203.0.113.%d","port":443},"message":"Endpoint network event","network":{"direction":%q,"transport":"tcp","type":"ipv4"},`,
		g.r.IntN(250), g.r.IntN(250), dir)
	b = g.proc(b, h, p, false)
	b = fmt.Appendf(b, `,"source":{"address":"10.20.1.%d","ip":"10.20.1.%d","port":%d}`, g.r.IntN(250), g.r.IntN(250), 32768+g.r.IntN(28000))
	return g.user(b, h, u)
}

var runKeys = []string{"OneDrive", "SecurityHealth", "VMware User Process", "GoogleUpdateTaskMachineQC", "BackupAgent"}

func (g *benchGen) registry(b []byte, h *benchHost, u [2]string, p benchProg) []byte {
	b = g.head(b, h, "registry", "modification", "registry", "change")
	b = append(b, `,"message":"Endpoint registry event",`...)
	b = g.proc(b, h, p, false)
	v := pick(g.r, runKeys)
	b = append(b, `,"registry":{"data":{"strings":[`...)
	b = appendString(b, `"C:\Program Files\`+v+`\`+v+`.exe" /background`)
	b = append(b, `],"type":"REG_SZ"},"hive":"HKLM","key":"SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run","path":`...)
	b = appendString(b, `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\`+v)
	b = append(b, `,"value":`...)
	b = appendString(b, v)
	b = append(b, '}')
	return g.user(b, h, u)
}

// pidNames are the PID and lock files that planted new terms hits write.
var pidNames = []string{"haldrund.pid", "kdevrund.pid", "initd.lock", "syslogd.reboot", "xinetd.lock", "udevd.lock", "sshdbk.pid", "crond.lock"}

// planted appends an event that a built-in rule reports.
func (g *benchGen) planted(b []byte, h *benchHost) []byte {
	root := [2]string{"0", "root"}
	if h.windows {
		// lsass.exe drops a DLL.
		g.hits[ruleCritical]++
		b = g.head(b, h, "file", "creation", "file", "creation")
		name := fmt.Sprintf("msv1_%d.dll", g.r.IntN(10))
		b = append(b, `,"file":{"extension":"dll","name":`...)
		b = appendString(b, name)
		b = append(b, `,"path":`...)
		b = appendString(b, `C:\Windows\Temp\`+name)
		b = append(b, `},"message":"Endpoint file event",`...)
		b = g.proc(b, h, h.progs[6], false)
		return g.user(b, h, [2]string{"S-1-5-18", "SYSTEM"})
	}
	switch g.r.IntN(4) {
	case 0: // an init script is written
		g.hits[ruleInitD]++
		name := fmt.Sprintf("svc%d", g.r.IntN(100))
		b = g.head(b, h, "file", "creation", "file", "creation")
		b = fmt.Appendf(b, `,"file":{"extension":"","name":%q,"path":"/etc/init.d/%s"},"message":"Endpoint file event",`, name, name)
		b = g.proc(b, h, benchProg{"/usr/bin/bash", "bash", []string{"-bash"}}, false)
		return g.user(b, h, root)
	case 1: // setcap
		g.hits[ruleSetcap]++
		b = g.head(b, h, "process", "exec", "process", "start")
		b = append(b, `,"message":"Endpoint process event",`...)
		b = g.proc(b, h, benchProg{"/usr/sbin/setcap", "setcap", []string{"setcap", "cap_setuid+ep", "/var/tmp/.font-unix/pyth"}}, true)
		return g.user(b, h, root)
	case 2: // a PID file run as root
		g.hits[rulePIDExec]++
		name := pick(g.r, pidNames)
		b = g.head(b, h, "process", "exec", "process", "start")
		b = append(b, `,"message":"Endpoint process event",`...)
		b = g.proc(b, h, benchProg{"/var/run/" + name, name, []string{"/var/run/" + name}}, true)
		return g.user(b, h, root)
	default: // a shell writes a PID file
		pname := pick(g.r, []string{"bash", "cp", "touch"})
		fname := pick(g.r, pidNames)
		g.terms[[2]string{pname, fname}] = true
		b = g.head(b, h, "file", "creation", "file", "creation")
		b = fmt.Appendf(b, `,"file":{"extension":%q,"name":%q,"path":"/var/run/%s"},"message":"Endpoint file event",`, extension(fname), fname, fname)
		b = g.proc(b, h, benchProg{"/usr/bin/" + pname, pname, nil}, false)
		return g.user(b, h, root)
	}
}

func joinArgs(args []string) string {
	s := ""
	for i, a := range args {
		if i > 0 {
			s += " "
		}
		s += a
	}
	return s
}

func base(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' || path[i] == '\\' {
			return path[i+1:]
		}
	}
	return path
}

func extension(path string) string {
	name := base(path)
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[i+1:]
		}
	}
	return ""
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = fmt.Appendf(b, `\u%04x`, c)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}
