package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// The fast width must agree with the full measure on everything we draw,
// and defer to it on anything else.
func TestWidthAgreesWithAnsi(t *testing.T) {
	cases := []string{
		"", "plain", "\x1b[38;2;1;2;3m\x1b[48;2;4;5;6m▀▀▄\x1b[m █", "a × b · c — d … ›", "←↑→↓ ├─┤ ░▒▓",
		"日本語", "e\u0301", "emoji 🎉", "tab\tx", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", "⌫ back", "◆ cursor",
	}
	for _, c := range cases {
		if got, want := Width(c), ansi.StringWidth(c); got != want {
			t.Errorf("Width(%q) = %d, ansi says %d", c, got, want)
		}
	}
}

func FuzzWidth(f *testing.F) {
	f.Add("\x1b[1mbold\x1b[m ▀")
	f.Add("日本")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Width(s), ansi.StringWidth(s); got != want {
			t.Fatalf("Width(%q) = %d, ansi says %d", s, got, want)
		}
	})
}

func TestFitIsExact(t *testing.T) {
	for _, in := range []string{"", "short", strings.Repeat("long ", 40), "a\nb\nc\nd\ne", "\x1b[1m" + strings.Repeat("█", 50) + "\x1b[m", "日本語日本語"} {
		for _, w := range []int{1, 5, 17, 80} {
			for _, h := range []int{1, 3, 10} {
				out := Fit(in, w, h)
				lines := strings.Split(out, "\n")
				if len(lines) != h {
					t.Fatalf("Fit(%q, %d, %d): %d lines", in, w, h, len(lines))
				}
				for _, l := range lines {
					if ansi.StringWidth(l) != w {
						t.Fatalf("Fit(%q, %d, %d): line %q is %d wide", in, w, h, l, ansi.StringWidth(l))
					}
				}
			}
		}
	}
}
