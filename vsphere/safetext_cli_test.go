package vsphere

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeTextCLI(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"plain [ds] disk-01.vmdk", 0, "plain [ds] disk-01.vmdk"},
		{"a\r\nb\tc\x1b[2J\x00\x7f", 0, `a\r\nb\tc\x1b[2J\x00\x7f`},
		{"\u0085 C1 \u202e evil \u2066 \u2028", 0, `\u0085 C1 \u202e evil \u2066 \u2028`},
		{"bad \xff utf8", 0, `bad \xff utf8`},
		{"héllo wörld", 0, "héllo wörld"},
		{"0123456789", 10, "0123456789"},
		{"0123456789", 4, "01…(6 more)…89"},
		{"0123456789", 5, "012…(5 more)…89"},
		{"ab\ncdefgh\nij", 4, `ab…(8 more)…ij`},
		{"\n\n\n\n\n\n", 2, `\n…(4 more)…\n`},
		{"ééééé", 2, "é…(3 more)…é"},
	}
	for _, tc := range cases {
		if got := safeTextCLI(tc.in, tc.max); got != tc.want {
			t.Errorf("safeTextCLI(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

func FuzzSafeTextCLI(f *testing.F) {
	for _, s := range []string{"", "a\nb", "\x1b[31mred", "\u202egnp.exe", "\xff\xfe", strings.Repeat("é", 50)} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 1000
		got := safeTextCLI(s, max)
		for _, r := range got {
			if r != utf8.RuneError && needsEscape(r) {
				t.Fatalf("%q kept %U", got, r)
			}
		}
		if !utf8.ValidString(got) {
			t.Fatalf("%q is not valid UTF-8", got)
		}
		if max > 0 && utf8.RuneCountInString(s) > max && !strings.Contains(got, "more)…") {
			t.Fatalf("%q (max %d) was not elided", got, max)
		}
		if max <= 0 || utf8.RuneCountInString(s) <= max {
			if strings.ContainsAny(s, "\\") == false && unescapeForTest(got) != s && utf8.ValidString(s) {
				t.Fatalf("%q does not read back as %q", got, s)
			}
		}
	})
}

// unescapeForTest undoes escapeText for valid UTF-8 input without
// backslashes, so the fuzz target can check nothing is lost.
func unescapeForTest(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			i++
			continue
		}
		switch s[i+1] {
		case 'n':
			b.WriteByte('\n')
			i += 2
		case 'r':
			b.WriteByte('\r')
			i += 2
		case 't':
			b.WriteByte('\t')
			i += 2
		case 'x':
			var v byte
			for _, c := range s[i+2 : i+4] {
				v = v*16 + byte(strings.IndexRune("0123456789abcdef", c))
			}
			b.WriteByte(v)
			i += 4
		case 'u':
			var v rune
			for _, c := range s[i+2 : i+6] {
				v = v*16 + rune(strings.IndexRune("0123456789abcdef", c))
			}
			b.WriteRune(v)
			i += 6
		}
	}
	return b.String()
}
