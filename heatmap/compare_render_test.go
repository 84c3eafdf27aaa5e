package heatmap

import (
	"strings"
	"testing"
)

// allCompareShades compares two maps of 16 cells of 8 bytes whose cells
// show every kind of compare shade, in this order: only A (all, 2 bytes),
// only B (all, half), both (all, 6 bytes), A where B is unknown, B where A
// is unknown, unchanged twice, a mix of A and B, unknown, unchanged twice,
// and unknown twice (B stopped scanning).
func allCompareShades(t *testing.T) *Comparison {
	t.Helper()
	build := func(pages ...Page) *ChangeMap {
		m, _ := NewChangeMap(16 * 8)
		for _, p := range pages {
			if err := m.Absorb(p); err != nil {
				t.Fatal(err)
			}
		}
		return m
	}
	a := build(
		Page{Start: 0, Length: 56, Extents: []Extent{{0, 8}, {8, 2}, {32, 8}, {40, 6}, {48, 8}}},
		Page{Start: 64, Length: 24, Extents: []Extent{{80, 3}}},
		Page{Start: 96, Length: 32},
	)
	b := build(
		Page{Start: 0, Length: 48, Extents: []Extent{{16, 8}, {24, 4}, {32, 8}, {40, 6}}},
		Page{Start: 56, Length: 32, Extents: []Extent{{56, 8}, {83, 5}}},
		Page{Start: 96, Length: 16},
	)
	c, err := Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompareGridShadesEveryKind(t *testing.T) {
	c := allCompareShades(t)
	g, err := c.Grid(Window{0, c.Capacity()}, 16, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []CompareShade{
		compareShade(PartOnlyA, 4), compareShade(PartOnlyA, 1),
		compareShade(PartOnlyB, 4), compareShade(PartOnlyB, 2),
		compareShade(PartBoth, 4), compareShade(PartBoth, 3),
		compareShade(PartAWhereBUnknown, 4), compareShade(PartBWhereAUnknown, 4),
		CompareUnchanged, CompareUnchanged, compareShade(PartOnlyB, 4), CompareUnknown,
		CompareUnchanged, CompareUnchanged, CompareUnknown, CompareUnknown,
	}
	for k, cell := range g.Cells {
		if got := cell.Shade(); got != want[k] {
			t.Errorf("cell %d %+v: shade %d, want %d", k, cell, got, want[k])
		}
	}
}

func TestRenderCompareGolden(t *testing.T) {
	c := allCompareShades(t)
	cases := []struct {
		name       string
		theme      Theme
		cols, rows int
		cursor     int
	}{
		{"compare_dark_8x2.golden", DarkTheme(), 8, 2, -1},
		{"compare_dark_16x1_cursor.golden", DarkTheme(), 16, 1, 5},
		{"compare_dark_4x3.golden", DarkTheme(), 4, 3, -1},
		{"compare_light_8x2.golden", LightTheme(), 8, 2, 0},
		{"compare_mono_8x2_cursor.golden", MonoTheme(), 8, 2, 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := c.Grid(Window{0, c.Capacity()}, tc.cols, tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			r := NewRenderer(tc.theme)
			var b strings.Builder
			r.RenderCompare(&b, g, tc.cursor)
			out := b.String()
			golden(t, tc.name, out)
			lines := strings.Split(out, "\n")
			if len(lines) != r.TextRows(tc.rows) {
				t.Fatalf("%d lines for %d data rows", len(lines), tc.rows)
			}
			for _, l := range lines {
				if w := visibleWidth(l); w != tc.cols {
					t.Fatalf("line %q is %d columns wide, want %d", l, w, tc.cols)
				}
			}
		})
	}
}

// Every compare shade must look different from every other, and none may
// borrow a map shade's look: a comparison beside a map must not be misread.
func TestCompareShadesDistinct(t *testing.T) {
	for name, th := range map[string]Theme{"dark": DarkTheme(), "light": LightTheme(), "mono": MonoTheme(), "unset": {}} {
		r := NewRenderer(th)
		seen := map[string]CompareShade{}
		for s := CompareUnknown; int(s) < numCompareShades; s++ {
			g := r.compare().glyph[s]
			// Levels of one part look alike without colour, by design.
			if th.Mono && s.Level() > 1 {
				continue
			}
			if prev, dup := seen[g]; dup {
				t.Errorf("%s theme: compare shades %d and %d look the same", name, prev, s)
			}
			seen[g] = s
		}
	}
}

var compareLegendLabels = []string{"only in A", "only in B", "in both", "in A, B not scanned", "in B, A not scanned",
	"unchanged in both", "not scanned by both", "cursor"}

func TestCompareLegend(t *testing.T) {
	for name, th := range map[string]Theme{"dark": DarkTheme(), "light": LightTheme(), "mono": MonoTheme()} {
		r := NewRenderer(th)
		full := r.CompareLegend(25.6*1024*1024, 300)
		if !strings.HasPrefix(full, "1 cell = 25.6 MiB") || !hasAll(full, compareLegendLabels) {
			t.Errorf("%s: wide legend %q leaves something out", name, full)
		}
		for width := 0; width <= 120; width++ {
			l := r.CompareLegend(1<<20, width)
			if got := visibleWidth(l); got > width {
				t.Fatalf("%s: legend at width %d is %d wide", name, width, got)
			}
			// The sides are named before anything else is explained.
			if strings.Contains(l, "unchanged in both") && !hasAll(l, compareLegendLabels[:3]) {
				t.Fatalf("%s: legend at width %d drops a side first: %q", name, width, l)
			}
		}
		for _, width := range []int{200, 80, 40, 24} {
			lines := r.CompareLegendLines(25.6*1024*1024, width)
			for _, l := range lines {
				if got := visibleWidth(l); got > width {
					t.Fatalf("%s at %d: line %q is %d wide", name, width, l, got)
				}
			}
			if all := strings.Join(lines, "\n"); !hasAll(all, compareLegendLabels) {
				t.Errorf("%s at %d: the legend leaves out a part:\n%s", name, width, all)
			}
		}
	}
	mono := NewRenderer(MonoTheme())
	golden(t, "compare_legend_mono.golden", mono.CompareLegend(512, 200)+"\n\n"+strings.Join(mono.CompareLegendLines(512, 40), "\n"))
}
