package heatmap

import (
	"slices"
	"sort"
)

// rangeSet is a set of bytes kept as sorted, disjoint, non-adjacent ranges.
//
// It stores two int64 per range and nothing more: the starts, and the running
// total of lengths (cum[i] is the size of ranges [0, i)), from which a range's
// length and end follow. The running total is what makes "how many bytes of
// [a, b) are in the set" two binary searches, whatever the zoom.
//
// Ranges that arrive in order are appended in place. Ranges that arrive out of
// order wait in pending and are merged in one pass before the next query, so
// that a page landing mid-disk costs one splice, not one per range.
type rangeSet struct {
	starts  []int64
	cum     []int64 // len(starts)+1 entries once anything is added
	pending []Extent
	// index holds every indexStride-th start (index[k] = starts[k*stride]),
	// so a search narrows to one cache line of starts through a much smaller
	// array. Appends keep it current; a splice truncates it at the splice and
	// ensureIndex extends it again.
	index []int64
	// samples, when set, narrow frame searches; see rangeset_sample.go.
	samples *rankSamples
}

// indexStride is eight starts: one 64-byte cache line.
const indexStride = 8

func (s *rangeSet) ensureIndex() {
	for k := len(s.index) * indexStride; k < len(s.starts); k += indexStride {
		s.index = append(s.index, s.starts[k])
	}
}

func (s *rangeSet) len() int {
	s.flush()
	return len(s.starts)
}

func (s *rangeSet) at(i int) Extent {
	return Extent{Start: s.starts[i], Length: s.cum[i+1] - s.cum[i]}
}

func (s *rangeSet) total() int64 {
	s.flush()
	if len(s.cum) == 0 {
		return 0
	}
	return s.cum[len(s.cum)-1]
}

// add puts [e.Start, e.End()) in the set. e.Length must be positive.
func (s *rangeSet) add(e Extent) {
	s.samples = nil
	n := len(s.starts)
	if len(s.pending) == 0 {
		if n == 0 {
			s.starts = append(s.starts, e.Start)
			s.cum = append(s.cum[:0], 0, e.Length)
			return
		}
		lastEnd := s.starts[n-1] + s.cum[n] - s.cum[n-1]
		if e.Start > lastEnd {
			s.starts = append(s.starts, e.Start)
			s.cum = append(s.cum, s.cum[n]+e.Length)
			return
		}
		if e.Start >= s.starts[n-1] {
			if end := e.End(); end > lastEnd {
				s.cum[n] += end - lastEnd
			}
			return
		}
	}
	s.pending = append(s.pending, e)
	// Bound the memory pending can take: merging costs a pass over the set,
	// so wait until pending is a fair share of it.
	if len(s.pending) >= 1<<16 && len(s.pending) >= n/4 {
		s.flush()
	}
}

// flush merges pending ranges into the set.
func (s *rangeSet) flush() {
	if len(s.pending) == 0 {
		return
	}
	p := s.pending
	s.pending = nil
	if len(s.cum) == 0 {
		s.cum = append(s.cum, 0)
	}
	slices.SortFunc(p, byStart)
	p = coalesce(p)
	// Only the ranges of the set that touch [first pending start, last
	// pending end] can change; everything before i and from j on is kept.
	lo, hi := p[0].Start, p[0].End()
	for _, e := range p[1:] {
		hi = max(hi, e.End())
	}
	n := len(s.starts)
	i := sort.Search(n, func(k int) bool { return s.starts[k]+s.cum[k+1]-s.cum[k] >= lo })
	j := sort.Search(n, func(k int) bool { return s.starts[k] > hi })
	merged := make([]Extent, 0, j-i+len(p))
	a, b := i, 0
	for a < j || b < len(p) {
		var e Extent
		if b >= len(p) || (a < j && s.starts[a] <= p[b].Start) {
			e = s.at(a)
			a++
		} else {
			e = p[b]
			b++
		}
		if m := len(merged); m > 0 && e.Start <= merged[m-1].End() {
			if e.End() > merged[m-1].End() {
				merged[m-1].Length = e.End() - merged[m-1].Start
			}
			continue
		}
		merged = append(merged, e)
	}
	// Splice: ranges [i, j) become merged; the tail moves once, and its
	// running totals shift by the change in bytes.
	newN := n - (j - i) + len(merged)
	oldBase := s.cum[j]
	if newN > n {
		s.starts = slices.Grow(s.starts, newN-n)[:newN]
		s.cum = slices.Grow(s.cum, newN-n)[:newN+1]
	}
	tail := i + len(merged)
	copy(s.starts[tail:newN], s.starts[j:n])
	copy(s.cum[tail+1:newN+1], s.cum[j+1:n+1])
	for k, e := range merged {
		s.starts[i+k] = e.Start
		s.cum[i+k+1] = s.cum[i+k] + e.Length
	}
	if delta := s.cum[tail] - oldBase; delta != 0 {
		for k := tail + 1; k <= newN; k++ {
			s.cum[k] += delta
		}
	}
	s.starts = s.starts[:newN]
	s.cum = s.cum[:newN+1]
	s.index = s.index[:min(len(s.index), (i+indexStride-1)/indexStride)]
}

