package model

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/ui"
)

// View draws the whole screen: exactly the terminal's height, no line wider
// than its width.
func (m *Model) View() tea.View {
	v := tea.NewView(m.frame.draw(m.Render))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "cbtscope"
	return v
}

// Render is the screen's content, for View and for tests.
func (m *Model) Render() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	if m.w < MinWidth || m.h < MinHeight {
		msg := fmt.Sprintf("terminal too small: %d×%d; cbtscope needs at least %d×%d", m.w, m.h, MinWidth, MinHeight)
		return ui.Fit(ansi.Wrap(msg, m.w, " "), m.w, m.h)
	}
	return ui.JoinV(m.header(), m.body(), m.statusLine(), m.helpLine())
}

func (m *Model) header() string {
	st := m.c.st
	parts := []string{st.Title.Render(" cbtscope "), st.Subtle.Render(oneLine(m.c.cfg.Where))}
	if p, ok := m.src.(interface{ Protocol() string }); ok {
		parts[1] += st.Subtle.Render(" (" + oneLine(p.Protocol()) + ")")
	}
	if m.showing == viewExplorer && m.explorer != nil {
		s := m.explorer.sel
		parts = append(parts, st.Bold.Render(oneLine(s.disk.Name)), oneLine(label(s.target))+st.Subtle.Render(" since ")+oneLine(s.baseLabel))
	} else if w := m.wizard; w.step >= stepSnapshots && w.disk.Name != "" {
		parts = append(parts, st.Bold.Render(oneLine(w.disk.Name)))
	}
	return ui.FitLine(strings.Join(parts, st.Muted.Render(" · ")), m.w)
}

func (m *Model) body() string {
	bh := m.h - chrome
	if n := len(m.overlays); n > 0 {
		o := m.overlays[n-1]
		if o.FullScreen() {
			return ui.Fit(o.View(), m.w, bh)
		}
		return overlayOn(ui.Fit(m.active().View(), m.w, bh), o.View(), m.w, bh)
	}
	return ui.Fit(m.active().View(), m.w, bh)
}

func (m *Model) statusLine() string {
	if m.status.text != "" {
		text := " " + m.status.text
		if m.status.err {
			if ansi.StringWidth(text) > m.w {
				hint := " (! shows it all)"
				text = ansi.Truncate(text, max(m.w-ansi.StringWidth(hint)-1, 1), "…") + hint
			}
			return ui.FitLine(m.c.st.Bad.Render(text), m.w)
		}
		return ui.FitLine(text, m.w)
	}
	return m.active().StatusLine(m.w)
}

func (m *Model) helpLine() string {
	var keys []key.Binding
	if n := len(m.overlays); n > 0 {
		keys = m.overlays[n-1].ShortHelp()
	} else {
		keys = m.active().ShortHelp()
	}
	m.c.help.SetWidth(m.w)
	return ui.FitLine(m.c.help.ShortHelpView(keys), m.w)
}
