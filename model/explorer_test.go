package model

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// From a chosen disk, two keystrokes show the newest snapshot against the
// one before it, and the map is exactly the server's.
func TestTwoKeystrokesFromDiskToMap(t *testing.T) {
	s, _ := demoSim()
	m := started(t, 160, 45)
	pick(t, m, "ds-prod-01")
	pick(t, m, simulator.DemoDatabase)
	press(t, m, "enter", "enter")
	if screenName(m) != "explorer" || loading(m) {
		t.Fatalf("screen %s loading %v", screenName(m), loading(m))
	}
	info, _ := s.Disk(simulator.DemoDatabase)
	n := len(info.Snapshots)
	if m.explorer.sel.target.ID != info.Snapshots[n-1].ID || m.explorer.sel.base != info.Snapshots[n-2].ChangeID {
		t.Fatalf("target %s base %s; want the newest against the one before", m.explorer.sel.target.ID, m.explorer.sel.base)
	}
	want, _ := s.GroundTruth(info.ID, m.explorer.sel.target.ID, m.explorer.sel.base)
	var got []simulator.Extent
	for e := range explorerMap(m).Extents(0, explorerMap(m).Capacity()) {
		got = append(got, simulator.Extent{Start: e.Start, Length: e.Length})
	}
	if !slices.Equal(got, want) || !explorerMap(m).Complete() {
		t.Fatalf("map has %d extents (complete %v), server %d", len(got), explorerMap(m).Complete(), len(want))
	}
	screen := m.Render()
	contains(t, screen, "Heatmap", "whole disk", "Extents", "Statistics", "CBT block", "64 KiB", "100%")
}

// Leaving a query abandons it: its late pages never reach the new map.
func TestPagesOfAnAbandonedQueryAreDropped(t *testing.T) {
	m := started(t, 120, 40)
	openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
	old := m.explorer
	oldGen := old.gen
	press(t, m, "esc") // back to the base picker
	if screenName(m) != "base" {
		t.Fatalf("esc at the top did not go back: screen %s", screenName(m))
	}
	pick(t, m, "* allocated areas") // another map
	v := explorerMap(m).Version()
	stale := &vsphere.PageEvent{Page: heatmap.Page{Start: 0, Length: 1 << 20, Extents: []heatmap.Extent{{Start: 0, Length: 1 << 20}}}}
	m.Update(fetchMsg{owner: old, gen: oldGen, ev: stale})
	if explorerMap(m).Version() != v {
		t.Fatal("a page of the abandoned query changed the new map")
	}
	m.Update(fetchMsg{owner: m.explorer, gen: m.explorer.gen, ev: stale})
	if explorerMap(m).Version() == v {
		t.Fatal("a page of the current query was not absorbed")
	}
}

func TestZoomInAndOut(t *testing.T) {
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
	press(t, m, "n") // onto the first changed cell
	c, _ := m.explorer.hm.CursorCell()
	if c.Changed == 0 {
		t.Fatal("n did not find a changed cell")
	}
	press(t, m, "enter")
	if m.explorer.hm.Depth() != 1 || m.explorer.hm.Window() != (heatmap.Window{Start: c.Start, End: c.End}) {
		t.Fatalf("zoomed to %v at depth %d, want the cell %v", m.explorer.hm.Window(), m.explorer.hm.Depth(), c)
	}
	contains(t, m.Render(), "whole disk ›")
	if i, j := explorerMap(m).ExtentsIn(c.Start, c.End); m.explorer.table.Len() != j-i {
		t.Fatalf("table shows %d extents, the zoomed cell has %d", m.explorer.table.Len(), j-i)
	}
	// One zoom into a 160-column grid already gives cells of about 2 KiB;
	// another would give cells under a byte, and is refused.
	press(t, m, "n", "enter")
	if m.explorer.hm.Depth() != 1 {
		t.Fatalf("depth %d: zoomed below a byte per cell", m.explorer.hm.Depth())
	}
	if g := m.explorer.hm.Grid(); g.CellBytes() < 1 {
		t.Fatalf("cells of %.2f bytes", g.CellBytes())
	}
	press(t, m, "esc")
	if m.explorer.hm.Depth() != 0 || screenName(m) != "explorer" {
		t.Fatalf("depth %d screen %s after zooming out", m.explorer.hm.Depth(), screenName(m))
	}
	if got, _ := m.explorer.hm.CursorCell(); got.Start > c.Start || got.End <= c.Start {
		t.Fatalf("zooming out lost the cursor: %+v, zoomed from %+v", got, c)
	}
}

