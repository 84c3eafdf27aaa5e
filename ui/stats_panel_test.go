package ui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
)

const kib, gib = int64(1) << 10, int64(1) << 30

// summaryOf is the statistics of a map holding ext, wholly scanned.
func summaryOf(t *testing.T, capacity int64, ext []heatmap.Extent) Summary {
	t.Helper()
	m, err := heatmap.NewChangeMap(capacity)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Absorb(heatmap.Page{Start: 0, Length: capacity, Extents: ext}); err != nil {
		t.Fatal(err)
	}
	return Summary{Stats: m.Stats(), Largest: m.Largest(5)}
}

// spaced is n one-block extents of 64 KiB, 1 MiB apart but for every
// third, which starts a block later: a database's scattered writes.
func spaced(n int) []heatmap.Extent {
	ext := make([]heatmap.Extent, n)
	for i := range ext {
		ext[i] = heatmap.Extent{Start: int64(i)<<20 + int64(i%3)*64*kib, Length: 64 * kib}
	}
	return ext
}

// The panel states the block size with its evidence, or says it is unknown
// and why; two coarse extents never pass for a 2 GiB block.
func TestStatsPanelBlockSize(t *testing.T) {
	cases := []struct {
		name string
		ext  []heatmap.Extent
		want string
	}{
		{"two allocated regions", []heatmap.Extent{{Start: 4 * gib, Length: 2 * gib}, {Start: 10 * gib, Length: 110 * gib}}, "CBT block unknown (too few extents: 2)"},
		{"scattered writes", spaced(1234), "CBT block 64 KiB (inferred from 1,234 extents)"},
		{"nothing changed", nil, "CBT block unknown (no extents)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := ansi.Strip(StatsView(testStyles(), summaryOf(t, 128*gib, tc.ext), false, 80, 40))
			if !strings.Contains(strings.Join(strings.Fields(v), " "), tc.want) {
				t.Fatalf("stats do not say %q:\n%s", tc.want, v)
			}
		})
	}
}

// A small panel scrolls to everything a large one shows.
func TestStatsPanelScrollsToEverything(t *testing.T) {
	s := summaryOf(t, 128*gib, spaced(1234))
	want := []string{"changed", "extents", "sizes", "CBT block", "64 KiB", "1,234 extents", "size histogram", "largest extents"}
	for _, size := range [][2]int{{40, 6}, {80, 24}, {24, 3}, {160, 48}} {
		w, h := size[0], size[1]
		p := NewStatsPanel(testStyles(), keymap.DefaultDetails())
		p.SetSummary(s)
		p.SetSize(w, h)
		text := squash(strings.Join(readAll(t, p, w, h), "\n"))
		for _, x := range want {
			if !strings.Contains(text, squash(x)) {
				t.Errorf("%d×%d: %q is never shown", w, h, x)
			}
		}
	}
}

func TestStatsViewIsThePanel(t *testing.T) {
	st, s := testStyles(), summaryOf(t, 128*gib, spaced(100))
	p := NewStatsPanel(st, keymap.DefaultDetails())
	p.SetSummary(s)
	p.SetSize(60, 20)
	if got := StatsView(st, s, false, 60, 20); got != p.View() {
		t.Fatalf("StatsView differs from the panel:\n%s\n---\n%s", got, p.View())
	}
}

func TestStatsPanelLooks(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 12}} {
		p := NewStatsPanel(testStyles(), keymap.DefaultDetails())
		p.SetSummary(summaryOf(t, 128*gib, spaced(1234)))
		p.SetSize(size[0], size[1])
		t.Logf("%d×%d:\n%s", size[0], size[1], ansi.Strip(p.View()))
	}
}

// The inspector writes a cell's range in one form at every zoom: the exact
// first byte and the size, so two cells never read alike.
func TestInspectorRangeHasOneForm(t *testing.T) {
	form := regexp.MustCompile(`^range\s+[0-9,]+ \+[0-9.]+ [KMGT]?i?B\s*$`)
	for _, c := range []heatmap.Cell{
		{Start: 0, End: 65 << 20},
		{Start: 4 * gib, End: 4*gib + 16<<20},
		{Start: 120 * gib, End: 120*gib + 64*kib},
	} {
		lines := strings.Split(ansi.Strip(InspectorView(testStyles(), c, 0, 60, 6)), "\n")
		if !form.MatchString(lines[1]) {
			t.Errorf("cell [%d, %d): inspector reads %q", c.Start, c.End, lines[1])
		}
	}
}
