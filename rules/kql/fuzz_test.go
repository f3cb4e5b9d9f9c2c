package kql

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dredge/rules/ast"
)

// FuzzParse checks that Parse never panics, that its errors are
// *ast.Error inside the source, and that a tree prints to a query that
// parses to a tree printing the same.
func FuzzParse(f *testing.F) {
	for _, tt := range parseTests {
		f.Add(tt.src)
	}
	for _, tt := range errorTests {
		f.Add(tt.src)
	}
	if seed, err := os.ReadFile(filepath.Join("testdata", "seed.kql")); err == nil {
		f.Add(string(seed))
	}
	f.Fuzz(func(t *testing.T, src string) {
		x, err := Parse(src)
		if err != nil {
			e, ok := err.(*ast.Error)
			if !ok {
				t.Fatalf("Parse(%q): error %T, want *ast.Error", src, err)
			}
			if strings.HasPrefix(e.Msg, "internal error") || e.Pos < 0 || int(e.Pos) > len(src) {
				t.Fatalf("Parse(%q): %v", src, err)
			}
			return
		}
		s := x.String()
		y, err := Parse(s)
		if err != nil {
			// Printing may add a level of parentheses ("a or b and c"
			// prints "a or (b and c)"), so a query at the depth limit
			// may print one level past it.
			if err.(*ast.Error).Msg == "query nested too deeply" {
				return
			}
			t.Fatalf("Parse(%q) printed %q, which does not parse: %v", src, s, err)
		}
		if s2 := y.String(); s2 != s {
			t.Fatalf("Parse(%q) printed %q, which reprints as %q", src, s, s2)
		}
	})
}
