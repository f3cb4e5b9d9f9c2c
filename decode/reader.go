// Package decode turns input paths into chunks of whole events for the scan
// workers.
//
// It finds the inputs (files, folders walked in lexical order, standard
// input), detects compression by magic bytes (gzip, zstd, else plain) and
// inflates with klauspost/compress, then frames the text. A zstd input of
// many frames, and a gzip input of BGZF members, is decoded on every core,
// a few frames at a time (parallel.go). NDJSON, the common case, is cut
// into recycled, newline-aligned chunks without copying or parsing lines.
// Containers — a top-level JSON array, an Elasticsearch _search response,
// an {"events": [...]} or {"expected": [...]} wrapper, one or more
// pretty-printed documents — are streamed and each event is
// re-emitted compacted on its own line, with the line where it starts.
//
// Damage (a truncated or corrupt stream, a line over the size limit, a syntax
// error in a container) is reported as a Problem with its place; whatever was
// read well before it is still delivered. Files that hold no events are
// reported too: empty ones, and binaries, archives and the like, known by
// their first bytes and skipped at once; and so is a regular file whose size
// changes while it is read. Memory stays bounded whatever the input: a line or a
// container event over the size limit is passed over without being held
// whole, and an event nested too deep is passed over without recursion.
// Parsing events, and reporting NDJSON lines that are not JSON, is left to
// the scan workers.
package decode

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Defaults for Options.
const (
	DefaultChunkSize = 1 << 20
	DefaultMaxLine   = 16 << 20
)

// StdinName names standard input in problems.
const StdinName = "<stdin>"

// Options tune a Reader. The zero value gives the defaults.
type Options struct {
	ChunkSize int           // target chunk size, default 1 MiB
	MaxLine   int           // longest event accepted, default 16 MiB
	Problem   func(Problem) // called for each problem, from the goroutine calling Next
	Progress  func(n int)   // bytes read from the underlying file (compressed bytes), as reading goes
	Pool      *Pool         // chunk buffers shared with other readers; nil: the reader keeps its own
	// SHA256 hashes the input's bytes as they are read, for the chain of
	// custody (Reader.SHA256).
	SHA256 bool
}

// Reader reads one input and hands out its events in chunks. It is used by
// one goroutine; the chunks it returns may be passed to others.
type Reader struct {
	name string
	opts Options
	size int // chunk buffer size: ChunkSize, but no more than MaxLine+1
	pool *Pool

	file io.Closer     // the file Open opened, closed by Close
	want int64         // size of the regular file when opened; -1: unknown
	cnt  countReader   // the underlying bytes
	raw  *bufio.Reader // cnt, buffered for sniffing and for flate
	comp string
	gz   *gzip.Reader
	zd   *zstd.Decoder
	par  *parallel // a multi-frame zstd or BGZF gzip input, decoded frame-parallel
	text io.Reader // decompressed text

	short bool // par's decoding stopped before the end of the input (kept when par is closed)

	started bool
	done    bool
	seq     int
	line    int  // line number of the next unconsumed text byte (NDJSON)
	got     bool // some text was decompressed

	// NDJSON: r.cur.buf[:r.n] holds text not handed out yet, starting at a line start.
	cur  *Chunk
	n    int
	eof  bool  // text exhausted
	rerr error // damage that ended the text early
	skip int   // > 0: length so far of an over-long line being passed over

	doc *docReader // containers; nil for NDJSON
}

// countReader reports bytes read to Options.Progress, counts them, hashes
// them when asked (Options.SHA256), and remembers the underlying reader's
// own error, telling it from decompression damage, and whether it reached
// its end.
type countReader struct {
	r        io.Reader
	progress func(int)
	hash     hash.Hash // nil when not hashing
	n        int64
	err      error
	eof      bool
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n > 0 && c.progress != nil {
		c.progress(n)
	}
	if n > 0 && c.hash != nil {
		c.hash.Write(p[:n]) // never fails
	}
	switch {
	case err == io.EOF:
		c.eof = true
	case err != nil:
		c.err = err
	}
	return n, err
}

