package heatmap

// segments are a comparison's parts as one list of labelled byte ranges in
// disk order. Ranges never overlap; two that touch differ in label, so each
// segment is a maximal run of its part.
//
// The ranges live in a rangeSet built in order (never through add, which
// would merge touching ranges of different parts), so the set's searches
// find a boundary's rank in all parts at once. What each part holds below a
// rank comes from a checkpoint every indexStride segments and the labels of
// the few segments after it, which sit in the cache lines the search just
// read: a few bytes a segment rather than a running total per part.
type segments struct {
	set   rangeSet
	label []Part
	// cp[j][p] is the bytes of part p in segments [0, j*indexStride).
	cp [][numParts]int64
}

// emit appends [start, end) to part p, after every segment so far.
func (s *segments) emit(start, end int64, p Part) {
	n := len(s.set.starts)
	if n > 0 && s.label[n-1] == p && s.set.starts[n-1]+s.set.cum[n]-s.set.cum[n-1] == start {
		s.set.cum[n] += end - start
		return
	}
	if n == 0 {
		s.set.cum = append(s.set.cum[:0], 0)
	}
	s.set.starts = append(s.set.starts, start)
	s.set.cum = append(s.set.cum, s.set.cum[n]+end-start)
	s.label = append(s.label, p)
}

// finish builds the checkpoints once every segment is in.
func (s *segments) finish() {
	n := len(s.label)
	s.cp = make([][numParts]int64, n/indexStride+1)
	var run [numParts]int64
	for k := 0; k < n; k++ {
		if k%indexStride == 0 {
			s.cp[k/indexStride] = run
		}
		run[s.label[k]] += s.set.cum[k+1] - s.set.cum[k]
	}
	if n%indexStride == 0 {
		s.cp[n/indexStride] = run
	}
}

// partsBelow sets out[p] to the bytes of part p below x, given r, the
// number of segments that start below x.
func (s *segments) partsBelow(x int64, r int, out *[numParts]int64) {
	// Start from the checkpoint before segment r-1, which may reach past x
	// and so must be clipped rather than counted whole.
	j := max(r-1, 0) / indexStride
	*out = s.cp[j]
	starts, cum := s.set.starts, s.set.cum
	for k := j * indexStride; k < r; k++ {
		// Segments before r-1 end at or before the start of r-1, so below
		// x; only the last may reach past it.
		st := starts[k]
		out[s.label[k]] += min(st+cum[k+1]-cum[k], x) - st
	}
}
