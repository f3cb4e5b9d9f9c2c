package scan

import "time"

// window is the time range of a scan, [from, to) by @timestamp
// (Config.From and Config.To); a zero end is open.
type window struct {
	from, to time.Time
}

// set reports whether the window restricts the scan at all.
func (win window) set() bool { return !win.from.IsZero() || !win.to.IsZero() }

// admits reports whether an event whose @timestamp is t (ok when it has a
// usable one) is scanned: always without a window; with one, when it has
// a time and the time is in the window.
func (win window) admits(t time.Time, ok bool) bool {
	if !win.set() {
		return true
	}
	if !ok {
		return false
	}
	if !win.from.IsZero() && t.Before(win.from) {
		return false
	}
	return win.to.IsZero() || t.Before(win.to)
}
