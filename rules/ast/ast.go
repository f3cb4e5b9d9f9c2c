// Package ast is the syntax tree shared by the EQL and KQL parsers.
//
// Both query languages parse into these nodes; the compiler in rules/match
// turns them into predicates over events. The tree knows nothing of events,
// files or field types: it records what the query says, with the byte offset
// of every node into the query source so that errors can point at it.
//
// Every node prints back to canonical source with String. For EQL nodes the
// printed text parses again to the same tree; KQL-only nodes (Term, Exists,
// Nested) and KQL ranges (Compare with KQL set) print as KQL.
package ast

import (
	"strconv"
	"strings"
	"time"
)

// Pos is a byte offset into the query source. Line and column are computed
// only when an error is printed (see Error).
type Pos int

// Node is any node of the tree.
type Node interface {
	// Position is the byte offset where the node starts in the source.
	Position() Pos
	// String prints the node as canonical query source.
	String() string
}

// Expr is a node that yields a value: a boolean condition, a field, a literal,
// a function call or an arithmetic expression.
type Expr interface {
	Node
	exprNode()
}

// LogicalOp is "and" or "or".
type LogicalOp int

// The logical operators.
const (
	And LogicalOp = iota
	Or
)

func (op LogicalOp) String() string {
	if op == And {
		return "and"
	}
	return "or"
}

// Logical is X and Y, or X or Y.
type Logical struct {
	Op   LogicalOp
	X, Y Expr
	P    Pos
}

// Not is "not X".
type Not struct {
	X Expr
	P Pos
}

// Field names an event field. Path holds the dotted name split at the dots:
// process.parent.name is ["process", "parent", "name"]. A name written in
// backticks (EQL) is one element and may itself contain dots or spaces.
type Field struct {
	Path []string
	// Optional is EQL's ?field: a field that may be absent from the mapping.
	Optional bool
	P        Pos
}

// Name is the field's dotted name, the form used in field tables.
func (f *Field) Name() string { return strings.Join(f.Path, ".") }

// LitKind tells what a Literal holds.
type LitKind int

// The kinds of literal.
const (
	String LitKind = iota
	Int
	Float
	Bool
	Null
)

// Literal is a constant: a string, an integer, a float, true/false or null.
type Literal struct {
	Kind  LitKind
	Str   string  // Kind == String: the unescaped value
	Int   int64   // Kind == Int
	Float float64 // Kind == Float
	Bool  bool    // Kind == Bool
	P     Pos
}

// CmpOp is a comparison operator.
type CmpOp int

// The comparison operators.
const (
	Eq    CmpOp = iota // ==
	NotEq              // !=
	Lt                 // <
	Le                 // <=
	Gt                 // >
	Ge                 // >=
)

var cmpText = [...]string{Eq: "==", NotEq: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">="}

func (op CmpOp) String() string { return cmpText[op] }

// Compare is X op Y. EQL's == and != are case-sensitive; KQL ranges
// (field > value) are also Compare nodes.
type Compare struct {
	Op   CmpOp
	X, Y Expr
	// KQL marks a KQL range, a *Field compared with a String *Literal: it
	// prints as KQL, not EQL.
	KQL bool
	P   Pos
}

// MatchOp is EQL's pattern operator.
type MatchOp int

// The pattern operators.
const (
	Seq   MatchOp = iota // ":" : equality with * and ? wildcards, always case-insensitive
	Like                 // like, like~ : * and ? wildcards over the whole value
	Regex                // regex, regex~ : Lucene regular expression over the whole value
)

// Match is X : patterns, X like patterns or X regex patterns. The value
// matches when it matches any of the patterns. Insensitive is set for ":"
// and for the ~ forms.
type Match struct {
	Op          MatchOp
	Insensitive bool
	X           Expr
	Patterns    []Expr
	// Paren records that the patterns were written as a list in parentheses,
	// so that printing gives back the same form.
	Paren bool
	P     Pos
}

// In is X in (list...), or X in~ (list...) when Insensitive.
// "X not in (...)" parses as Not{In}.
type In struct {
	X           Expr
	List        []Expr
	Insensitive bool
	P           Pos
}

// Call is a function call, name(args...), or name~(args...) when Insensitive.
type Call struct {
	Name        string
	Insensitive bool
	Args        []Expr
	P           Pos
}

// ArithOp is an arithmetic operator.
type ArithOp int

// The arithmetic operators.
const (
	Add ArithOp = iota
	Sub
	Mul
	Div
	Mod
)

