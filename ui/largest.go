package ui

import (
	"container/heap"
	"slices"

	"github.com/cbtscope/cbtscope/heatmap"
)

// LargestIn finds the n largest changed extents overlapping w, largest
// first; of equal sizes, the first on the disk comes first. On the whole
// disk the map keeps them as pages arrive; in a smaller window they are
// selected keeping only n at a time: the table asks for the rows it shows,
// not for the whole window sorted.
func LargestIn(m *heatmap.ChangeMap, w heatmap.Window, n int) []heatmap.Extent {
	if w.Start <= 0 && w.End >= m.Capacity() {
		return m.Largest(n)
	}
	i, j := m.ExtentsIn(w.Start, w.End)
	if n <= 0 || i >= j {
		return nil
	}
	if n >= j-i {
		all := make([]heatmap.Extent, 0, j-i)
		for k := i; k < j; k++ {
			all = append(all, m.Extent(k))
		}
		slices.SortStableFunc(all, bySizeThenOffset)
		return all
	}
	h := make(smallestFirst, 0, n)
	for k := i; k < j; k++ {
		e := m.Extent(k)
		if len(h) < n {
			heap.Push(&h, e)
			continue
		}
		// Later extents lose ties: only a strictly larger one displaces the
		// smallest kept.
		if e.Length > h[0].Length {
			h[0] = e
			heap.Fix(&h, 0)
		}
	}
	out := []heatmap.Extent(h)
	slices.SortFunc(out, bySizeThenOffset)
	return out
}

// bySizeThenOffset orders extents largest first, then by disk offset.
func bySizeThenOffset(a, b heatmap.Extent) int {
	switch {
	case a.Length != b.Length:
		if a.Length > b.Length {
			return -1
		}
		return 1
	case a.Start < b.Start:
		return -1
	case a.Start > b.Start:
		return 1
	}
	return 0
}

// smallestFirst is a heap whose root is the extent that ranks last.
type smallestFirst []heatmap.Extent

func (h smallestFirst) Len() int           { return len(h) }
func (h smallestFirst) Less(a, b int) bool { return bySizeThenOffset(h[a], h[b]) > 0 }
func (h smallestFirst) Swap(a, b int)      { h[a], h[b] = h[b], h[a] }
func (h *smallestFirst) Push(x any)        { *h = append(*h, x.(heatmap.Extent)) }
func (h *smallestFirst) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
