package decode

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// This file decodes a zstd file of many frames, and a gzip file of BGZF
// members, on every core. The frames (members) are independent: their
// lengths are found without decoding them, from the zstd frame and block
// headers (RFC 8878) or from the BGZF member size in the gzip header, so the
// reading goroutine cuts the compressed stream into units of whole frames
// and hands each unit to a goroutine of its own, a bounded number at a time,
// then gives the decoded text out in order. The reader above it (framing,
// line numbers, hashing, problems) sees the same bytes as from a stream
// decoder.
//
// Whatever the splitter cannot vouch for — a frame too big to hold, bytes
// that are not a frame, a stream that ends inside one, a frame with a
// dictionary, a gzip member that is not BGZF (all of a plain gzip file) —
// and any unit whose decoding fails, is left to the stream decoder, from the
// start of that unit to the end of the input, as if the file had been read
// serially from there. So damage is reported as it always was, after the
// good bytes before it, with the stream decoder's own words.

// Limits of parallel decoding.
const (
	// unitSize is the decoded size a unit of small frames is filled to,
	// so that tiny frames (a frame per block of events, BGZF's 64 KiB
	// members) are not handed out one by one.
	unitSize = 1 << 20
	// maxFrame is the largest frame (decoded, or compressed) decoded whole;
	// a bigger one, and the rest of its input, is streamed. pzstd writes
	// frames of 8 MiB at its default level.
	maxFrame = 16 << 20
	// maxInflight bounds the decoded bytes held by the units in flight,
	// the one being read out included, beside the count of 2 per core.
	maxInflight = 32 << 20
	// maxBlock is the largest a zstd block decodes to (Block_Maximum_Size).
	maxBlock = 128 << 10
)

// errSerial says that the splitter leaves the rest of the input to the
// stream decoder.
var errSerial = errors.New("not split")

// errTooBig says that a unit decoded to more than its frames declared.
var errTooBig = errors.New("decodes to more than it declares")

// parallel is the decompressed text of a multi-frame zstd or a BGZF gzip
// input, decoded frame-parallel. It is an io.Reader used by one goroutine.
type parallel struct {
	pool *Pool
	comp string        // "zstd" or "gzip"
	raw  *bufio.Reader // the compressed bytes
	all  *zstd.Decoder // decodes whole zstd units, concurrently

	queue    []*unit // units handed out, in input order; queue[0] is read out
	out      []byte  // the rest of queue[0]'s text
	inflight int     // decoded bytes the queued units may hold
	most     int     // most units queued
	fill     int     // decoded size a unit is filled to: unitSize
	ended    bool    // the splitter reached the end of the input
	rest     bool    // the splitter left the rest of the input to the stream decoder
	tail     []byte  // bytes it took from raw for a frame it gave up on

	// Serial mode, from the first unit the splitter or a decoder gave up
	// on, to the end of the input.
	serial bool
	stream io.Reader
	zd     *zstd.Decoder
	gz     *gzip.Reader
	err    error // the stream decoder could not start
	prefix prefixReader
}

// unit is whole frames (members) of the input and their decoding.
type unit struct {
	comp  []byte // compressed
	bound int    // most bytes comp decodes to
	out   []byte // decoded
	err   error
	done  chan struct{} // receives once when a goroutine has set out and err
	owed  bool          // not read out yet
	br    bytes.Reader

	// The unit's decoding is claimed, once, by its goroutine or by the
	// reader, which decodes the unit it waits for itself rather than
	// wait for a goroutine to be scheduled: state is gen<<1, and 1 when
	// claimed; gen counts the unit's uses, so that a goroutine late for
	// a use claims nothing in the next.
	state atomic.Uint64
	gen   uint64
}

// claim claims the decoding of the unit's current use.
func (u *unit) claim() bool {
	return u.state.CompareAndSwap(u.gen<<1, u.gen<<1|1)
}

// newParallel reads the compressed input raw of format comp ("zstd" or
// "gzip").
func newParallel(pool *Pool, comp string, raw *bufio.Reader) *parallel {
	p := &parallel{pool: pool, comp: comp, raw: raw, most: 2 * runtime.GOMAXPROCS(0), fill: unitSize}
	p.prefix.r = raw
	return p
}

// parallelism tells whether inputs are decoded frame-parallel: not on one
// core, where it only costs (whole frames decoded into memory, then copied,
// rather than streamed through the cache: 10-25 % slower measured here).
func parallelism() bool {
	return runtime.GOMAXPROCS(0) > 1
}

