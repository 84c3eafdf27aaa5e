package model

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

func typeText(t *testing.T, m *Model, text string) {
	t.Helper()
	for _, r := range text {
		press(t, m, string(r))
	}
}

// g reads an offset as a person types it and puts the cursor on it.
func TestJumpToOffset(t *testing.T) {
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	press(t, m, "g")
	typeText(t, m, "12G")
	press(t, m, "enter")
	if c := cursorCell(m); c.Start > 12<<30 || c.End <= 12<<30 {
		t.Fatalf("after g 12G the cursor is on %+v", c)
	}
	press(t, m, "g")
	typeText(t, m, "12 parsecs")
	press(t, m, "enter")
	contains(t, m.Render(), "Go to offset", "unknown unit")
	press(t, m, "esc")
	if strings.Contains(m.Render(), "Go to offset") {
		t.Fatal("esc did not close the dialog")
	}
	// Zoomed in, a jump outside the window zooms out to show it.
	press(t, m, "n", "enter")
	press(t, m, "g")
	typeText(t, m, "0x0")
	press(t, m, "enter")
	if c := cursorCell(m); c.Start != 0 {
		t.Fatalf("after g 0x0 the cursor is on %+v", c)
	}
}

// N is n backwards.
func TestPreviousChangedCell(t *testing.T) {
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	press(t, m, "n")
	first := cursorCell(m)
	press(t, m, "n", "n", "N", "N")
	if c := cursorCell(m); c != first || c.Changed == 0 {
		t.Fatalf("n n n N N ends on %+v, not the first changed cell %+v", c, first)
	}
}

// enter on an extent row, or a number on a largest extent, zooms the map
// onto that extent.
func TestZoomToAnExtent(t *testing.T) {
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	press(t, m, "tab", "j", "j", "j")
	x, _ := m.explorer.table.Cursor()
	press(t, m, "enter")
	w := m.explorer.hm.Window()
	if zoomDepth(m) != 1 || w.Start > x.Start || w.End < x.End() || w.Len() > max(x.Length, int64(m.explorer.hm.Cols()*m.explorer.hm.DataRows())) {
		t.Fatalf("enter on %v zoomed to %v (depth %d)", x, w, zoomDepth(m))
	}
	press(t, m, "esc", "tab", "1")
	largest := explorerMap(m).Stats().MaxExtent
	w = m.explorer.hm.Window()
	if zoomDepth(m) != 1 || w.Len() < largest || explorerMap(m).ChangedBytes(w.Start, w.End) < largest {
		t.Fatalf("1 in the statistics zoomed to %v (depth %d); the largest extent is %d bytes", w, zoomDepth(m), largest)
	}
	if m.explorer.focus != panelHeatmap {
		t.Fatal("the heatmap does not have the focus after zooming to an extent")
	}
}

// While an overlay is open, a click does not reach the map under it.
func TestOverlayOwnsTheMouse(t *testing.T) {
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	before := cursorCell(m)
	press(t, m, "?")
	h := m.explorer.layoutRects().heatmap
	Send(m, tea.MouseClickMsg{X: h.x + 40, Y: h.y + 8, Button: tea.MouseLeft}, patience)
	press(t, m, "esc")
	if c := cursorCell(m); c != before {
		t.Fatalf("a click under help moved the cursor to %+v", c)
	}
}

// Quitting on an error screen keeps the error for the command to print.
func TestQuitOnAnErrorKeepsIt(t *testing.T) {
	m := started(t, 120, 30)
	pick(t, m, "ds-prod-01")
	pick(t, m, simulator.DemoCBTOff)
	if screenName(m) != "error" {
		t.Fatalf("screen %s", screenName(m))
	}
	_, cmd := m.Update(KeyPress("q"))
	if cmd == nil || m.ExitErr() == nil || !strings.Contains(m.ExitErr().Error(), "CBT is not enabled") {
		t.Fatalf("quit on the error screen: exit error %v", m.ExitErr())
	}
	m2 := started(t, 120, 30)
	m2.Update(KeyPress("q"))
	if m2.ExitErr() != nil {
		t.Fatalf("quit from a list: exit error %v", m2.ExitErr())
	}
}

