package match

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"dredge/ecs"
	"dredge/event"
	"dredge/rules/ast"

	"github.com/valyala/fastjson"
)

// KQL is compiled as Kibana's detection engine runs it: kbn-es-query turns
// each field:value into an Elasticsearch query chosen by the field's
// mapping type, which here is the field's type in ECS (package ecs; a
// field ECS does not define is a keyword):
//
//   - keyword and wildcard fields: a term query, exact and case-sensitive;
//     a value with * a wildcard query over the whole value (a leading *
//     too); a quoted value is exact, its * a star. Numbers and booleans
//     in the event compare as their text.
//   - text fields (message, the .text multi-fields): the value is
//     analysed as the standard analyzer does (analyze.go). Unquoted, it is
//     a match query: any of its tokens is a token of the field. Quoted, a
//     match_phrase: its tokens in order, adjacent. With a *, Kibana sends
//     a query_string: the value is cut at whitespace and each piece with a
//     * is a lowercased wildcard over single tokens.
//   - ip fields: an address, or a CIDR block as a range (IPv6 too, quoted
//     since KQL reads ":" as a separator).
//   - number fields: by value. date fields: a range from the first to the
//     last millisecond the value names, in UTC. boolean fields: true or
//     false.
//   - a wildcard on an ip, number, date or boolean field, or a value such
//     a field cannot read, is an error, as Elasticsearch fails the search.
//   - ranges: numbers by value, dates rounded as Elasticsearch rounds
//     range bounds, addresses in address order, keyword and wildcard
//     fields byte-wise; on a field ECS does not define, as the values and
//     the bound read: numbers by value when the bound is a number, dates
//     when it is a date, else byte-wise. Date math ("now-30d/d") counts
//     from Options.Now; without it, it is an error, since an offline scan
//     has no "now" of its own.
//   - field:* is an exists query: a value that is not null.
//   - a multi-field (x.text, and the x.caseless and x.keyword that
//     integrations map) reads its parent's value, since events hold no
//     multi-fields; .caseless compares ignoring case.
//   - a wildcard field name (process.hash.*:*) tests every field of the
//     event whose dotted name matches, each by its own type; a value that
//     does not suit a field's type skips that field instead of failing.
//   - free text (a value with no field) is Kibana's multi_match over all
//     fields: every field of the event, each by its own type, types that
//     cannot read the value skipped (lenient). A keyword field matches
//     only its whole value; a text field, or the text multi-field of a
//     keyword field (process.command_line.text), matches by tokens. Free
//     text with a * is a query_string on all fields: cut at whitespace
//     into pieces joined with or, on keyword fields too. *:value is like
//     free text but for that cut; *:* matches every event.
//   - field:{ query } is a nested query: the inner query, its field names
//     under field, holds for one object under field, all its conditions on
//     that same object.
//
// Where this differs from Kibana and Elasticsearch, knowingly:
//   - A wildcard value on a field of type wildcard (process.command_line)
//     matches the whole value, as on a keyword field. Kibana sends a
//     wildcard query only for pure keyword fields and a query_string for
//     the others, which cuts the value at whitespace into pieces joined
//     with or (*foo bar* is *foo or bar*). That is not what a rule means;
//     no rule of Elastic's collection has whitespace in such a value.
//   - Wildcard field names and free text range over the fields the event
//     holds, not over a mapping; a value a field's type cannot read skips
//     the field instead of failing the search. Free text covers every
//     field, where an index's query.default_field may name fewer.
//   - A nested query applies to any field holding objects; Elasticsearch
//     needs a nested mapping.
//   - ECS maps keyword fields with ignore_above 1024: Elasticsearch does
//     not index longer values, so no query matches them; here they match.
//   - The analyzer approximates Lucene's standard tokenizer (analyze.go).

// CompileKQL compiles a KQL query. An error is an *ast.Error at the
// offending node.
func CompileKQL(e ast.Expr, opts Options) (p *Program, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, ast.Errorf(e.Position(), "internal error: %v", r)
		}
	}()
	c := newCompiler(opts)
	n, err := c.kql(e, nil)
	if err != nil {
		return nil, err
	}
	return c.program(n), nil
}

// kql compiles a KQL query whose field names are under prefix (the path
// of the nested queries it is in).
func (c *compiler) kql(e ast.Expr, prefix []string) (node, error) {
	n, err := c.kqlExpr(e, prefix)
	if err != nil {
		return nil, err
	}
	return mergeTerms(n), nil
}

