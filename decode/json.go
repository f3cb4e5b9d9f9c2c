package decode

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// This file frames containers: a top-level JSON array, an Elasticsearch
// _search response, {"events": [...]} / {"expected": [...]} wrappers, and
// streams of (pretty-printed) documents. A small streaming scanner validates
// the text as encoding/json does, copies each event compacted (as
// json.Compact would) and counts lines, holding one event at a time.

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// strPlain tells the bytes that stand for themselves in a JSON string.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// documents tells, from the start of the text p (complete when whole), whether
// it is a container rather than NDJSON. If the first line is one complete
// JSON value it is NDJSON, unless that value is an array or a wrapper. If it
// stops short of a value's end the way pretty-printed JSON does (after "{",
// "[", "," or ":"), it is a container. If it is a syntax error, it is NDJSON
// with a bad line, which the workers will report.
func documents(p []byte, whole bool) bool {
	f := 0
	for f < len(p) && isSpace(p[f]) {
		f++
	}
	if f == len(p) || p[f] != '{' && p[f] != '[' {
		return false
	}
	line, complete := p[f:], whole
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line, complete = line[:i], true
	}
	s := scanner{buf: line, end: len(line), eof: true, max: -1}
	var err error
	if line[0] == '{' {
		var format string
		format, err = s.object(0)
		if format != "" {
			return true
		}
	} else {
		err = s.value()
	}
	switch e := err.(type) {
	case nil:
		_, more := s.skipSpace()
		return more || line[0] == '['
	case *syntaxError:
		if !e.end {
			return false
		}
		if !complete {
			// The first line is longer than the buffer: a one-line array,
			// or a long NDJSON event.
			return line[0] == '['
		}
		last := bytes.TrimRight(line, " \t\r")
		return bytes.IndexByte([]byte("{[,:"), last[len(last)-1]) >= 0
	}
	return false
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// syntaxError is JSON that encoding/json would reject, at a line.
type syntaxError struct {
	line int
	msg  string
	end  bool // the input ended early
}

func (e *syntaxError) Error() string { return e.msg }

// damageError is a read or decompression error that ended the text.
type damageError struct {
	line int
	err  error
}

func (e *damageError) Error() string { return e.err.Error() }

// tooLongError is an event over the size limit, skipped.
type tooLongError struct {
	line int
	n    int
}

func (e *tooLongError) Error() string { return fmt.Sprintf("event is %d bytes", e.n) }

// scanner reads JSON text from r through buf, counting lines, and copies the
// significant bytes of the value being scanned to *dst while capture is on.
type scanner struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	rerr     error // the error that ended the text, other than io.EOF
	got      bool  // some text was read
	line     int

	dst     *[]byte
	capture bool
	n       int // significant bytes of the value being scanned
	max     int // capture limit; -1: none
	over    bool
	depth   int

	key     []byte // the last object key, when asked for and short
	keyFull bool   // key holds the whole key, without escapes
}

// more makes sure buf[pos] is a byte of text; false at the end of the text.
func (s *scanner) more() bool {
	if s.pos < s.end {
		return true
	}
	s.pos, s.end = 0, 0
	for empty := 0; !s.eof; {
		m, err := s.r.Read(s.buf)
		s.end = m
		if m > 0 {
			s.got = true
		} else if empty++; empty > 100 && err == nil {
			err = io.ErrNoProgress
		}
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.rerr = err
			}
		}
		if m > 0 {
			return true
		}
	}
	return false
}

// skipSpace passes over whitespace and returns the next byte, unread.
func (s *scanner) skipSpace() (byte, bool) {
	for s.more() {
		for ; s.pos < s.end; s.pos++ {
			switch b := s.buf[s.pos]; b {
			case ' ', '\t', '\r':
			case '\n':
				s.line++
			default:
				return b, true
			}
		}
	}
	return 0, false
}

// begin starts copying a value to dst, nested in depth containers.
func (s *scanner) begin(dst *[]byte, depth int) {
	*dst = (*dst)[:0]
	s.dst, s.capture, s.n, s.over, s.depth = dst, true, 0, false, depth
}

