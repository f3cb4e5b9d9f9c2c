package main

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"dredge/report"
)

// The zones of --tz: names, Local, offsets; and the errors of bad ones.
func TestParseZone(t *testing.T) {
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want string // at in the zone, or the error
	}{
		{"", "2024-05-01T10:00:00Z UTC"},
		{"UTC", "2024-05-01T10:00:00Z UTC"},
		{"utc", "2024-05-01T10:00:00Z UTC"},
		{"Z", "2024-05-01T10:00:00Z UTC"},
		{"Europe/Paris", "2024-05-01T12:00:00+02:00 Europe/Paris"},
		{"America/New_York", "2024-05-01T06:00:00-04:00 America/New_York"},
		{"+02:00", "2024-05-01T12:00:00+02:00 +02:00"},
		{"+0200", "2024-05-01T12:00:00+02:00 +02:00"},
		{"+02", "2024-05-01T12:00:00+02:00 +02:00"},
		{"-05:30", "2024-05-01T04:30:00-05:30 -05:30"},
		{"+23:59", "2024-05-02T09:59:00+23:59 +23:59"},
		{"Mars/Olympus", `unknown time zone "Mars/Olympus": give an IANA name (Europe/Paris), UTC, Local or an offset (+02:00)`},
		{"../../etc/passwd", `unknown time zone "../../etc/passwd": give an IANA name (Europe/Paris), UTC, Local or an offset (+02:00)`},
		{"+24:00", `bad offset "+24:00": give +HH:MM or -HH:MM, such as +02:00 or -05:30`},
		{"+02:60", `bad offset "+02:60": give +HH:MM or -HH:MM, such as +02:00 or -05:30`},
		{"+2:00", `bad offset "+2:00": give +HH:MM or -HH:MM, such as +02:00 or -05:30`},
		{"+020:0", `bad offset "+020:0": give +HH:MM or -HH:MM, such as +02:00 or -05:30`},
		{"+02:00:00", `bad offset "+02:00:00": give +HH:MM or -HH:MM, such as +02:00 or -05:30`},
		{"-1a", `bad offset "-1a": give +HH:MM or -HH:MM, such as +02:00 or -05:30`},
	}
	for _, tt := range tests {
		var got string
		loc, err := parseZone(tt.in)
		if err != nil {
			got = err.Error()
		} else {
			got = at.In(loc).Format(time.RFC3339) + " " + loc.String()
		}
		if got != tt.want {
			t.Errorf("parseZone(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if loc, err := parseZone("Local"); err != nil || loc != time.Local {
		t.Errorf("parseZone(Local) = %v, %v; want time.Local", loc, err)
	}
}

// The hosts of the summary on stderr: the most critical hits first, then
// high..., then the most events, then by name; at most maxHostsShown.
func TestPrintHosts(t *testing.T) {
	t1 := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	hosts := []report.HostStat{
		{Name: "", Events: 9},
		{Name: "a-many-lows", Events: 5, First: t1, Last: t1.Add(time.Hour), Hits: report.SeverityCounts{Low: 50}},
		{Name: "b-one-critical", Events: 1, First: t1, Last: t1, Hits: report.SeverityCounts{Critical: 1}},
		{Name: "c-\x1b[31mred", Events: 2, First: t1, Last: t1, Hits: report.SeverityCounts{High: 1, Medium: 2}},
		{Name: "d-quiet", Events: 9},
	}
	var b bytes.Buffer
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	printHosts(&b, hosts, paris)
	want := "5 hosts, times in Europe/Paris:\n" +
		"  b-one-critical  1 event, 2024-05-01T12:00:00+02:00 to 2024-05-01T12:00:00+02:00, 1 hit (1 critical)\n" +
		"  c-?[31mred      2 events, 2024-05-01T12:00:00+02:00 to 2024-05-01T12:00:00+02:00, 3 hits (1 high, 2 medium)\n" +
		"  a-many-lows     5 events, 2024-05-01T12:00:00+02:00 to 2024-05-01T13:00:00+02:00, 50 hits (50 low)\n" +
		"  (no host)       9 events, no time, no hits\n" +
		"  d-quiet         9 events, no time, no hits\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}

	var many []report.HostStat
	for i := range maxHostsShown + 3 {
		many = append(many, report.HostStat{Name: fmt.Sprintf("h%02d", i), Events: 1})
	}
	b.Reset()
	printHosts(&b, many, time.UTC)
	if got := bytes.Count(b.Bytes(), []byte("\n")); got != 1+maxHostsShown+1 {
		t.Errorf("%d lines for %d hosts, want %d:\n%s", got, len(many), 1+maxHostsShown+1, b.String())
	}
	if !bytes.HasSuffix(b.Bytes(), []byte("  h19  1 event, no time, no hits\n  ... and 3 more (all are in the report)\n")) {
		t.Errorf("the last lines are not the 20th host and how many more:\n%s", b.String())
	}
}
