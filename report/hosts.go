package report

import (
	"bufio"
	"io"
	"strconv"
)

// hostsHeader names the columns of the CSV hosts sidecar, in order.
// docs/report-formats.md describes them.
var hostsHeader = []string{
	"host", "first_event", "last_event", "events",
	"hits_critical", "hits_high", "hits_medium", "hits_low",
}

// writeHostsCSV writes the hosts of the scan (Summary.Hosts) as CSV, the
// sidecar of a CSV or Timesketch report: a header row, then one row per
// host, after an INCOMPLETE row as in the CSV report for an interrupted
// scan. Times are in zone o.TZ; cells are neutralised unless o.CSVRaw.
func (o Options) writeHostsCSV(w io.Writer, res *Result) error {
	cw := newCSVWriter(w, o.CSVRaw)
	cw.write(hostsHeader)
	if res.Summary.Interrupted != "" {
		cw.write(incompleteRow(&res.Summary, len(hostsHeader), 1))
	}
	row := make([]string, len(hostsHeader))
	for _, h := range res.Summary.Hosts {
		row[0] = h.Name
		row[1] = formatTimeIn(h.First, o.TZ)
		row[2] = formatTimeIn(h.Last, o.TZ)
		row[3] = strconv.FormatInt(h.Events, 10)
		row[4] = strconv.Itoa(h.Hits.Critical)
		row[5] = strconv.Itoa(h.Hits.High)
		row[6] = strconv.Itoa(h.Hits.Medium)
		row[7] = strconv.Itoa(h.Hits.Low)
		if err := cw.write(row); err != nil {
			return err
		}
	}
	return cw.flush()
}

// writeHostsNDJSON writes the hosts of the scan as NDJSON, the sidecar of an
// NDJSON or ECS report: one line per host, the object of the JSON report's
// summary.hosts, after the NDJSON report's first line for an interrupted
// scan. Times are in zone o.TZ.
func (o Options) writeHostsNDJSON(w io.Writer, res *Result) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	e := newHitEncoder(0, o.TZ)
	if res.Summary.Interrupted != "" {
		if err := writeNDJSONHead(bw, e, res, o); err != nil {
			return err
		}
	}
	for _, h := range newJSONHosts(res.Summary.Hosts, o.TZ) {
		b, err := e.encode(h)
		if err != nil {
			return err
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}
