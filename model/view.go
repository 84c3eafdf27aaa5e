package model

import (
	"errors"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// View draws the whole screen: exactly the terminal's height, no line wider
// than its width.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
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
	l := m.layout
	if l.tooSmall {
		msg := fmt.Sprintf("terminal too small: %d×%d; cbtscope needs at least %d×%d", m.w, m.h, MinWidth, MinHeight)
		return ui.Fit(ansi.Wrap(msg, m.w, " "), m.w, m.h)
	}
	return ui.JoinV(m.header(), m.body(), m.statusLine(), m.helpLine())
}

func (m *Model) header() string {
	parts := []string{m.st.Title.Render(" cbtscope "), m.st.Subtle.Render(m.cfg.Where)}
	if m.disk.Name != "" && m.screen >= screenSnapshots {
		parts = append(parts, m.st.Bold.Render(m.disk.Name))
	}
	if m.screen == screenExplorer {
		target := m.target.Description
		if target == "" {
			target = m.target.ID
		}
		parts = append(parts, target+m.st.Subtle.Render(" since ")+m.baseLabel)
	}
	return ui.FitLine(strings.Join(parts, m.st.Muted.Render(" · ")), m.w)
}

func (m *Model) body() string {
	b := m.layout.body
	if m.showHelp {
		return ui.Fit(m.st.Title.Render(" Keys ")+"\n\n"+m.help.FullHelpView(m.keys.FullHelp()), b.w, b.h)
	}
	switch m.screen {
	case screenConnecting:
		return ui.Fit("\n  "+m.busy+" …", b.w, b.h)
	case screenError:
		return m.errorView(b.w, b.h)
	case screenChangeID:
		return ui.Fit(m.st.Title.Render(" Base changeId ")+"\n\n"+m.input.View()+"\n\n"+
			m.st.Subtle.Render("  enter to query · esc to go back · '*' for allocated areas"), b.w, b.h)
	case screenExplorer:
		return m.explorerView()
	}
	if m.picker == nil {
		return ui.Fit("", b.w, b.h)
	}
	return m.picker.View()
}

func (m *Model) errorView(w, h int) string {
	if m.errFault != nil {
		return ui.FaultView(m.st, m.errFault, false, w, h)
	}
	var b strings.Builder
	b.WriteString(m.st.Bad.Render(" Cannot continue ") + "\n\n")
	err := m.loadErr
	var ce *vsphere.ConnectError
	if errors.As(err, &ce) {
		b.WriteString(ansi.Wrap(m.st.Bold.Render(ce.Err.Error()), w-2, " ") + "\n")
		if ce.URL != "" {
			b.WriteString("\n" + m.st.Subtle.Render("vCenter  ") + ce.URL)
		}
		if ce.Hint != "" {
			b.WriteString("\n" + m.st.Subtle.Render("to fix   ") + ansi.Wrap(ce.Hint, w-11, " "))
		}
	} else if err != nil {
		b.WriteString(ansi.Wrap(err.Error(), w-2, " "))
	}
	return ui.Fit(b.String(), w, h)
}

func (m *Model) explorerView() string {
	l := m.layout
	b := l.body
	if l.wide {
		left := ui.JoinV(m.hm.View(), m.table.View())
		right := ui.JoinV(m.cellView(l.cell), m.sideView(l.side))
		gap := ui.Fit("", 1, b.h)
		return ui.JoinH(ui.Fit(left, l.heatmap.w, b.h), gap, ui.Fit(right, l.side.w, b.h))
	}
	switch {
	case l.heatmap.w > 0:
		out := m.hm.View()
		if l.cell.h > 0 {
			out = ui.JoinV(out, m.cellView(l.cell))
		}
		return ui.Fit(out, b.w, b.h)
	case l.table.w > 0:
		return m.table.View()
	}
	return ui.Fit(ui.JoinV(m.cellView(rect{w: b.w, h: 5}), m.sideView(rect{w: b.w, h: b.h - 5})), b.w, b.h)
}

func (m *Model) cellView(r rect) string {
	c, ok := m.hm.CursorCell()
	if !ok {
		return ui.Fit("", r.w, r.h)
	}
	i, j := m.cm.ExtentsIn(c.Start, c.End)
	return ui.InspectorView(m.st, c, j-i, r.w, r.h)
}

func (m *Model) sideView(r rect) string {
	if m.fault != nil {
		return ui.FaultView(m.st, m.fault, m.focus == panelDetails, r.w, r.h)
	}
	return ui.StatsView(m.st, m.summary, m.focus == panelDetails, r.w, r.h)
}

func (m *Model) statusLine() string {
	switch {
	case m.status != "":
		return ui.FitLine(" "+m.status, m.w)
	case m.screen == screenExplorer && m.fetchErr != nil:
		return ui.FitLine(m.st.Bad.Render(" "+m.fetchErr.Error()), m.w)
	case m.screen == screenExplorer && !m.loading && m.fault != nil && m.cfg.Opened == nil:
		p := m.progress
		return ui.FitLine(m.st.Bad.Render(fmt.Sprintf(" stopped by %s: %s of %s scanned · %d calls",
			m.fault.Type, heatmap.FormatBytes(p.Scanned), heatmap.FormatBytes(p.Total), p.Calls)), m.w)
	case m.screen == screenExplorer && m.cfg.Opened != nil:
		return ui.FitLine(m.st.Subtle.Render(" opened from a file · offline"), m.w)
	case m.screen == screenExplorer:
		return ui.ProgressView(m.st, m.progress, m.loading, m.w)
	case m.busy != "":
		return ui.FitLine(m.st.Warn.Render(" "+m.busy+" …"), m.w)
	}
	return ui.FitLine("", m.w)
}

func (m *Model) helpLine() string {
	scope := "picker"
	if m.screen == screenExplorer {
		scope = "heatmap"
		if m.focus == panelExtents {
			scope = "extents"
		}
	}
	return ui.FitLine(m.help.ShortHelpView(m.keys.ShortHelp(scope)), m.w)
}