// esc while connecting to a vCenter that never answers gives up at once.
func TestEscCancelsConnecting(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never answered
		}
	}()
	cfg := testConfig(t)
	cfg.Connect = func(ctx context.Context) (Source, error) {
		return vsphere.Connect(ctx, vsphere.Settings{URL: "https://" + ln.Addr().String() + "/sdk", Insecure: true, Username: "u", Password: vsphere.NewSecret("p")})
	}
	m := New(cfg)
	m.Update(tea_WindowSize(100, 30))
	cmd := m.Init()
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	time.Sleep(100 * time.Millisecond) // connecting
	contains(t, m.Render(), "connecting", "esc cancels")
	m.Update(KeyPress("esc"))
	select {
	case msg := <-done:
		m.Update(msg)
	case <-time.After(10 * time.Second):
		t.Fatal("esc did not stop connecting")
	}
	if screenName(m) != "error" || !strings.Contains(m.Render(), "cancelled") {
		t.Fatalf("after esc while connecting:\n%s", m.Render())
	}
}

// Every way out ends the vCenter session.
func TestCloseLogsOut(t *testing.T) {
	s, _ := demoSim()
	before := s.Stats().Calls["Logout"]
	m := started(t, 120, 30)
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	m.Update(KeyPress("q"))
	m.Close(context.Background())
	if after := s.Stats().Calls["Logout"]; after != before+1 {
		t.Fatalf("Logout calls %d → %d", before, after)
	}
}

// Coming back to the map just left fetches only what was missing.
func TestComingBackKeepsTheMap(t *testing.T) {
	sim, _ := demoSim()
	const method = "VstorageObjectVCenterQueryChangedDiskAreas"
	m := started(t, 160, 45)
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	first := m.explorer
	calls := sim.Stats().Calls[method]
	press(t, m, "esc", "enter")
	if m.explorer != first || sim.Stats().Calls[method] != calls {
		t.Fatalf("the same map again: explorer replaced %v, calls %d → %d", m.explorer != first, calls, sim.Stats().Calls[method])
	}
	if !explorerMap(m).Complete() {
		t.Fatal("the map kept is not complete")
	}
}

// A terminal that drops every attribute (TERM=dumb) still shows which
// choice is selected and where the cursor is: as text, not as reverse video.
func TestDumbTerminalShowsSelectionAndCursor(t *testing.T) {
	cfg := testConfig(t)
	cfg.Profile = colorprofile.NoTTY
	m := New(cfg)
	m.Update(tea_WindowSize(120, 40))
	Drive(m, m.Init(), patience)
	if screen := ansi.Strip(m.Render()); !strings.Contains(screen, "│ ds-prod-01") {
		t.Fatalf("no text marks the selected datastore:\n%s", screen)
	}
	openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
	screen := ansi.Strip(m.Render())
	if strings.Count(screen, "◆") != 2 { // the cursor and its legend
		t.Fatalf("the cursor is not drawn as text:\n%s", screen)
	}
}

// Keys typed while a list loads are meant for that list: enter enter enter
// enter, typed at once, opens the map as it does pressed one by one.
func TestKeysTypedAheadOfALoad(t *testing.T) {
	m := started(t, 120, 40)
	var cmds []tea.Cmd
	for range 4 {
		_, cmd := m.Update(KeyPress("enter"))
		cmds = append(cmds, cmd)
	}
	Drive(m, tea.Batch(cmds...), patience)
	if screenName(m) != "explorer" || m.explorer.sel.disk.Name != simulator.DemoDatabase {
		t.Fatalf("four enters typed at once led to %s:\n%s", screenName(m), m.Render())
	}
}