// coalesce merges overlapping and adjacent ranges of a slice sorted by start,
// in place.
func coalesce(p []Extent) []Extent {
	out := p[:1]
	for _, e := range p[1:] {
		last := &out[len(out)-1]
		if e.Start <= last.End() {
			if e.End() > last.End() {
				last.Length = e.End() - last.Start
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

// rank is the number of ranges whose start is below x, searching from lo on.
func (s *rangeSet) rank(x int64, lo int) int {
	n := len(s.starts)
	if n > 64*indexStride {
		s.ensureIndex()
		// Narrow to one stride with the small index, then search the stride.
		b := sort.Search(len(s.index), func(k int) bool { return s.index[k] >= x })
		from := max((b-1)*indexStride, lo)
		to := min(b*indexStride, n)
		if from >= to {
			return max(lo, to)
		}
		return from + sort.Search(to-from, func(k int) bool { return s.starts[from+k] >= x })
	}
	return lo + sort.Search(n-lo, func(k int) bool { return s.starts[lo+k] >= x })
}

// coveredBelow is the number of bytes of the set below x, and the rank of x
// (to pass as a lower bound to the next, larger x).
func (s *rangeSet) coveredBelow(x int64, lo int) (int64, int) {
	r := s.rank(x, lo)
	if r == 0 {
		return 0, 0
	}
	// Ranges [0, r-1) lie wholly below x; range r-1 starts below x.
	last := s.starts[r-1]
	end := last + s.cum[r] - s.cum[r-1]
	return s.cum[r-1] + min(end, x) - last, r
}

// covered is the number of bytes of [a, b) in the set.
func (s *rangeSet) covered(a, b int64) int64 {
	s.flush()
	if a >= b {
		return 0
	}
	ca, r := s.coveredBelow(a, 0)
	cb, _ := s.coveredBelow(b, r)
	return cb - ca
}

// overlapping returns the index range [i, j) of ranges that overlap [a, b).
func (s *rangeSet) overlapping(a, b int64) (int, int) {
	s.flush()
	n := len(s.starts)
	i := sort.Search(n, func(k int) bool { return s.starts[k]+s.cum[k+1]-s.cum[k] > a })
	j := i + sort.Search(n-i, func(k int) bool { return s.starts[i+k] >= b })
	return i, j
}

// subtract removes [a, b) from the set. It rebuilds the set, which suits the
// small sets it is used on (faulted ranges).
func (s *rangeSet) subtract(a, b int64) {
	s.samples = nil
	s.flush()
	i, j := s.overlapping(a, b)
	if i == j {
		return
	}
	var keep []Extent
	for k := 0; k < len(s.starts); k++ {
		e := s.at(k)
		if k < i || k >= j {
			keep = append(keep, e)
			continue
		}
		if e.Start < a {
			keep = append(keep, Extent{e.Start, a - e.Start})
		}
		if e.End() > b {
			keep = append(keep, Extent{b, e.End() - b})
		}
	}
	*s = rangeSet{}
	for _, e := range keep {
		s.add(e)
	}
}
