package event

import (
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"
)

// Time reads the first field of paths that holds a usable time: an ISO 8601
// string (RFC 3339 with any number of fractional digits; a space for the T
// and a missing zone, meaning UTC, are accepted), epoch milliseconds as a
// number, or a string of digits. ok is false when none does.
func Time(v *fastjson.Value, paths ...*Path) (t time.Time, ok bool) {
	for _, p := range paths {
		if p == nil {
			continue
		}
		p.Visit(v, func(x *fastjson.Value) bool {
			t, ok = ValueTime(x)
			return true // first value only
		})
		if ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// ValueTime reads one JSON value as a time (see Time).
func ValueTime(x *fastjson.Value) (time.Time, bool) {
	switch x.Type() {
	case fastjson.TypeNumber:
		f, err := x.Float64()
		if err != nil {
			return time.Time{}, false
		}
		return time.UnixMilli(int64(f)).UTC(), true
	case fastjson.TypeString:
		b, _ := x.StringBytes()
		return ParseTime(b2s(b))
	}
	return time.Time{}, false
}

// ParseTime parses an ISO 8601 time or epoch milliseconds given as text.
func ParseTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if isDigits(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, false
		}
		return time.UnixMilli(ms).UTC(), true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	// Forms real exports use: a space for the T, no zone (UTC), a date alone.
	s2 := s
	if len(s2) > 10 && s2[10] == ' ' {
		s2 = s2[:10] + "T" + s2[11:]
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s2); err == nil {
			return t.UTC(), true
		}
	}
	if strings.HasSuffix(s2, "z") {
		return ParseTime(s2[:len(s2)-1] + "Z")
	}
	return time.Time{}, false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			if i == 0 && s[i] == '-' && len(s) > 1 {
				continue
			}
			return false
		}
	}
	return true
}