// Open opens an input (a file, or standard input for "-"). Compression is
// sniffed on the first Next. The error is a Problem of kind "open"; a device
// or a socket is refused rather than read. A FIFO is read like standard
// input: Open waits for a writer to open it.
func Open(in Input, opts Options) (*Reader, error) {
	if in.Path == "-" {
		if in.Stdin != nil {
			return NewReader(StdinName, in.Stdin, opts), nil
		}
		return NewReader(StdinName, os.Stdin, opts), nil
	}
	if fi, err := os.Stat(in.Path); err == nil && notFile(fi.Mode()) != "" {
		return nil, Problem{File: in.Path, Kind: KindOpen, Reason: notFile(fi.Mode())}
	}
	f, err := os.Open(in.Path)
	if err != nil {
		return nil, openProblem(in.Path, err)
	}
	r := NewReader(in.Path, f, opts)
	r.file = f
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		r.want = fi.Size()
	}
	return r, nil
}

// NewReader reads from rd; name is used in problems.
func NewReader(name string, rd io.Reader, opts Options) *Reader {
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.MaxLine <= 0 {
		opts.MaxLine = DefaultMaxLine
	}
	r := &Reader{name: name, opts: opts, pool: opts.Pool, want: -1}
	if r.pool == nil {
		r.pool = new(Pool)
	}
	// A buffer never holds more than MaxLine+1 bytes, so that a line found
	// whole in one is never over the limit: only lines that fill a buffer
	// need measuring.
	r.size = min(opts.ChunkSize, opts.MaxLine+1)
	r.cnt = countReader{r: rd, progress: opts.Progress}
	if opts.SHA256 {
		r.cnt.hash = sha256.New()
	}
	return r
}

// Compression is "plain", "gzip" or "zstd"; valid after the first Next.
func (r *Reader) Compression() string { return r.comp }

// SHA256 returns the SHA-256 of the input's bytes as they were read (the
// compressed bytes, as the file holds them; standard input's bytes as they
// came), in lower-case hex, as sha256sum prints it, when Options.SHA256
// asked for it and the input was read to its end. It is "" otherwise: when
// the reading stopped before the end, as it does for a read error, damage
// that stops the decompression before the end of the file, a file that is
// not a log (known by its first bytes), or a Close before io.EOF. A
// truncated compressed file is read to its end, and hashed. A file that
// changed while it was read (a problem of kind "read") gets the hash of
// the bytes read, which the events come from.
func (r *Reader) SHA256() string {
	c := &r.cnt
	// Decoding in parallel reads ahead, maybe to the end of the file, of
	// damage that stops the decompression; such a file is not hashed,
	// as it was not when it was decoded serially.
	short := r.short || r.par != nil && !r.par.reachedEnd()
	if c.hash == nil || !c.eof || c.err != nil || short {
		return ""
	}
	return hex.EncodeToString(c.hash.Sum(nil))
}

// Close releases the decompressor and closes the file Open opened.
func (r *Reader) Close() error {
	r.started = true
	r.finish()
	if r.par != nil {
		r.short = !r.par.reachedEnd()
		r.par.close()
		r.par = nil
	}
	if r.zd != nil {
		r.zd.Reset(nil)
		r.pool.zstd.Put(r.zd)
		r.zd = nil
	}
	if r.gz != nil {
		r.gz.Reset(bytes.NewReader(nil)) // drop the reference to the input
		r.pool.gzip.Put(r.gz)
		r.gz = nil
	}
	if r.raw != nil {
		r.raw.Reset(nil)
		r.pool.raw.Put(r.raw)
		r.raw = nil
	}
	r.text = nil
	if r.doc != nil {
		r.doc.text.r = nil
	}
	if r.file != nil {
		err := r.file.Close()
		r.file = nil
		return err
	}
	return nil
}

// Next returns the next chunk, or io.EOF at the end. Damage is reported
// through Options.Problem; the events read well before it still come out in
// chunks, and then Next returns io.EOF. Next returns no other error.
func (r *Reader) Next() (*Chunk, error) {
	if !r.started {
		r.start()
	}
	if r.done {
		return nil, io.EOF
	}
	if r.doc != nil {
		return r.nextDocuments()
	}
	return r.nextLines()
}

