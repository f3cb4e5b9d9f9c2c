package scan

import (
	"bufio"
	"container/heap"
	"context"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"dredge/rules"
)

// BenchmarkSequence scans 1.2 million generated Elastic Defend events of
// Linux hosts (process starts and ends, file and network events, about 700
// bytes each) with the sequence rule of testdata/rules: a program started
// from a temporary folder that connects out within a minute, by host.id and
// process.entity_id. Its network step matches about one event in six, so
// the ordered stage has that many candidates to sort and match. It reports
// bytes per second of NDJSON, events per second, the peak of the Go heap
// during the scans (sampled every 5 ms; it counts garbage not yet
// collected), which is what the candidate records cost on top of the scan,
// and on Linux the peak resident size of the process.
//
// The data is generated once per test binary under os.TempDir().
func BenchmarkSequence(b *testing.B) {
	d := seqBenchData(b)
	rs := []*rules.Rule{netconRule(b)}
	b.SetBytes(d.size)
	b.ReportAllocs()
	peak := watchHeap()
	var events int64
	for b.Loop() {
		res, err := Run(context.Background(), inputs(d.path), Config{Rules: rs})
		if err != nil {
			b.Fatalf("Run: %v", err)
		}
		if res.Summary.Events != d.events || len(res.Hits) != d.hits {
			b.Fatalf("scanned %d events with %d hits; generated %d events with %d hits", res.Summary.Events, len(res.Hits), d.events, d.hits)
		}
		events += res.Summary.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
	if kb := peakRSS(); kb > 0 {
		b.ReportMetric(float64(kb)/1024, "peak-rss-MB")
	}
}

// peakRSS returns the process's peak resident size in KiB (VmHWM), or 0
// where /proc does not tell it.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// watchHeap samples the bytes of the Go heap's objects until the returned
// function is called, which returns the highest sample.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

type seqBenchFiles struct {
	path   string
	size   int64
	events int64
	hits   int
}

var (
	seqBenchOnce sync.Once
	seqBenchRes  seqBenchFiles
	seqBenchErr  error
)

// seqBenchEvents is how many events to generate.
const seqBenchEvents = 1_200_000

func seqBenchData(b *testing.B) seqBenchFiles {
	b.Helper()
	seqBenchOnce.Do(func() {
		start := time.Now()
		seqBenchRes, seqBenchErr = writeSeqBench(filepath.Join(os.TempDir(), "dredge-bench-sequence"))
		if seqBenchErr == nil {
			b.Logf("generated %d events, %d bytes, %d planted sequences, in %v: %s", seqBenchRes.events, seqBenchRes.size,
				seqBenchRes.hits, time.Since(start).Round(time.Millisecond), seqBenchRes.path)
		}
	})
	if seqBenchErr != nil {
		b.Fatalf("generating benchmark data: %v", seqBenchErr)
	}
	return seqBenchRes
}

// seqProc is a running process of the generated hosts.
type seqProc struct {
	id        []byte // entity_id
	exe, name string
	args      []string
	pid       int
	user      [2]string
	start     time.Time
	connected bool
}

// seqConn is a connection a process will make later.
type seqConn struct {
	at   time.Time
	host int
	p    *seqProc
}

type connQueue []seqConn

func (q connQueue) Len() int           { return len(q) }
func (q connQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q connQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *connQueue) Push(x any)        { *q = append(*q, x.(seqConn)) }
func (q *connQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

// Programs run from a temporary folder; a few of them connect out.
var tempProgs = []benchProg{
	{"/tmp/.X11-unix/.xd", ".xd", []string{"/tmp/.X11-unix/.xd", "-d"}},
	{"/dev/shm/kworkerd", "kworkerd", []string{"/dev/shm/kworkerd"}},
	{"/var/tmp/build-3f1a/protoc-fetch", "protoc-fetch", []string{"/var/tmp/build-3f1a/protoc-fetch", "--release", "26.1"}},
	{"/tmp/elastic-agent-8.13.2-linux-x86_64/elastic-agent", "elastic-agent", []string{"/tmp/elastic-agent-8.13.2-linux-x86_64/elastic-agent", "install"}},
}

// writeSeqBench writes the events to dir/events.ndjson (under a temporary
// name renamed when complete) and counts the sequences the rule must find:
// a program from a temporary folder whose first connection attempt comes
// within a minute of its start. Only these programs' connections are
// planned; other connections come from programs in ordinary places.
func writeSeqBench(dir string) (seqBenchFiles, error) {
	res := seqBenchFiles{path: filepath.Join(dir, "events.ndjson")}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	tmp, err := os.CreateTemp(dir, "events-*.tmp")
	if err != nil {
		return res, err
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriterSize(tmp, 1<<20)
	g := newBenchGen()
	var hosts []*benchHost
	for i := range g.hosts {
		if !g.hosts[i].windows {
			hosts = append(hosts, &g.hosts[i])
		}
	}
	live := make([][]*seqProc, len(hosts))
	var planned connQueue
	var line []byte
	newProc := func(h *benchHost, p benchProg) *seqProc {
		return &seqProc{id: g.id(nil, 64), exe: p.exe, name: p.name, args: p.args, pid: 1 + g.r.IntN(400000), user: pick(g.r, h.users), start: g.t}
	}
	for res.events < seqBenchEvents {
		g.t = g.t.Add(time.Duration(g.r.IntN(50)) * time.Millisecond)
		g.seq++
		line = line[:0]
		if len(planned) > 0 && !planned[0].at.After(g.t) {
			c := heap.Pop(&planned).(seqConn)
			if !c.p.connected && g.t.Sub(c.p.start) <= time.Minute {
				res.hits++
			}
			c.p.connected = true
			line = seqNetwork(g, line, hosts[c.host], c.p, "connection_attempted")
		} else {
			hi := g.r.IntN(len(hosts))
			h := hosts[hi]
			n := g.r.IntN(100)
			switch {
			case n < 25 || len(live[hi]) == 0:
				p := newProc(h, pick(g.r, h.progs))
				if g.r.IntN(40) == 0 {
					p = newProc(h, pick(g.r, tempProgs))
					if g.r.IntN(2) == 0 {
						// Connects one to three times, the first within
						// 0 to 90 seconds.
						at := g.t
						for range 1 + g.r.IntN(3) {
							at = at.Add(time.Duration(g.r.IntN(90_000)) * time.Millisecond)
							heap.Push(&planned, seqConn{at, hi, p})
						}
					}
				} else {
					live[hi] = append(live[hi], p)
					if len(live[hi]) > 500 {
						live[hi] = live[hi][1:]
					}
				}
				line = seqProcess(g, line, h, p, "exec", "start")
			case n < 35:
				i := g.r.IntN(len(live[hi]))
				line = seqProcess(g, line, h, live[hi][i], "end", "end")
				live[hi] = append(live[hi][:i], live[hi][i+1:]...)
			case n < 70:
				line = seqFile(g, line, h, pick(g.r, live[hi]))
			default:
				action := "connection_attempted"
				if g.r.IntN(3) == 0 {
					action = "connection_accepted"
				}
				line = seqNetwork(g, line, h, pick(g.r, live[hi]), action)
			}
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return res, err
		}
		res.size += int64(len(line))
		res.events++
	}
	if err := w.Flush(); err != nil {
		return res, err
	}
	if err := tmp.Close(); err != nil {
		return res, err
	}
	return res, os.Rename(tmp.Name(), res.path)
}

func seqProcFields(b []byte, p *seqProc, full bool) []byte {
	b = append(b, `"process":{`...)
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
	b = append(b, p.id...)
	b = append(b, `","executable":`...)
	b = appendString(b, p.exe)
	b = append(b, `,"name":`...)
	b = appendString(b, p.name)
	b = append(b, `,"pid":`...)
	b = strconv.AppendInt(b, int64(p.pid), 10)
	return append(b, '}')
}

func seqUser(b []byte, u [2]string) []byte {
	b = append(b, `,"user":{"id":"`...)
	b = append(b, u[0]...)
	b = append(b, `","name":"`...)
	b = append(b, u[1]...)
	return append(b, `"}}`...)
}

func seqProcess(g *benchGen, b []byte, h *benchHost, p *seqProc, action, typ string) []byte {
	b = g.head(b, h, "process", action, "process", typ)
	b = append(b, `,"message":"Endpoint process event",`...)
	b = seqProcFields(b, p, true)
	return seqUser(b, p.user)
}

func seqFile(g *benchGen, b []byte, h *benchHost, p *seqProc) []byte {
	path := pick(g.r, linuxFiles)
	b = g.head(b, h, "file", "modification", "file", "change")
	b = append(b, `,"file":{"name":`...)
	b = appendString(b, base(path))
	b = append(b, `,"path":`...)
	b = appendString(b, path)
	b = append(b, `},"message":"Endpoint file event",`...)
	b = seqProcFields(b, p, false)
	return seqUser(b, p.user)
}

func seqNetwork(g *benchGen, b []byte, h *benchHost, p *seqProc, action string) []byte {
	b = g.head(b, h, "network", action, "network", "start")
	b = append(b, `,"destination":{"ip":"203.0.113.`...)
	b = strconv.AppendInt(b, int64(g.r.IntN(250)), 10)
	b = append(b, `","port":443},"message":"Endpoint network event","network":{"transport":"tcp","type":"ipv4"},`...)
	b = seqProcFields(b, p, false)
	return seqUser(b, p.user)
}
