package ast

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a syntax or type error in a query, at a byte offset of its source.
type Error struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("offset %d: %s", e.Pos, e.Msg) }

// Errorf makes an *Error at pos.
func Errorf(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// LineCol turns a byte offset of src into a 1-based line and column. The
// column counts characters (runes), not bytes.
func LineCol(src string, pos Pos) (line, col int) {
	p := int(pos)
	if p > len(src) {
		p = len(src)
	}
	if p < 0 {
		p = 0
	}
	line = 1 + strings.Count(src[:p], "\n")
	start := strings.LastIndexByte(src[:p], '\n') + 1
	col = 1 + utf8.RuneCountInString(src[start:p])
	return line, col
}

// Caret returns the source line holding pos and a line with a caret under
// pos, for error messages shown to a person.
func Caret(src string, pos Pos) string {
	p := int(pos)
	if p > len(src) {
		p = len(src)
	}
	if p < 0 {
		p = 0
	}
	start := strings.LastIndexByte(src[:p], '\n') + 1
	end := strings.IndexByte(src[p:], '\n')
	if end < 0 {
		end = len(src)
	} else {
		end += p
	}
	_, col := LineCol(src, pos)
	return src[start:end] + "\n" + strings.Repeat(" ", col-1) + "^"
}