func (c *compiler) kqlExpr(e ast.Expr, prefix []string) (node, error) {
	switch e := e.(type) {
	case *ast.Logical:
		// A chain a or b or c... is a tree leaning left: its operands
		// are compiled in order and joined at once.
		var right []ast.Expr
		var x ast.Expr = e
		for {
			l, ok := x.(*ast.Logical)
			if !ok || l.Op != e.Op {
				break
			}
			right = append(right, l.Y)
			x = l.X
		}
		ns := make([]node, 0, len(right)+1)
		n, err := c.kqlExpr(x, prefix)
		if err != nil {
			return nil, err
		}
		ns = append(ns, n)
		for i := len(right) - 1; i >= 0; i-- {
			n, err := c.kqlExpr(right[i], prefix)
			if err != nil {
				return nil, err
			}
			ns = append(ns, n)
		}
		if e.Op == ast.And {
			return joinAll[andNode](ns, true), nil
		}
		return joinAll[orNode](ns, false), nil
	case *ast.Not:
		x, err := c.kqlExpr(e.X, prefix)
		if err != nil {
			return nil, err
		}
		return not(x), nil
	case *ast.Term:
		if e.Field == nil {
			return c.kqlFields(prefix, nil, func(k fieldKind) (valueTest, error) {
				if e.Wildcard && (k == kindKeyword || k == kindDynamic) {
					return keywordClauses(e.Value), nil
				}
				return c.termTest(k, false, e)
			})
		}
		return c.kqlLeaf(prefix, e.Field, e.P, func(k fieldKind, fold bool) (valueTest, error) { return c.termTest(k, fold, e) })
	case *ast.Exists:
		return c.kqlLeaf(prefix, e.Field, e.P, func(fieldKind, bool) (valueTest, error) { return presentTest{}, nil })
	case *ast.Compare:
		f, ok := e.X.(*ast.Field)
		lit, lok := e.Y.(*ast.Literal)
		if !ok || !lok || lit.Kind != ast.String {
			return nil, ast.Errorf(e.P, "expected field <, <=, > or >= value")
		}
		op := map[ast.CmpOp]cmpOp{ast.Lt: opLt, ast.Le: opLe, ast.Gt: opGt, ast.Ge: opGe}[e.Op]
		return c.kqlLeaf(prefix, f, e.P, func(k fieldKind, _ bool) (valueTest, error) { return c.rangeTest(k, op, lit.Str) })
	case *ast.Nested:
		if hasStar(e.Field.Path) {
			return nil, ast.Errorf(e.Field.P, "a nested query needs a field name without wildcards")
		}
		inner := append(append([]string(nil), prefix...), e.Field.Path...)
		x, err := c.kql(e.X, inner)
		if err != nil {
			return nil, err
		}
		return &nestedNode{path: c.kqlPath(prefix, e.Field.Path), x: x}, nil
	}
	return nil, ast.Errorf(e.Position(), "unexpected %s in a KQL query", e)
}

// keywordClauses is free text with a wildcard on a keyword field. Kibana
// sends it as a query_string on all fields, which cuts the value at
// whitespace into clauses joined with or: a clause with * is a wildcard
// query over the whole value, a lone * an exists query, any other clause a
// term query.
func keywordClauses(pattern string) valueTest {
	var tests anyOf
	for _, clause := range splitClauses(pattern) {
		switch {
		case clause == "*":
			tests = append(tests, presentTest{})
		case hasWildcard(clause):
			tests = append(tests, &globNode{pats: []*glob{kqlGlob(clause, false)}})
		default:
			tests = append(tests, &eqNode{want: ast.UnescapePattern(clause)})
		}
	}
	if len(tests) == 1 {
		return tests[0]
	}
	return tests
}

// anyOf holds when one of its tests does.
type anyOf []valueTest

func (a anyOf) test(x *fastjson.Value) bool {
	for _, t := range a {
		if t.test(x) {
			return true
		}
	}
	return false
}

// kqlLeaf compiles a condition on the field f: test gives the test of the
// condition's value for a kind of field, or why the value does not suit it.
func (c *compiler) kqlLeaf(prefix []string, f *ast.Field, pos ast.Pos, test func(k fieldKind, fold bool) (valueTest, error)) (node, error) {
	if hasStar(f.Path) {
		return c.kqlFields(prefix, f.Path, func(k fieldKind) (valueTest, error) { return test(k, false) })
	}
	full := strings.Join(append(append([]string(nil), prefix...), f.Path...), ".")
	k, fold, reads := fieldReads(full, f.Path)
	t, err := test(k, fold)
	if err != nil {
		return nil, ast.Errorf(pos, "%s: %v", full, err)
	}
	var out node = constNode(false)
	for _, rel := range reads {
		out = or(out, valueNode(c.kqlPath(prefix, rel), t))
	}
	return out, nil
}

