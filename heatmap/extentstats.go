package heatmap

import (
	"math/bits"
	"slices"
)

// sizeTally counts the merged extents by size as they are added and
// removed (a merge removes the extents it joins and adds the result), so
// that the statistics never pass over the extents.
//
// Extents of one size are counted together. There are few distinct sizes:
// d of them, each at least one unit apart, take at least d²/2 units of disk.
// Sizes that are multiples of a sector up to small count in an array, the
// rest in a map per histogram bucket.
type sizeTally struct {
	hist  [64]int64
	small [smallSizes]int64 // small[l/512] counts extents of l bytes
	large [64]map[int64]int64
	top   topExtents
}

// smallSizes covers sizes up to 2 MiB in sectors: every size of a map of
// 64 KiB blocks, in 32 KiB of counts.
const smallSizes = 4096

func (t *sizeTally) add(e Extent) {
	l := e.Length
	t.hist[bits.Len64(uint64(l))-1]++
	if l&511 == 0 && l>>9 < smallSizes {
		t.small[l>>9]++
	} else {
		b := bits.Len64(uint64(l)) - 1
		if t.large[b] == nil {
			t.large[b] = make(map[int64]int64)
		}
		t.large[b][l]++
	}
	t.top.add(e)
}

func (t *sizeTally) remove(e Extent) {
	l := e.Length
	b := bits.Len64(uint64(l)) - 1
	t.hist[b]--
	if l&511 == 0 && l>>9 < smallSizes {
		t.small[l>>9]--
	} else if t.large[b][l]--; t.large[b][l] == 0 {
		delete(t.large[b], l)
	}
	t.top.remove(e)
}

// sizeCount is how many extents have one size.
type sizeCount struct {
	size, n int64
}

// bucketSizes lists the sizes in histogram bucket b, smallest first, with
// their counts.
func (t *sizeTally) bucketSizes(b int) []sizeCount {
	var out []sizeCount
	for l, n := range t.large[b] {
		out = append(out, sizeCount{l, n})
	}
	lo, hi := int64(1)<<b, int64(1)<<(b+1)
	for u := (lo + 511) >> 9; u < smallSizes && u<<9 < hi; u++ {
		if n := t.small[u]; n > 0 {
			out = append(out, sizeCount{u << 9, n})
		}
	}
	slices.SortFunc(out, func(a, b sizeCount) int {
		switch {
		case a.size < b.size:
			return -1
		case a.size > b.size:
			return 1
		}
		return 0
	})
	return out
}

// sizes fills the size statistics of n merged extents: min, lower median,
// max and the histogram. Only three buckets' distinct sizes are looked at.
func (t *sizeTally) sizes(st *Stats, n int) {
	st.Histogram = t.hist
	if n == 0 {
		return
	}
	first, last := -1, 0
	for b, c := range t.hist {
		if c > 0 {
			if first < 0 {
				first = b
			}
			last = b
		}
	}
	st.MinExtent = t.bucketSizes(first)[0].size
	top := t.bucketSizes(last)
	st.MaxExtent = top[len(top)-1].size
	want := int64(n-1) / 2 // 0-based rank of the lower median
	b := 0
	for ; want >= t.hist[b]; b++ {
		want -= t.hist[b]
	}
	for _, sc := range t.bucketSizes(b) {
		if want < sc.n {
			st.MedianExtent = sc.size
			return
		}
		want -= sc.n
	}
}
