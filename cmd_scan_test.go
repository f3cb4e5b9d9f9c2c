package main

import (
	"bytes"
	"testing"
	"time"

	"dredge/report"
	"dredge/rules"
)

// TestWriteTextSequence checks the terminal line of a sequence hit: the
// first event's place, then the chain of events.
func TestWriteTextSequence(t *testing.T) {
	r := &rules.Rule{Name: "Network Connection by a Program Started from a Temporary Folder", Severity: "medium"}
	at := time.Date(2024, 5, 2, 8, 40, 52, 448e6, time.UTC)
	res := &report.Result{Hits: []report.Hit{{
		Rule: r, Time: at, Origin: report.Origin{File: "samples/n.ndjson", Line: 14},
		Fields: report.Fields{Host: "ci-build-02", User: "ciadmin", Process: "/dev/shm/.sd"},
		Events: []report.Event{
			{Time: at, Origin: report.Origin{File: "samples/n.ndjson", Line: 14}},
			{Time: at.Add(time.Second), Origin: report.Origin{File: "samples/n.ndjson", Line: 15}},
			{Missing: true},
		},
	}}}
	var b bytes.Buffer
	if err := writeText(&b, res, time.UTC); err != nil {
		t.Fatal(err)
	}
	want := "2024-05-02T08:40:52.448Z  medium   Network Connection by a Program Started from a Temporary Folder  " +
		"[ci-build-02 | ciadmin | /dev/shm/.sd]  samples/n.ndjson:14 events: samples/n.ndjson:14, samples/n.ndjson:15, (missing)\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}
