package model

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// Every screen, at every size from 40×12 to 250×80, fills exactly the
// terminal: as many lines as it is high, each exactly as wide.
func TestLayoutMatrix(t *testing.T) {
	states := map[string]func(t *testing.T) *Model{
		"datastores": func(t *testing.T) *Model { return started(t, 100, 30) },
		"explorer": func(t *testing.T) *Model {
			m := started(t, 100, 30)
			openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
			press(t, m, "n")
			return m
		},
		"explorer on extents": func(t *testing.T) *Model {
			m := started(t, 100, 30)
			openDisk(t, m, "ds-prod-01", simulator.DemoDatabase)
			press(t, m, "tab", "s")
			return m
		},
		"explorer on details": func(t *testing.T) *Model {
			m := started(t, 100, 30)
			openDisk(t, m, "ds-prod-01", simulator.DemoCorruptCTK)
			press(t, m, "tab", "tab")
			return m
		},
		"help": func(t *testing.T) *Model {
			m := started(t, 100, 30)
			openDisk(t, m, "ds-prod-02", simulator.DemoBootStorm)
			press(t, m, "?")
			return m
		},
		"listing fault": func(t *testing.T) *Model {
			m := started(t, 100, 30)
			pick(t, m, "ds-archive")
			pick(t, m, simulator.DemoOffline)
			return m
		},
		"timeline": func(t *testing.T) *Model {
			m := started(t, 100, 30)
			pick(t, m, "ds-prod-02")
			pick(t, m, simulator.DemoChainReset)
			press(t, m, "t")
			return m
		},
		"timeline strip": func(t *testing.T) *Model {
			m := started(t, 100, 30)
			pick(t, m, "ds-prod-02")
			pick(t, m, simulator.DemoChainReset)
			press(t, m, "t", "v")
			return m
		},
		"compare": func(t *testing.T) *Model {
			m := New(Config{Opened: openedFixture(t, false), OpenedB: openedFixture(t, true), ExportDir: t.TempDir()})
			m.Update(tea_WindowSize(100, 30))
			press(t, m, "l", "j", "p")
			return m
		},
		"typed changeId": func(t *testing.T) *Model {
			m := started(t, 100, 30)
			pick(t, m, "ds-prod-01")
			pick(t, m, simulator.DemoDatabase)
			press(t, m, "enter")
			pick(t, m, "type a changeId…")
			return m
		},
	}
	widths := []int{40, 41, 47, 59, 64, 79, 80, 89, 90, 91, 100, 120, 133, 160, 200, 249, 250}
	heights := []int{12, 13, 14, 15, 16, 17, 20, 24, 31, 45, 60, 79, 80}
	for name, setup := range states {
		t.Run(name, func(t *testing.T) {
			m := setup(t)
			for _, w := range widths {
				for _, h := range heights {
					m.Update(tea_WindowSize(w, h))
					checkFits(t, m.Render(), w, h, name)
				}
			}
			for _, size := range [][2]int{{39, 12}, {40, 11}, {10, 5}, {1, 1}} {
				m.Update(tea_WindowSize(size[0], size[1]))
				out := m.Render()
				checkFits(t, out, size[0], size[1], name)
				if size[0] >= 20 && !strings.Contains(ansi.Strip(out), "too small") {
					t.Fatalf("%d×%d: no \"too small\" notice:\n%s", size[0], size[1], out)
				}
			}
		})
	}
}

func checkFits(t *testing.T, out string, w, h int, name string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) != h {
		t.Fatalf("%s at %d×%d: %d lines:\n%s", name, w, h, len(lines), out)
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw != w {
			t.Fatalf("%s at %d×%d: line %d is %d wide: %q", name, w, h, i, lw, ansi.Strip(l))
		}
	}
}
