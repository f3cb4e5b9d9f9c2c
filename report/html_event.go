package report

import (
	"bytes"
	"encoding/json"
	"html/template"
	"strings"
	"unicode/utf8"
)

// The whole event of a hit, in the HTML report: the JSON pretty-printed
// (indented as json.Indent does) and escaped, with the members that the
// rule's query tested marked, so that a reader sees why the rule fired. A
// member is marked when its dotted name — the names of the objects it is in
// and its own, joined by dots, arrays left out — is one of the fields: both
// {"process": {"name": ...}} and {"process.name": ...} are process.name.

// prettyDepth is the deepest nesting that is indented; what is deeper is
// written as it is, on one line, so that a hostile event nested hundreds of
// levels deep cannot make the page hundreds of times its size.
const prettyDepth = 12

// fieldSet is the fields a query tested.
type fieldSet struct {
	// Names are the fields, each once, in the order the rule lists them.
	Names []string
	set   map[string]bool
}

func newFieldSet(names []string) *fieldSet {
	fs := &fieldSet{set: make(map[string]bool, len(names))}
	for _, n := range names {
		if n != "" && !fs.set[n] {
			fs.set[n] = true
			fs.Names = append(fs.Names, n)
		}
	}
	return fs
}

// htmlEvent is an event as the page shows it.
type htmlEvent struct {
	// JSON is the event, pretty-printed and escaped, its tested fields
	// in <mark> elements; the text as it is when it is not JSON.
	JSON template.HTML
	// Tested are the fields the query tested, and whether the event as
	// read holds each (the scan may have filled in others, normalising
	// it).
	Tested []testedField
}

type testedField struct {
	Name  string
	Found bool
	// Value is the field's value in the event as JSON, its first when the
	// field is in several places, cut to valueMax characters.
	Value string
}

// valueMax is the most characters of a tested field's value that the page
// shows next to its name.
const valueMax = 200

// eventHTML renders an event for the page with the fields of fs marked; fs
// may be nil.
func eventHTML(doc []byte, fs *fieldSet) htmlEvent {
	if !utf8.Valid(doc) {
		doc = bytes.ToValidUTF8(doc, []byte("\uFFFD"))
	}
	var found map[string][]byte
	var b bytes.Buffer
	b.Grow(len(doc) + len(doc)/2)
	if json.Valid(doc) {
		p := printer{out: &b, src: doc}
		if fs != nil {
			p.fields, p.found = fs.set, make(map[string][]byte)
		}
		p.value("")
		found = p.found
	} else {
		escapeText(&b, doc)
	}
	ev := htmlEvent{JSON: template.HTML(b.String())}
	if fs != nil {
		for _, n := range fs.Names {
			v, ok := found[n]
			ev.Tested = append(ev.Tested, testedField{Name: n, Found: ok, Value: clipText(compactJSON(v), valueMax)})
		}
	}
	return ev
}

// printer writes valid JSON indented, escaped for HTML, marking the
// members named in fields.
type printer struct {
	out    *bytes.Buffer
	src    []byte
	i      int
	depth  int
	fields map[string]bool
	// found holds the value, as written, of each of fields found.
	found map[string][]byte
}

// value writes the value at p.i, of the member whose dotted name is path
// ("" at the top, and in arrays at the top).
func (p *printer) value(path string) {
	p.skipSpace()
	switch p.src[p.i] {
	case '{':
		if p.depth >= prettyDepth {
			p.raw()
			return
		}
		p.i++
		if p.closes('}') {
			p.out.WriteString("{}")
			return
		}
		p.out.WriteByte('{')
		p.depth++
		for {
			p.newline()
			p.skipSpace()
			start := p.i
			p.skipString()
			key := p.src[start:p.i]
			name := memberName(path, key)
			mark := p.fields[name]
			if mark {
				p.out.WriteString(`<mark>`)
			}
			escapeText(p.out, key)
			p.skipSpace()
			p.i++ // ':'
			p.out.WriteString(": ")
			p.skipSpace()
			valueStart := p.i
			p.value(name)
			if mark {
				p.out.WriteString(`</mark>`)
				if _, ok := p.found[name]; !ok {
					p.found[name] = p.src[valueStart:p.i]
				}
			}
			p.skipSpace()
			if p.src[p.i] == '}' {
				p.i++
				break
			}
			p.i++ // ','
			p.out.WriteByte(',')
		}
		p.depth--
		p.newline()
		p.out.WriteByte('}')
	case '[':
		if p.depth >= prettyDepth {
			p.raw()
			return
		}
		p.i++
		if p.closes(']') {
			p.out.WriteString("[]")
			return
		}
		p.out.WriteByte('[')
		p.depth++
		for {
			p.newline()
			p.value(path)
			p.skipSpace()
			if p.src[p.i] == ']' {
				p.i++
				break
			}
			p.i++ // ','
			p.out.WriteByte(',')
		}
		p.depth--
		p.newline()
		p.out.WriteByte(']')
	case '"':
		start := p.i
		p.skipString()
		escapeText(p.out, p.src[start:p.i])
	default: // a number, true, false or null
		start := p.i
		for p.i < len(p.src) && !strings.ContainsRune(",]} \t\r\n", rune(p.src[p.i])) {
			p.i++
		}
		escapeText(p.out, p.src[start:p.i])
	}
}

// compactJSON returns valid JSON v on one line, without its white space.
func compactJSON(v []byte) string {
	if bytes.ContainsAny(v, " \t\r\n") {
		var b bytes.Buffer
		if json.Compact(&b, v) == nil {
			return b.String()
		}
	}
	return string(v)
}

// escapeText writes b to w escaped as the text of an element: &, < and >
// as entities, NUL as U+FFFD, as html/template does. Quotes need no
// escaping there, and JSON has many: the page stays smaller.
func escapeText(w *bytes.Buffer, b []byte) {
	last := 0
	for i, c := range b {
		var esc string
		switch c {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case 0:
			esc = "\uFFFD"
		default:
			continue
		}
		w.Write(b[last:i])
		w.WriteString(esc)
		last = i + 1
	}
	w.Write(b[last:])
}

// memberName is the dotted name of member key (a JSON string as written) of
// the object at path.
func memberName(path string, key []byte) string {
	var k string
	if bytes.IndexByte(key, '\\') < 0 {
		k = string(key[1 : len(key)-1])
	} else if json.Unmarshal(key, &k) != nil {
		return ""
	}
	if path == "" {
		return k
	}
	return path + "." + k
}

// closes reports whether the next token closes the container just opened,
// and skips it if so.
func (p *printer) closes(c byte) bool {
	p.skipSpace()
	if p.src[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *printer) newline() {
	p.out.WriteByte('\n')
	for range p.depth {
		p.out.WriteString("  ")
	}
}

func (p *printer) skipSpace() {
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		default:
			return
		}
	}
}

// skipString moves past the string that starts at p.i.
func (p *printer) skipString() {
	p.i++
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case '\\':
			p.i += 2
		case '"':
			p.i++
			return
		default:
			p.i++
		}
	}
}

// raw writes the object or array at p.i as it is, escaped, with its white
// space, and moves past it.
func (p *printer) raw() {
	start, depth := p.i, 0
	for p.i < len(p.src) {
		switch p.src[p.i] {
		case '"':
			p.skipString()
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
		p.i++
		if depth == 0 {
			break
		}
	}
	escapeText(p.out, p.src[start:p.i])
}
