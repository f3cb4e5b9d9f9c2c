package report

import (
	"bufio"
	"io"
)

// WriteNDJSON writes the hits of res to w as NDJSON: one compact JSON object
// per line, the same object as a hit of WriteJSON. Only when the scan was
// interrupted does a line come before the hits: the report's version and
// summary, {"version":...,"summary":{...}} as in WriteJSON, whose
// "interrupted" is true, so that a tool sees at once that the hits cover
// only part of the input. A hit always has "rule"; that line never does.
func WriteNDJSON(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newHitEncoder(0)
	if res.Summary.Interrupted != "" {
		b, err := e.encode(ndjsonHead{res.Summary.Version, newJSONSummary(&res.Summary)})
		if err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
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

// ndjsonHead is the first line of the NDJSON report of an interrupted scan.
type ndjsonHead struct {
	Version string      `json:"version"`
	Summary jsonSummary `json:"summary"`
}
