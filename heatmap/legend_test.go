package heatmap

import (
	"strings"
	"testing"
)

// legendLabels names every state a cell can show, as the legend says it.
var legendLabels = []string{"changed", "unchanged", "never scanned", "partly scanned", "fault", "cursor"}

// Every state has its swatch and its words in the legend, in every theme,
// at any width: LegendLines wraps rather than drop one.
func TestLegendExplainsEveryState(t *testing.T) {
	for name, th := range map[string]Theme{"dark": DarkTheme(), "light": LightTheme(), "mono": MonoTheme()} {
		r := NewRenderer(th)
		swatches := []string{r.glyph[ShadeUnchanged], r.glyph[ShadeUnscanned], r.glyph[ShadePartial], r.glyph[ShadeFaulted], r.cursorSwatch()}
		for l := range Levels {
			swatches = append(swatches, r.glyph[ShadeChanged+Shade(l)])
		}
		if full := r.Legend(25.6*1024*1024, 200); !hasAll(full, legendLabels) || !hasAll(full, swatches) {
			t.Errorf("%s: a wide legend leaves out a state: %q", name, full)
		}
		for _, width := range []int{200, 120, 80, 60, 40, 24} {
			lines := r.LegendLines(25.6*1024*1024, width)
			for _, l := range lines {
				if got := visibleWidth(l); got > width {
					t.Fatalf("%s at %d: line %q is %d wide", name, width, l, got)
				}
			}
			all := strings.Join(lines, "\n")
			if !strings.Contains(all, "1 cell = 25.6 MiB") || !hasAll(all, legendLabels) || !hasAll(all, swatches) {
				t.Errorf("%s at %d: the legend leaves out a state:\n%s", name, width, all)
			}
		}
	}
}

func hasAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
