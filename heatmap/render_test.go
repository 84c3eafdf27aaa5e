package heatmap

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n got: %q\nwant: %q", name, got, want)
	}
}

// allShadesMap has, over 16 cells of 8 bytes, every shade: levels 1..8,
// unchanged, partial, unscanned and faulted.
func allShadesMap(t *testing.T) *ChangeMap {
	m, _ := NewChangeMap(16 * 8)
	page := Page{Start: 0, Length: 10 * 8}
	for l := 1; l <= Levels; l++ {
		page.Extents = append(page.Extents, Extent{int64(l-1) * 8, int64(l)})
	}
	if err := m.Absorb(page); err != nil {
		t.Fatal(err)
	}
	// cell 8, 9: unchanged; 10: partial; 11: unscanned; 12..15: faulted
	if err := m.Absorb(Page{Start: 80, Length: 4}); err != nil {
		t.Fatal(err)
	}
	if err := m.MarkFaulted(96, 128); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRenderGolden(t *testing.T) {
	m := allShadesMap(t)
	cases := []struct {
		name       string
		theme      Theme
		cols, rows int
		cursor     int
	}{
		{"dark_8x2.golden", DarkTheme(), 8, 2, -1},
		{"dark_8x2_cursor.golden", DarkTheme(), 8, 2, 3},
		{"dark_16x1.golden", DarkTheme(), 16, 1, -1},
		{"dark_4x3.golden", DarkTheme(), 4, 3, 11},
		{"light_8x2.golden", LightTheme(), 8, 2, 0},
		{"mono_8x2_cursor.golden", MonoTheme(), 8, 2, 9},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := m.Grid(Window{0, m.Capacity()}, tc.cols, tc.rows)
			if err != nil {
				t.Fatal(err)
			}
			r := NewRenderer(tc.theme)
			out := r.Render(g, tc.cursor)
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

// Every shade must look different from every other, or the map lies.
func TestThemesKeepShadesDistinct(t *testing.T) {
	for name, th := range map[string]Theme{"dark": DarkTheme(), "light": LightTheme(), "mono": MonoTheme()} {
		r := NewRenderer(th)
		seen := map[string]Shade{}
		for s := ShadeUnscanned; int(s) < numShades; s++ {
			if prev, dup := seen[r.glyph[s]]; dup {
				t.Errorf("%s theme: shades %d and %d look the same", name, prev, s)
			}
			seen[r.glyph[s]] = s
		}
	}
}

func TestLegend(t *testing.T) {
	r := NewRenderer(DarkTheme())
	full := r.Legend(25.6*1024*1024, 200)
	if !strings.HasPrefix(full, "1 cell = 25.6 MiB") {
		t.Fatalf("legend %q does not start with the scale", full)
	}
	for _, w := range []string{"unchanged", "never scanned", "fault", "any→all"} {
		if !strings.Contains(full, w) {
			t.Errorf("legend %q lacks %q", full, w)
		}
	}
	for width := 0; width <= 80; width++ {
		if got := visibleWidth(r.Legend(1<<20, width)); got > width {
			t.Fatalf("legend at width %d is %d wide", width, got)
		}
	}
	mono := NewRenderer(MonoTheme())
	golden(t, "legend_mono.golden", mono.Legend(512, 80)+"\n\n"+strings.Join(mono.LegendLines(512, 40), "\n"))
}

var ansiCodes = regexp.MustCompile("\x1b\\[[0-9;]*m")

func visibleWidth(s string) int {
	return len([]rune(ansiCodes.ReplaceAllString(s, "")))
}

func TestFormatSize(t *testing.T) {
	cases := map[float64]string{
		0: "0 B", 512: "512 B", 1024: "1 KiB", 65536: "64 KiB", 25.6 * 1024 * 1024: "25.6 MiB",
		1.5 * (1 << 40): "1.5 TiB", 3.3: "3.3 B", 1000 * 1024: "1000 KiB", 123.4 * (1 << 30): "123 GiB",
	}
	for n, want := range cases {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%v) = %q, want %q", n, got, want)
		}
	}
}
