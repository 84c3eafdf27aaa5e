package heatmap

// segments are a comparison's parts as one list of labelled byte ranges in
// disk order. Ranges never overlap; two that touch differ in label, so each
// segment is a maximal run of its part.
//
// The ranges live in a rangeSet built in order (never through add, which
// would merge touching ranges of different parts), so the set's searches
// find a boundary's rank in all parts at once. What each part holds below a
// rank comes from the checkpoint of the rank's block of indexStride
// segments and the labels of the few segments after it. A block keeps its
// labels beside its checkpoint, so a boundary costs one more cache line than
// a map's search, not one per part.
type segments struct {
	set    rangeSet
	blocks []segBlock
	// labels holds the labels while segments are emitted; finish moves
	// them into the blocks.
	labels []Part
}

// segBlock is one block of indexStride segments: their labels, and the
// bytes of each part in every segment before the block.
type segBlock struct {
	label [indexStride]Part
	below [numParts]int64
}

// emit appends [start, end) to part p, after every segment so far.
func (s *segments) emit(start, end int64, p Part) {
	n := len(s.set.starts)
	if n > 0 && s.labels[n-1] == p && s.set.starts[n-1]+s.set.cum[n]-s.set.cum[n-1] == start {
		s.set.cum[n] += end - start
		return
	}
	if n == 0 {
		s.set.cum = append(s.set.cum[:0], 0)
	}
	s.set.starts = append(s.set.starts, start)
	s.set.cum = append(s.set.cum, s.set.cum[n]+end-start)
	s.labels = append(s.labels, p)
}

// finish builds the blocks once every segment is in.
func (s *segments) finish() {
	n := len(s.labels)
	s.blocks = make([]segBlock, n/indexStride+1)
	var run [numParts]int64
	for k, p := range s.labels {
		b := &s.blocks[k/indexStride]
		if k%indexStride == 0 {
			b.below = run
		}
		b.label[k%indexStride] = p
		run[p] += s.set.cum[k+1] - s.set.cum[k]
	}
	if n%indexStride == 0 {
		s.blocks[n/indexStride].below = run
	}
	s.labels = nil
	s.set.sampleRanks()
}

func (s *segments) len() int { return len(s.set.starts) }

func (s *segments) label(k int) Part { return s.blocks[k/indexStride].label[k%indexStride] }

// block is the block to count from for a boundary of rank r: the one
// holding segment r-1, which may reach past the boundary and so must be
// clipped rather than counted whole.
func block(r int) int { return max(r-1, 0) / indexStride }

// partsBelow sets out[p] to the bytes of part p below x, given r, the
// number of segments that start below x.
func (s *segments) partsBelow(x int64, r int, out *[numParts]int64) {
	b := &s.blocks[block(r)]
	*out = b.below
	s.addTail(x, r, out)
}

// addTail adds to out the bytes below x of the segments from the start of
// r's block up to r.
func (s *segments) addTail(x int64, r int, out *[numParts]int64) {
	j := block(r)
	b := &s.blocks[j]
	starts, cum := s.set.starts, s.set.cum
	for k := j * indexStride; k < r; k++ {
		// Segments before r-1 end at or before the start of r-1, so below
		// x; only the last may reach past it.
		st := starts[k]
		out[b.label[k-j*indexStride]] += min(st+cum[k+1]-cum[k], x) - st
	}
}

// partsBelowAll is partsBelow for each of the increasing boundaries xs of
// ranks ranks. It takes two passes, so that the blocks' cache misses,
// independent of one another, overlap in the first instead of queueing
// behind the branches of the second.
func (s *segments) partsBelowAll(xs []int64, ranks []int, out [][numParts]int64) {
	for k := range xs {
		out[k] = s.blocks[block(ranks[k])].below
	}
	for k, x := range xs {
		s.addTail(x, ranks[k], &out[k])
	}
}
