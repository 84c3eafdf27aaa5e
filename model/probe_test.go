package model

import (
	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
)

// Probes read the model's state for tests, so that the tests say what a
// user sees and survive changes to how the model is put together.

// screenName is what the body shows: an overlay, the explorer, or the
// wizard's step.
func screenName(m *Model) string {
	switch m.showing {
	case viewExplorer:
		return "explorer"
	case viewTimeline:
		return "timeline"
	case viewCompare:
		return "compare"
	}
	return [...]string{"connecting", "error", "datastores", "disks", "vmdisks", "snapshots", "base"}[m.wizard.step]
}

func cursorCell(m *Model) heatmap.Cell {
	c, _ := m.explorer.hm.CursorCell()
	return c
}

func zoomDepth(m *Model) int                  { return m.explorer.hm.Depth() }
func explorerMap(m *Model) *heatmap.ChangeMap { return m.explorer.sweep.Map }
func statusText(m *Model) string              { return m.status.text }
func loading(m *Model) bool                   { return m.explorer != nil && m.explorer.loading }

func selectedChoice(m *Model) ui.Choice {
	if m.wizard.picker == nil {
		return ui.Choice{}
	}
	c, _ := m.wizard.picker.Selected()
	return c
}