// discard stops copying and drops the copy.
func (s *scanner) discard() {
	if s.capture {
		*s.dst = (*s.dst)[:0]
	}
	s.capture = false
}

func (s *scanner) put(b byte) {
	s.n++
	if s.capture {
		if s.max >= 0 && s.n > s.max {
			s.overflow()
			return
		}
		*s.dst = append(*s.dst, b)
	}
}

func (s *scanner) putRun(p []byte) {
	s.n += len(p)
	if s.capture {
		if s.max >= 0 && s.n > s.max {
			s.overflow()
			return
		}
		*s.dst = append(*s.dst, p...)
	}
}

func (s *scanner) overflow() {
	s.discard()
	s.over = true
}

func (s *scanner) syntax(format string, b byte) error {
	return &syntaxError{line: s.line, msg: fmt.Sprintf(format, quoteChar(b))}
}

// ended is the error for text that stops inside a value.
func (s *scanner) ended() error {
	if s.rerr != nil {
		return &damageError{line: s.line, err: s.rerr}
	}
	return &syntaxError{line: s.line, msg: "unexpected end of JSON input", end: true}
}

// quoteChar formats b as encoding/json does in its errors.
func quoteChar(b byte) string {
	if b == '\'' {
		return `'\''`
	}
	if b == '"' {
		return `'"'`
	}
	q := strconv.Quote(string(rune(b)))
	return "'" + q[1:len(q)-1] + "'"
}

// value scans one JSON value.
//
//	value = object | array | string | number | "true" | "false" | "null"
func (s *scanner) value() error {
	b, ok := s.skipSpace()
	if !ok {
		return s.ended()
	}
	switch {
	case b == '{':
		return s.obj()
	case b == '[':
		return s.arr()
	case b == '"':
		return s.str(false)
	case b == '-' || '0' <= b && b <= '9':
		return s.num()
	case b == 't':
		return s.lit("true")
	case b == 'f':
		return s.lit("false")
	case b == 'n':
		return s.lit("null")
	}
	return s.syntax("invalid character %s looking for beginning of value", b)
}

// obj scans an object; buf[pos] is its '{'.
//
//	object = "{" [ string ":" value { "," string ":" value } ] "}"
func (s *scanner) obj() error {
	if s.depth++; s.depth > maxDepth {
		return &syntaxError{line: s.line, msg: "exceeded max depth"}
	}
	s.pos++
	s.put('{')
	b, ok := s.skipSpace()
	if !ok {
		return s.ended()
	}
	if b == '}' {
		s.pos++
		s.put('}')
		s.depth--
		return nil
	}
	for {
		if err := s.member(b, false); err != nil {
			return err
		}
		if err := s.value(); err != nil {
			return err
		}
		b, ok = s.skipSpace()
		if !ok {
			return s.ended()
		}
		switch b {
		case ',':
			s.pos++
			s.put(',')
			if b, ok = s.skipSpace(); !ok {
				return s.ended()
			}
			continue
		case '}':
			s.pos++
			s.put('}')
			s.depth--
			return nil
		}
		return s.syntax("invalid character %s after object key:value pair", b)
	}
}

// member scans an object key and its colon; b is the next byte, unread.
func (s *scanner) member(b byte, key bool) error {
	if b != '"' {
		return s.syntax("invalid character %s looking for beginning of object key string", b)
	}
	if err := s.str(key); err != nil {
		return err
	}
	b, ok := s.skipSpace()
	if !ok {
		return s.ended()
	}
	if b != ':' {
		return s.syntax("invalid character %s after object key", b)
	}
	s.pos++
	s.put(':')
	return nil
}

