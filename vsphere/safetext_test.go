package vsphere

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestSafeTextEscapesWhatCouldActOnTheTerminal(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Change tracking is not enabled.", "Change tracking is not enabled."},
		{"forged line", "ok\r\nFAKE: all good", `ok\r\nFAKE: all good`},
		{"escape sequence", "\x1b[2J\x1b]0;title\x07", `\x1b[2J\x1b]0;title\x07`},
		{"tab and nul", "a\tb\x00c", `a\tb\x00c`},
		{"DEL and C1", "a\x7fb\u0085c\u009bd", `a\x7fb\x85c\x9bd`},
		{"bidi override", "file\u202egpj.exe", `file\u202egpj.exe`},
		{"bidi isolates and marks", "\u2066x\u2069\u200f\u061c", `\u2066x\u2069\u200f\u061c`},
		{"line separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"invalid UTF-8", "ab\xffc\xc3", `ab\xffc\xc3`},
		{"text that is not control", "[ds1] vm/disk.vmdk × 日本 é ✓", "[ds1] vm/disk.vmdk × 日本 é ✓"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SafeText(tc.in, 0); got != tc.want {
				t.Fatalf("SafeText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestSafeTextElidesTheMiddleAndSaysHowMuch(t *testing.T) {
	in := "BEGIN" + strings.Repeat("x", 118_000) + "END"
	got := SafeText(in, 40)
	if !strings.HasPrefix(got, "BEGIN") || !strings.HasSuffix(got, "END") {
		t.Fatalf("elided text %q lost its first or last part", got)
	}
	if !strings.Contains(got, "…(117,968 more)…") {
		t.Fatalf("elided text %q does not say how much was left out", got)
	}
	if n := utf8.RuneCountInString(got); n > 40+safeTextMarkerMax {
		t.Fatalf("elided text is %d runes, want at most %d", n, 40+safeTextMarkerMax)
	}
	// Short values, and no limit, are left whole.
	if got := SafeText("short", 40); got != "short" {
		t.Fatalf("SafeText(short, 40) = %q", got)
	}
	if got := SafeText(in, 0); got != in {
		t.Fatalf("max 0 elided: %d runes", utf8.RuneCountInString(got))
	}
	// An escape is never cut in half.
	esc := strings.Repeat("\x1b", 100)
	got = SafeText(esc, 11)
	for _, part := range strings.Split(got, "…") {
		if strings.HasPrefix(part, "(") {
			continue
		}
		if strings.ReplaceAll(part, `\x1b`, "") != "" {
			t.Fatalf("SafeText cut an escape: %q", got)
		}
	}
}

// checkSafe fails unless out is valid UTF-8 with nothing left to escape and
// within the length bound.
func checkSafe(t *testing.T, in, out string, max int) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("SafeText(%q) = %q is not valid UTF-8", in, out)
	}
	for _, r := range out {
		if unicode.IsControl(r) || needsEscape(r) {
			t.Fatalf("SafeText(%q) = %q keeps %U", in, out, r)
		}
	}
	if max > 0 {
		if n := utf8.RuneCountInString(out); n > max+safeTextMarkerMax {
			t.Fatalf("SafeText(%q, %d) is %d runes", in, max, n)
		}
	}
}

func FuzzSafeText(f *testing.F) {
	f.Add("ok\r\nFAKE", 0)
	f.Add("\x1b[31mred\u202e\xff", 5)
	f.Add(strings.Repeat("日本\x1b", 50), 17)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 1000
		checkSafe(t, s, SafeText(s, max), max)
	})
}
