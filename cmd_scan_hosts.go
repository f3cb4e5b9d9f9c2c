package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"dredge/report"
)

// parseZone reads a --tz zone: an IANA name (Europe/Paris), UTC, Local
// (the machine's zone) or a fixed offset from UTC (+02:00, +0200 or +02;
// -05:30). The IANA database is built into dredge (time/tzdata, main.go),
// so names work on a machine without one.
func parseZone(s string) (*time.Location, error) {
	switch {
	case s == "" || strings.EqualFold(s, "UTC") || s == "Z":
		return time.UTC, nil
	case strings.EqualFold(s, "Local"):
		return time.Local, nil
	case s[0] == '+' || s[0] == '-':
		return parseOffset(s)
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: give an IANA name (Europe/Paris), UTC, Local or an offset (+02:00)", s)
	}
	return loc, nil
}

// parseOffset reads a fixed offset from UTC: +HH:MM, +HHMM or +HH, or the
// same with a minus sign, up to 23:59. The zone is named as +HH:MM.
func parseOffset(s string) (*time.Location, error) {
	bad := fmt.Errorf("bad offset %q: give +HH:MM or -HH:MM, such as +02:00 or -05:30", s)
	digits := strings.Replace(s[1:], ":", "", 1)
	if len(digits) == 2 {
		digits += "00"
	}
	if len(digits) != 4 || (len(s) == 6 && s[3] != ':') || strings.Trim(digits, "0123456789") != "" {
		return nil, bad
	}
	h, _ := strconv.Atoi(digits[:2])
	m, _ := strconv.Atoi(digits[2:])
	if h > 23 || m > 59 {
		return nil, bad
	}
	secs := (h*60 + m) * 60
	if s[0] == '-' {
		secs = -secs
	}
	return time.FixedZone(fmt.Sprintf("%c%02d:%02d", s[0], h, m), secs), nil
}

// maxHostsShown is the most hosts the summary on the terminal lists; the
// report has them all.
const maxHostsShown = 20

// printHosts lists the hosts of the scan, the most hits first (by
// severity: critical, then high...), then the most events, with their
// first and last event in zone tz.
func printHosts(w io.Writer, hosts []report.HostStat, tz *time.Location) {
	if len(hosts) == 0 {
		return
	}
	hs := slices.Clone(hosts)
	slices.SortStableFunc(hs, func(a, b report.HostStat) int {
		return cmp.Or(
			cmp.Compare(b.Hits.Critical, a.Hits.Critical),
			cmp.Compare(b.Hits.High, a.Hits.High),
			cmp.Compare(b.Hits.Medium, a.Hits.Medium),
			cmp.Compare(b.Hits.Low, a.Hits.Low),
			cmp.Compare(b.Events, a.Events),
			strings.Compare(a.Name, b.Name))
	})
	shown := hs[:min(len(hs), maxHostsShown)]
	width := 0
	names := make([]string, len(shown))
	for i, h := range shown {
		names[i] = hostName(h.Name)
		width = max(width, min(len(names[i]), 40))
	}
	fmt.Fprintf(w, "%d %s, times in %s:\n", len(hosts), plural(len(hosts), "host", "hosts"), tz)
	for i, h := range shown {
		times := "no time"
		if !h.First.IsZero() {
			times = h.First.In(tz).Format(time.RFC3339) + " to " + h.Last.In(tz).Format(time.RFC3339)
		}
		fmt.Fprintf(w, "  %-*s  %d %s, %s, %s\n", width, names[i], h.Events, plural(int(h.Events), "event", "events"), times, hitsText(h.Hits))
	}
	if n := len(hs) - len(shown); n > 0 {
		fmt.Fprintf(w, "  ... and %d more (all are in the report)\n", n)
	}
}

// hostName is a host's name for the terminal: on one line, and "(no host)"
// for the events without one.
func hostName(name string) string {
	if name == "" {
		return "(no host)"
	}
	return oneLine(name)
}

// hitsText describes hits by severity: "no hits", or "3 hits (1 critical,
// 2 low)".
func hitsText(c report.SeverityCounts) string {
	n := c.Critical + c.High + c.Medium + c.Low
	if n == 0 {
		return "no hits"
	}
	var parts []string
	for _, x := range []struct {
		n    int
		name string
	}{{c.Critical, "critical"}, {c.High, "high"}, {c.Medium, "medium"}, {c.Low, "low"}} {
		if x.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", x.n, x.name))
		}
	}
	return fmt.Sprintf("%d %s (%s)", n, plural(n, "hit", "hits"), strings.Join(parts, ", "))
}

// maxHashesShown is the most input files whose SHA-256 the summary on the
// terminal lists; the report has them all.
const maxHashesShown = 20

// printHashes lists the SHA-256 of the input files as read, as sha256sum
// prints them, for the chain of custody; nothing when the scan computed
// none (--no-hash).
func printHashes(w io.Writer, files []report.FileStat) {
	if !slices.ContainsFunc(files, func(f report.FileStat) bool { return f.SHA256 != "" }) {
		return
	}
	fmt.Fprintln(w, "SHA-256 of the input as read:")
	for i, f := range files {
		if i == maxHashesShown {
			fmt.Fprintf(w, "  ... and %d more (all are in the report)\n", len(files)-maxHashesShown)
			break
		}
		sum := f.SHA256
		if sum == "" {
			sum = fmt.Sprintf("%-64s", "(not read to its end)")
		}
		fmt.Fprintf(w, "  %s  %s\n", sum, displayName(f.Name))
	}
}