// arr scans an array; buf[pos] is its '['.
//
//	array = "[" [ value { "," value } ] "]"
func (s *scanner) arr() error {
	if s.depth++; s.depth > maxDepth {
		return &syntaxError{line: s.line, msg: "exceeded max depth"}
	}
	s.pos++
	s.put('[')
	b, ok := s.skipSpace()
	if !ok {
		return s.ended()
	}
	if b == ']' {
		s.pos++
		s.put(']')
		s.depth--
		return nil
	}
	for {
		if err := s.value(); err != nil {
			return err
		}
		b, ok = s.skipSpace()
		if !ok {
			return s.ended()
		}
		switch b {
		case ',':
			s.pos++
			s.put(',')
			continue
		case ']':
			s.pos++
			s.put(']')
			s.depth--
			return nil
		}
		return s.syntax("invalid character %s after array element", b)
	}
}

// str scans a string; buf[pos] is its opening quote. With key, the string
// is also kept in s.key when short.
//
//	string = '"' { char | "\" ( '"' | "\" | "/" | "b" | "f" | "n" | "r" | "t" | "u" hex hex hex hex ) } '"'
func (s *scanner) str(key bool) error {
	s.pos++
	s.put('"')
	if key {
		s.key, s.keyFull = s.key[:0], true
	}
	for {
		if !s.more() {
			return s.ended()
		}
		i := s.pos
		for buf := s.buf[:s.end]; i < len(buf) && strPlain[buf[i]]; i++ {
		}
		if i > s.pos {
			run := s.buf[s.pos:i]
			if key {
				if len(s.key)+len(run) <= 16 {
					s.key = append(s.key, run...)
				} else {
					s.keyFull = false
				}
			}
			s.putRun(run)
			s.pos = i
		}
		if i == s.end {
			continue
		}
		switch c := s.buf[i]; {
		case c == '"':
			s.pos++
			s.put('"')
			return nil
		case c < 0x20:
			return s.syntax("invalid character %s in string literal", c)
		}
		s.keyFull = false
		s.pos++
		s.put('\\')
		if !s.more() {
			return s.ended()
		}
		switch e := s.buf[s.pos]; e {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			s.pos++
			s.put(e)
		case 'u':
			s.pos++
			s.put('u')
			for range 4 {
				if !s.more() {
					return s.ended()
				}
				h := s.buf[s.pos]
				if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
					return s.syntax("invalid character %s in \\u hexadecimal character escape", h)
				}
				s.pos++
				s.put(h)
			}
		default:
			return s.syntax("invalid character %s in string escape code", e)
		}
	}
}

// num scans a number; buf[pos] is its first byte, '-' or a digit. The
// number ends at the first byte that cannot continue it, left unread.
//
//	number = [ "-" ] ( "0" | digit1-9 { digit } ) [ "." digit { digit } ] [ ( "e" | "E" ) [ "+" | "-" ] digit { digit } ]
func (s *scanner) num() error {
	b := s.buf[s.pos]
	if b == '-' {
		s.pos++
		s.put('-')
		if !s.more() {
			return s.ended()
		}
		if b = s.buf[s.pos]; b < '0' || b > '9' {
			return s.syntax("invalid character %s in numeric literal", b)
		}
	}
	s.pos++
	s.put(b)
	if b != '0' {
		s.digits()
	}
	if !s.more() {
		return nil
	}
	if b = s.buf[s.pos]; b == '.' {
		s.pos++
		s.put('.')
		if !s.more() {
			return s.ended()
		}
		if b = s.buf[s.pos]; b < '0' || b > '9' {
			return s.syntax("invalid character %s after decimal point in numeric literal", b)
		}
		s.digits()
		if !s.more() {
			return nil
		}
		b = s.buf[s.pos]
	}
	if b == 'e' || b == 'E' {
		s.pos++
		s.put(b)
		if !s.more() {
			return s.ended()
		}
		if b = s.buf[s.pos]; b == '+' || b == '-' {
			s.pos++
			s.put(b)
			if !s.more() {
				return s.ended()
			}
			b = s.buf[s.pos]
		}
		if b < '0' || b > '9' {
			return s.syntax("invalid character %s in exponent of numeric literal", b)
		}
		s.digits()
	}
	return nil
}

