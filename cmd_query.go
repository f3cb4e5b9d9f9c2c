package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"dredge/decode"
	"dredge/report"
	"dredge/rules"
	"dredge/rules/match"
	"dredge/scan"

	"github.com/urfave/cli/v2"
)

func queryCommand(ctx context.Context) *cli.Command {
	return &cli.Command{
		Name:  "query",
		Usage: "hunt: print the events, sequences or samples that match an EQL or KQL query, as NDJSON in time order",
		Description: "Prints one JSON object per line: a matching event as it was read, or for an EQL sequence or\n" +
			"sample {\"join_keys\": [...], \"events\": [...]}, a missing event (![...]) as {\"missing\": true}.\n" +
			"Results come in Elasticsearch's order: events by time, then tiebreaker; sequences by their\n" +
			"last event; samples by their join keys. | head N and | tail N apply to that order.",
		ArgsUsage: "QUERY PATH...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "language", Aliases: []string{"l"}, Value: "eql", Usage: "query language: eql or kql"},
			&cli.StringFlag{Name: "event-category-field", Value: "event.category", Usage: "the field an EQL event category tests"},
			&cli.StringFlag{Name: "timestamp-field", Value: "@timestamp", Usage: "the field that holds the event's time"},
			&cli.StringFlag{Name: "tiebreaker-field", Usage: "the field that orders events with the same time"},
			&cli.IntFlag{Name: "size", Usage: "print at most `N` results (default: all)"},
			&cli.IntFlag{Name: "workers", Value: 0, Usage: "number of parsing workers (default: the number of CPUs)"},
			&cli.BoolFlag{Name: "no-normalize", Usage: "do not fill in ECS fields on raw Windows event shapes"},
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
	size := -1
	if c.IsSet("size") {
		if size = c.Int("size"); size < 0 {
			return &exitError{exitIncomplete, errors.New("query: --size must not be negative")}
		}
	}
	src := c.Args().First()
	ts := c.String("timestamp-field")
	r := &rules.Rule{ID: "query", Name: "query", Type: "query", Language: lang, Query: src,
		TimestampOverride: ts, TimestampField: ts, TiebreakerField: c.String("tiebreaker-field"), Source: "query"}
	q, err := rules.CompileQuery(lang, src, match.Options{CategoryField: c.String("event-category-field")})
	if err != nil {
		return &exitError{exitIncomplete, queryError(src, err)}
	}
	r.Compiled, r.Program = q, q.Event

	inputs, problems, _ := decode.Expand(c.Args().Tail())
	setStdin(ctx, inputs, c.App.Reader)
	res, err := scan.Run(ctx, inputs, scan.Config{Rules: []*rules.Rule{r}, Workers: c.Int("workers"), Version: version, Order: scan.QueryOrder, NoNormalize: c.Bool("no-normalize"),
		NoHash: true}) // a query prints no chain of custody
	// An interrupted query prints what it found in the input read before.
	interrupted := interruption(ctx, err)
	if err != nil && !errors.Is(err, scan.ErrIncomplete) && interrupted == "" {
		return &exitError{exitIncomplete, err}
	}
	w := bufio.NewWriter(c.App.Writer)
	n := 0
	for _, h := range res.Hits {
		if size >= 0 && n >= size {
			break
		}
		if h.Events == nil {
			w.Write(h.Document)
		} else {
			writeGroup(w, &h)
		}
		w.WriteByte('\n')
		n++
	}
	if err := w.Flush(); err != nil {
		return &exitError{exitIncomplete, err}
	}
	for _, p := range problems {
		fmt.Fprintf(c.App.ErrWriter, "dredge: %s\n", oneLine(problemString(report.Problem{File: p.File, Line: p.Line, Kind: p.Kind, Reason: p.Reason})))
	}
	for _, p := range res.Summary.Problems {
		fmt.Fprintf(c.App.ErrWriter, "dredge: %s\n", oneLine(problemString(p)))
	}
	if interrupted != "" {
		return &exitError{exitInterrupted, fmt.Errorf("query interrupted by %s: the results are only those of the input read before", interrupted)}
	}
	if len(problems) > 0 || !res.Summary.Complete {
		return &exitError{code: exitIncomplete}
	}
	if n > 0 {
		return &exitError{code: exitHits}
	}
	return nil
}

// writeGroup writes a sequence or sample as Elasticsearch lists it in
// hits.sequences: {"join_keys": [...], "events": [...]}, each event as it
// was read and a missing event as {"missing": true}.
func writeGroup(w *bufio.Writer, h *report.Hit) {
	keys := h.JoinKeys
	if keys == nil {
		keys = []*string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(keys) // []*string: strings and nulls
	w.WriteString(`{"join_keys":`)
	w.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
	w.WriteString(`,"events":[`)
	for i, e := range h.Events {
		if i > 0 {
			w.WriteByte(',')
		}
		switch {
		case e.Missing:
			w.WriteString(`{"missing":true}`)
		case len(e.Document) == 0:
			w.WriteString("null") // could not be read back
		default:
			w.Write(e.Document)
		}
	}
	w.WriteString("]}")
}

// queryError formats a query error with its line:col and a caret.
func queryError(src string, err error) error {
	var qe *rules.QueryError
	if errors.As(err, &qe) {
		return fmt.Errorf("query:%d:%d: %s\n%s", qe.Line, qe.Col, qe.Msg, qe.Context)
	}
	return fmt.Errorf("query: %v", err)
}
