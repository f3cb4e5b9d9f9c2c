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
// Memory stays that of the decoder's read-ahead plus one value: the decoder
// holds each value it decodes whole, and the text kept for counting lines
// holds it again. So the text refuses to hold more than MaxLine bytes for
// one value, blanks included: the decoder then fails, the value is passed
// over by counting brackets without keeping it, and a new decoder takes over
// after it (resume). A value nested deeper than encoding/json allows is
// passed over the same way, without recursion. Either way it is one event
// skipped (a whole document when it is a member of one), or a member of a
// wrapper that is no event, and the events after it are still read. So are
// blanks over the limit after a ',' or ':'. Blanks elsewhere (before a ','
// or a closing bracket), or an object key walked, over the limit cannot be
// passed over: the rest of the file is then skipped.

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// errLimit is what the text gives the decoder rather than hold more than its
// limit.
var errLimit = errors.New("over the size limit")

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
		err = d.value(0, 0, false)
	} else if _, err = d.token(); err == nil {
		var format string
		if format, err = d.object(0); format != "" {
			return true
		}
	}
	var se *syntaxError
	switch {
	case err == nil:
		return line[0] == '[' || len(bytes.TrimLeft(line[d.offset():], " \t\r")) > 0
	case errors.As(err, &se) && se.deep:
		// Valid as far as it goes, and only a container is read by a
		// decoder that can pass over a value too deep: the members of a
		// search response after it, or the lines after it, are still
		// read.
		return true
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
	deep bool // a value nests too deep (only when sniffing)
}

func (e *syntaxError) Error() string { return e.msg }

// damageError is a read or decompression error that ended the text.
type damageError struct {
	line int
	err  error
}

func (e *damageError) Error() string { return e.err.Error() }

// skipError is an event passed over, too long or nested too deep; reading
// goes on after it.
type skipError struct {
	line   int
	kind   string
	reason string
}

func (e *skipError) Error() string { return e.reason }

// limitError is text over the limit that cannot be passed over: it ends the
// reading of the file.
type limitError struct {
	line  int
	limit int
}

func (e *limitError) Error() string {
	return fmt.Sprintf("more than %s of JSON text without the end of a value; the rest of the file is skipped", sizeText(e.limit))
}

// tooLong is the reason an event of n bytes is skipped.
func tooLong(n int64, max int) string {
	return fmt.Sprintf("event is %d bytes, over the %s limit", n, sizeText(max))
}

// deepReason is the reason an event nested too deep is skipped.
var deepReason = fmt.Sprintf("event nested more than %d levels deep", maxDepth)

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
	// limit > 0: Read fails with errLimit rather than keep more than limit
	// bytes.
	limit int
}

