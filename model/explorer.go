package model

import (
	"context"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

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
	return tea.Batch(waitEvent(m.gen, m.events), refreshLater(m.gen))
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
		// Workers fault independently; show the one nearest the start of
		// the disk, which is where a sequential reader would have stopped.
		if f := ev.Fault; f != nil && (m.fault == nil || f.Request != nil && m.fault.Request != nil && f.Request.StartOffset < m.fault.Request.StartOffset) {
			m.fault = f
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
		if m.cancel != nil {
			m.cancel()
			m.cancel = nil
		}
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
