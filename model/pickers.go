package model

import (
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

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

// baseChoice values: the special bases offered after the snapshots.
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

func (m *Model) back() {
	m.loadGen++ // whatever was loading is no longer wanted
	m.busy = ""
	switch m.screen {
	case screenDisks:
		m.onDatastores(datastoresMsg{list: m.datastores})
	case screenSnapshots:
		m.onDisks(disksMsg{gen: m.loadGen, list: m.disks})
	case screenBase:
		m.onSnapshots(snapshotsMsg{gen: m.loadGen, list: m.snaps})
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
		m.loadGen++
		return loadDisks(m.loadGen, m.src, v)
	case vsphere.Disk:
		m.disk = v
		m.busy = "listing snapshots of " + v.Name
		m.loadGen++
		return loadSnapshots(m.loadGen, m.src, v)
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
