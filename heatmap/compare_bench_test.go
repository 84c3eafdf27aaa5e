package heatmap

import (
	"math/rand/v2"
	"strings"
	"testing"
)

var benchCompareCache *Comparison

// benchComparison compares the 10 M extent bench map with a second night's
// map of the same disk: a quarter of the extents the same, a quarter moved
// into the gap before them, a quarter shifted by a block, a quarter grown.
func benchComparison(b *testing.B) *Comparison {
	if benchCompareCache != nil {
		return benchCompareCache
	}
	a, _ := benchMap(b)
	r := rand.New(rand.NewPCG(7, 7))
	capacity := a.Capacity()
	other, _ := NewChangeMap(capacity)
	page := Page{Start: 0}
	prevEnd := int64(0)
	for e := range a.Extents(0, capacity) {
		switch r.IntN(4) {
		case 1:
			// Somewhere in the gap since the previous extent, or unchanged.
			if e.Start-benchBlock > prevEnd {
				e = Extent{e.Start - benchBlock, benchBlock}
			}
		case 2:
			e.Start += benchBlock / 2
		case 3:
			e.Length += benchBlock / 2
		}
		// Keep the extents in order and apart, as a server sends them.
		if e.Start <= prevEnd && prevEnd > 0 {
			continue
		}
		e.Length = min(e.Length, capacity-e.Start)
		page.Extents = append(page.Extents, e)
		prevEnd = e.End()
		if len(page.Extents) == benchPageSize {
			page.Length = prevEnd - page.Start
			if err := other.Absorb(page); err != nil {
				b.Fatal(err)
			}
			page = Page{Start: prevEnd}
		}
	}
	page.Length = capacity - page.Start
	if err := other.Absorb(page); err != nil {
		b.Fatal(err)
	}
	c, err := Compare(a, other)
	if err != nil {
		b.Fatal(err)
	}
	benchCompareCache = c
	return c
}

// BenchmarkCompare10M sets two maps of 10 M extents each against each other.
func BenchmarkCompare10M(b *testing.B) {
	c := benchComparison(b)
	a, _ := benchMap(b)
	st := c.Stats()
	b.Logf("parts: only A %d, only B %d, both %d extents", st.OnlyA.Extents, st.OnlyB.Extents, st.Both.Extents)
	other := benchCompareOther(b, a)
	for b.Loop() {
		if _, err := Compare(a, other); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchExtents, "ns/extent")
}

// benchCompareOther rebuilds B from the cached comparison: the bytes B
// changed are only B's and both.
func benchCompareOther(b *testing.B, a *ChangeMap) *ChangeMap {
	c := benchComparison(b)
	other, _ := NewChangeMap(a.Capacity())
	var ext []Extent
	for _, p := range []Part{PartOnlyB, PartBoth} {
		for e := range c.Extents(p, 0, a.Capacity()) {
			ext = append(ext, e)
		}
	}
	if err := other.Absorb(Page{Start: 0, Length: a.Capacity(), Extents: ext}); err != nil {
		b.Fatal(err)
	}
	return other
}

// BenchmarkCompareFrame10M is one compare heatmap frame: a 200×100-cell
// compare grid and its ANSI rendering over two maps of 10 M extents, over
// the whole disk and zoomed, as BenchmarkFrame10M measures a map's.
func BenchmarkCompareFrame10M(b *testing.B) {
	c := benchComparison(b)
	r := NewRenderer(DarkTheme())
	n := c.Capacity()
	windows := map[string]Window{
		"whole":  {0, n},
		"zoomed": {n / 3, n/3 + n/1000},
		"deep":   {n / 2, n/2 + 200*benchBlock},
	}
	for _, name := range []string{"whole", "zoomed", "deep"} {
		w := windows[name]
		b.Run(name, func(b *testing.B) {
			var g CompareGrid
			var sb strings.Builder
			if err := c.GridInto(&g, w, 200, 100); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := c.GridInto(&g, w, 200, 100); err != nil {
					b.Fatal(err)
				}
				sb.Reset()
				r.RenderCompare(&sb, &g, 4321)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/frame")
		})
	}
}
