package heatmap

import (
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

const (
	benchExtents  = 10_000_000
	benchBlock    = 64 << 10
	benchPageSize = 2000 // extents per page, like a real server
)

// benchPages makes a sparse multi-TiB disk's map: n extents of 1 to 4 CBT
// blocks separated by gaps of 1 to 8 blocks, paged like a server pages them.
func benchPages(n int) (capacity int64, pages []Page) {
	r := rand.New(rand.NewPCG(42, 42))
	var off int64
	var cur Page
	for i := 0; i < n; i++ {
		off += int64(1+r.IntN(8)) * benchBlock
		l := int64(1+r.IntN(4)) * benchBlock
		cur.Extents = append(cur.Extents, Extent{off, l})
		off += l
		if len(cur.Extents) == benchPageSize || i == n-1 {
			cur.Length = off - cur.Start
			pages = append(pages, cur)
			cur = Page{Start: off}
		}
	}
	pages[len(pages)-1].Length += benchBlock
	return off + benchBlock, pages
}

var benchCache struct {
	capacity int64
	pages    []Page
	m        *ChangeMap
}

func benchMap(b *testing.B) (*ChangeMap, []Page) {
	if benchCache.m == nil {
		benchCache.capacity, benchCache.pages = benchPages(benchExtents)
		m, _ := NewChangeMap(benchCache.capacity)
		for _, p := range benchCache.pages {
			if err := m.Absorb(p); err != nil {
				b.Fatal(err)
			}
		}
		benchCache.m = m
	}
	return benchCache.m, benchCache.pages
}

// BenchmarkBuild10M absorbs 10 M extents in pages, in disk order (one worker)
// and as four workers' interleaved streams.
func BenchmarkBuild10M(b *testing.B) {
	_, pages := benchMap(b)
	capacity := benchCache.capacity
	b.Run("sequential", func(b *testing.B) {
		for b.Loop() {
			m, _ := NewChangeMap(capacity)
			for _, p := range pages {
				if err := m.Absorb(p); err != nil {
					b.Fatal(err)
				}
			}
			m.Len()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchExtents, "ns/extent")
	})
	b.Run("4workers", func(b *testing.B) {
		order := interleave(len(pages), 4)
		for b.Loop() {
			m, _ := NewChangeMap(capacity)
			for _, i := range order {
				if err := m.Absorb(pages[i]); err != nil {
					b.Fatal(err)
				}
			}
			m.Len()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchExtents, "ns/extent")
	})
}

// interleave orders n pages as w workers, each paging its own slice of the
// disk, would deliver them: round robin across the slices.
func interleave(n, w int) []int {
	var order []int
	per := (n + w - 1) / w
	for k := 0; k < per; k++ {
		for s := 0; s < w; s++ {
			if i := s*per + k; i < n && k < per {
				order = append(order, i)
			}
		}
	}
	return order
}

// BenchmarkFrame10M is one heatmap frame: a 200×100-cell grid and its ANSI
// rendering, over the whole disk and over a zoomed window, at 10 M extents.
func BenchmarkFrame10M(b *testing.B) {
	m, _ := benchMap(b)
	r := NewRenderer(DarkTheme())
	c := m.Capacity()
	windows := map[string]Window{
		"whole":  {0, c},
		"zoomed": {c / 3, c/3 + c/1000},
		"deep":   {c / 2, c/2 + 200*benchBlock},
	}
	for _, name := range []string{"whole", "zoomed", "deep"} {
		w := windows[name]
		b.Run(name, func(b *testing.B) {
			var g Grid
			var sb strings.Builder
			// A first frame builds the search index once; streaming pages
			// later only extend it.
			if err := m.GridInto(&g, w, 200, 100); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if err := m.GridInto(&g, w, 200, 100); err != nil {
					b.Fatal(err)
				}
				sb.Reset()
				r.RenderTo(&sb, &g, 4321)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/frame")
		})
	}
}

// BenchmarkMemory10M reports the heap a map of 10 M extents holds, per extent.
func BenchmarkMemory10M(b *testing.B) {
	capacity, pages := benchPages(benchExtents)
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		m, _ := NewChangeMap(capacity)
		for _, p := range pages {
			if err := m.Absorb(p); err != nil {
				b.Fatal(err)
			}
		}
		m.Len()
		if _, err := m.Grid(Window{0, capacity}, 200, 100); err != nil { // builds the index
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/benchExtents, "B/extent")
		runtime.KeepAlive(m)
	}
}
