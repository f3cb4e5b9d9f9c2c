package decode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// This file frames containers: a top-level JSON array, an Elasticsearch
// _search response, {"events": [...]} / {"expected": [...]} wrappers, and
// streams of (pretty-printed) documents. An encoding/json Decoder walks into
// the array with Token and decodes one event at a time, which json.Compact
// puts on one line; lines are counted from the decoder's offsets.
//
// Memory stays that of the decoder's read-ahead plus one value, but the
// decoder holds each value it decodes whole: an event even over MaxLine (it
// is then reported and dropped), a member passed over in a wrapper, or a run
// of blank space, and the text kept for counting lines holds it again.

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// documents tells, from the start of the text p (complete when whole), whether
// it is a container rather than NDJSON. If the first line is one complete
// JSON value it is NDJSON, unless that value is an array or a wrapper. If it
// stops short of a value's end the way pretty-printed JSON does (after "{",
// "[", "," or ":"), it is a container. If it is a syntax error, it is NDJSON
// with a bad line, which the workers will report.
func documents(p []byte, whole bool) bool {
	p = bytes.TrimLeft(p, " \t\r\n")
	if len(p) == 0 || p[0] != '{' && p[0] != '[' {
		return false
	}
	line, complete := p, whole
	if i := bytes.IndexByte(p, '\n'); i >= 0 {
		line, complete = p[:i], true
	}
	d := newDocs(&text{buf: line, line: 1, err: io.EOF}, -1)
	var err error
	if line[0] == '[' {
		err = d.value(0, false)
	} else if _, err = d.token(); err == nil {
		var format string
		if format, err = d.object(0); format != "" {
			return true
		}
	}
	var se *syntaxError
	switch {
	case err == nil:
		return line[0] == '[' || len(bytes.TrimLeft(line[d.dec.InputOffset():], " \t\r")) > 0
	case errors.As(err, &se) && se.end:
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

// syntaxError is JSON that encoding/json rejects, at a line.
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

// text is the text under the decoder. It keeps what it has read since the
// last offset asked about, so that lines can be counted up to an offset
// behind the decoder's read-ahead, a top-level document can be cut out of
// the text, and a syntax error can be placed.
type text struct {
	r    io.Reader
	buf  []byte // text from offset base on
	base int64
	keep int   // buf[keep:] is kept; buf[:keep] is forgotten
	line int   // line of buf[keep]
	rd   int   // buf[rd:] is not read by the decoder yet
	err  error // what ended the text: io.EOF or rerr
	rerr error // damage that ended the text early
	got  bool  // some text was read
}

func (t *text) Read(p []byte) (int, error) {
	if t.rd == len(t.buf) {
		if t.err != nil {
			return 0, t.err
		}
		t.fill()
		if t.rd == len(t.buf) {
			return 0, t.err
		}
	}
	n := copy(p, t.buf[t.rd:])
	t.rd += n
	return n, nil
}

// fill reads more text into buf, in large reads.
func (t *text) fill() {
	const minRead = 32 << 10
	if cap(t.buf)-len(t.buf) < minRead {
		t.base += int64(t.keep)
		t.rd -= t.keep
		t.buf = t.buf[:copy(t.buf, t.buf[t.keep:])]
		t.keep = 0
		if cap(t.buf)-len(t.buf) < minRead {
			t.buf = append(make([]byte, 0, 2*cap(t.buf)+minRead), t.buf...)
		}
	}
	for empty := 0; ; {
		n, err := t.r.Read(t.buf[len(t.buf):cap(t.buf)])
		t.buf = t.buf[:len(t.buf)+n]
		if n > 0 {
			t.got = true
		} else if empty++; empty > 100 && err == nil {
			err = io.ErrNoProgress
		}
		if err != nil {
			t.err = err
			if err != io.EOF {
				t.rerr = err
			}
		}
		if n > 0 || err != nil {
			return
		}
	}
}

// lineAt returns the line of offset off, and forgets the text before it.
// Offsets asked about must not decrease.
func (t *text) lineAt(off int64) int {
	i := int(off - t.base)
	t.line += bytes.Count(t.buf[t.keep:i], newline)
	t.keep = i
	return t.line
}

// end is the offset of the end of the text read.
func (t *text) end() int64 { return t.base + int64(len(t.buf)) }

// from returns the text read from offset off on.
func (t *text) from(off int64) []byte { return t.buf[off-t.base:] }

// docReader streams the events of containers, one at a time.
type docReader struct {
	text *text
	dec  *json.Decoder
	max  int          // longest event; -1: none
	val  valueText    // the last value decoded
	elem bytes.Buffer // the last event, compacted

	format  string // of the array being streamed; "" at the top level
	open    int    // containers open around its events
	walking bool   // a top-level document is being walked: keep its text

	held bool // elem is yet to be handed out (it did not fit a chunk)
	line int  // held event's start line
	hfmt string
}

// newDocs reads the text t, with events up to max bytes long (-1: any).
func newDocs(t *text, max int) *docReader {
	d := &docReader{text: t, dec: json.NewDecoder(t), max: max}
	d.val.d = d
	d.dec.UseNumber() // Token gives numbers as they are, whatever their size
	return d
}

// newDocReader takes over the text of r, whose first buffer is read.
func newDocReader(r *Reader) *docReader {
	// The first buffer becomes the text's.
	t := &text{r: r.text, buf: r.cur.buf[:r.n], line: 1, rerr: r.rerr, got: r.got}
	if r.eof {
		t.err = io.EOF
		if r.rerr != nil {
			t.err = r.rerr
		}
	}
	r.cur.buf = nil
	r.cur.Release()
	r.cur, r.n = nil, 0
	return newDocs(t, r.opts.MaxLine)
}

// next decodes the next event into d.elem and returns its start line and
// format. At the clean end of the text it returns io.EOF. A *tooLongError
// means an event was skipped and reading can go on; any other error ends it.
func (d *docReader) next() (int, string, error) {
	for {
		if d.format != "" {
			// Inside the array of a container.
			if d.dec.More() {
				if err := d.value(d.open, true); err != nil {
					return 0, "", err
				}
				return d.event(d.text.lineAt(d.val.start), d.format)
			}
			if _, err := d.token(); err != nil { // ']'
				return 0, "", err
			}
			// Read to the end of the objects around the array.
			for ; d.open > 1; d.open-- {
				if err := d.rest('{', d.open-1); err != nil {
					return 0, "", err
				}
			}
			d.format = ""
			continue
		}

		if !d.dec.More() {
			// The end of the text, or a stray ']' or '}'.
			if _, err := d.dec.Token(); err != nil && err != io.EOF {
				return 0, "", d.fail(err, true)
			}
			return 0, "", io.EOF
		}
		start := d.dec.InputOffset()
		switch d.text.from(start)[0] {
		case '[':
			d.dec.Token() // More has seen it: no error
			d.format, d.open = FormatArray, 1
			continue
		case '{':
			d.dec.Token() // More has seen it: no error
			d.walking = true
			format, err := d.object(0)
			d.walking = false
			if err != nil {
				return 0, "", err
			}
			switch format {
			case FormatArray:
				d.format, d.open = format, 2
				continue
			case FormatSearch:
				d.format, d.open = format, 3
				continue
			}
			line := d.text.lineAt(start)
			d.elem.Reset()
			json.Compact(&d.elem, d.text.from(start)[:d.dec.InputOffset()-start]) // valid: the decoder has read it
			return d.event(line, FormatDocuments)
		}
		if err := d.value(0, true); err != nil {
			return 0, "", err
		}
		return d.event(d.text.lineAt(start), FormatDocuments)
	}
}

// object walks the members of an object whose '{' the decoder just gave: a
// top-level object (level 0) or its "hits" member (level 1). It stops just
// inside the array of a container — an "events" or "expected" array as the
// first member of a top-level object, or hits.hits — and returns the
// container's format. If the object ends first, it returns "".
func (d *docReader) object(level int) (string, error) {
	for i := 0; d.dec.More(); i++ {
		tok, err := d.token()
		if err != nil {
			return "", err
		}
		key, _ := tok.(string) // Token gives keys as strings
		wrapper := level == 0 && i == 0 && (key == "events" || key == "expected")
		if !wrapper && key != "hits" {
			if err := d.value(level+1, false); err != nil {
				return "", err
			}
			continue
		}
		if tok, err = d.token(); err != nil {
			return "", err
		}
		switch {
		case tok == json.Delim('[') && wrapper:
			return FormatArray, nil
		case tok == json.Delim('[') && level == 1:
			return FormatSearch, nil
		case tok == json.Delim('{') && level == 0 && key == "hits":
			if format, err := d.object(1); format != "" || err != nil {
				return format, err
			}
		case tok == json.Delim('{') || tok == json.Delim('['):
			if err := d.rest(tok.(json.Delim), level+2); err != nil {
				return "", err
			}
		}
	}
	_, err := d.token() // '}'
	return "", err
}

// rest reads the rest of a container whose opening delim the decoder just
// gave, nested open containers deep (counting it).
func (d *docReader) rest(delim json.Delim, open int) error {
	for d.dec.More() {
		if delim == '{' {
			if _, err := d.token(); err != nil { // the key
				return err
			}
		}
		if err := d.value(open, false); err != nil {
			return err
		}
		if !d.walking {
			d.text.lineAt(d.dec.InputOffset())
		}
	}
	_, err := d.token()
	return err
}

// token reads the next token.
func (d *docReader) token() (json.Token, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.fail(err, true)
	}
	return tok, nil
}

// value decodes the next value, which lies inside open containers; with
// event, it is compacted into d.elem.
func (d *docReader) value(open int, event bool) error {
	d.val.open, d.val.event, d.val.err = open, event, nil
	if err := d.dec.Decode(&d.val); err != nil {
		return d.fail(err, false)
	}
	return d.val.err
}

// valueText takes the text of each value the decoder reads, where it lies
// in the decoder's buffer.
type valueText struct {
	d     *docReader
	open  int   // containers around the value
	event bool  // compact the value into d.elem
	start int64 // offset of the value
	err   error // the value nests too deep
}

// UnmarshalJSON is called by Decode with the text of the value, valid and
// without the blanks around it.
func (v *valueText) UnmarshalJSON(b []byte) error {
	v.start = v.d.dec.InputOffset() - int64(len(b))
	if v.err = v.d.deep(b, v.start, v.open); v.err == nil && v.event {
		v.d.elem.Reset()
		json.Compact(&v.d.elem, b) // valid: the decoder has read it
	}
	return nil
}

// deep checks the nesting of raw, a value found at offset start inside open
// containers. The decoder limits the nesting within each value it decodes;
// encoding/json's limit is on the whole text, and only a value long enough
// to nest that deep can pass it.
func (d *docReader) deep(raw []byte, start int64, open int) error {
	if open == 0 || len(raw) < 2*(maxDepth-open+1) {
		return nil
	}
	b := make([]byte, 0, len(raw)+2*open)
	b = append(append(append(b, strings.Repeat("[", open)...), raw...), strings.Repeat("]", open)...)
	if json.Valid(b) {
		return nil
	}
	var se *json.SyntaxError
	if !errors.As(json.Unmarshal(b, new(json.RawMessage)), &se) {
		return nil
	}
	return &syntaxError{line: d.text.lineAt(start + se.Offset - 1 - int64(open)), msg: se.Error()}
}

// fail turns an error of the decoder, from Token or else from Decode, into
// the one that ends the text: damage, or a syntax error at its line.
func (d *docReader) fail(err error, token bool) error {
	t := d.text
	var se *json.SyntaxError
	if !errors.As(err, &se) {
		line := t.lineAt(t.end())
		if t.rerr == nil && (err == io.EOF || err == io.ErrUnexpectedEOF) {
			return &syntaxError{line: line, msg: "unexpected end of JSON input", end: true}
		}
		return &damageError{line: line, err: err}
	}
	// The offset of an error that Token or Decode find before a value (a
	// misplaced delimiter, a missing comma) is the place of the bad byte.
	// Within a value, it counts only the bytes the decoder has scanned as
	// values: find the place by scanning that value again. Token scans a
	// string or a literal as a value, never '{' or '['.
	at := se.Offset
	p := d.dec.InputOffset()
	if rest := t.from(p); len(rest) > 0 && !(token && (rest[0] == '{' || rest[0] == '[')) {
		var again *json.SyntaxError
		if errors.As(json.NewDecoder(bytes.NewReader(rest)).Decode(new(json.RawMessage)), &again) && again.Error() == se.Error() {
			at = p + again.Offset - 1
		}
	}
	return &syntaxError{line: t.lineAt(at), msg: se.Error()}
}

// event checks the size of the event in d.elem, found at line.
func (d *docReader) event(line int, format string) (int, string, error) {
	if n := d.elem.Len(); d.max >= 0 && n > d.max {
		d.elem = bytes.Buffer{} // do not keep the memory of an event too long
		return 0, "", &tooLongError{line: line, n: n}
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
		if len(lines) > 0 && (d.hfmt != format || len(data)+d.elem.Len()+1 > r.size) {
			break
		}
		data = append(data, d.elem.Bytes()...)
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

// docError reports what ended or interrupted the reading of containers.
func (r *Reader) docError(err error) {
	switch e := err.(type) {
	case *tooLongError:
		r.report(e.line, KindTooLong, fmt.Sprintf("event is %d bytes, over the %s limit", e.n, sizeText(r.opts.MaxLine)))
		return
	case *syntaxError:
		r.report(e.line, KindMalformed, e.msg)
	case *damageError:
		r.got = r.doc.text.got
		r.damaged(e.line, e.err)
	}
	r.finish()
}
