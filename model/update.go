package model

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/vsphere"
)

// Update routes a message. It never blocks: loading and fetching happen in
// commands.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.relayout()
		return m, nil
	case connectedMsg:
		if msg.err != nil {
			m.fail(msg.err, screenError)
			return m, nil
		}
		m.src = msg.src
		m.busy = "listing datastores"
		return m, loadDatastores(m.src)
	case datastoresMsg:
		return m, m.onDatastores(msg)
	case disksMsg:
		if msg.gen != m.loadGen {
			return m, nil // the user chose again, or went back
		}
		return m, m.onDisks(msg)
	case snapshotsMsg:
		if msg.gen != m.loadGen {
			return m, nil
		}
		return m, m.onSnapshots(msg)
	case fetchMsg:
		if msg.gen != m.gen {
			return m, nil // a page of an abandoned query
		}
		return m, m.onFetchEvent(msg.ev)
	case refreshMsg:
		if msg.gen != m.gen || !m.loading {
			return m, nil
		}
		m.refreshSummary(false)
		return m, refreshLater(m.gen)
	case fetchClosedMsg:
		if msg.gen == m.gen {
			m.events = nil
		}
		return m, nil
	case exportedMsg:
		if msg.err != nil {
			m.status = "export failed: " + msg.err.Error()
		} else {
			m.status = "exported to " + msg.path
		}
		return m, nil
	case tea.MouseClickMsg:
		m.onClick(msg)
		return m, nil
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	}
	if m.picker != nil && m.isPicking() {
		return m, m.picker.Update(msg)
	}
	if m.screen == screenChangeID {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return m, cmd
	}
	return m, nil
}

func (m *Model) isPicking() bool {
	switch m.screen {
	case screenDatastores, screenDisks, screenSnapshots, screenBase:
		return true
	}
	return false
}

// fail shows an error screen; esc from it goes to back.
func (m *Model) fail(err error, back screen) {
	m.loadErr, m.errBack, m.busy = err, back, ""
	m.errFault, _ = vsphere.AsFault(err, nil)
	m.screen = screenError
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	// While a filter or a changeId is being typed, keys are text.
	typing := (m.picker != nil && m.isPicking() && m.picker.Filtering()) || m.screen == screenChangeID
	if msg.String() == "ctrl+c" || (!typing && key.Matches(msg, m.keys.Global.Quit)) {
		m.cancelFetch()
		return tea.Quit
	}
	if !typing && key.Matches(msg, m.keys.Global.Help) {
		m.showHelp = !m.showHelp
		m.relayout()
		return nil
	}
	if m.showHelp && (msg.String() == "esc") {
		m.showHelp = false
		m.relayout()
		return nil
	}
	switch m.screen {
	case screenError:
		if key.Matches(msg, m.keys.Picker.Back) && m.errBack != screenError {
			m.screen = m.errBack
			m.relayout()
		}
		return nil
	case screenChangeID:
		switch msg.String() {
		case "enter":
			if v := m.input.Value(); v != "" {
				m.base, m.baseLabel = v, "changeId "+v
				return m.startExplorer()
			}
		case "esc":
			m.screen = screenBase
			return nil
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	case screenExplorer:
		return m.onExplorerKey(msg)
	}
	if !m.isPicking() || m.picker == nil {
		return nil
	}
	if !typing && !m.picker.Filtered() && key.Matches(msg, m.keys.Picker.Back) {
		m.back()
		return nil
	}
	if !typing && key.Matches(msg, m.keys.Picker.Select) {
		return m.choose()
	}
	return m.picker.Update(msg)
}
