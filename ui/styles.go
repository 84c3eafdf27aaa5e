package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cbtscope/cbtscope/heatmap"
)

// Styles is the one theme every component draws with. It is built once at
// start-up (never inside View) from the terminal's background and colour
// profile.
type Styles struct {
	// NoColor is set when the profile has no colour: every style is weight
	// and reverse video, and the heatmap draws glyphs.
	NoColor bool
	Dark    bool
	Profile colorprofile.Profile

	App, Title, Subtle, Muted, Accent, Bold lipgloss.Style
	PanelTitle, PanelTitleFocused           lipgloss.Style
	Selected, Header                        lipgloss.Style
	Key, KeyDesc                            lipgloss.Style
	Good, Warn, Bad                         lipgloss.Style
	BarFull, BarEmpty                       lipgloss.Style

	Heatmap heatmap.Theme
	// ListSelected and friends style the inventory lists.
	ListTitle lipgloss.Style
}

// NewStyles builds the theme for a dark or light background and a colour
// profile, as colorprofile.Detect reports it (which folds in NO_COLOR,
// TERM=dumb and output that is not a terminal). A profile without colour
// (Ascii, NoTTY, or Unknown) gets the glyph theme: without it the heatmap's
// half blocks would all print in one colour, a blank field of ▀.
func NewStyles(dark bool, p colorprofile.Profile) *Styles {
	ld := lipgloss.LightDark(dark)
	c := func(light, darkc string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(darkc)) }
	noColor := p <= colorprofile.ASCII
	s := &Styles{Dark: dark, NoColor: noColor, Profile: p}
	base := lipgloss.NewStyle()
	if noColor {
		s.App = base
		s.Title = base.Bold(true)
		s.Subtle = base
		s.Muted = base
		s.Accent = base.Bold(true)
		s.Bold = base.Bold(true)
		s.PanelTitle = base.Bold(true)
		s.PanelTitleFocused = base.Bold(true).Reverse(true)
		s.Selected = base.Reverse(true)
		s.Header = base.Bold(true).Underline(true)
		s.Key = base.Bold(true)
		s.KeyDesc = base
		s.Good, s.Warn, s.Bad = base, base.Bold(true), base.Bold(true)
		s.BarFull, s.BarEmpty = base, base
		s.ListTitle = base.Bold(true)
		s.Heatmap = heatmap.MonoTheme()
		return s
	}
	s.App = base
	s.Title = base.Bold(true).Foreground(c("#1d3b72", "#e8e8f0"))
	s.Subtle = base.Foreground(c("#5a5a6a", "#9a9ab0"))
	s.Muted = base.Foreground(c("#8a8a96", "#6c6c7e"))
	s.Accent = base.Bold(true).Foreground(c("#7a2fb0", "#c792ea"))
	s.Bold = base.Bold(true)
	s.PanelTitle = base.Bold(true).Foreground(c("#5a5a6a", "#9a9ab0"))
	s.PanelTitleFocused = base.Bold(true).Foreground(c("#ffffff", "#101018")).Background(c("#7a2fb0", "#c792ea"))
	s.Selected = base.Foreground(c("#ffffff", "#101018")).Background(c("#7a2fb0", "#c792ea"))
	s.Header = base.Bold(true).Foreground(c("#1d3b72", "#e8e8f0")).Underline(true)
	s.Key = base.Bold(true).Foreground(c("#7a2fb0", "#c792ea"))
	s.KeyDesc = base.Foreground(c("#5a5a6a", "#9a9ab0"))
	s.Good = base.Foreground(c("#1a7f37", "#7ee787"))
	s.Warn = base.Foreground(c("#9a6700", "#f2cc60"))
	s.Bad = base.Bold(true).Foreground(c("#cf222e", "#ff7b72"))
	s.BarFull = base.Foreground(c("#7a2fb0", "#c792ea"))
	s.BarEmpty = base.Foreground(c("#d0d0d8", "#3a3a48"))
	s.ListTitle = base.Bold(true).Foreground(c("#ffffff", "#101018")).Background(c("#7a2fb0", "#c792ea")).Padding(0, 1)
	if dark {
		s.Heatmap = heatmap.DarkTheme()
	} else {
		s.Heatmap = heatmap.LightTheme()
	}
	return s
}