// fieldReads resolves the field named full (rel within the nested query):
// its kind, whether it ignores case, and the paths its values are read
// from. A multi-field is read from its parent: ECS's .text fields from the
// parent alone; the .text, .keyword and .caseless fields ECS does not
// define from the parent and from the field itself, in case an event holds
// a field of that name.
func fieldReads(full string, rel []string) (k fieldKind, fold bool, reads [][]string) {
	k = kindOf(full)
	n := len(rel)
	if n < 2 {
		return k, false, [][]string{rel}
	}
	parent := rel[:n-1]
	parentName := full[:len(full)-len(rel[n-1])-1]
	switch rel[n-1] {
	case "text":
		if ecs.Known(full) {
			if k == kindText && ecs.Known(parentName) {
				return k, false, [][]string{parent}
			}
			break
		}
		return kindText, false, [][]string{parent, rel}
	case "keyword", "caseless":
		if ecs.Known(full) {
			break
		}
		return kindKeyword, rel[n-1] == "caseless", [][]string{parent, rel}
	}
	return k, false, [][]string{rel}
}

// kqlFields compiles a condition on every field whose name matches the
// pattern (nil: all fields, for free text). The kinds of field the value
// does not suit are left out.
func (c *compiler) kqlFields(prefix, pattern []string, test func(k fieldKind) (valueTest, error)) (node, error) {
	n := &fieldsNode{start: strings.Join(prefix, ".")}
	if pattern != nil {
		full := strings.Join(append(append([]string(nil), prefix...), pattern...), ".")
		if full == "*" && isExistsTest(test) {
			return constNode(true), nil // *:* is match_all
		}
		if full != "*" {
			n.pat = newGlob(nameTokens(full), false)
			n.lit = full
			if i := strings.IndexByte(full, '*'); i >= 0 {
				n.lit = full[:i]
			}
		}
	}
	usable := false
	for k := range numKinds {
		t, err := test(k)
		if err == nil {
			n.tests[k] = t
			usable = true
		}
	}
	if !usable {
		return constNode(false), nil
	}
	return n, nil
}

func isExistsTest(test func(fieldKind) (valueTest, error)) bool {
	t, _ := test(kindKeyword)
	_, ok := t.(presentTest)
	return ok
}

// nameTokens makes the pattern of a field name: every * is a wildcard
// over any characters, dots included.
func nameTokens(p string) []tok {
	var toks []tok
	for {
		i := strings.IndexByte(p, '*')
		if i < 0 {
			break
		}
		if i > 0 {
			toks = append(toks, tok{tokLit, p[:i]})
		}
		toks = append(toks, tok{kind: tokStar})
		p = p[i+1:]
	}
	if p != "" {
		toks = append(toks, tok{tokLit, p})
	}
	return toks
}

func hasStar(parts []string) bool {
	for _, p := range parts {
		if strings.Contains(p, "*") {
			return true
		}
	}
	return false
}

// kqlPath returns the path of the field rel within the nested query at
// prefix, and records the field's full name in the program's fields.
func (c *compiler) kqlPath(prefix, rel []string) *event.Path {
	var name string
	var p *event.Path
	if c.opts.Paths == nil {
		name = strings.Join(rel, ".")
	} else {
		p = c.opts.Paths.get(rel)
		name = p.Name()
	}
	if q, ok := c.paths[name]; ok {
		p = q
	} else {
		if p == nil {
			p = event.NewPathParts(rel)
		}
		c.paths[name] = p
	}
	full := name // the name of rel joined to prefix
	if len(prefix) > 0 {
		full = strings.Join(append(prefix[:len(prefix):len(prefix)], rel...), ".")
	}
	if !slices.Contains(c.fields, full) {
		c.fields = append(c.fields, full)
	}
	return p
}

// valueNode is the node that tests the values of a field; the keyword
// tests keep their own nodes, the fast path.
func valueNode(path *event.Path, t valueTest) node {
	switch t := t.(type) {
	case *eqNode:
		n := *t
		n.path = path
		return &n
	case *globNode:
		n := *t
		n.path = path
		return &n
	case *cmpNode:
		n := *t
		n.path = path
		return &n
	}
	return &valuesNode{path: path, t: t}
}

// termTest is the test of field:value on a field of kind k.
func (c *compiler) termTest(k fieldKind, fold bool, t *ast.Term) (valueTest, error) {
	v := t.Value
	if t.Wildcard {
		switch k {
		case kindKeyword, kindDynamic:
			return &globNode{pats: []*glob{kqlGlob(v, fold)}}, nil
		case kindText:
			return newTextWildcard(v), nil
		}
		return nil, errorf("wildcards work only on keyword, wildcard and text fields, and this is %s", k.article())
	}
	switch k {
	case kindText:
		if t.Quoted {
			return &textPhraseTest{toks: analyze(v)}, nil
		}
		return newTextAny(analyze(v)), nil
	case kindIP:
		r, ok := parseCIDR(v)
		if !ok {
			return nil, errorf("%q is not an IP address or CIDR block", v)
		}
		return &ipRangeTest{[]ipRange{r}}, nil
	case kindNumber, kindDate, kindBool:
		// A term on these is the range [v, v].
		return c.rangeTest(k, opEq, v)
	}
	return &eqNode{want: v, fold: fold}, nil
}

// rangeTest is the test of field OP value on a field of kind k.
func (c *compiler) rangeTest(k fieldKind, op cmpOp, v string) (valueTest, error) {
	switch k {
	case kindKeyword:
		return &cmpNode{op: op, kind: cmpString, str: v}, nil
	case kindText:
		return &textCmpTest{op: op, str: v}, nil
	case kindIP:
		a, ok := parseIP(v)
		if !ok {
			return nil, errorf("%q is not an IP address", v)
		}
		return &ipCmpTest{op: op, a: a}, nil
	case kindNumber:
		f, ok := parseNumber(strings.TrimSpace(v))
		if !ok {
			return nil, errorf("%q is not a number", v)
		}
		return &numberTest{op: op, num: f}, nil
	case kindDate:
		lo, hi, err := dateBounds(op, v, c.opts.Now)
		if err != nil {
			return nil, err
		}
		return &dateTest{lo, hi}, nil
	case kindBool:
		b, ok := parseBool(v)
		if !ok {
			return nil, errorf("%q is not true or false", v)
		}
		return &boolTest{op: op, val: b}, nil
	}
	// A field ECS does not define: as the values and the bound read.
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return &cmpNode{op: op, kind: cmpNumber, num: f}, nil
	}
	if t, ok := event.ParseTime(v); ok {
		return &cmpNode{op: op, kind: cmpTime, tm: t}, nil
	}
	return &cmpNode{op: op, kind: cmpString, str: v}, nil
}

// mergeTerms joins, in each or, the tests of one field that an or of
// values makes (field:(a or b or c)): keyword terms into a terms test,
// match queries on a text field into one, addresses and CIDR blocks into
// one set of ranges. The meaning is the same, read in one pass.
func mergeTerms(n node) node {
	switch x := n.(type) {
	case andNode:
		for i := range x {
			x[i] = mergeTerms(x[i])
		}
	case notNode:
		return notNode{mergeTerms(x.x)}
	case orNode:
		type key struct {
			path *event.Path
			kind fieldKind
			fold bool
		}
		var out orNode
		at := map[key]int{}         // where the first test of a field is in out
		terms := map[int][]string{} // the values or tokens joined there
		ranges := map[int][]ipRange{}
		for _, y := range x {
			y = mergeTerms(y)
			var k key
			switch y := y.(type) {
			case *eqNode:
				k = key{y.path, kindKeyword, y.fold}
				if i, ok := at[k]; ok {
					terms[i] = append(terms[i], y.want)
					continue
				}
				terms[len(out)] = []string{y.want}
			case *valuesNode:
				switch t := y.t.(type) {
				case *textAnyTest:
					k = key{path: y.path, kind: kindText}
					if i, ok := at[k]; ok {
						terms[i] = append(terms[i], t.toks...)
						continue
					}
					terms[len(out)] = t.toks
				case *ipRangeTest:
					k = key{path: y.path, kind: kindIP}
					if i, ok := at[k]; ok {
						ranges[i] = append(ranges[i], t.ranges...)
						continue
					}
					ranges[len(out)] = t.ranges
				default:
					out = append(out, y)
					continue
				}
			default:
				out = append(out, y)
				continue
			}
			at[k] = len(out)
			out = append(out, y)
		}
		for k, i := range at {
			switch {
			case k.kind == kindText:
				out[i] = &valuesNode{path: k.path, t: newTextAny(terms[i])}
			case k.kind == kindIP:
				out[i] = &valuesNode{path: k.path, t: &ipRangeTest{ranges[i]}}
			case len(terms[i]) > 1:
				out[i] = newIn(k.path, terms[i], k.fold)
			}
		}
		if len(out) == 1 {
			return out[0]
		}
		return out
	}
	return n
}

// errorf says why a value does not suit a field.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