func (s *scanner) digits() {
	for s.more() {
		i := s.pos
		for i < s.end && '0' <= s.buf[i] && s.buf[i] <= '9' {
			i++
		}
		if i > s.pos {
			s.putRun(s.buf[s.pos:i])
			s.pos = i
		}
		if i < s.end {
			return
		}
	}
}

// lit scans true, false or null; buf[pos] is its first byte.
func (s *scanner) lit(word string) error {
	for i := range len(word) {
		if !s.more() {
			return s.ended()
		}
		if b := s.buf[s.pos]; b != word[i] {
			return &syntaxError{line: s.line, msg: fmt.Sprintf("invalid character %s in literal %s (expecting %s)", quoteChar(b), word, quoteChar(word[i]))}
		}
		s.pos++
		s.put(word[i])
	}
	return nil
}

// object walks a top-level object (level 0) or its "hits" member (level 1),
// copying it, until it meets the array of a container: hits.hits of a
// _search response, or an "events" or "expected" array as the first member.
// Then it returns the container's format with buf[pos] just inside the
// array. If the object ends first, it returns "" and the object was copied
// whole. buf[pos] is the object's '{'.
func (s *scanner) object(level int) (string, error) {
	s.depth++
	s.pos++
	s.put('{')
	b, ok := s.skipSpace()
	if !ok {
		return "", s.ended()
	}
	if b == '}' {
		s.pos++
		s.put('}')
		s.depth--
		return "", nil
	}
	for i := 0; ; i++ {
		if err := s.member(b, true); err != nil {
			return "", err
		}
		if b, ok = s.skipSpace(); !ok {
			return "", s.ended()
		}
		key := s.key
		if !s.keyFull {
			key = nil
		}
		switch {
		case level == 0 && i == 0 && b == '[' && (string(key) == "events" || string(key) == "expected"):
			s.pos++
			return FormatArray, nil
		case level == 0 && b == '{' && string(key) == "hits":
			if format, err := s.object(1); format != "" || err != nil {
				return format, err
			}
		case level == 1 && b == '[' && string(key) == "hits":
			s.pos++
			return FormatSearch, nil
		default:
			if err := s.value(); err != nil {
				return "", err
			}
		}
		if b, ok = s.skipSpace(); !ok {
			return "", s.ended()
		}
		switch b {
		case ',':
			s.pos++
			s.put(',')
			if b, ok = s.skipSpace(); !ok {
				return "", s.ended()
			}
			continue
		case '}':
			s.pos++
			s.put('}')
			s.depth--
			return "", nil
		}
		return "", s.syntax("invalid character %s after object key:value pair", b)
	}
}

// rest scans the members left in an object after a member's value, and its
// closing '}'.
func (s *scanner) rest() error {
	for {
		b, ok := s.skipSpace()
		if !ok {
			return s.ended()
		}
		switch b {
		case '}':
			s.pos++
			return nil
		case ',':
			s.pos++
			if b, ok = s.skipSpace(); !ok {
				return s.ended()
			}
			if err := s.member(b, false); err != nil {
				return err
			}
			if err := s.value(); err != nil {
				return err
			}
			continue
		}
		return s.syntax("invalid character %s after object key:value pair", b)
	}
}

// docReader streams the events of containers, one at a time.
type docReader struct {
	s      scanner
	state  int
	format string // of the array being streamed
	frames int    // objects around that array, to close after it
	elem   []byte // the last event, compacted

	held bool // elem is yet to be handed out (it did not fit a chunk)
	line int  // held event's start line
	hfmt string
}

const (
	atTop      = iota // between top-level values
	arrayFirst        // just inside an array of events
	arrayNext         // after an event of the array
	arrayEnd          // after the array: close the objects around it
)

func newDocReader(r *Reader) *docReader {
	d := &docReader{s: scanner{
		r:   r.text,
		buf: r.cur.buf[:cap(r.cur.buf)],
		end: r.n,
		eof: r.eof, rerr: r.rerr, got: r.got,
		line: 1,
		max:  r.opts.MaxLine,
	}}
	// The first buffer becomes the scanner's.
	r.cur.buf = nil
	r.cur.Release()
	r.cur, r.n = nil, 0
	return d
}

