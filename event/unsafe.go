package event

import "unsafe"

// b2s views b as a string without copying. The string is valid only while
// the parser that owns b is not reused; callers compare it and let it go.
func b2s(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
