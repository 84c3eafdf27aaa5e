package heatmap

import (
	"sort"
	"sync"
)

// coveredBelowAll sets out[k] to the bytes of the set below xs[k], and
// lo[k] to the number of ranges that start below it, for increasing xs. It gives the same answers as coveredBelow, but when the set
// is far larger than the CPU's caches it is several times faster: a frame
// asks about 20,000 boundaries spread over hundreds of megabytes, and one
// binary search after another waits on one cache miss after another. Here
// every search takes its step before any takes the next, so the misses of
// different boundaries overlap instead of queueing.
func (s *rangeSet) coveredBelowAll(xs, out []int64, lo []int) {
	n := len(s.starts)
	if n <= 4*len(xs) {
		// Few ranges next to the boundaries (scanned and faulted ranges,
		// or a zoomed-out sparse map): one merged walk over both.
		s.walkBelow(xs, out, lo)
		return
	}
	s.ensureIndex()
	// The two halves touch disjoint parts of the outputs and only read the
	// set, so on a big frame both cores can share the waiting.
	if len(xs) >= parallelBoundaries {
		h := len(xs) / 2
		var wg sync.WaitGroup
		wg.Go(func() { s.searchAll(xs[h:], out[h:], lo[h:]) })
		s.searchAll(xs[:h], out[:h], lo[:h])
		wg.Wait()
		return
	}
	s.searchAll(xs, out, lo)
}

// walkBelow is coveredBelowAll by walking the ranges and the increasing
// boundaries together, in O(ranges + boundaries).
func (s *rangeSet) walkBelow(xs, out []int64, lo []int) {
	n, r := len(s.starts), 0
	for k, x := range xs {
		for r < n && s.starts[r] < x {
			r++
		}
		lo[k] = r
		if r == 0 {
			out[k] = 0
			continue
		}
		st := s.starts[r-1]
		out[k] = s.cum[r-1] + min(st+s.cum[r]-s.cum[r-1], x) - st
	}
}

// parallelBoundaries is the frame size from which two goroutines search.
const parallelBoundaries = 4096

// searchAll is coveredBelowAll on a set whose index is built.
func (s *rangeSet) searchAll(xs, out []int64, lo []int) {
	n := len(s.starts)
	// Phase 1: the small index narrows each boundary to one stride. The index
	// is cache-resident and boundaries increase, so gallop from the last hit.
	b := 0
	for k, x := range xs {
		if s.samples != nil {
			if l, ok := s.samples.narrow(x, n); ok {
				lo[k] = l
				continue
			}
		}
		b = gallop(s.index, x, b)
		lo[k] = max((b-1)*indexStride, 0)
	}
	// Phase 2: a branch-free binary search over each stride, in lockstep. The
	// rank is in [lo, lo+stride]; each step halves the span.
	// The loop body is written so the compiler emits conditional moves, not
	// branches: a branch on a freshly loaded value mispredicts half the time,
	// and every mispredict throws away the loads already in flight.
	starts := s.starts
	for half := indexStride / 2; half >= 1; half /= 2 {
		for k, x := range xs {
			l := lo[k]
			m := min(l+half, n)
			v := l
			if starts[m-1] < x {
				v = m
			}
			lo[k] = v
		}
	}
	// One last step decides between lo and lo+1.
	for k, x := range xs {
		l := lo[k]
		v := l
		if starts[min(l, n-1)] < x {
			v = l + 1
		}
		lo[k] = min(v, n)
	}
	// Phase 3: ranks to bytes.
	cum := s.cum
	for k, x := range xs {
		r := lo[k]
		if r == 0 {
			out[k] = 0
			continue
		}
		st := starts[r-1]
		out[k] = cum[r-1] + min(st+cum[r]-cum[r-1], x) - st
	}
}

// gallop returns the first index i >= from with a[i] >= x (or len(a)),
// searching exponentially outward from from.
func gallop(a []int64, x int64, from int) int {
	n := len(a)
	step := 1
	hi := from
	for hi < n && a[hi] < x {
		from = hi + 1
		hi += step
		step *= 2
	}
	hi = min(hi, n)
	return from + sort.Search(hi-from, func(i int) bool { return a[from+i] >= x })
}