// next scans the next event into d.elem and returns its start line and
// format. At the clean end of the text it returns io.EOF. A *tooLongError
// means an event was skipped and scanning can go on; any other error ends it.
func (d *docReader) next() (int, string, error) {
	s := &d.s
	for {
		switch d.state {
		case atTop:
			b, ok := s.skipSpace()
			if !ok {
				if s.rerr != nil {
					return 0, "", s.ended()
				}
				return 0, "", io.EOF
			}
			line := s.line
			switch b {
			case '[':
				s.pos++
				d.state, d.format, d.frames = arrayFirst, FormatArray, 0
				continue
			case '{':
				s.begin(&d.elem, 0)
				format, err := s.object(0)
				if err != nil {
					return 0, "", err
				}
				if format != "" {
					s.discard()
					d.state, d.format, d.frames = arrayFirst, format, 1
					if format == FormatSearch {
						d.frames = 2
					}
					continue
				}
			default:
				s.begin(&d.elem, 0)
				if err := s.value(); err != nil {
					return 0, "", err
				}
			}
			return d.end(line, FormatDocuments)

		case arrayFirst, arrayNext:
			b, ok := s.skipSpace()
			if !ok {
				return 0, "", s.ended()
			}
			if b == ']' {
				s.pos++
				d.state = arrayEnd
				continue
			}
			if d.state == arrayNext {
				if b != ',' {
					return 0, "", s.syntax("invalid character %s after array element", b)
				}
				s.pos++
				if _, ok := s.skipSpace(); !ok {
					return 0, "", s.ended()
				}
			}
			line := s.line
			s.begin(&d.elem, d.frames+1) // inside [, {"events":[ or {"hits":{"hits":[
			if err := s.value(); err != nil {
				return 0, "", err
			}
			d.state = arrayNext
			return d.end(line, d.format)

		case arrayEnd:
			for ; d.frames > 0; d.frames-- {
				if err := s.rest(); err != nil {
					return 0, "", err
				}
			}
			d.state = atTop
		}
	}
}

// end finishes an event scanned from line.
func (d *docReader) end(line int, format string) (int, string, error) {
	s := &d.s
	s.capture = false
	if s.over {
		return 0, "", &tooLongError{line: line, n: s.n}
	}
	return line, format, nil
}

// nextDocuments fills a chunk with events of containers.
func (r *Reader) nextDocuments() (*Chunk, error) {
	d := r.doc
	c := r.pool.get(r.size)
	data, lines, format := c.buf[:0], c.lines[:0], ""
	for !r.done {
		if !d.held {
			line, f, err := d.next()
			if err != nil {
				r.docError(err)
				continue
			}
			d.held, d.line, d.hfmt = true, line, f
		}
		if len(lines) > 0 && (d.hfmt != format || len(data)+len(d.elem)+1 > r.size) {
			break
		}
		data = append(data, d.elem...)
		data = append(data, '\n')
		lines = append(lines, d.line)
		format = d.hfmt
		d.held = false
	}
	c.buf, c.lines = data[:cap(data)], lines
	if len(lines) == 0 {
		c.Release()
		return nil, io.EOF
	}
	c.Seq = r.seq
	r.seq++
	c.Data, c.Lines, c.FirstLine, c.Format = data, lines, lines[0], format
	return c, nil
}

// docError reports what ended or interrupted the scan of containers.
func (r *Reader) docError(err error) {
	switch e := err.(type) {
	case *tooLongError:
		r.report(e.line, KindTooLong, fmt.Sprintf("event is %d bytes, over the %s limit", e.n, sizeText(r.opts.MaxLine)))
		return
	case *syntaxError:
		r.report(e.line, KindMalformed, e.msg)
	case *damageError:
		r.got = r.doc.s.got
		r.damaged(e.line, e.err)
	}
	r.finish()
}