// The extent table and the heatmap cursor follow each other.
func TestTableAndHeatmapStayInSync(t *testing.T) {
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	press(t, m, "n")
	c, _ := m.explorer.hm.CursorCell()
	e, ok := m.explorer.table.Cursor()
	if !ok || e.End() <= c.Start || e.Start >= c.End {
		t.Fatalf("table cursor %v is not in the heatmap's cell %+v", e, c)
	}
	press(t, m, "tab") // to the table
	for range 40 {
		press(t, m, "j")
	}
	e, _ = m.explorer.table.Cursor()
	c, _ = m.explorer.hm.CursorCell()
	if e.Start < c.Start || e.Start >= c.End {
		t.Fatalf("heatmap cursor %+v does not hold the table's extent %v", c, e)
	}
	press(t, m, "s")
	first, _ := m.explorer.table.Cursor()
	if max := explorerMap(m).Stats().MaxExtent; first.Length != max {
		t.Fatalf("sorted by size, the first row is %v, the largest is %d", first, max)
	}
	press(t, m, "b")
	contains(t, m.Render(), groupedForTest(first.Length))
}

func groupedForTest(v int64) string {
	s := []byte{}
	d := []byte(strings.TrimSpace(strings.Repeat(" ", 0) + itoa(v)))
	for i, c := range d {
		if i > 0 && (len(d)-i)%3 == 0 {
			s = append(s, ',')
		}
		s = append(s, c)
	}
	return string(s)
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	var b []byte
	for v > 0 {
		b = append([]byte{byte('0' + v%10)}, b...)
		v /= 10
	}
	return string(b)
}

func TestFaultingDiskShowsItsDiagnosis(t *testing.T) {
	m := started(t, 250, 60)
	openDisk(t, m, "ds-prod-01", simulator.DemoCorruptCTK)
	contains(t, m.Render(), "FileFault", "Change tracking file corrupt", "Reset CBT", "vim.hostd.vmsvc.cbt.cannotGetChanges", "faultCause")
	if explorerMap(m).FaultedBytes(0, explorerMap(m).Capacity()) == 0 {
		t.Fatal("the fault's range is not marked on the map")
	}
}

// A disk on an inaccessible datastore is refused with the reason before
// any query.
func TestInaccessibleDiskIsRefused(t *testing.T) {
	m := started(t, 120, 40)
	pick(t, m, "ds-archive")
	pick(t, m, simulator.DemoOffline)
	if screenName(m) != "error" {
		t.Fatalf("screen %s", screenName(m))
	}
	contains(t, m.Render(), "InvalidDatastore", "Datastore cannot serve this")
	press(t, m, "esc")
	if screenName(m) != "disks" {
		t.Fatalf("esc from the error went to screen %s", screenName(m))
	}
}

// 'e' writes the map where cbtscope open reads it back the same.
func TestExportThenOpen(t *testing.T) {
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
	press(t, m, "e", "enter")
	if !strings.HasPrefix(statusText(m), "exported to ") {
		t.Fatalf("status %q", statusText(m))
	}
	path := strings.TrimPrefix(statusText(m), "exported to ")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	e, cm, err := vsphere.ReadExport(f)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Complete || cm.Len() != explorerMap(m).Len() || cm.ChangedBytes(0, cm.Capacity()) != explorerMap(m).ChangedBytes(0, explorerMap(m).Capacity()) {
		t.Fatalf("reopened map differs: %d extents vs %d", cm.Len(), explorerMap(m).Len())
	}
	cfg := testConfig(t)
	cfg.Opened = &Opened{Export: e, Map: cm}
	cfg.Where = filepath.Base(path)
	o := New(cfg)
	o.Update(tea_WindowSize(160, 45))
	contains(t, o.Render(), "offline", simulator.DemoBootStorm, "Statistics")
	press(t, m, "E", "enter")
	if !strings.HasSuffix(statusText(m), ".csv") {
		t.Fatalf("status %q", statusText(m))
	}
}

