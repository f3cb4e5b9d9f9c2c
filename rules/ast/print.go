package ast

import (
	"math"
	"strconv"
	"strings"
)

func (n *Logical) String() string {
	x := n.X.String()
	if l, ok := n.X.(*Logical); ok && l.Op != n.Op {
		x = "(" + x + ")"
	}
	y := n.Y.String()
	if _, ok := n.Y.(*Logical); ok {
		y = "(" + y + ")"
	}
	return x + " " + n.Op.String() + " " + y
}

func (n *Not) String() string { return "not " + paren(n.X) }

func (n *Field) String() string {
	var b strings.Builder
	if n.Optional {
		b.WriteByte('?')
	}
	for i, p := range n.Path {
		if i > 0 {
			b.WriteByte('.')
		}
		if isIdent(p) {
			b.WriteString(p)
		} else {
			b.WriteByte('`')
			b.WriteString(strings.ReplaceAll(p, "`", "``"))
			b.WriteByte('`')
		}
	}
	return b.String()
}

func (n *Literal) String() string {
	switch n.Kind {
	case String:
		return Quote(n.Str)
	case Int:
		return strconv.FormatInt(n.Int, 10)
	case Float:
		if math.IsInf(n.Float, 0) || math.IsNaN(n.Float) {
			return strconv.FormatFloat(n.Float, 'g', -1, 64)
		}
		s := strconv.FormatFloat(n.Float, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case Bool:
		return strconv.FormatBool(n.Bool)
	default:
		return "null"
	}
}

func (n *Compare) String() string {
	if f, ok := n.X.(*Field); ok && n.KQL {
		if l, ok := n.Y.(*Literal); ok && l.Kind == String {
			return kqlField(f) + " " + n.Op.String() + " " + kqlQuote(l.Str)
		}
	}
	return operand(n.X) + " " + n.Op.String() + " " + operand(n.Y)
}

func (n *Match) String() string {
	op := ":"
	switch n.Op {
	case Like:
		op = " like"
	case Regex:
		op = " regex"
	}
	if n.Insensitive && n.Op != Seq {
		op += "~"
	}
	var pats string
	if n.Paren || len(n.Patterns) != 1 {
		pats = "(" + list(n.Patterns) + ")"
	} else {
		pats = operand(n.Patterns[0])
	}
	return operand(n.X) + op + " " + pats
}

func (n *In) String() string {
	op := " in "
	if n.Insensitive {
		op = " in~ "
	}
	return operand(n.X) + op + "(" + list(n.List) + ")"
}

func (n *Call) String() string {
	name := n.Name
	if n.Insensitive {
		name += "~"
	}
	return name + "(" + list(n.Args) + ")"
}

func (n *Arith) String() string {
	return operand(n.X) + " " + n.Op.String() + " " + operand(n.Y)
}

func (n *Neg) String() string { return "-" + operand(n.X) }

func (n *Term) String() string {
	v := kqlValue(n)
	if n.Field == nil {
		return v
	}
	return kqlField(n.Field) + ":" + v
}

func (n *Exists) String() string { return kqlField(n.Field) + ":*" }

func (n *Nested) String() string { return kqlField(n.Field) + ":{ " + n.X.String() + " }" }

func (q *Query) String() string {
	var b strings.Builder
	b.WriteString(q.Body.String())
	for _, p := range q.Pipes {
		b.WriteString(" | ")
		b.WriteString(p.String())
	}
	return b.String()
}

func (n *EventQuery) String() string {
	c := n.Category
	if c != "any" && !isIdent(c) {
		c = Quote(c) // a category written as a string, such as "my-category"
	}
	return c + " where " + n.Where.String()
}

func (n *Step) String() string {
	var b strings.Builder
	if n.Missing {
		b.WriteByte('!')
	}
	b.WriteString("[" + n.Query.String() + "]")
	if len(n.By) > 0 {
		b.WriteString(" by " + list(n.By))
	}
	if n.Runs > 0 {
		b.WriteString(" with runs=" + strconv.Itoa(n.Runs))
	}
	return b.String()
}

func (n *Sequence) String() string {
	var b strings.Builder
	b.WriteString("sequence")
	if len(n.By) > 0 {
		b.WriteString(" by " + list(n.By))
	}
	if n.MaxSpanText != "" {
		b.WriteString(" with maxspan=" + n.MaxSpanText)
	}
	for _, s := range n.Steps {
		b.WriteString(" " + s.String())
	}
	if n.Until != nil {
		b.WriteString(" until " + n.Until.String())
	}
	return b.String()
}

func (n *Sample) String() string {
	var b strings.Builder
	b.WriteString("sample")
	if len(n.By) > 0 {
		b.WriteString(" by " + list(n.By))
	}
	for _, s := range n.Steps {
		b.WriteString(" " + s.String())
	}
	return b.String()
}

func (n *Pipe) String() string {
	if len(n.Args) == 0 {
		return n.Name
	}
	return n.Name + " " + list(n.Args)
}

// paren wraps anything but a primary in parentheses.
func paren(e Expr) string {
	switch e.(type) {
	case *Field, *Literal, *Call:
		return e.String()
	}
	return "(" + e.String() + ")"
}

// operand prints an operand of a comparison or arithmetic operator.
func operand(e Expr) string { return paren(e) }

func list(es []Expr) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return strings.Join(s, ", ")
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '@' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	switch s {
	case "and", "or", "not", "in", "like", "regex", "where", "sequence", "sample", "by", "with", "until", "true", "false", "null", "any", "of", "join":
		return false
	}
	return true
}

// kqlValue prints a KQL value, quoting or escaping as needed.
func kqlValue(t *Term) string {
	if t.Quoted {
		return kqlQuote(t.Value)
	}
	return kqlText(t.Value, t.Wildcard)
}

// kqlQuote prints s as a KQL quoted string.
func kqlQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// kqlField prints a field name as KQL: escaped like a value, with * kept
// as a wildcard.
func kqlField(f *Field) string {
	name := f.Name()
	if name == "" {
		return `""`
	}
	return kqlText(strings.ReplaceAll(name, `\`, `\\`), true)
}

// kqlText prints v as an unquoted KQL value. When wild, v is a pattern:
// * is a wildcard and the pairs \* and \\ are kept as written.
func kqlText(v string, wild bool) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if wild && c == '\\' && i+1 < len(v) {
			b.WriteByte(c)
			b.WriteByte(v[i+1])
			i++
			continue
		}
		switch c {
		case '*':
			if !wild {
				b.WriteByte('\\')
			}
		case '\\', '(', ')', ':', '<', '>', '"', '{', '}', ' ':
			b.WriteByte('\\')
		case '\t':
			b.WriteString(`\t`)
			continue
		case '\r':
			b.WriteString(`\r`)
			continue
		case '\n':
			// \n before "ot" would read as the escaped word \not.
			if i+2 < len(v) && v[i+1]|0x20 == 'o' && v[i+2]|0x20 == 't' {
				b.WriteString(`\u000a`)
			} else {
				b.WriteString(`\n`)
			}
			continue
		case 0xc2: // U+00A0, no-break space, is whitespace in KQL
			if i+1 < len(v) && v[i+1] == 0xa0 {
				b.WriteString(`\u00a0`)
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	s := b.String()
	switch strings.ToLower(s) {
	case "and", "or", "not":
		return `\` + s
	}
	return s
}
