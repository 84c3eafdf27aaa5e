package model

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
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
		return m, m.onDisks(msg)
	case snapshotsMsg:
		return m, m.onSnapshots(msg)
	case fetchMsg:
		if msg.gen != m.gen {
			return m, nil // a page of an abandoned query
		}
		return m, m.onFetchEvent(msg.ev)
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

func (m *Model) onDatastores(msg datastoresMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.fail(msg.err, screenError)
		return nil
	}
	m.datastores = msg.list
	var cs []ui.Choice
	for _, ds := range msg.list {
		detail := "accessible"
		if !ds.Accessible {
			detail = "NOT accessible"
		}
		if ds.Type != "" && ds.Type != "OTHER" {
			detail = ds.Type + " · " + detail
		}
		cs = append(cs, ui.Choice{Name: ds.Name, Detail: detail, Value: ds})
	}
	sel := 0
	for i, ds := range msg.list {
		if ds.Accessible {
			sel = i
			break
		}
	}
	m.showPicker(screenDatastores, "Datastores", cs, sel)
	return nil
}

func (m *Model) onDisks(msg disksMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.fail(msg.err, screenDatastores)
		return nil
	}
	m.disks = msg.list
	var cs []ui.Choice
	for _, d := range msg.list {
		cbt := "CBT on"
		if !d.CBTEnabled {
			cbt = "CBT off"
		}
		cs = append(cs, ui.Choice{Name: d.Name, Detail: fmt.Sprintf("%s · %s · %s", heatmap.FormatBytes(d.CapacityBytes), cbt, d.ID), Value: d})
	}
	m.showPicker(screenDisks, "Disks on "+m.datastore.Name, cs, 0)
	return nil
}

func (m *Model) onSnapshots(msg snapshotsMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.fail(msg.err, screenDisks)
		return nil
	}
	m.snaps = msg.list
	if len(m.snaps) == 0 {
		m.fail(errors.New("this disk has no snapshots: CBT queries need one"), screenDisks)
		return nil
	}
	var cs []ui.Choice
	for _, s := range m.snaps {
		cs = append(cs, snapshotChoice(s))
	}
	m.showPicker(screenSnapshots, "Target snapshot of "+m.disk.Name, cs, len(cs)-1)
	return nil
}

func snapshotChoice(s vsphere.Snapshot) ui.Choice {
	id := s.ChangeID
	if id == "" {
		id = "no changeId (CBT was off)"
	}
	return ui.Choice{Name: s.Description, Detail: s.CreateTime.Format(time.DateTime) + " · " + id, Value: s}
}

// baseChoice values.
type (
	baseStar  struct{}
	baseTyped struct{}
)

func (m *Model) showBasePicker() {
	var cs []ui.Choice
	sel := 0
	for _, s := range m.snaps {
		if s.CreateTime.Before(m.target.CreateTime) && s.ID != m.target.ID {
			cs = append(cs, snapshotChoice(s))
		}
	}
	sel = len(cs) - 1 // the one just before the target
	cs = append(cs,
		ui.Choice{Name: "* allocated areas", Detail: "every block ever written (changeId *)", Value: baseStar{}},
		ui.Choice{Name: "type a changeId…", Detail: "from a backup product's log, say", Value: baseTyped{}})
	if sel < 0 {
		sel = len(cs) - 2
	}
	m.showPicker(screenBase, "Base for "+m.target.Description, cs, sel)
}