// bgzf tells whether a gzip input starts with a BGZF member: one whose size
// its header gives.
func bgzf(raw *bufio.Reader) bool {
	_, ok := bgzfSize(raw)
	return ok
}

// Read gives the decoded text in order.
func (p *parallel) Read(b []byte) (int, error) {
	for {
		if len(p.out) > 0 {
			n := copy(b, p.out)
			p.out = p.out[n:]
			return n, nil
		}
		if p.serial {
			if p.err != nil {
				return 0, p.err
			}
			return p.stream.Read(b)
		}
		if len(p.queue) > 0 {
			p.release(p.queue[0]) // read out
			p.queue = p.queue[1:]
		}
		p.dispatch()
		if len(p.queue) == 0 {
			if !p.rest {
				return 0, io.EOF
			}
			p.startSerial(nil)
			continue
		}
		u := p.queue[0]
		if u.claim() {
			p.run(u) // no goroutine has started on it
		} else {
			<-u.done
		}
		u.owed = false
		if u.err != nil {
			// The stream decoder gives what the unit holds before
			// its damage, and says what the damage is.
			p.startSerial(p.queue)
			continue
		}
		p.out = u.out
	}
}

// dispatch splits units off the input and starts decoding them, as many as
// the bounds allow.
func (p *parallel) dispatch() {
	for !p.ended && !p.rest && len(p.queue) < p.most && p.inflight < maxInflight {
		u := p.pool.unitOf()
		if !p.split(u) {
			p.pool.putUnit(u)
			return
		}
		p.inflight += u.bound + len(u.comp)
		p.queue = append(p.queue, u)
		u.owed = true
		if p.comp == "zstd" && p.all == nil {
			p.all = p.pool.zstdAll()
		}
		go p.decode(u, u.gen)
	}
}

// split reads whole frames (members) into u until it holds p.fill
// decoded bytes or the input ends, and tells whether it holds any. Where
// a frame cannot be split off, the bytes taken from it are left in p.tail
// for the stream decoder.
func (p *parallel) split(u *unit) bool {
	take := zstdFrame
	if p.comp == "gzip" {
		take = bgzfMember
	}
	for u.bound < p.fill && len(u.comp) < p.fill || len(u.comp) == 0 {
		if _, err := p.raw.Peek(1); err == io.EOF {
			p.ended = true
			break
		}
		start := len(u.comp)
		comp, n, err := take(p.raw, u.comp, maxFrame)
		u.comp = comp
		if err != nil {
			p.rest = true
			p.tail = bytes.Clone(u.comp[start:])
			u.comp = u.comp[:start]
			break
		}
		u.bound += n
	}
	return len(u.comp) > 0
}

// decode decodes use gen of a unit, unless the reader claimed it; it runs
// on a goroutine of its own.
func (p *parallel) decode(u *unit, gen uint64) {
	if !u.state.CompareAndSwap(gen<<1, gen<<1|1) {
		return
	}
	p.run(u)
	u.done <- struct{}{}
}

// run decodes a unit.
func (p *parallel) run(u *unit) {
	switch p.comp {
	case "zstd":
		// DecodeAll wants room for a whole block more than a frame
		// of unknown size holds, or it grows the buffer.
		u.out = grow(u.out, u.bound+maxBlock+16)
		u.out, u.err = p.all.DecodeAll(u.comp, u.out)
	case "gzip":
		u.out = grow(u.out, u.bound+1)
		u.out, u.err = p.pool.inflate(u)
	}
	if u.err == nil && len(u.out) > u.bound {
		u.err = errTooBig
	}
}

// grow empties b and gives it room for n bytes.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, 0, n+n/4)
	}
	return b[:0]
}

// inflate decodes the gzip members of u into u.out, which has room for one
// byte more than they declare.
func (pool *Pool) inflate(u *unit) ([]byte, error) {
	u.br.Reset(u.comp)
	z, err := pool.gzipReader(&u.br)
	if z == nil {
		return u.out, err
	}
	defer func() {
		u.br.Reset(nil)
		z.Reset(&u.br) // drops the reference to u.comp
		pool.gzip.Put(z)
	}()
	out := u.out
	for err == nil {
		if len(out) == cap(out) {
			return out, errTooBig
		}
		var n int
		n, err = z.Read(out[len(out):cap(out)])
		out = out[:len(out)+n]
	}
	if err == io.EOF {
		err = nil
	}
	return out, err
}

