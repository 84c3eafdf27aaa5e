package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

func extentsOfMap(m *heatmap.ChangeMap) []simulator.Extent {
	var out []simulator.Extent
	for e := range m.Extents(0, m.Capacity()) {
		out = append(out, simulator.Extent{Start: e.Start, Length: e.Length})
	}
	return out
}

// t on a disk's snapshots shows its chain: every interval's map equals the
// server's truth for that pair, and the spike night is flagged, alone.
func TestTimelineOfANightlyDisk(t *testing.T) {
	s, _ := demoSim()
	info, _ := s.Disk(simulator.DemoNightly)
	m := started(t, 160, 48)
	pick(t, m, "ds-prod-01")
	pick(t, m, simulator.DemoNightly)
	press(t, m, "t")
	if screenName(m) != "timeline" {
		t.Fatalf("t led to %s:\n%s", screenName(m), m.Render())
	}
	tl := m.timeline.tl
	if tl == nil || len(tl.Intervals) != len(info.Snapshots)-1 || m.timeline.loading {
		t.Fatalf("timeline %+v, loading %v", tl, m.timeline.loading)
	}
	for i, iv := range tl.Intervals {
		want, err := s.GroundTruth(info.ID, info.Snapshots[i+1].ID, info.Snapshots[i].ChangeID)
		if err != nil {
			t.Fatal(err)
		}
		if got := extentsOfMap(iv.Sweep.Map); !slices.Equal(got, want) || !iv.Sweep.Complete() {
			t.Fatalf("interval %d: %d extents, truth %d", i, len(got), len(want))
		}
	}
	var spikes []int
	for _, f := range m.timeline.flags {
		if f.Kind == "spike" {
			spikes = append(spikes, f.Interval)
		}
	}
	if len(spikes) != 1 {
		t.Fatalf("flags %+v", m.timeline.flags)
	}
	contains(t, m.Render(), "Timeline", "▲ spike", "likely")
	press(t, m, "v")
	contains(t, m.Render(), "Timeline · strip")

	// enter opens the interval's map as fetched: no call is made again.
	const method = "VstorageObjectVCenterQueryChangedDiskAreas"
	calls := s.Stats().Calls[method]
	for range spikes[0] {
		press(t, m, "j")
	}
	press(t, m, "enter")
	if screenName(m) != "explorer" || m.explorer.sweep != tl.Intervals[spikes[0]].Sweep || s.Stats().Calls[method] != calls {
		t.Fatalf("enter on the spike: %s, %d calls more", screenName(m), s.Stats().Calls[method]-calls)
	}
	press(t, m, "esc")
	if screenName(m) != "timeline" {
		t.Fatalf("esc from an interval's map went to %s", screenName(m))
	}
}

// c sets a map aside; c on another map of the disk compares the two, and
// the parts add up to what each map changed.
func TestCompareTwoIntervals(t *testing.T) {
	m := started(t, 160, 48)
	pick(t, m, "ds-prod-01")
	pick(t, m, simulator.DemoNightly)
	press(t, m, "t", "c", "j", "c")
	if screenName(m) != "compare" {
		t.Fatalf("c, j, c led to %s:\n%s", screenName(m), m.Render())
	}
	a, b := m.timeline.tl.Intervals[0].Sweep.Map, m.timeline.tl.Intervals[1].Sweep.Map
	st := m.compare.cmp.Stats()
	if st.OnlyA.Bytes+st.Both.Bytes != a.ChangedBytes(0, a.Capacity()) || st.OnlyB.Bytes+st.Both.Bytes != b.ChangedBytes(0, b.Capacity()) {
		t.Fatalf("parts %+v do not add up to A %d and B %d", st, a.ChangedBytes(0, a.Capacity()), b.ChangedBytes(0, b.Capacity()))
	}
	contains(t, m.Render(), "Compare", "only in A", "only in B", "in both")
	press(t, m, "p")
	if m.compare.part != 1 || !strings.Contains(m.Render(), "only in B · p for another part") {
		t.Fatalf("p did not list the next part:\n%s", m.Render())
	}
	press(t, m, "esc")
	if screenName(m) != "timeline" {
		t.Fatalf("esc from the comparison went to %s", screenName(m))
	}
}

// Two exports of one disk open as a comparison.
func TestOpenTwoExportsCompares(t *testing.T) {
	a, b := openedFixture(t, false), openedFixture(t, true)
	m := New(Config{Opened: a, OpenedB: b, Where: "a.json vs b.json", ExportDir: t.TempDir()})
	m.Update(tea_WindowSize(160, 48))
	if screenName(m) != "compare" {
		t.Fatalf("two files opened as %s", screenName(m))
	}
	st := m.compare.cmp.Stats()
	if st.OnlyA.Bytes != 0 || st.OnlyB.Bytes != 0 || st.AWhereBUnknown.Bytes == 0 {
		t.Fatalf("a map against itself with a faulted tail: %+v", st)
	}
	contains(t, m.Render(), "in A, B not scanned")
	press(t, m, "esc")
	if screenName(m) != "compare" {
		t.Fatalf("esc left a comparison of files for %s", screenName(m))
	}
}

// At 80 columns the interval labels drop the times rather than being cut:
// each row still names both snapshots' days in full.
func TestTimelineLabelsFitANarrowTerminal(t *testing.T) {
	m := started(t, 80, 24)
	pick(t, m, "ds-prod-01")
	pick(t, m, simulator.DemoNightly)
	press(t, m, "t")
	if screenName(m) != "timeline" {
		t.Fatalf("t led to %s", screenName(m))
	}
	tl := m.timeline.tl
	out := m.Render()
	for i, iv := range tl.Intervals[:3] {
		want := fmt.Sprintf("S%d→S%d %s → %s", i+1, i+2, iv.From.CreateTime.Format("01-02"), iv.To.CreateTime.Format("01-02"))
		contains(t, out, want)
	}
}
