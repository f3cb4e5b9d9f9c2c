package main

import (
	"testing"
	"time"
)

func TestParseWindowTime(t *testing.T) {
	now := time.Date(2024, 5, 10, 12, 30, 15, 500_000_000, time.UTC)
	const notATime = `is not a time: give RFC 3339 (2024-05-01T10:00:00Z), a date (2024-05-01) or a time before now (-72h, -30m, -7d)`
	tests := []struct {
		name string
		in   string
		want string // RFC 3339 in UTC, or the error
	}{
		{"rfc3339", "2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"},
		{"fraction", "2024-05-01T10:00:00.25Z", "2024-05-01T10:00:00.25Z"},
		{"offset", "2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z"},
		{"date", "2024-05-01", "2024-05-01T00:00:00Z"},
		{"hours", "-72h", "2024-05-07T12:30:15Z"},
		{"minutes", "-30m", "2024-05-10T12:00:15Z"},
		{"mixed", "-1h30m", "2024-05-10T11:00:15Z"},
		{"days", "-7d", "2024-05-03T12:30:15Z"},
		{"zero days", "-0d", "2024-05-10T12:30:15Z"},
		{"empty", "", `"" ` + notATime},
		{"word", "yesterday", `"yesterday" ` + notATime},
		{"no sign", "72h", `"72h" ` + notATime},
		{"no unit", "-72", `"-72" ` + notATime},
		{"double sign", "--7d", `"--7d" ` + notATime},
		{"plus days", "-+7d", `"-+7d" ` + notATime},
		{"fraction of days", "-1.5d", `"-1.5d" ` + notATime},
		{"too many days", "-100001d", `"-100001d" ` + notATime},
		{"bad date", "2024-13-01", `"2024-13-01" ` + notATime},
		{"no zone", "2024-05-01T10:00:00", `"2024-05-01T10:00:00" ` + notATime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := parseWindowTime(tt.in, now)
			got := ""
			if err != nil {
				got = err.Error()
			} else {
				got = tm.UTC().Format(time.RFC3339Nano)
			}
			if got != tt.want {
				t.Errorf("parseWindowTime(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func TestScanWindow(t *testing.T) {
	now := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, from, to string
		want           string // "FROM TO" with "-" for an open end, or the error
	}{
		{"open", "", "", "- -"},
		{"from only", "2024-05-01", "", "2024-05-01T00:00:00Z -"},
		{"to only", "", "-1d", "- 2024-05-09T12:00:00Z"},
		{"both", "-7d", "2024-05-10T11:00:00+02:00", "2024-05-03T12:00:00Z 2024-05-10T09:00:00Z"},
		{"bad from", "soon", "", `scan: --from: "soon" is not a time: give RFC 3339 (2024-05-01T10:00:00Z), a date (2024-05-01) or a time before now (-72h, -30m, -7d)`},
		{"bad to", "", "1d", `scan: --to: "1d" is not a time: give RFC 3339 (2024-05-01T10:00:00Z), a date (2024-05-01) or a time before now (-72h, -30m, -7d)`},
		{"equal", "2024-05-01", "2024-05-01T00:00:00Z", "scan: --from 2024-05-01T00:00:00Z is not before --to 2024-05-01T00:00:00Z: no event can be in the window"},
		{"reversed", "-1h", "-2h", "scan: --from 2024-05-10T11:00:00Z is not before --to 2024-05-10T10:00:00Z: no event can be in the window"},
	}
	show := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, to, err := scanWindow(tt.from, tt.to, now)
			got := show(from) + " " + show(to)
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("scanWindow(%q, %q) = %s, want %s", tt.from, tt.to, got, tt.want)
			}
		})
	}
}
