package model

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// demoSim is the demo vCenter the model tests share.
var demoSim = sync.OnceValues(func() (*simulator.Server, error) {
	return simulator.Start(simulator.Options{TLS: true})
})

func testConfig(t testing.TB) Config {
	t.Helper()
	if _, err := demoSim(); err != nil {
		t.Fatal(err)
	}
	cfg := Demo(demoSim)
	cfg.Dark, cfg.Profile = true, colorprofile.TrueColor
	cfg.Workers, cfg.ExportDir = 4, t.TempDir()
	return cfg
}

// patience is how long Drive waits for one command before abandoning it:
// long enough for any step of the demo, short enough that timers which
// would fire later (a status message's expiry) are not waited for.
const patience = 3 * time.Second

// connectPatience bounds the first step, connecting to the demo, which a
// loaded machine (the whole suite on two cores) can slow well past
// patience; only a connection that never ends waits this long.
const connectPatience = 60 * time.Second

// started is a model connected to the demo, at w×h, showing datastores.
func started(t testing.TB, w, h int) *Model {
	t.Helper()
	m := New(testConfig(t))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	Drive(m, m.Init(), connectPatience)
	if screenName(m) != "datastores" {
		t.Fatalf("after connecting: screen %s, error %v", screenName(m), m.wizard.err)
	}
	return m
}

// press sends keys by name: "enter", "esc", "tab", "down", or one character.
func press(t testing.TB, m *Model, keys ...string) {
	t.Helper()
	for _, k := range keys {
		Send(m, keyMsg(k), patience)
	}
}

func keyMsg(k string) tea.KeyPressMsg { return KeyPress(k) }

// pick selects the choice whose name is name in the current picker.
func pick(t testing.TB, m *Model, name string) {
	t.Helper()
	press(t, m, "g") // to the top
	for range 50 {
		if c := selectedChoice(m); c.Name == name {
			press(t, m, "enter")
			return
		}
		press(t, m, "down")
	}
	t.Fatalf("no choice %q in the picker:\n%s", name, m.Render())
}

// openDisk goes from the datastore list to the explorer on a disk, newest
// snapshot against the one before it.
func openDisk(t testing.TB, m *Model, datastore, disk string) {
	t.Helper()
	pick(t, m, datastore)
	pick(t, m, disk)
	press(t, m, "enter", "enter")
	if screenName(m) != "explorer" {
		t.Fatalf("not in the explorer:\n%s", m.Render())
	}
}

func contains(t testing.TB, screen string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(screen, w) {
			t.Fatalf("screen lacks %q:\n%s", w, screen)
		}
	}
}

func tea_WindowSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }
