package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"dredge/decode"
	"dredge/event"
	"dredge/report"
	"dredge/rules"
	"dredge/rules/match"
	"dredge/scan"

	"github.com/urfave/cli/v2"
	"github.com/valyala/fastjson"
)

func queryCommand(ctx context.Context) *cli.Command {
	return &cli.Command{
		Name:      "query",
		Usage:     "hunt: print the events that match an EQL or KQL query, as NDJSON in time order",
		ArgsUsage: "QUERY PATH...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "language", Aliases: []string{"l"}, Value: "eql", Usage: "query language: eql or kql"},
			&cli.StringFlag{Name: "event-category-field", Value: "event.category", Usage: "the field an EQL event category tests"},
			&cli.StringFlag{Name: "timestamp-field", Value: "@timestamp", Usage: "the field that holds the event's time"},
			&cli.StringFlag{Name: "tiebreaker-field", Usage: "the field that orders events with the same time"},
			&cli.IntFlag{Name: "size", Usage: "print at most `N` results (0: all)"},
			&cli.IntFlag{Name: "workers", Value: 0, Usage: "number of parsing workers (default: the number of CPUs)"},
		},
		Action: func(c *cli.Context) error { return runQuery(ctx, c) },
	}
}

func runQuery(ctx context.Context, c *cli.Context) error {
	if c.NArg() < 2 {
		return &exitError{exitIncomplete, errors.New("query: give a query and at least one path")}
	}
	lang := strings.ToLower(c.String("language"))
	switch lang {
	case "eql":
	case "kql", "kuery":
		lang = "kuery"
	default:
		return &exitError{exitIncomplete, fmt.Errorf("query: unknown language %q (eql or kql)", c.String("language"))}
	}
	src := c.Args().First()
	r := &rules.Rule{ID: "query", Name: "query", Type: "query", Language: lang, Query: src,
		TimestampOverride: c.String("timestamp-field"), Source: "query"}
	prog, err := rules.CompileQuery(lang, src, match.Options{CategoryField: c.String("event-category-field")})
	if err != nil {
		return &exitError{exitIncomplete, queryError(src, err)}
	}
	r.Program = prog

	inputs, problems := decode.Expand(c.Args().Tail())
	for i := range inputs {
		if inputs[i].Path == "-" {
			inputs[i].Stdin = c.App.Reader
		}
	}
	res, err := scan.Run(ctx, inputs, scan.Config{Rules: []*rules.Rule{r}, Workers: c.Int("workers"), Version: version})
	if err != nil && !errors.Is(err, scan.ErrIncomplete) {
		return &exitError{exitIncomplete, err}
	}
	if tb := c.String("tiebreaker-field"); tb != "" {
		sortByTiebreaker(res.Hits, event.NewPath(tb))
	}
	w := bufio.NewWriter(c.App.Writer)
	n := 0
	for _, h := range res.Hits {
		if size := c.Int("size"); size > 0 && n >= size {
			break
		}
		w.Write(h.Document)
		w.WriteByte('\n')
		n++
	}
	if err := w.Flush(); err != nil {
		return &exitError{exitIncomplete, err}
	}
	for _, p := range problems {
		fmt.Fprintf(c.App.ErrWriter, "dredge: %s\n", oneLine(p.String()))
	}
	for _, p := range res.Summary.Problems {
		fmt.Fprintf(c.App.ErrWriter, "dredge: %s\n", oneLine(problemString(p)))
	}
	if len(problems) > 0 || !res.Summary.Complete {
		return &exitError{code: exitIncomplete}
	}
	if n > 0 {
		return &exitError{code: exitHits}
	}
	return nil
}

// queryError formats a query error with its line:col and a caret.
func queryError(src string, err error) error {
	var qe *rules.QueryError
	if errors.As(err, &qe) {
		return fmt.Errorf("query:%d:%d: %s\n%s", qe.Line, qe.Col, qe.Msg, qe.Context)
	}
	return fmt.Errorf("query: %v", err)
}

// sortByTiebreaker orders hits with the same time by a tiebreaker field,
// numerically when both values are numbers.
func sortByTiebreaker(hits []report.Hit, tb *event.Path) {
	type key struct {
		num   float64
		isNum bool
		str   string
	}
	keys := make([]key, len(hits))
	var p fastjson.Parser
	for i, h := range hits {
		v, err := p.ParseBytes(h.Document)
		if err != nil {
			continue
		}
		tb.Visit(v, func(x *fastjson.Value) bool {
			if f, err := x.Float64(); err == nil && x.Type() == fastjson.TypeNumber {
				keys[i] = key{num: f, isNum: true}
			} else if s, ok := event.Text(x); ok {
				keys[i] = key{str: strings.Clone(s)}
			}
			return true
		})
	}
	idx := make([]int, len(hits))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		ha, hb := &hits[idx[a]], &hits[idx[b]]
		if c := ha.Time.Compare(hb.Time); c != 0 {
			return c < 0
		}
		ka, kb := keys[idx[a]], keys[idx[b]]
		if ka.isNum && kb.isNum {
			return ka.num < kb.num
		}
		return ka.str < kb.str
	})
	sorted := make([]report.Hit, len(hits))
	for i, j := range idx {
		sorted[i] = hits[j]
	}
	copy(hits, sorted)
}
