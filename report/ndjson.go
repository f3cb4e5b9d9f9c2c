package report

import (
	"bufio"
	"io"
)

// WriteNDJSON writes the hits of res to w as NDJSON: one compact JSON object
// per line, the same object as a hit of WriteJSON. Only when the scan was
// interrupted does a line come before the hits: the report's version, schema
// version and summary, {"version":...,"schema_version":1,"summary":{...}}
// as in WriteJSON, whose "interrupted" is true, so that a tool sees at once
// that the hits cover only part of the input. A hit always has "rule"; that
// line never does.
func WriteNDJSON(w io.Writer, res *Result) error {
	return Options{}.WriteNDJSON(w, res)
}

// WriteNDJSON writes the hits of res to w as NDJSON, times in zone o.TZ.
func (o Options) WriteNDJSON(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newHitEncoder(0, o.TZ)
	if res.Summary.Interrupted != "" {
		if err := writeNDJSONHead(bw, e, res, o); err != nil {
			return err
		}
	}
	for i := range res.Hits {
		b, err := e.hit(res.Hits, i)
		if err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// writeNDJSONHead writes the first line of the NDJSON report of an
// interrupted scan, which its NDJSON hosts sidecar has too.
func writeNDJSONHead(w io.Writer, e *hitEncoder, res *Result, o Options) error {
	b, err := e.encode(ndjsonHead{res.Summary.Version, SchemaVersion, newJSONSummary(&res.Summary, o.TZ)})
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// ndjsonHead is the first line of the NDJSON report of an interrupted scan.
type ndjsonHead struct {
	Version       string      `json:"version"`
	SchemaVersion int         `json:"schema_version"`
	Summary       jsonSummary `json:"summary"`
}
