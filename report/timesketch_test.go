package report

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTimesketchGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := (Options{}).WriteTimesketch(&buf, testResult()); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.timesketch.csv", buf.Bytes())
}

// readTimesketch writes res as a Timesketch timeline with o and reads it
// back as maps from column to cell, one per row after the header.
func readTimesketch(t *testing.T, o Options, res *Result) []map[string]string {
	t.Helper()
	var buf bytes.Buffer
	if err := o.WriteTimesketch(&buf, res); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], timesketchHeader) {
		t.Fatalf("header %q, want %q", recs[0], timesketchHeader)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := make(map[string]string)
		for i, c := range rec {
			row[recs[0][i]] = c
		}
		rows = append(rows, row)
	}
	return rows
}

// TestTimesketchRows checks what becomes a row: a hit at its time; each
// event of a sequence at its own time, under the hit's number; no row for
// a missing step nor for what has no time.
func TestTimesketchRows(t *testing.T) {
	rows := readTimesketch(t, Options{}, testResult())
	type row struct{ hit, datetime, timestamp, step, origin, host, message string }
	var got []row
	for _, r := range rows {
		got = append(got, row{r["hit"], r["datetime"], r["timestamp"], r["sequence_step"],
			r["origin_file"] + ":" + r["origin_line"], r["host"], r["message"]})
	}
	want := []row{
		{"1", "2024-05-01T10:00:00.123Z", "1714557600123000", "", "dump/host-a/process.ndjson.gz:12", "web-01",
			"[high] Reverse Shell via Bash Redirection: host web-01, user www-data, process /usr/bin/bash"},
		{"2", "2024-05-01T10:02:30.000Z", "1714557750000000", "", "dump/host-b/file.ndjson:3", "db-02",
			"[medium] Abnormal Process ID or Lock File Created (new terms: /tmp/.x/kworker, /var/run/=cmd.pid): host db-02, user root, process /tmp/.x/kworker, file /var/run/=cmd.pid"},
		{"3", "2024-05-01T10:05:00.250Z", "1714557900250000", "1/3", "dump/host-a/process.ndjson.gz:40", "web-01",
			"[high] Network Connection by a Process Started from /tmp (sequence, event 1 of 3): host web-01, process /tmp/.x/kworker"},
		// The second event's fields come from its document.
		{"3", "2024-05-01T10:05:12.000Z", "1714557912000000", "2/3", "dump/host-a/network.ndjson:7", "web-01",
			"[high] Network Connection by a Process Started from /tmp (sequence, event 2 of 3): host web-01"},
		{"4", "2024-05-01T10:07:03.500Z", "1714558023500000", "", "dump/host-c/process.ndjson:220", "fs-01",
			`[medium] Many Services Stopped by One User (threshold: 14 events, host.id=h-03, user.name=adm-x): host fs-01, user CORP\adm-x, process C:\Windows\System32\net.exe`},
		// Hit 5 has no time: no row.
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows:\n%q\nwant:\n%q", got, want)
	}
	if n := Untimed(testResult()); n != 1 {
		t.Errorf("Untimed = %d, want 1", n)
	}
}

func TestTimesketchUntimed(t *testing.T) {
	t0 := ms("2024-05-01T10:00:00Z")
	tests := []struct {
		name string
		hit  Hit
		rows int
	}{
		{"timed", Hit{Rule: ruleQuiet, Time: t0}, 1},
		{"untimed", Hit{Rule: ruleQuiet}, 0},
		{"sequence, one event timed", Hit{Rule: ruleSeq, Events: []Event{{}, {Time: t0}, {Missing: true}}}, 1},
		{"sequence, no event timed", Hit{Rule: ruleSeq, Time: t0, Events: []Event{{}, {Missing: true}}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &Result{Hits: []Hit{tt.hit}}
			if rows := readTimesketch(t, Options{}, res); len(rows) != tt.rows {
				t.Errorf("%d rows, want %d", len(rows), tt.rows)
			}
			if got, want := Untimed(res), 1-min(tt.rows, 1); got != want {
				t.Errorf("Untimed = %d, want %d", got, want)
			}
		})
	}
}

// TestTimesketchUTC checks that a display zone leaves the timeline in UTC,
// as Timesketch's importer needs one offset in its datetime column.
func TestTimesketchUTC(t *testing.T) {
	var plain, zoned bytes.Buffer
	if err := (Options{}).WriteTimesketch(&plain, testResult()); err != nil {
		t.Fatal(err)
	}
	if err := (Options{TZ: time.FixedZone("", 2*3600)}).WriteTimesketch(&zoned, testResult()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plain.Bytes(), zoned.Bytes()) {
		t.Errorf("a display zone changed the timeline:\n%s", zoned.Bytes())
	}
}

// TestTimesketchInterrupted checks the INCOMPLETE row: first, at the time
// of the latest event read, so that Timesketch keeps it.
func TestTimesketchInterrupted(t *testing.T) {
	rows := readTimesketch(t, Options{}, interruptedResult())
	first := rows[0]
	if !strings.HasPrefix(first["message"], "INCOMPLETE: scan interrupted by SIGINT after 4617 events") ||
		first["datetime"] != "2024-05-01T10:14:40.001Z" || first["timestamp"] != "1714558480001000" ||
		first["timestamp_desc"] != "Latest event read before the interruption" || first["rule_id"] != "" {
		t.Errorf("first row %q", first)
	}
	if len(rows) != 6 {
		t.Errorf("%d rows, want the INCOMPLETE row and 5", len(rows))
	}
}

func TestOneLine(t *testing.T) {
	if got, want := oneLine("a\nb\r\tc\u2028d\u2029e\x00f\u0085g"), "a b  c d e f g"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
