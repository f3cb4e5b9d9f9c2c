package match

import (
	"regexp"
	"strings"
	"testing"
)

func TestEQLGlob(t *testing.T) {
	tests := []struct {
		pattern, value string
		fold, want     bool
	}{
		{"/etc/init.d/*", "/etc/init.d/evil", false, true},
		{"/etc/init.d/*", "/etc/init.d/", false, true},
		{"/etc/init.d/*", "/etc/init.D/x", false, false},
		{"/etc/init.d/*", "/etc/init.D/x", true, true},
		{"cap_set?id+ep", "cap_setuid+ep", true, true},
		{"cap_set?id+ep", "cap_setgid+ep", true, true},
		{"cap_set?id+ep", "cap_setid+ep", true, false},
		{"cap_set?id+ep", "CAP_SETUID+EP", true, true},
		{"cap_set?id+ep", "cap_setuid+ep ", true, false},
		{"exe", "EXE", true, true},
		{"exe", "exe1", true, false},
		{"*beat*", "/etc/init.d/filebeat", false, true},
		{"*beat*", "/etc/init.d/BEAT", false, false},
		{"*beat*", "/etc/init.d/BEAT", true, true},
		{"*.exe", "C:\\Windows\\evil.EXE", true, true},
		{"*.exe", "C:\\Windows\\evil.EXE", false, false},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b*c", "aXXbYYcd", false, false},
		{"a*b*c", "abc", false, true},
		{"a**c", "ac", false, true},
		{"*", "", false, true},
		{"?", "", false, false},
		{"?", "é", false, true},
		{"c:\\windows\\*", "C:\\Windows\\x", true, true},
		{"ÉTÉ*", "été.txt", true, true},
		{"*ü?", "xÜyz", true, false},
		{"*ü?", "xÜy", true, true},
		// Folds that change the length in bytes: the Kelvin sign (3
		// bytes) is k, the long s (2 bytes) is s; one rune each for ?.
		{"*kit*", "a\u212Aitb", true, true},
		{"\u212A?t", "kit", true, true},
		{"?it", "\u212Ait", true, true},
		{"*ſh", "bash", true, true},
		{"*ſh", "bash", false, false},
		// Values longer than the stack buffer for folding.
		{"*needle*", strings.Repeat("x", 300) + "NEEDLE", true, true},
		{"*needle", strings.Repeat("x", 300) + "needlE", true, true},
		{"*needle", strings.Repeat("x", 300) + "needlx", true, false},
	}
	for _, tt := range tests {
		if got := eqlGlob(tt.pattern, tt.fold).match(tt.value); got != tt.want {
			t.Errorf("eqlGlob(%q, fold=%v).match(%q) = %v, want %v", tt.pattern, tt.fold, tt.value, got, tt.want)
		}
	}
}

func TestKQLGlob(t *testing.T) {
	tests := []struct {
		pattern, value string
		want           bool
	}{
		{"/var/run/*", "/var/run/x.pid", true},
		{"/var/run/*", "/VAR/run/x.pid", false},
		{`a\*b`, "a*b", true},
		{`a\*b`, "aXb", false},
		{`a\\*`, `a\anything`, true},
		{"jem.*.pid", "jem.123.pid", true},
		{"jem.*.pid", "jem.pid", false},
		{"?", "?", true},
		{"?", "x", false},
	}
	for _, tt := range tests {
		if got := kqlGlob(tt.pattern, false).match(tt.value); got != tt.want {
			t.Errorf("kqlGlob(%q).match(%q) = %v, want %v", tt.pattern, tt.value, got, tt.want)
		}
	}
}

// FuzzGlob checks the fast shapes of the matcher against a regexp built
// from the same pattern, the simple reference.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{{"a*", "abc"}, {"*c", "abc"}, {"*b*", "abc"}, {"a?c", "abc"}, {"*", ""}, {"É*", "éa"}} {
		f.Add(s[0], s[1], true)
		f.Add(s[0], s[1], false)
	}
	f.Fuzz(func(t *testing.T, pattern, value string, fold bool) {
		if !utf8Valid(pattern) || !utf8Valid(value) {
			return
		}
		var b strings.Builder
		b.WriteString("(?s")
		if fold {
			b.WriteString("i")
		}
		b.WriteString(")^")
		for _, r := range pattern {
			switch r {
			case '*':
				b.WriteString(".*")
			case '?':
				b.WriteString(".")
			default:
				b.WriteString(regexp.QuoteMeta(string(r)))
			}
		}
		b.WriteString("$")
		want := regexp.MustCompile(b.String()).MatchString(value)
		if got := eqlGlob(pattern, fold).match(value); got != want {
			t.Errorf("eqlGlob(%q, fold=%v).match(%q) = %v, regexp says %v", pattern, fold, value, got, want)
		}
	})
}

func utf8Valid(s string) bool {
	return strings.ToValidUTF8(s, "\uFFFD") == s && !strings.ContainsRune(s, '\uFFFD')
}

func TestLuceneRegexp(t *testing.T) {
	tests := []struct {
		pattern, value string
		fold, want     bool
	}{
		{`/var/run/\w+\.(pid|lock|reboot)`, "/var/run/sshd.pid", false, true},
		{`/var/run/\w+\.(pid|lock|reboot)`, "/var/run/sshd.PID", false, false},
		{`/var/run/\w+\.(pid|lock|reboot)`, "/var/run/sshd.PID", true, true},
		{`/var/run/\w+\.(pid|lock|reboot)`, "/var/run/a/b.pid", true, false},
		{`/var/run/\w+\.(pid|lock|reboot)`, "x/var/run/b.pid", true, false},
		{`/var/run/\w+\.(pid|lock|reboot)`, "/var/run/b.pidx", true, false},
		{`a.c`, "a\nc", false, true},
		{`\d{3}`, "123", false, true},
		{`\d{3}`, "1234", false, false},
		{`[a-c]+`, "abcabc", false, true},
		{`[^a-c]+`, "xyz", false, true},
		{`"a.b"`, "a.b", false, true},
		{`"a.b"`, "axb", false, false},
		{`^a$`, "^a$", false, true},
		{`a@b`, "a@b", false, true},
		{`a#b`, "a#b", false, true},
		{`\s`, " ", false, true},
		{`\.`, ".", false, true},
		{`\b`, "b", false, true},
		{`[a-z0-9\s_\-\\./]+`, `a-b\c./d e`, false, true},
		{`[a-z\-]+`, "a-z", false, true},
		{`[a-z\-]+`, "a_z", false, false},
		{`\é`, "é", false, true},
	}
	for _, tt := range tests {
		re, err := luceneRegexp(tt.pattern, tt.fold)
		if err != nil {
			t.Errorf("luceneRegexp(%q): %v", tt.pattern, err)
			continue
		}
		if got := re.MatchString(tt.value); got != tt.want {
			t.Errorf("luceneRegexp(%q, fold=%v) on %q = %v, want %v (go: %s)", tt.pattern, tt.fold, tt.value, got, tt.want, re)
		}
	}
	for _, bad := range []string{`a\`, `[abc`, `"abc`, `(a`} {
		if _, err := luceneRegexp(bad, false); err == nil {
			t.Errorf("luceneRegexp(%q) gave no error", bad)
		}
	}
}
