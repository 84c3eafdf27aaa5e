package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/keymap"
)

// scrollView is the body of a text panel whose content may be longer than
// the panel: a title line that stays put and content lines that scroll
// under it. Panels wrap their content to their width, so nothing is cut
// off: what does not fit is reached by scrolling.
type scrollView struct {
	keys  keymap.Details
	lines []string
	top   int
	h     int // lines of content shown
}

func (s *scrollView) setLines(lines []string) {
	s.lines = lines
	s.clamp()
}

// setHeight sets the panel's outer height; its title takes one line.
func (s *scrollView) setHeight(h int) {
	s.h = max(h-1, 0)
	s.clamp()
}

func (s *scrollView) maxTop() int { return max(len(s.lines)-s.h, 0) }

func (s *scrollView) clamp() { s.top = min(max(s.top, 0), s.maxTop()) }

// update scrolls for the details keys and reports whether msg was one.
func (s *scrollView) update(msg tea.KeyPressMsg) bool {
	page := max(s.h-1, 1) // keep one line of context across a page turn
	switch {
	case key.Matches(msg, s.keys.Up):
		s.top--
	case key.Matches(msg, s.keys.Down):
		s.top++
	case key.Matches(msg, s.keys.PageUp):
		s.top -= page
	case key.Matches(msg, s.keys.PageDown):
		s.top += page
	case key.Matches(msg, s.keys.Home):
		s.top = 0
	case key.Matches(msg, s.keys.End):
		s.top = s.maxTop()
	default:
		return false
	}
	s.clamp()
	return true
}

// indicator says which lines are shown and which way there is more, e.g.
// "↑ 12–31/58 ↓"; it is empty when everything fits.
func (s *scrollView) indicator() string {
	if len(s.lines) <= s.h {
		return ""
	}
	up, down := " ", " "
	if s.top > 0 {
		up = "↑"
	}
	if s.top < s.maxTop() {
		down = "↓"
	}
	last := min(s.top+s.h, len(s.lines))
	return fmt.Sprintf("%s %d–%d/%d %s", up, min(s.top+1, last), last, len(s.lines), down)
}

// view draws title and the visible lines in exactly w×h; the indicator
// sits at the title's right end and is the last thing to be cut.
func (s *scrollView) view(st *Styles, title string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	head := FitLine(title, w)
	if ind := s.indicator(); ind != "" {
		iw := Width(ind)
		if iw+1 <= w {
			head = FitLine(title, w-iw-1) + " " + st.Warn.Render(ind)
		} else {
			head = FitLine(st.Warn.Render(ind), w)
		}
	}
	end := min(s.top+s.h, len(s.lines))
	return Fit(head+"\n"+strings.Join(s.lines[s.top:end], "\n"), w, h)
}

// textLines builds a panel's content wrapped to a width.
type textLines struct {
	w     int
	lines []string
}

// para adds s wrapped to the width less indent, each line indented.
func (t *textLines) para(style lipgloss.Style, indent int, s string) {
	pad := strings.Repeat(" ", indent)
	for _, l := range wrapLines(s, t.w-indent) {
		t.lines = append(t.lines, pad+style.Render(l))
	}
}

// field adds "label value" with the value wrapped under itself; when the
// panel is too narrow for that, the value goes under the label instead.
func (t *textLines) field(st *Styles, indent, labelW int, label, value string, style lipgloss.Style) {
	pad := strings.Repeat(" ", indent)
	if t.w-indent-labelW < 12 {
		t.lines = append(t.lines, pad+st.Subtle.Render(label))
		t.para(style, indent+2, value)
		return
	}
	cont := strings.Repeat(" ", indent+labelW)
	for i, l := range wrapLines(value, t.w-indent-labelW) {
		if i == 0 {
			t.lines = append(t.lines, pad+st.Subtle.Render(fmt.Sprintf("%-*s", labelW, label))+style.Render(l))
			continue
		}
		t.lines = append(t.lines, cont+style.Render(l))
	}
}

// wrapLines wraps plain text to w columns. Identifiers, paths and
// changeIds are long words: they break after a dot, dash or slash where
// they can, and anywhere only when they must. Empty text is one empty line.
func wrapLines(s string, w int) []string {
	return strings.Split(ansi.Wrap(s, max(w, 2), " -/."), "\n")
}