// finish ends the reading; the first time, it checks the size of a regular
// file read to its end.
func (r *Reader) finish() {
	if !r.done {
		r.done = true
		r.checkSize()
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
}

// checkSize reports a regular file read to its end whose size is not the
// one it had when it was opened: it grew or shrank while it was read.
func (r *Reader) checkSize() {
	if r.want >= 0 && r.cnt.eof && r.cnt.n != r.want {
		r.report(0, KindRead, fmt.Sprintf("changed while it was read (%d bytes at the start, %d read)", r.want, r.cnt.n))
	}
}

func (r *Reader) report(line int, kind, reason string) {
	if r.opts.Problem != nil {
		r.opts.Problem(Problem{File: r.name, Line: line, Kind: kind, Reason: reason})
	}
}

// damaged reports the error that ended the text early, at the line reached.
func (r *Reader) damaged(line int, err error) {
	if !r.got {
		line = 0
	}
	if r.cnt.err != nil {
		reason := "read: " + err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			reason = pe.Op + ": " + pe.Err.Error()
		}
		r.report(line, KindRead, reason)
		return
	}
	reason := err.Error()
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		reason = fmt.Sprintf("zstd: a frame needs more than %s of memory to decompress (made with --long?); decompress it first", sizeText(zstdMaxWindow))
	}
	if !strings.HasPrefix(reason, r.comp+":") {
		reason = r.comp + ": " + reason
	}
	r.report(line, KindDecompress, reason)
}

func (r *Reader) tooLong(line, n int) {
	r.report(line, KindTooLong, fmt.Sprintf("line is %d bytes, over the %s limit", n, sizeText(r.opts.MaxLine)))
}

// start sniffs the compression and the framing.
func (r *Reader) start() {
	r.started = true
	r.line = 1
	r.raw = r.pool.bufio(&r.cnt, r.rawSize())
	// A read error here comes back on the first read of the text.
	head, _ := r.raw.Peek(4)
	var err error
	switch {
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b && parallelism() && bgzf(r.raw):
		// Members whose sizes are known are decoded in parallel.
		r.comp = "gzip"
		r.par = newParallel(r.pool, r.comp, r.raw)
		r.text = r.par
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		// One member, or members of unknown size: inflated in turn.
		r.comp = "gzip"
		r.gz, err = r.pool.gzipReader(r.raw)
		r.text = r.gz
	case len(head) == 4 && (string(head) == "\x28\xb5\x2f\xfd" || head[0]&0xf0 == 0x50 && string(head[1:]) == "\x2a\x4d\x18"):
		// A zstd frame, or a skippable frame. Frames are decoded in
		// parallel on more than one core; a big one is streamed (see
		// parallel.go).
		r.comp = "zstd"
		if parallelism() {
			r.par = newParallel(r.pool, r.comp, r.raw)
			r.text = r.par
			break
		}
		r.zd, err = r.pool.zstdReader(r.raw)
		r.text = r.zd
	default:
		r.comp = "plain"
		r.text = r.raw
	}
	if err != nil {
		r.damaged(0, err)
		r.finish()
		return
	}

	r.cur = r.pool.get(r.firstSize())
	r.fill()
	if r.n == 0 && r.eof && r.rerr == nil {
		r.report(0, KindEmpty, r.emptyReason())
		r.finish()
		return
	}
	if what, advice := notLog(r.cur.buf[:r.n]); what != "" {
		r.report(0, KindNotJSON, r.notLogReason(what, advice))
		r.finish()
		return
	}
	if bytes.HasPrefix(r.cur.buf[:r.n], bom) {
		r.n = copy(r.cur.buf, r.cur.buf[len(bom):r.n])
	}
	if head := r.cur.buf[:r.n]; (r.eof || bytes.IndexByte(head, '\n') >= 0) && !looksJSON(head) {
		r.report(0, KindNotJSON, fmt.Sprintf("not a JSON log: no line of the first %s starts with { or [ (it starts with %s)", sizeText(len(head)), startText(head)))
		r.finish()
		return
	}
	if documents(r.cur.buf[:r.n], r.eof) {
		r.doc = newDocReader(r)
	}
}

// rawSize is the size of the buffer under the decompressor: 64 KiB, but no
// more than a small regular file needs whole (and a page), so that reading
// many small files costs little.
func (r *Reader) rawSize() int {
	const size = 64 << 10
	if r.want >= 0 && r.want < size {
		return max(int(r.want)+1, 4<<10)
	}
	return size
}

// firstSize is the size of the first text buffer: that of a chunk, but no
// more than a plain regular file needs whole, with a byte more to see its
// end at once.
func (r *Reader) firstSize() int {
	if r.comp == "plain" && r.want >= 0 && r.want < int64(r.size) {
		return int(r.want) + 1
	}
	return r.size
}

// emptyReason says that the input holds nothing.
func (r *Reader) emptyReason() string {
	switch {
	case r.comp != "plain":
		return "empty file: its " + r.comp + " stream decompresses to nothing"
	case r.name == StdinName:
		return "empty: nothing came on standard input"
	}
	return "empty file"
}

