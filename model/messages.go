package model

import (
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/vsphere"
)

// Messages between the components and the root. Each component's own
// messages live beside the commands that send them.

// openMapMsg asks the root to show the explorer on a selection; sweep,
// when set, is its map already fetched (by the timeline).
type openMapMsg struct {
	sel   selection
	sweep *vsphere.Sweep
}

// backMsg asks the root to leave the explorer for the base picker.
type backMsg struct{}

// openOverlayMsg asks the root to open an overlay.
type openOverlayMsg struct{ o overlay }

func openOverlay(o overlay) tea.Cmd { return func() tea.Msg { return openOverlayMsg{o} } }

func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// selection is what a map shows: a disk at a target snapshot since a base.
type selection struct {
	disk   vsphere.Disk
	target vsphere.Snapshot
	// base is the changeId; baseLabel says where it came from, baseName
	// is short enough for a file name.
	base, baseLabel, baseName string
	// vm is set when the disk is a VM's: disk then stands for it.
	vm *vmSelection
}

func (s selection) same(o selection) bool {
	return s.disk.ID == o.disk.ID && s.disk.Datastore.Ref == o.disk.Datastore.Ref && s.target.ID == o.target.ID && s.base == o.base &&
		(s.vm == nil) == (o.vm == nil)
}

// query is what the selection fetches; a VM disk's query may be refused
// before any call (a powered-on VM without a snapshot).
func (s selection) query() (vsphere.Query, error) {
	if s.vm != nil {
		return vsphere.VMQuery(s.vm.vm, s.vm.disk, s.vm.snap, s.base)
	}
	return vsphere.Query{Disk: s.disk.Ref(), Capacity: s.disk.CapacityBytes, Snapshot: s.target.ID, ChangeID: s.base}, nil
}