// release takes a unit read out off the bounds and recycles it.
func (p *parallel) release(u *unit) {
	p.inflight -= u.bound + len(u.comp)
	p.out = nil
	p.pool.putUnit(u)
}

// startSerial hands the rest of the input to the stream decoder: the
// compressed bytes of the units given, those of p.tail, then raw.
func (p *parallel) startSerial(from []*unit) {
	p.serial = true
	p.out = nil
	for _, u := range from {
		p.prefix.bufs = append(p.prefix.bufs, u.comp)
	}
	p.prefix.bufs = append(p.prefix.bufs, p.tail)
	switch p.comp {
	case "zstd":
		p.zd, p.err = p.pool.zstdReader(&p.prefix)
		p.stream = p.zd
	case "gzip":
		p.gz, p.err = p.pool.gzipReader(&p.prefix)
		p.stream = p.gz
	}
}

// close waits for the units still decoding and recycles everything.
func (p *parallel) close() {
	for _, u := range p.queue {
		if u.owed && !u.claim() {
			<-u.done // a goroutine claimed it
		}
		u.owed = false
		p.pool.putUnit(u)
	}
	p.queue, p.out, p.tail, p.prefix.bufs = nil, nil, nil, nil
	if p.all != nil {
		p.pool.all.Put(p.all)
		p.all = nil
	}
	if p.zd != nil {
		p.zd.Reset(nil)
		p.pool.zstd.Put(p.zd)
		p.zd = nil
	}
	if p.gz != nil {
		p.gz.Reset(bytes.NewReader(nil))
		p.pool.gzip.Put(p.gz)
		p.gz = nil
	}
	p.stream = nil
}

// reachedEnd tells whether the decoding reached the end of the input, as a
// stream decoder would have: the reading may have run ahead of damage that
// stopped it, to the end.
func (p *parallel) reachedEnd() bool {
	if p.serial {
		return p.prefix.eof
	}
	return p.ended
}

// prefixReader reads bufs, then r. It is an io.ByteReader, so that flate
// reads no further than it needs, as it does from r itself.
type prefixReader struct {
	bufs [][]byte
	r    *bufio.Reader
	eof  bool // r gave io.EOF
}

func (pr *prefixReader) Read(p []byte) (int, error) {
	for len(pr.bufs) > 0 && len(pr.bufs[0]) == 0 {
		pr.bufs = pr.bufs[1:]
	}
	if len(pr.bufs) == 0 {
		n, err := pr.r.Read(p)
		pr.eof = pr.eof || err == io.EOF
		return n, err
	}
	n := copy(p, pr.bufs[0])
	pr.bufs[0] = pr.bufs[0][n:]
	return n, nil
}

func (pr *prefixReader) ReadByte() (byte, error) {
	for len(pr.bufs) > 0 && len(pr.bufs[0]) == 0 {
		pr.bufs = pr.bufs[1:]
	}
	if len(pr.bufs) == 0 {
		c, err := pr.r.ReadByte()
		pr.eof = pr.eof || err == io.EOF
		return c, err
	}
	c := pr.bufs[0][0]
	pr.bufs[0] = pr.bufs[0][1:]
	return c, nil
}

// take appends the next n bytes of raw to dst; on a short read, dst holds
// those that came.
func take(raw *bufio.Reader, dst []byte, n int) ([]byte, error) {
	if cap(dst)-len(dst) < n {
		dst = append(dst[:len(dst):len(dst)], make([]byte, n)...)[:len(dst)]
	}
	m, err := io.ReadFull(raw, dst[len(dst):len(dst)+n])
	return dst[:len(dst)+m], err
}