// notLogReason says what the input is instead of a log, as notLog found it.
func (r *Reader) notLogReason(what, advice string) string {
	reason := "not a log: " + what
	if r.comp != "plain" {
		reason += ", " + r.comp + "-compressed"
	}
	if advice != "" {
		reason += "; " + advice
	}
	return reason
}

// looksJSON reports whether the start of a text could be JSON events: empty,
// or some line of it starts (after blanks) with { or [. A dump cut in the
// middle of an event still qualifies by its later lines.
func looksJSON(head []byte) bool {
	blank := true
	for len(head) > 0 {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		line = bytes.TrimLeft(line, " \t\r\f\v")
		if len(line) == 0 {
			continue
		}
		blank = false
		if line[0] == '{' || line[0] == '[' {
			return true
		}
	}
	return blank
}

// startText quotes the first bytes of a text for a message.
func startText(head []byte) string {
	if len(head) > 16 {
		head = head[:16]
	}
	return strconv.Quote(string(head))
}

var (
	bom     = []byte("\xef\xbb\xbf")
	newline = []byte{'\n'}
)

// fill reads text until r.cur's buffer is full or the text ends.
func (r *Reader) fill() {
	buf := r.cur.buf
	for empty := 0; r.n < len(buf) && !r.eof; {
		m, err := r.text.Read(buf[r.n:])
		r.n += m
		if m > 0 {
			r.got = true
			empty = 0
		} else if empty++; empty > 100 && err == nil {
			err = io.ErrNoProgress
		}
		if err != nil {
			r.eof = true
			if err != io.EOF {
				r.rerr = err
			}
		}
	}
}

// nextLines cuts NDJSON text at the last newline of a full buffer.
func (r *Reader) nextLines() (*Chunk, error) {
	for {
		r.fill()
		c := r.cur
		if r.skip > 0 {
			// Pass over the rest of a line longer than MaxLine.
			i := bytes.IndexByte(c.buf[:r.n], '\n')
			if i < 0 {
				r.skip += r.n
				r.n = 0
				if r.eof {
					r.tooLong(r.line, r.skip)
					r.skip = 0
					return r.last()
				}
				continue
			}
			r.tooLong(r.line, r.skip+i)
			r.skip = 0
			r.line++
			rest := c.buf[i+1 : r.n]
			if len(c.buf) > r.size && len(rest) < r.size {
				// Back from the buffer grown for the long line to a
				// normal one.
				r.cur = r.pool.get(r.size)
				r.n = copy(r.cur.buf, rest)
				c.Release()
				continue
			}
			r.n = copy(c.buf, rest)
			continue
		}
		if r.eof {
			return r.last()
		}
		data := c.buf[:r.n]
		i := bytes.LastIndexByte(data, '\n')
		if i < 0 {
			// One line fills the buffer.
			if r.n > r.opts.MaxLine {
				r.skip = r.n
				r.n = 0
				continue
			}
			nb := make([]byte, min(2*len(c.buf), r.opts.MaxLine+1))
			copy(nb, data)
			c.buf = nb
			continue
		}
		tail := data[i+1:]
		next := r.pool.get(max(r.size, len(tail)+1))
		r.n = copy(next.buf, tail)
		r.cur = next
		return r.emit(c, data[:i+1]), nil
	}
}

// last hands out the text left at its end.
func (r *Reader) last() (*Chunk, error) {
	c := r.cur
	data := c.buf[:r.n]
	if i := bytes.LastIndexByte(data, '\n'); r.rerr != nil {
		data = data[:i+1] // the line cut by the damage is not whole
	} else if len(data)-(i+1) > r.opts.MaxLine {
		r.tooLong(r.line+bytes.Count(data[:i+1], newline), len(data)-(i+1))
		data = data[:i+1]
	}
	r.cur = nil
	r.finish()
	if len(data) == 0 {
		c.Release()
		if r.rerr != nil {
			r.damaged(r.line, r.rerr)
		}
		return nil, io.EOF
	}
	c = r.emit(c, data)
	if r.rerr != nil {
		r.damaged(r.line, r.rerr)
	}
	return c, nil
}

func (r *Reader) emit(c *Chunk, data []byte) *Chunk {
	c.Seq = r.seq
	r.seq++
	c.Data = data
	c.FirstLine = r.line
	c.Lines = nil
	c.Format = FormatNDJSON
	r.line += bytes.Count(data, newline)
	return c
}
