package model

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// openedFixture is a saved export with a recognisable map: a hot region, a
// scatter of 64 KiB blocks, and (with fault) a faulted tail. It involves no
// clocks or servers, so its views are the same on every run.
func openedFixture(t *testing.T, withFault bool) *Opened {
	t.Helper()
	const capacity = 64 << 30
	const block = 64 << 10
	m, _ := heatmap.NewChangeMap(capacity)
	r := rand.New(rand.NewPCG(7, 7))
	end := int64(capacity)
	if withFault {
		end = 40 << 30
	}
	for start := int64(0); start < end; start += 4 << 30 {
		p := heatmap.Page{Start: start, Length: min(4<<30, end-start)}
		for x := start; x < start+p.Length; x += block * int64(1+r.IntN(400)) {
			p.Extents = append(p.Extents, heatmap.Extent{Start: x, Length: block * int64(1+r.IntN(3))})
		}
		if start == 8<<30 {
			p.Extents = append(p.Extents, heatmap.Extent{Start: start + (1 << 30), Length: 1 << 30})
		}
		for i := range p.Extents {
			p.Extents[i].Length = min(p.Extents[i].Length, p.Start+p.Length-p.Extents[i].Start)
		}
		if err := m.Absorb(p); err != nil {
			t.Fatal(err)
		}
	}
	var f *vsphere.Fault
	if withFault {
		if err := m.MarkFaulted(end, capacity); err != nil {
			t.Fatal(err)
		}
		f = &vsphere.Fault{Type: "FileFault", Message: "Cannot compute changes: the change tracking file is corrupt.",
			Messages: []vsphere.FaultMessage{{Key: "vim.hostd.vmsvc.cbt.cannotGetChanges", Message: "Cannot compute changes: the change tracking file is corrupt."}},
			Request:  &vsphere.Request{Disk: "disk-1", Datastore: "datastore-1", Snapshot: "snap-2", ChangeID: "52 00/1", StartOffset: end}}
		f.Diagnosis = vsphere.Diagnose(f)
	}
	e := vsphere.NewExport(vsphere.ExportDisk{ID: "disk-1", Name: "sql-data-01", Datastore: "ds-prod-01", CapacityBytes: capacity},
		"snap-2", "52 00/1", m, f)
	return &Opened{Export: e, Map: m}
}

func goldenModel(t *testing.T, withFault bool) *Model {
	return New(Config{Opened: openedFixture(t, withFault), Where: "fixture.json", Dark: true, Profile: colorprofile.TrueColor,
		ExportDir: t.TempDir()})
}

// runGolden plays keys through a real Bubble Tea program (teatest, fixed
// colour profile, fixed size) and compares the final screen with golden
// files: the plain text, for review, and the ANSI, for the colours.
func runGolden(t *testing.T, m *Model, w, h int, keys ...string) {
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.TrueColor)))
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("Heatmap")) },
		teatest.WithDuration(5*time.Second))
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	screen := final.Render()
	t.Run("text", func(t *testing.T) { golden.RequireEqual(t, ansi.Strip(screen)) })
	t.Run("ansi", func(t *testing.T) { golden.RequireEqual(t, screen) })
}

func TestGoldenExplorerZoomed(t *testing.T) {
	runGolden(t, goldenModel(t, false), 120, 36, "n", "enter", "n")
}

func TestGoldenExtentsSortedBySize(t *testing.T) {
	runGolden(t, goldenModel(t, false), 120, 36, "tab", "s", "b")
}

func TestGoldenFault(t *testing.T) {
	runGolden(t, goldenModel(t, true), 140, 40, "G")
}

func TestGoldenNarrow(t *testing.T) {
	runGolden(t, goldenModel(t, false), 60, 20, "n")
}