// zstdFrame appends the next zstd frame, or skippable frame, of raw to dst
// without decoding it, its length found from its frame and block headers,
// and gives the most bytes it decodes to. It fails with errSerial, leaving
// in dst the bytes it took, when the frame is not one it can vouch for: not
// a frame, cut short, declaring a dictionary or a window the stream decoder
// refuses, or holding (or decoding to) more than limit bytes.
func zstdFrame(raw *bufio.Reader, dst []byte, limit int) ([]byte, int, error) {
	h, _ := raw.Peek(18) // the longest frame header
	if len(h) < 8 {
		return dst, 0, errSerial
	}
	magic := binary.LittleEndian.Uint32(h)
	if magic&0xfffffff0 == 0x184d2a50 {
		n := int64(binary.LittleEndian.Uint32(h[4:]))
		if n > int64(limit) {
			return dst, 0, errSerial
		}
		dst, err := take(raw, dst, 8+int(n))
		if err != nil {
			return dst, 0, errSerial
		}
		return dst, 0, nil
	}
	fhd := h[4]
	if magic != 0xfd2fb528 || fhd&0x08 != 0 || fhd&0x03 != 0 {
		return dst, 0, errSerial // not a frame, reserved bit set, or a dictionary
	}
	single, sum := fhd&0x20 != 0, fhd&0x04 != 0
	n := 5
	var window uint64
	if !single {
		wd := h[5]
		base := uint64(1) << (10 + wd>>3)
		window = base + base/8*uint64(wd&7)
		n++
	}
	fcsLen := [4]int{0, 2, 4, 8}[fhd>>6]
	if single && fcsLen == 0 {
		fcsLen = 1
	}
	if len(h) < n+fcsLen {
		return dst, 0, errSerial
	}
	var fcs uint64 // Frame_Content_Size, when fcsLen > 0
	switch fcsLen {
	case 1:
		fcs = uint64(h[n])
	case 2:
		fcs = uint64(binary.LittleEndian.Uint16(h[n:])) + 256
	case 4:
		fcs = uint64(binary.LittleEndian.Uint32(h[n:]))
	case 8:
		fcs = binary.LittleEndian.Uint64(h[n:])
	}
	n += fcsLen
	if single {
		window = fcs
	}
	if window > zstdMaxWindow || fcs > uint64(limit) {
		return dst, 0, errSerial
	}
	start := len(dst)
	dst, err := take(raw, dst, n)
	if err != nil {
		return dst, 0, errSerial
	}
	most := int(min(window, maxBlock))
	bound := 0
	for last := false; !last; {
		b, _ := raw.Peek(3)
		if len(b) < 3 {
			return dst, 0, errSerial
		}
		bh := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
		last = bh&1 != 0
		size, body := bh>>3, bh>>3
		switch bh >> 1 & 3 {
		case 0: // raw
			bound += size
		case 1: // RLE: one byte, repeated
			bound += size
			body = 1
		case 2: // compressed
			bound += most
		case 3:
			return dst, 0, errSerial
		}
		if bound > limit || len(dst)-start+3+body > limit {
			return dst, 0, errSerial
		}
		if dst, err = take(raw, dst, 3+body); err != nil {
			return dst, 0, errSerial
		}
	}
	if sum {
		if dst, err = take(raw, dst, 4); err != nil {
			return dst, 0, errSerial
		}
	}
	if fcsLen > 0 {
		bound = int(fcs) // the decoder holds the frame to it
	}
	return dst, bound, nil
}

// bgzfSize gives the size of the gzip member at the start of raw, from its
// BGZF extra field (SAM/BAM format specification, 4.1: subfield 'B', 'C'
// holding BSIZE, the member's size less one), without taking it.
func bgzfSize(raw *bufio.Reader) (int, bool) {
	head, _ := raw.Peek(12)
	if len(head) < 12 || head[0] != 0x1f || head[1] != 0x8b || head[2] != 8 || head[3]&0x04 == 0 {
		return 0, false
	}
	xlen := int(binary.LittleEndian.Uint16(head[10:]))
	if head, _ = raw.Peek(12 + xlen); len(head) < 12+xlen {
		return 0, false
	}
	for x := head[12:]; len(x) >= 4; {
		n := int(binary.LittleEndian.Uint16(x[2:]))
		if len(x) < 4+n {
			break
		}
		if x[0] == 'B' && x[1] == 'C' && n == 2 {
			size := int(binary.LittleEndian.Uint16(x[4:])) + 1
			return size, size >= 12+xlen+8
		}
		x = x[4+n:]
	}
	return 0, false
}

// bgzfMember appends the next BGZF member of raw to dst, and gives the size
// it declares decoding to (ISIZE). It fails with errSerial, leaving in dst
// the bytes it took, when the member is not BGZF, is cut short, or declares
// more than limit bytes.
func bgzfMember(raw *bufio.Reader, dst []byte, limit int) ([]byte, int, error) {
	size, ok := bgzfSize(raw)
	if !ok {
		return dst, 0, errSerial
	}
	dst, err := take(raw, dst, size)
	if err != nil {
		return dst, 0, errSerial
	}
	n := int64(binary.LittleEndian.Uint32(dst[len(dst)-4:]))
	if n > int64(limit) {
		return dst, 0, errSerial
	}
	return dst, int(n), nil
}
