package eql

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dredge/rules/ast"
)

// FuzzParse parses, prints and parses again: the second tree must equal the
// first and print the same. Errors must be *ast.Error values pointing into
// the source, never internal errors. ParseExpr gets the same treatment.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.src)
	}
	for _, tt := range exprTests {
		f.Add(tt.src)
	}
	for _, tt := range errorTests {
		if len(tt.src) < 200 {
			f.Add(tt.src)
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.eql"))
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(string(src))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		q, err := Parse(src)
		checkError(t, src, err)
		if err == nil {
			s := q.String()
			q2, err := Parse(s)
			if err != nil {
				t.Fatalf("Parse(%q) printed %q, which does not parse: %v", src, s, err)
			}
			if s2 := q2.String(); s2 != s {
				t.Fatalf("Parse(%q): printing is not stable:\n first %s\nsecond %s", src, s, s2)
			}
			if !sameTree(q, q2) {
				t.Fatalf("Parse(%q): tree changed after printing as %q", src, s)
			}
		}

		x, err := ParseExpr(src)
		checkError(t, src, err)
		if err == nil {
			s := x.String()
			x2, err := ParseExpr(s)
			if err != nil {
				t.Fatalf("ParseExpr(%q) printed %q, which does not parse: %v", src, s, err)
			}
			if s2 := x2.String(); s2 != s {
				t.Fatalf("ParseExpr(%q): printing is not stable:\n first %s\nsecond %s", src, s, s2)
			}
			if !sameTree(x, x2) {
				t.Fatalf("ParseExpr(%q): tree changed after printing as %q", src, s)
			}
		}
	})
}

func checkError(t *testing.T, src string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var e *ast.Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %T %v, want *ast.Error", src, err, err)
	}
	if strings.HasPrefix(e.Msg, "internal error") || e.Pos < 0 || int(e.Pos) > len(src) {
		t.Fatalf("%q: bad error %v", src, err)
	}
}
