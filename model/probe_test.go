package model

import (
	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
)

// Probes read the model's state for tests, so that the tests say what a
// user sees and survive changes to how the model is put together.

func screenName(m *Model) string {
	return map[screen]string{screenConnecting: "connecting", screenError: "error", screenDatastores: "datastores",
		screenDisks: "disks", screenSnapshots: "snapshots", screenBase: "base", screenChangeID: "changeId", screenExplorer: "explorer"}[m.screen]
}

func cursorCell(m *Model) heatmap.Cell { c, _ := m.hm.CursorCell(); return c }
func zoomDepth(m *Model) int           { return m.hm.Depth() }
func explorerMap(m *Model) *heatmap.ChangeMap { return m.cm }
func statusText(m *Model) string       { return m.status }

func selectedChoice(m *Model) ui.Choice {
	c, _ := m.picker.Selected()
	return c
}
