package heatmap

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// A frame's text is sized before it is written: one buffer for the text
// and one for the pairs, however much neighbouring cells differ, and the
// buffer is exactly as long as the text.
func TestRenderGrowsOnce(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	g := &Grid{Cols: 200, Rows: 100, Cells: make([]Cell, 200*100)}
	for k := range g.Cells {
		n := int64(1 + r.IntN(100))
		c := Cell{Start: int64(k) * 100, End: int64(k)*100 + n, Scanned: r.Int64N(n + 1)}
		if r.IntN(2) == 0 {
			c.Changed = r.Int64N(c.Scanned + 1)
		}
		g.Cells[k] = c
	}
	rd := NewRenderer(DarkTheme())
	var b strings.Builder
	if allocs := testing.AllocsPerRun(5, func() {
		b.Reset()
		rd.RenderTo(&b, g, 77)
	}); allocs > 2 {
		t.Fatalf("rendering allocated %v times, want at most 2", allocs)
	}
	if b.Cap()-b.Len() >= 8192 {
		t.Fatalf("text of %d bytes in a buffer of %d", b.Len(), b.Cap())
	}
	cg := &CompareGrid{Cols: 200, Rows: 100, Cells: make([]CompareCell, 200*100)}
	for k := range cg.Cells {
		c := CompareCell{Start: int64(k) * 100, End: int64(k)*100 + 100}
		left := int64(100)
		for p := range c.Parts {
			c.Parts[p] = r.Int64N(left/2 + 1)
			left -= c.Parts[p]
		}
		c.Unchanged = r.Int64N(left + 1)
		cg.Cells[k] = c
	}
	if allocs := testing.AllocsPerRun(5, func() {
		b.Reset()
		rd.RenderCompare(&b, cg, 77)
	}); allocs > 2 {
		t.Fatalf("rendering a comparison allocated %v times, want at most 2", allocs)
	}
	if b.Cap()-b.Len() >= 8192 {
		t.Fatalf("compare text of %d bytes in a buffer of %d", b.Len(), b.Cap())
	}
}