func (m *Model) showPicker(s screen, title string, cs []ui.Choice, sel int) {
	m.screen = s
	m.picker = ui.NewPicker(m.st, title, cs, sel)
	m.relayout()
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

func (m *Model) back() {
	switch m.screen {
	case screenDisks:
		m.onDatastores(datastoresMsg{list: m.datastores})
	case screenSnapshots:
		m.onDisks(disksMsg{list: m.disks})
	case screenBase:
		m.onSnapshots(snapshotsMsg{list: m.snaps})
	}
}

func (m *Model) choose() tea.Cmd {
	c, ok := m.picker.Selected()
	if !ok {
		return nil
	}
	switch v := c.Value.(type) {
	case vsphere.Datastore:
		m.datastore = v
		m.busy = "listing disks on " + v.Name
		return loadDisks(m.src, v)
	case vsphere.Disk:
		m.disk = v
		m.busy = "listing snapshots of " + v.Name
		return loadSnapshots(m.src, v)
	case vsphere.Snapshot:
		if m.screen == screenSnapshots {
			m.target = v
			m.showBasePicker()
			return nil
		}
		if v.ChangeID == "" {
			m.status = "that snapshot has no changeId (CBT was off when it was taken)"
			return nil
		}
		m.base, m.baseLabel = v.ChangeID, v.Description
		return m.startExplorer()
	case baseStar:
		m.base, m.baseLabel = "*", "* (allocated areas)"
		return m.startExplorer()
	case baseTyped:
		m.screen = screenChangeID
		m.input.SetValue("")
		return m.input.Focus()
	}
	return nil
}

// startExplorer opens the explorer on a fresh map and starts the fetch.
func (m *Model) startExplorer() tea.Cmd {
	m.cancelFetch()
	cm, err := heatmap.NewChangeMap(m.disk.CapacityBytes)
	if err != nil {
		m.fail(err, screenBase)
		return nil
	}
	m.screen, m.status, m.fault, m.fetchErr = screenExplorer, "", nil, nil
	m.setMap(cm)
	m.gen++
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	q := vsphere.Query{Disk: m.disk.Ref(), Capacity: m.disk.CapacityBytes, Snapshot: m.target.ID, ChangeID: m.base}
	m.events = m.src.Fetch(ctx, q, vsphere.FetchOptions{Workers: m.cfg.Workers})
	m.loading = true
	m.progress = vsphere.Progress{Total: m.disk.CapacityBytes}
	m.refreshSummary(true)
	return waitEvent(m.gen, m.events)
}

func (m *Model) onFetchEvent(ev vsphere.Event) tea.Cmd {
	switch ev := ev.(type) {
	case *vsphere.PageEvent:
		if err := m.cm.Absorb(ev.Page); err != nil {
			m.fetchErr = err
		}
		m.progress = ev.Progress
	case *vsphere.ProgressEvent:
		m.progress = ev.Progress
	case *vsphere.FaultEvent:
		if m.fault == nil && ev.Fault != nil {
			m.fault = ev.Fault
			m.focus = panelDetails
			m.applyFocus()
		}
		if m.fetchErr == nil && ev.Fault == nil {
			m.fetchErr = ev.Err
		}
		_ = m.cm.MarkFaulted(ev.Unscanned.Start, ev.Unscanned.End)
	case *vsphere.DoneEvent:
		m.loading = false
		m.progress = ev.Progress
		m.cancel = nil
		m.refreshSummary(true)
		return waitEvent(m.gen, m.events) // reads the close
	}
	m.summary.Progress, m.summary.Loading = m.progress, m.loading
	m.refreshSummary(false)
	return waitEvent(m.gen, m.events)
}

func (m *Model) onExplorerKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Global.NextPanel):
		m.focus = (m.focus + 1) % numPanels
		m.applyFocus()
		m.relayout()
		return nil
	case key.Matches(msg, k.Global.PrevPanel):
		m.focus = (m.focus + numPanels - 1) % numPanels
		m.applyFocus()
		m.relayout()
		return nil
	case key.Matches(msg, k.Explorer.ExportJSON):
		return writeExport(m.export(), m.cfg.ExportDir, "json")
	case key.Matches(msg, k.Explorer.ExportCSV):
		return writeExport(m.export(), m.cfg.ExportDir, "csv")
	}
	switch m.focus {
	case panelHeatmap, panelDetails:
		before := m.hm.Window()
		if m.hm.Update(msg) {
			if w := m.hm.Window(); w != before {
				m.table.SetWindow(w)
			}
			if c, ok := m.hm.CursorCell(); ok {
				m.table.SelectOffset(c.Start)
			}
			return nil
		}
	case panelExtents:
		if m.table.Update(msg) {
			if e, ok := m.table.Cursor(); ok {
				m.hm.MoveToOffset(e.Start)
			}
			return nil
		}
		if key.Matches(msg, k.Extents.Back) && m.hm.ZoomOut() {
			m.table.SetWindow(m.hm.Window())
			return nil
		}
	}
	if key.Matches(msg, k.Heatmap.ZoomOut) && m.cfg.Opened == nil {
		// esc at the top: back to the base picker, abandoning the fetch.
		m.cancelFetch()
		m.showBasePicker()
	}
	return nil
}

func (m *Model) export() *vsphere.Export {
	return vsphere.NewExport(vsphere.ExportDisk{ID: m.disk.ID, Name: m.disk.Name, Datastore: m.disk.Datastore.Name, CapacityBytes: m.disk.CapacityBytes},
		m.target.ID, m.base, m.cm, m.fault)
}

func (m *Model) onClick(msg tea.MouseClickMsg) {
	if m.screen != screenExplorer || msg.Button != tea.MouseLeft {
		return
	}
	l := m.layout
	if l.heatmap.contains(msg.X, msg.Y) {
		m.focus = panelHeatmap
		m.applyFocus()
		m.hm.Click(msg.X-l.heatmap.x, msg.Y-l.heatmap.y)
		if c, ok := m.hm.CursorCell(); ok {
			m.table.SelectOffset(c.Start)
		}
	}
}
