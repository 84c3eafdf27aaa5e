package model

import (
	"os"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// A resize never moves what the cursor is on: the cell under it at any
// size holds the byte it held before.
func TestResizeKeepsTheCursorOnItsByte(t *testing.T) {
	m := started(t, 160, 48)
	openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
	press(t, m, "down", "down", "down", "right", "right", "right", "right", "right")
	before := cursorCell(m)
	for _, size := range [][2]int{{60, 20}, {250, 80}, {80, 24}, {160, 48}} {
		m.Update(tea_WindowSize(size[0], size[1]))
		c := cursorCell(m)
		if c.Start > before.Start || c.End <= before.Start {
			t.Fatalf("at %dx%d the cursor is on [%d, %d), which does not hold byte %d", size[0], size[1], c.Start, c.End, before.Start)
		}
	}
	if after := cursorCell(m); after != before {
		t.Fatalf("back at 160x48 the cursor is on %+v, was %+v", after, before)
	}
}

// While help is open, no key reaches what is under it.
func TestHelpIsModal(t *testing.T) {
	m := started(t, 160, 48)
	press(t, m, "?", "enter", "down", "esc")
	if got := screenName(m); got != "datastores" {
		t.Fatalf("keys under help moved the picker to %s", got)
	}
	first := selectedChoice(m)
	openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
	before := cursorCell(m)
	press(t, m, "?", "j", "j", "l", "enter", "backspace", "n", "?")
	if screenName(m) != "explorer" || zoomDepth(m) != 0 || cursorCell(m) != before {
		t.Fatalf("keys under help acted: screen %s, depth %d, cursor %+v (was %+v)", screenName(m), zoomDepth(m), cursorCell(m), before)
	}
	_ = first
}

// Two exports of one disk with different bases are two files.
func TestExportsWithDifferentBasesAreTwoFiles(t *testing.T) {
	m := started(t, 160, 48)
	dir := m.c.cfg.ExportDir
	openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
	press(t, m, "e", "enter")
	press(t, m, "esc") // back to the base picker
	pick(t, m, "* allocated areas")
	press(t, m, "e", "enter")
	files, _ := os.ReadDir(dir)
	if len(files) != 2 {
		var names []string
		for _, f := range files {
			names = append(names, f.Name())
		}
		t.Fatalf("two exports with different bases left %d files: %v", len(files), names)
	}
}

// An export of a faulted map says it is incomplete.
func TestExportOfAFaultedMapSaysIncomplete(t *testing.T) {
	m := started(t, 160, 48)
	openDisk(t, m, "ds-prod-01", simulator.DemoCorruptCTK)
	press(t, m, "e", "enter")
	if s := statusText(m); !strings.Contains(s, "INCOMPLETE") {
		t.Fatalf("status after exporting a faulted map: %q", s)
	}
}

// At 80x24 a fault shows at once, and every part of it can be read by
// scrolling the details.
func TestFaultAt80x24(t *testing.T) {
	m := started(t, 80, 24)
	openDisk(t, m, "ds-prod-01", simulator.DemoCorruptCTK)
	seen := m.Render()
	if !strings.Contains(seen, "Change tracking file corrupt") {
		t.Fatalf("the fault is not on screen:\n%s", seen)
	}
	for range 40 {
		press(t, m, "down")
		seen += m.Render()
	}
	flat := strings.ToLower(strings.Join(strings.Fields(seen), " "))
	for _, want := range []string{"startOffset", "vim.hostd.vmsvc.cbt.cannotGetChanges", "reset CBT", "full backup"} {
		if !strings.Contains(flat, strings.ToLower(want)) {
			t.Fatalf("scrolling the details never shows %q:\n%s", want, m.Render())
		}
	}
}

// A status message does not follow the user into the pickers.
func TestStatusDoesNotStick(t *testing.T) {
	m := started(t, 160, 48)
	openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
	press(t, m, "e", "enter")
	if !strings.Contains(m.Render(), "exported to") {
		t.Fatalf("no export message:\n%s", m.Render())
	}
	press(t, m, "esc")
	if strings.Contains(m.Render(), "exported to") {
		t.Fatalf("the export message followed into the picker:\n%s", m.Render())
	}
}

// Going back puts the cursor on what was chosen.
func TestBackRemembersTheChoice(t *testing.T) {
	m := started(t, 160, 48)
	pick(t, m, "ds-prod-01")
	pick(t, m, simulator.DemoLog)
	press(t, m, "esc")
	if got := selectedChoice(m).Name; got != simulator.DemoLog {
		t.Fatalf("back from the snapshots, the cursor is on %q, not %q", got, simulator.DemoLog)
	}
	press(t, m, "esc")
	if got := selectedChoice(m).Name; got != "ds-prod-01" {
		t.Fatalf("back from the disks, the cursor is on %q", got)
	}
}

// The defaults lead to a map: the first disk offered has CBT on, and a
// CBT-off disk is refused with the reason before any snapshot list.
func TestDefaultsLeadToAMap(t *testing.T) {
	m := started(t, 160, 48)
	for _, ds := range []string{"ds-prod-01", "ds-prod-02"} {
		pick(t, m, ds)
		if c := selectedChoice(m); !strings.Contains(c.Detail, "CBT on") {
			t.Fatalf("on %s the first disk offered is %s (%s)", ds, c.Name, c.Detail)
		}
		press(t, m, "esc")
	}
	pick(t, m, "ds-prod-01")
	pick(t, m, simulator.DemoCBTOff)
	if screenName(m) == "snapshots" || !strings.Contains(m.Render(), "CBT is not enabled") {
		t.Fatalf("a CBT-off disk led to %s:\n%s", screenName(m), m.Render())
	}
}

// The default base always has a changeId.
func TestDefaultBaseHasAChangeID(t *testing.T) {
	m := started(t, 160, 48)
	pick(t, m, "ds-prod-01")
	pick(t, m, simulator.DemoLateCBT)
	// The third snapshot: the two before it were taken with CBT off.
	press(t, m, "g", "down", "down", "enter")
	if c := selectedChoice(m); strings.Contains(c.Detail, "no changeId") {
		t.Fatalf("the default base is %s (%s)", c.Name, c.Detail)
	}
}

// r in the explorer fetches again.
func TestReloadFetchesAgain(t *testing.T) {
	m := started(t, 160, 48)
	openDisk(t, m, "ds-prod-01", simulator.DemoCorruptCTK)
	sim, _ := demoSim()
	const method = "VstorageObjectVCenterQueryChangedDiskAreas"
	before := sim.Stats().Calls[method]
	press(t, m, "r")
	if after := sim.Stats().Calls[method]; after <= before {
		t.Fatalf("r did not fetch again: %d calls before, %d after", before, after)
	}
	if screenName(m) != "explorer" {
		t.Fatalf("r left the explorer for %s", screenName(m))
	}
}
