package decode

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"
)

var (
	benchOnce                  sync.Once
	benchPlain, benchZ, benchG []byte
)

// benchData is ~50 MB of ~1 KB ECS process events, and its zstd and gzip
// forms (default levels).
func benchData(b *testing.B) (plain, z, g []byte) {
	benchOnce.Do(func() {
		benchPlain = benchEvents(50 << 20)
		w, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
		benchZ = w.EncodeAll(benchPlain, nil)
		benchG = gz(b, benchPlain)
	})
	return benchPlain, benchZ, benchG
}

// benchEvents is size bytes or a little more of ~1 KB ECS process events.
func benchEvents(size int) []byte {
	var buf bytes.Buffer
	hosts := []string{"WS-0142", "SRV-DC01", "LAPTOP-7F3K2", "ws-finance-03"}
	procs := []string{"powershell.exe", "cmd.exe", "rundll32.exe", "svchost.exe", "chrome.exe", "winword.exe"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; buf.Len() < size; i++ {
		h, p := hosts[rng.IntN(len(hosts))], procs[rng.IntN(len(procs))]
		fmt.Fprintf(&buf, `{"@timestamp":"2024-05-01T10:%02d:%02d.%03dZ","agent":{"id":"8a4f5c2e-%04x-4d6b-9c1e-2f7a3b8d9e01","type":"endpoint","version":"8.13.2"},`+
			`"ecs":{"version":"8.10.0"},`+
			`"event":{"action":"start","category":["process"],"dataset":"endpoint.events.process","id":"NqX%08d","kind":"event","module":"endpoint","sequence":%d,"type":["start"]},`+
			`"host":{"architecture":"x86_64","hostname":"%s","id":"c0f2a3b4-%04x","name":"%s","os":{"family":"windows","name":"Windows","platform":"windows","type":"windows","version":"22H2"}},`+
			`"process":{"args":["C:\\Windows\\System32\\%s","-NoProfile","-EncodedCommand","SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIAAkAHgA%x"],"command_line":"\"C:\\Windows\\System32\\%s\" -NoProfile -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIAAkAHgA%d",`+
			`"entity_id":"MzQ1Ni0xMjM0LTE3MTQ1NjA0%06d","executable":"C:\\Windows\\System32\\%s","hash":{"sha256":"%016x%016x%016x%016x"},"name":"%s","parent":{"executable":"C:\\Windows\\explorer.exe","name":"explorer.exe","pid":%d},"pid":%d},`+
			`"user":{"domain":"CORP","id":"S-1-5-21-1004336348-1177238915-682003330-%d","name":"user%d"}}`+"\n",
			i/60%60, i%60, i%1000, i&0xffff, i, i, h, i&0xffff, h,
			p, rng.Uint64(), p, i, i, p, rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64(), p, 1000+i%5000, 2000+i%30000, 1000+i%50, i%50)
	}
	return buf.Bytes()
}

// framesOf caches BenchmarkFrames' inputs, made on first use.
var framesOf = map[string][]byte{}

// BenchmarkFrames reads ~64 MiB of NDJSON compressed in one zstd frame, in
// zstd frames of 1 MiB (a frame per block of events), in frames of 8 MiB
// each after a skippable frame (as pzstd writes them), in one gzip member,
// and in BGZF members (as bgzip writes them); bytes are of text. Only the
// multi-frame and BGZF inputs are decoded in parallel: compare GOMAXPROCS=1
// and 2.
func BenchmarkFrames(b *testing.B) {
	if framesOf["plain"] == nil {
		framesOf["plain"] = benchEvents(64 << 20)
	}
	text := framesOf["plain"]
	compress := map[string]func() []byte{
		"zstd":        func() []byte { return zst(b, text) },
		"zstd-frames": func() []byte { return zstFrames(b, text, 1<<20, false) },
		"zstd-pzstd":  func() []byte { return zstFrames(b, text, 8<<20, true) },
		"gzip":        func() []byte { return gz(b, text) },
		"bgzf":        func() []byte { return bgzfOf(b, text, 65280) },
	}
	pool := new(Pool)
	for _, name := range []string{"zstd", "zstd-frames", "zstd-pzstd", "gzip", "bgzf"} {
		b.Run(name, func(b *testing.B) {
			if framesOf[name] == nil {
				framesOf[name] = compress[name]()
			}
			data := framesOf[name]
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			for b.Loop() {
				r := NewReader("bench", bytes.NewReader(data), Options{Pool: pool})
				for {
					c, err := r.Next()
					if err == io.EOF {
						break
					}
					c.Release()
				}
				r.Close()
			}
			b.ReportMetric(float64(len(data))/float64(len(text)), "ratio")
		})
	}
}

// BenchmarkNDJSON reads ~50 MB of NDJSON, plain, zstd and gzip; bytes are
// of text (MB/s of uncompressed events). Readers share a Pool, as in a scan.
func BenchmarkNDJSON(b *testing.B) {
	plain, z, g := benchData(b)
	pool := new(Pool)
	events := bytes.Count(plain, newline)
	for _, bc := range []struct {
		name string
		data []byte
	}{{"plain", plain}, {"zstd", z}, {"gzip", g}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(plain)))
			b.ReportAllocs()
			for b.Loop() {
				r := NewReader("bench", bytes.NewReader(bc.data), Options{Pool: pool})
				for {
					c, err := r.Next()
					if err == io.EOF {
						break
					}
					c.Release()
				}
				r.Close()
			}
			b.ReportMetric(float64(len(plain))/float64(events), "B/event")
			b.ReportMetric(float64(len(bc.data))/float64(len(plain)), "ratio")
		})
	}
}

// BenchmarkArray reads the same events as a JSON array, one per line: the
// container path, which validates and compacts every byte.
func BenchmarkArray(b *testing.B) {
	plain, _, _ := benchData(b)
	array := append(append([]byte("[\n"), bytes.ReplaceAll(bytes.TrimSuffix(plain, newline), newline, []byte(",\n"))...), "\n]\n"...)
	pool := new(Pool)
	b.SetBytes(int64(len(array)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader("bench", bytes.NewReader(array), Options{Pool: pool})
		for {
			c, err := r.Next()
			if err == io.EOF {
				break
			}
			if c.Format != FormatArray {
				b.Fatal(c.Format)
			}
			c.Release()
		}
		r.Close()
	}
}