func (t *text) Read(p []byte) (int, error) {
	if t.rd == len(t.buf) {
		if t.err != nil {
			return 0, t.err
		}
		if t.limit > 0 && len(t.buf)-t.keep > t.limit {
			return 0, errLimit
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
			size := 2*cap(t.buf) + minRead
			if t.limit > 0 {
				// No more than the limit allows, and a read.
				size = max(min(size, t.limit+2*minRead), len(t.buf)+minRead)
			}
			t.buf = append(make([]byte, 0, size), t.buf...)
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

// blanks passes over the blanks at offset off, and with sep one ',' or ':'
// among them, keeping none of their text, and returns the offset of the
// first other byte, or of the end of the text; the decoder's next read is
// there.
func (t *text) blanks(off int64, sep bool) int64 {
	i, seen := int(off-t.base), !sep
	for {
		if i == len(t.buf) {
			if t.err != nil {
				break
			}
			i = t.more(i)
			continue
		}
		if c := t.buf[i]; (c == ',' || c == ':') && !seen {
			seen = true
		} else if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			break
		}
		i++
	}
	t.rd = i
	return t.base + int64(i)
}

// more forgets the text before index i, at its end, reads on, and returns
// where i is now.
func (t *text) more(i int) int {
	t.lineAt(t.base + int64(i))
	t.rd = i
	t.fill()
	return t.rd
}

// skip passes over the JSON value at offset off, after blanks and one ','
// or ':', keeping none of its text, and returns the line where it starts and
// the offsets where it starts and ends; the decoder's next read is at its
// end. It only counts brackets outside strings: it is for a value whose start
// the decoder has read well and which it gave up on, too deep or too long. If
// the text ends first, the value ends there.
func (t *text) skip(off int64) (line int, start, end int64) {
	const (
		inValue = iota
		inString
		inEscape
		inScalar
	)
	start = t.blanks(off, true)
	line = t.lineAt(start)
	i := int(start - t.base)
	state, depth := inScalar, 0
	if i < len(t.buf) {
		switch t.buf[i] {
		case '{', '[':
			state, depth = inValue, 1
			i++
		case '"':
			state = inString
			i++
		}
	}
scan:
	for {
		if i == len(t.buf) {
			if t.err != nil {
				break
			}
			i = t.more(i)
			continue
		}
		b := t.buf[i:]
		var k int
		switch state {
		case inEscape:
			state = inString
			i++
			continue
		case inScalar:
			if k = bytes.IndexAny(b, " \t\r\n,:]}"); k >= 0 {
				i += k
				break scan
			}
		case inValue:
			k = bytes.IndexAny(b, "\"[]{}")
		case inString:
			k = bytes.IndexAny(b, `"\`)
		}
		if k < 0 {
			i = len(t.buf)
			continue
		}
		i += k + 1
		switch c := b[k]; {
		case c == '\\':
			state = inEscape
		case c == '"' && state == inValue:
			state = inString
		case c == '"':
			state = inValue
			if depth == 0 {
				break scan
			}
		case c == '{' || c == '[':
			depth++
		default:
			if depth--; depth == 0 {
				break scan
			}
		}
	}
	t.rd = i
	return line, start, t.base + int64(i)
}

// docReader streams the events of containers, one at a time.
type docReader struct {
	text  *text
	dec   *json.Decoder
	shift int64        // text offset of the decoder's offset 0 (see resume)
	max   int          // longest event; -1: none
	val   valueText    // the last value decoded
	elem  bytes.Buffer // the last event, compacted

	// pass: values too long or too deep are passed over (skipError), not
	// errors that end the text (syntaxError).
	pass bool

	format   string     // of the array being streamed; "" at the top level
	open     int        // containers open around its events
	walking  bool       // a top-level document is being walked: keep its text
	rejected *skipError // a member of the document walked was passed over

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

// offset is the text offset of the decoder's next byte.
func (d *docReader) offset() int64 { return d.shift + d.dec.InputOffset() }

// resume replaces the decoder by one that reads on from text offset at,
// inside open containers (the innermost being in), in the state the old one
// would be in there: just after a value passed over (sep 0), or just after
// the separator before a value, ',' or ':'. The new decoder first reads a
// made-up prefix that opens the same containers and ends with a value, and
// the separator; the outer containers are all objects.
func (d *docReader) resume(at int64, open int, in json.Delim, sep byte) {
	prefix, tokens := "", 0
	switch {
	case open == 0:
	case in == '[':
		prefix, tokens = "[{}", 3
	case sep == ':':
		prefix, tokens = `{"":{},""`, 5 // after a key
	default:
		prefix, tokens = `{"":{}`, 4
	}
	if open > 0 && sep != 0 {
		prefix += string(sep) // passed over by the next Decode
	}
	if open > 1 {
		prefix, tokens = strings.Repeat(`{"":`, open-1)+prefix, tokens+2*(open-1)
	}
	d.dec = json.NewDecoder(io.MultiReader(strings.NewReader(prefix), d.text))
	d.dec.UseNumber()
	for range tokens {
		d.dec.Token() // valid, and whole within the prefix: no error
	}
	d.shift = at - int64(len(prefix))
}

// passed tells whether err is a value passed over, which a walk goes on
// after, and if so notes that the document walked is rejected.
func (d *docReader) passed(err error) bool {
	se, ok := err.(*skipError)
	if ok && d.rejected == nil {
		d.rejected = se
		d.walking = false // its text is no longer needed
	}
	return ok
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
	t.limit = r.opts.MaxLine
	r.cur.buf = nil
	r.cur.Release()
	r.cur, r.n = nil, 0
	d := newDocs(t, r.opts.MaxLine)
	d.pass = true
	return d
}

// next decodes the next event into d.elem and returns its start line and
// format. At the clean end of the text it returns io.EOF. A *skipError
// means an event was skipped and reading can go on; any other error ends it.
func (d *docReader) next() (int, string, error) {
	for {
		if d.format != "" {
			// Inside the array of a container.
			if d.dec.More() {
				if err := d.value(d.open, '[', true); err != nil {
					return 0, "", err
				}
				line := d.text.lineAt(d.val.start)
				d.text.lineAt(d.offset()) // keep no more than the next value
				return d.event(line, d.format)
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
		start := d.offset()
		switch d.text.from(start)[0] {
		case '[':
			d.dec.Token() // More has seen it: no error
			d.format, d.open = FormatArray, 1
			continue
		case '{':
			line := d.text.lineAt(start)
			d.dec.Token() // More has seen it: no error
			d.walking, d.rejected = true, nil
			format, err := d.object(0)
			d.walking = false
			switch {
			case err != nil:
				return 0, "", err
			case format == FormatArray:
				d.format, d.open = format, 2
				continue
			case format == FormatSearch:
				d.format, d.open = format, 3
				continue
			}
			return d.document(line, start)
		}
		if err := d.value(0, 0, true); err != nil {
			return 0, "", err
		}
		line := d.text.lineAt(start)
		d.text.lineAt(d.offset())
		return d.event(line, FormatDocuments)
	}
}

// document ends the reading of a top-level object that is not a container,
// walked from offset start on line: an event, unless a member was passed
// over.
func (d *docReader) document(line int, start int64) (int, string, error) {
	end := d.offset()
	if se := d.rejected; se != nil {
		d.rejected = nil
		se.line = line
		if se.kind == KindTooLong {
			se.reason = tooLong(end-start, d.max)
		}
		d.text.lineAt(end)
		return 0, "", se
	}
	d.elem.Reset()
	json.Compact(&d.elem, d.text.from(start)[:end-start]) // valid: the decoder has read it
	d.text.lineAt(end)
	return d.event(line, FormatDocuments)
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
			if err := d.value(level+1, '{', false); err != nil && !d.passed(err) {
				return "", err
			}
			if !d.walking {
				d.text.lineAt(d.offset())
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
		if err := d.value(open, delim, false); err != nil && !d.passed(err) {
			return err
		}
		if !d.walking {
			d.text.lineAt(d.offset())
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

// value decodes the next value, which lies inside open containers, the
// innermost being in (0 at the top level); with event, it is compacted into
// d.elem. A value over the text's limit or nested too deep is passed over,
// unless the reader only sniffs: the error is then a *skipError, and the
// decoder is ready for what follows the value.
func (d *docReader) value(open int, in json.Delim, event bool) error {
	before := d.offset()
	if d.pass && !d.walking {
		d.text.lineAt(before) // the limit is on this value alone
	}
	d.val.open, d.val.event, d.val.deep = open, event, false
	err := d.dec.Decode(&d.val)
	if at := d.offset(); d.pass && !d.walking && errors.Is(err, errLimit) && at > before {
		// The decoder passed the separator (its offset is after it);
		// blanks after it may have filled the limit: pass over them,
		// and read the value again from its start. (In a document
		// walked, the limit is on the whole document.)
		sep := d.text.from(at - 1)[0]
		if start := d.text.blanks(at, false); start > at {
			d.resume(start, open, in, sep)
			before = start
			d.text.lineAt(before)
			err = d.dec.Decode(&d.val)
		}
	}
	switch {
	case err == nil && !d.val.deep:
		return nil
	case err == nil && d.pass:
		// Too deep with the containers around it: the decoder has read
		// it whole, and is ready for what follows.
		return &skipError{line: d.text.lineAt(d.val.start), kind: KindMalformed, reason: deepReason}
	case err == nil || !d.pass && isDeep(err):
		return &syntaxError{msg: deepReason, deep: true}
	case !d.pass || !errors.Is(err, errLimit) && !isDeep(err):
		return d.fail(err, false)
	}
	line, start, end := d.text.skip(before)
	d.resume(end, open, in, 0)
	switch {
	case errors.Is(err, errLimit) && end-start <= int64(d.text.limit):
		// Blanks before the separator filled the limit.
		return &skipError{line: line, kind: KindTooLong, reason: fmt.Sprintf("event after more than %s of blanks, skipped", sizeText(d.text.limit))}
	case errors.Is(err, errLimit):
		return &skipError{line: line, kind: KindTooLong, reason: tooLong(end-start, d.max)}
	}
	return &skipError{line: line, kind: KindMalformed, reason: deepReason}
}

// isDeep tells the decoder's error for a value nested deeper than it allows.
func isDeep(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) && strings.HasSuffix(se.Error(), "exceeded max depth")
}

// valueText takes the text of each value the decoder reads, where it lies
// in the decoder's buffer.
type valueText struct {
	d     *docReader
	open  int   // containers around the value
	event bool  // compact the value into d.elem
	start int64 // offset of the value
	deep  bool  // the value nests too deep
}

// UnmarshalJSON is called by Decode with the text of the value, valid and
// without the blanks around it.
func (v *valueText) UnmarshalJSON(b []byte) error {
	v.start = v.d.offset() - int64(len(b))
	if v.deep = deep(b, v.open); !v.deep && v.event {
		v.d.elem.Reset()
		json.Compact(&v.d.elem, b) // valid: the decoder has read it
	}
	return nil
}

// deep tells whether raw, a valid value found inside open containers, nests
// too deep. The decoder limits the nesting within each value it decodes;
// encoding/json's limit is on the whole text, and only a value long enough
// to nest that deep can pass it.
func deep(raw []byte, open int) bool {
	if open == 0 || len(raw) < 2*(maxDepth-open+1) {
		return false
	}
	b := make([]byte, 0, len(raw)+2*open)
	b = append(append(append(b, strings.Repeat("[", open)...), raw...), strings.Repeat("]", open)...)
	return !json.Valid(b)
}

// fail turns an error of the decoder, from Token or else from Decode, into
// the one that ends the text: damage, a syntax error at its line, or text
// over the limit.
func (d *docReader) fail(err error, token bool) error {
	t := d.text
	if errors.Is(err, errLimit) {
		return &limitError{line: t.lineAt(d.offset()), limit: t.limit}
	}
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
	at := d.shift + se.Offset
	p := d.offset()
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
		return 0, "", &skipError{line: line, kind: KindTooLong, reason: tooLong(int64(n), d.max)}
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
	case *skipError:
		r.report(e.line, e.kind, e.reason)
		return
	case *limitError:
		r.report(e.line, KindTooLong, e.Error())
	case *syntaxError:
		r.report(e.line, KindMalformed, e.msg)
	case *damageError:
		r.got = r.doc.text.got
		r.damaged(e.line, e.err)
	}
	r.finish()
}
