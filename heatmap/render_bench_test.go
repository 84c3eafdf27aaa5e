package heatmap

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// benchGrid is a 200×100 grid whose cells' shades vary at random, as a
// zoomed view's do, or are mostly alike (even), as a whole disk's are.
func benchGrid(even bool) *Grid {
	r := rand.New(rand.NewPCG(5, 5))
	g := &Grid{Cols: 200, Rows: 100, Cells: make([]Cell, 200*100)}
	for k := range g.Cells {
		n := int64(1 << 31)
		c := Cell{Start: int64(k) * n, End: int64(k+1) * n, Scanned: n}
		c.Changed = r.Int64N(n/4) + 1
		if !even {
			c.Scanned = r.Int64N(n + 1)
			c.Changed = r.Int64N(c.Scanned + 1)
		}
		g.Cells[k] = c
	}
	return g
}

// BenchmarkRender is the rendering of a frame alone.
func BenchmarkRender(b *testing.B) {
	rd := NewRenderer(DarkTheme())
	for _, even := range []bool{true, false} {
		name := "varied"
		if even {
			name = "even"
		}
		g := benchGrid(even)
		b.Run(name, func(b *testing.B) {
			var sb strings.Builder
			for b.Loop() {
				sb.Reset()
				rd.RenderTo(&sb, g, 4321)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/frame")
		})
	}
}
