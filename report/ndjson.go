package report

import (
	"bufio"
	"io"
)

// WriteNDJSON writes the hits of res to w as NDJSON: one compact JSON object
// per line, the same object as a hit of WriteJSON, and nothing else.
func WriteNDJSON(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newHitEncoder(0)
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
