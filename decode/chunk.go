package decode

import (
	"bufio"
	"io"
	"runtime"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Chunk formats: the container the events of a chunk came from.
const (
	FormatNDJSON    = "ndjson"          // one event per line, as in the input
	FormatArray     = "json-array"      // elements of a top-level array or of an {"events": [...]} wrapper
	FormatSearch    = "search-response" // hits.hits elements of an Elasticsearch _search response
	FormatDocuments = "json-documents"  // whole documents of a stream of (pretty-printed) JSON values
)

// Chunk is a run of whole events from one input, in input order.
type Chunk struct {
	Seq       int    // 0, 1, 2 ... within the input
	Data      []byte // events separated by '\n'; may hold blank lines and trailing '\r'
	FirstLine int    // line number of Data's first line (NDJSON), when Lines is nil
	// Lines, when not nil: Lines[k] is the source line where the k-th line of
	// Data starts. Containers (arrays, search responses, pretty-printed
	// documents) re-emit each event compacted on its own line.
	Lines  []int
	Format string // one of the Format constants

	buf   []byte // the whole buffer Data lies in
	lines []int  // Lines' storage, kept for reuse
	keep  int    // largest buffer worth recycling
	pool  *Pool
}

// Release returns the chunk's buffer for reuse; Data and Lines must not be
// used after, and Release must be called at most once. It may be called from
// any goroutine.
func (c *Chunk) Release() {
	p := c.pool
	if p == nil {
		return
	}
	c.pool = nil
	c.Data, c.Lines, c.Format = nil, nil, ""
	if cap(c.buf) > c.keep {
		c.buf = nil // grown for a long event; do not keep it
	}
	p.p.Put(c)
}

// Pool recycles chunks and their buffers, and the readers' decompressors.
// Readers that share one (through Options.Pool) reuse each other's, which
// matters when a scan reads many small files. A Pool is safe for concurrent
// use; the zero value is ready.
type Pool struct {
	p    sync.Pool // *Chunk
	raw  sync.Pool // *bufio.Reader
	gzip sync.Pool // *gzip.Reader
	zstd sync.Pool // *zstd.Decoder, synchronous (no goroutines to leak if dropped)
	all  sync.Pool // *zstd.Decoder for whole frames, one block decoder per core (no goroutines either)
	unit sync.Pool // *unit, with its buffers
}

// get returns a chunk whose buf has length size.
func (p *Pool) get(size int) *Chunk {
	c, _ := p.p.Get().(*Chunk)
	if c == nil {
		c = new(Chunk)
	}
	if cap(c.buf) < size {
		c.buf = make([]byte, size)
	}
	c.buf = c.buf[:size]
	c.keep = max(2*size, cap(c.buf))
	c.pool = p
	return c
}

// bufio returns a reader of rd with a buffer of at least size bytes.
func (p *Pool) bufio(rd io.Reader, size int) *bufio.Reader {
	if b, _ := p.raw.Get().(*bufio.Reader); b != nil && b.Size() >= size {
		b.Reset(rd)
		return b
	}
	return bufio.NewReaderSize(rd, size)
}

func (p *Pool) gzipReader(rd io.Reader) (*gzip.Reader, error) {
	if z, _ := p.gzip.Get().(*gzip.Reader); z != nil {
		return z, z.Reset(rd)
	}
	return gzip.NewReader(rd)
}

func (p *Pool) zstdReader(rd io.Reader) (*zstd.Decoder, error) {
	if z, _ := p.zstd.Get().(*zstd.Decoder); z != nil {
		return z, z.Reset(rd)
	}
	// One decoding goroutine, the caller's: it already runs a reader per
	// input beside a worker per core, and the asynchronous decoder measured
	// slower here. The window is limited as the zstd command limits it by
	// default: a frame may declare a window (a single-segment frame: its
	// whole size) that the decoder would allocate at once.
	return zstd.NewReader(rd, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(zstdMaxWindow))
}

// zstdAll returns a decoder of whole zstd frames (DecodeAll), for as many
// goroutines at once as there are cores.
func (p *Pool) zstdAll() *zstd.Decoder {
	if z, _ := p.all.Get().(*zstd.Decoder); z != nil {
		return z
	}
	z, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(runtime.GOMAXPROCS(0)), zstd.WithDecoderMaxWindow(zstdMaxWindow))
	if err != nil {
		panic("decode: zstd options: " + err.Error()) // they are constant
	}
	return z
}

// unitOf returns an empty unit, with the buffers of one used before.
func (p *Pool) unitOf() *unit {
	if u, _ := p.unit.Get().(*unit); u != nil {
		return u
	}
	return &unit{done: make(chan struct{}, 1)}
}

// putUnit recycles a unit that is decoded.
func (p *Pool) putUnit(u *unit) {
	u.comp, u.out, u.bound, u.err = u.comp[:0], u.out[:0], 0, nil
	u.br.Reset(nil)
	u.gen++
	u.state.Store(u.gen << 1)
	p.unit.Put(u)
}

// zstdMaxWindow is the largest zstd window decoded, that of zstd -d without
// --long or --memory.
const zstdMaxWindow = 128 << 20