var arithText = [...]string{Add: "+", Sub: "-", Mul: "*", Div: "/", Mod: "%"}

func (op ArithOp) String() string { return arithText[op] }

// Arith is X op Y.
type Arith struct {
	Op   ArithOp
	X, Y Expr
	P    Pos
}

// Neg is unary minus, -X.
type Neg struct {
	X Expr
	P Pos
}

// Term is KQL's field:value, or a free-text value when Field is nil.
// Value is the unescaped text. Quoted values are phrases: their * is literal.
// Wildcard is set when an unquoted value holds an unescaped *; then Value
// keeps the pattern with \* for a literal star and \\ for a backslash.
type Term struct {
	Field    *Field
	Value    string
	Quoted   bool
	Wildcard bool
	P        Pos
}

// UnescapePattern turns a KQL wildcard pattern, as Term.Value keeps it,
// back into plain text: \* is a star and \\ a backslash.
func UnescapePattern(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// Exists is KQL's field:* — the field is present and not null.
type Exists struct {
	Field *Field
	P     Pos
}

// Nested is KQL's field:{ query }: the query applies to the objects under field.
type Nested struct {
	Field *Field
	X     Expr
	P     Pos
}

func (n *Logical) Position() Pos { return n.P }
func (n *Not) Position() Pos     { return n.P }
func (n *Field) Position() Pos   { return n.P }
func (n *Literal) Position() Pos { return n.P }
func (n *Compare) Position() Pos { return n.P }
func (n *Match) Position() Pos   { return n.P }
func (n *In) Position() Pos      { return n.P }
func (n *Call) Position() Pos    { return n.P }
func (n *Arith) Position() Pos   { return n.P }
func (n *Neg) Position() Pos     { return n.P }
func (n *Term) Position() Pos    { return n.P }
func (n *Exists) Position() Pos  { return n.P }
func (n *Nested) Position() Pos  { return n.P }

func (*Logical) exprNode() {}
func (*Not) exprNode()     {}
func (*Field) exprNode()   {}
func (*Literal) exprNode() {}
func (*Compare) exprNode() {}
func (*Match) exprNode()   {}
func (*In) exprNode()      {}
func (*Call) exprNode()    {}
func (*Arith) exprNode()   {}
func (*Neg) exprNode()     {}
func (*Term) exprNode()    {}
func (*Exists) exprNode()  {}
func (*Nested) exprNode()  {}

// Query is a whole EQL query: an event query, a sequence or a sample,
// followed by pipes.
type Query struct {
	Body  Body
	Pipes []*Pipe
}

// Position is where the query starts.
func (q *Query) Position() Pos { return q.Body.Position() }

// Body is *EventQuery, *Sequence or *Sample.
type Body interface {
	Node
	bodyNode()
}

// EventQuery is "category where condition". Category is the event category
// as written ("process", "file", ...) or "any".
type EventQuery struct {
	Category string
	Where    Expr
	P        Pos
}

// Step is one bracketed query of a sequence or sample, with its own join keys.
type Step struct {
	Query *EventQuery
	By    []Expr
	// Missing is a missing-event step, ![query]: the sequence matches only
	// when no such event occurs in that position.
	Missing bool
	// Runs is "with runs=N": the step repeats N times. 0 means not given.
	Runs int
	P    Pos
}

// Sequence is "sequence [by keys] [with maxspan=T] steps... [until step]".
type Sequence struct {
	By []Expr
	// MaxSpan is 0 when not given. MaxSpanText is the value as written
	// ("30s", "5m", "1000") so that printing gives it back.
	MaxSpan     time.Duration
	MaxSpanText string
	Steps       []*Step
	Until       *Step
	P           Pos
}

// Sample is "sample [by keys] steps...".
type Sample struct {
	By    []Expr
	Steps []*Step
	P     Pos
}

// Pipe is "| name args...", such as "| head 5" or "| tail 2".
type Pipe struct {
	Name string
	Args []Expr
	P    Pos
}

func (n *EventQuery) Position() Pos { return n.P }
func (n *Sequence) Position() Pos   { return n.P }
func (n *Sample) Position() Pos     { return n.P }
func (n *Step) Position() Pos       { return n.P }
func (n *Pipe) Position() Pos       { return n.P }

func (*EventQuery) bodyNode() {}
func (*Sequence) bodyNode()   {}
func (*Sample) bodyNode()     {}

// Quote prints s as an EQL double-quoted string with escapes.
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u{` + strconv.FormatInt(int64(r), 16) + `}`)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
