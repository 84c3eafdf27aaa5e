package ui

import (
	"bytes"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// Whatever takes colour away (TERM=dumb, NO_COLOR, a pipe) gives the
// glyph theme, so the map never turns into a blank field of ▀.
func TestStylesFollowTheColourProfile(t *testing.T) {
	var out bytes.Buffer // not a terminal; TTY_FORCE makes Detect treat it as one
	cases := []struct {
		name string
		p    colorprofile.Profile
		mono bool
	}{
		{"TERM=dumb", colorprofile.Detect(&out, []string{"TERM=dumb", "TTY_FORCE=1"}), true},
		{"NO_COLOR", colorprofile.Detect(&out, []string{"TERM=xterm-256color", "COLORTERM=truecolor", "NO_COLOR=1", "TTY_FORCE=1"}), true},
		{"pipe", colorprofile.Detect(&out, []string{"TERM=xterm-256color"}), true},
		{"unknown", colorprofile.Unknown, true},
		{"ascii", colorprofile.Ascii, true},
		{"16 colours", colorprofile.ANSI, false},
		{"256 colours", colorprofile.ANSI256, false},
		{"true colour", colorprofile.Detect(&out, []string{"TERM=xterm-256color", "COLORTERM=truecolor", "TTY_FORCE=1"}), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, dark := range []bool{true, false} {
				st := NewStyles(dark, tc.p)
				if st.Heatmap.Mono != tc.mono || st.NoColor != tc.mono {
					t.Fatalf("profile %v: glyph theme %v, no colour %v; want %v", tc.p, st.Heatmap.Mono, st.NoColor, tc.mono)
				}
			}
		})
	}
}