// A connection that fails shows why and what to do, never the password.
func TestConnectErrorScreen(t *testing.T) {
	cfg := testConfig(t)
	s, _ := demoSim()
	u := s.URL()
	u.User = nil
	cfg.Connect = func(ctx context.Context) (Source, error) {
		// No thumbprint and no CA: the self-signed certificate is refused.
		return vsphere.Connect(ctx, vsphere.Settings{URL: u.String(), Username: "admin", Password: vsphere.NewSecret("Pa55-w0rd!")})
	}
	m := New(cfg)
	m.Update(tea_WindowSize(120, 30))
	Drive(m, m.Init(), patience)
	screen := m.Render()
	contains(t, screen, "Cannot continue", "not trusted", "--thumbprint", "--insecure")
	if strings.Contains(screen, "Pa55-w0rd!") {
		t.Fatal("the password is on the screen")
	}
}

// NO_COLOR: not one colour code, and the map still reads (glyphs).
func TestNoColor(t *testing.T) {
	cfg := testConfig(t)
	cfg.Profile = colorprofile.Ascii
	m := New(cfg)
	m.Update(tea_WindowSize(140, 40))
	Drive(m, m.Init(), patience)
	openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
	screen := m.Render()
	if strings.Contains(screen, "38;2;") || strings.Contains(screen, "48;2;") || strings.Contains(screen, "38;5;") {
		t.Fatal("colour codes with NO_COLOR")
	}
	contains(t, screen, "·", "█", "Statistics")
}

func TestKeyPressSpellsLikeTheKeyMaps(t *testing.T) {
	for _, k := range []string{"enter", "esc", "tab", "shift+tab", "backspace", "up", "down", "left", "right", "pgup", "pgdown", "home", "end", "j", "G", "?"} {
		if got := KeyPress(k).String(); got != k {
			t.Errorf("KeyPress(%q).String() = %q", k, got)
		}
	}
}

func TestMouseClickMovesTheCursor(t *testing.T) {
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	h := m.explorer.layoutRects().heatmap
	// The grid starts right of the offsets and below the panel's title;
	// each line holds two rows of cells.
	x, y := h.x+12+7, h.y+1+3
	Send(m, tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft}, patience)
	want := (2*3)*m.explorer.hm.Cols() + 7
	c, _ := m.explorer.hm.CursorCell()
	g := m.explorer.hm.Grid()
	if c != g.Cells[want] {
		t.Fatalf("click at (%d, %d) put the cursor on %+v, want cell %d %+v", x, y, c, want, g.Cells[want])
	}
}

// A reply to an earlier choice never overwrites a later one.
func TestLateInventoryRepliesAreDropped(t *testing.T) {
	m := started(t, 120, 40)
	pick(t, m, "ds-prod-01")
	w := m.wizard
	first := w.gen
	a := w.disks[0]
	// Choose one disk, then another before the first's snapshots arrive.
	w.disk = a
	w.gen++
	w.disk = w.disks[1]
	m.Update(snapshotsMsg{gen: first, list: []vsphere.Snapshot{{ID: "snap-of-" + a.Name}}})
	if screenName(m) != "disks" {
		t.Fatalf("a stale reply moved the screen to %s", screenName(m))
	}
	// Going back drops a pending load too.
	pick(t, m, w.disks[1].Name) // loads and shows its snapshots
	gen := w.gen
	press(t, m, "esc")
	m.Update(snapshotsMsg{gen: gen, list: []vsphere.Snapshot{{ID: "late"}}})
	if screenName(m) != "disks" {
		t.Fatalf("a reply after esc moved the screen to %s", screenName(m))
	}
}
