package heatmap

import "sync"

// coveredBelowAll sets out[k] to the changed bytes below xs[k], for
// increasing xs: a frame's cell boundaries. The store must be prepared.
//
// Over a whole disk of 10^8 extents every boundary falls in a different
// chunk, far from the last in memory, and waits on a few cache misses (see
// extentstore_index.go). So the boundaries go through each level of the
// index together: the misses of different boundaries overlap instead of
// queueing. On a big frame over a big map the two halves run at once, so
// two cores wait in parallel.
func (s *extentStore) coveredBelowAll(xs, out []int64) {
	if len(xs) == 0 {
		return
	}
	if s.rank(xs[len(xs)-1])-s.rank(xs[0]) <= walkFactor*len(xs) {
		// A zoomed-in frame: few pieces between the boundaries, read in
		// order, cost less than a search per boundary.
		s.walkAll(xs, out)
		return
	}
	if cap(s.probes) < len(xs) {
		s.probes = make([]probe, len(xs))
	}
	probes := s.probes[:len(xs)]
	if len(xs) >= parallelBoundaries && s.count > 4*len(xs) {
		h := len(xs) / 2
		var wg sync.WaitGroup
		wg.Go(func() { s.searchAll(xs[h:], out[h:], probes[h:]) })
		s.searchAll(xs[:h], out[:h], probes[:h])
		wg.Wait()
		return
	}
	s.searchAll(xs, out, probes)
}

// probe is one boundary's search: its chunk (-1 when no chunk starts below
// it), its offset in the chunk, and how far the search got (tops, then
// marks, then pieces below the offset).
type probe struct {
	q    int32
	rank int32
	d    uint64
}

func (s *extentStore) searchAll(xs, out []int64, probes []probe) {
	chunks := s.chunks
	// Each boundary's chunk: the last whose base is below it. Boundaries
	// increase, so gallop from the last one's.
	q := 0 // chunks[:q] have a base below the current boundary
	for k, x := range xs {
		for step := 1; q < len(chunks) && chunks[q].base < x; step *= 2 {
			to := min(q+step, len(chunks))
			if chunks[to-1].base < x {
				q = to
				continue
			}
			lo, hi := q, to-1
			for lo < hi {
				m := int(uint(lo+hi) >> 1)
				if chunks[m].base < x {
					lo = m + 1
				} else {
					hi = m
				}
			}
			q = lo
			break
		}
		// A boundary past the chunk's reach has every piece below it:
		// d stays 0 and rank is the count; otherwise rank -1 asks for a
		// search.
		p := probe{q: int32(q - 1)}
		if q > 0 {
			c := &chunks[q-1]
			if d := x - c.base; d > 1<<32 {
				p.rank = int32(len(c.pieces))
			} else {
				p.d, p.rank = uint64(d), -1
			}
		}
		probes[k] = p
	}
	// Each level for every boundary, then the next level.
	for k := range probes {
		if p := &probes[k]; p.rank < 0 {
			p.rank = int32(chunks[p.q].topRank(p.d))
		}
	}
	for k := range probes {
		if p := &probes[k]; p.d > 0 && p.rank > 0 {
			p.rank = int32(chunks[p.q].markRank(p.d, int(p.rank)))
		}
	}
	for k := range probes {
		if p := &probes[k]; p.d > 0 && p.rank > 0 {
			p.rank = int32(chunks[p.q].pieceRank(p.d, int(p.rank)))
		}
	}
	for k, x := range xs {
		p := probes[k]
		q, r := int(p.q), int(p.rank)
		if q >= 0 && r == 0 {
			// Nothing of this chunk starts below x: the previous chunk's
			// pieces all do.
			if q--; q >= 0 {
				r = len(chunks[q].pieces)
			}
		}
		if q < 0 {
			out[k] = 0
			continue
		}
		c := &chunks[q]
		out[k] = c.before + c.bytesBelow(x, r)
	}
}

// walkFactor is how many pieces per boundary a frame walks rather than
// searches.
const walkFactor = 16

// walkAll is coveredBelowAll by walking the pieces and the boundaries
// together.
func (s *extentStore) walkAll(xs, out []int64) {
	q, r := s.find(xs[0])
	var cum int64 // bytes of the pieces before last
	var last Extent
	has := q >= 0
	if has {
		c := &s.chunks[q]
		last = c.extent(r - 1)
		cum = c.before + c.bytesBelow(last.Start, r)
	} else {
		q, r = 0, 0
	}
	for k, x := range xs {
		for q < len(s.chunks) {
			c := &s.chunks[q]
			if r == len(c.pieces) {
				q, r = q+1, 0
				continue
			}
			if c.start(r) >= x {
				break
			}
			if has {
				cum += last.Length
			}
			last, has = c.extent(r), true
			r++
		}
		out[k] = cum
		if has {
			out[k] += min(last.End(), x) - last.Start
		}
	}
}
