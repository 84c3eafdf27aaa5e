package heatmap

import "sync"

// coveredBelowAll sets out[k] to the changed bytes below xs[k], for
// increasing xs: a frame's cell boundaries. The store must be prepared.
//
// Boundaries increase, so each finds its chunk by galloping from the last
// one's. On a big frame over a big map the two halves search at once: the
// time goes to waiting on memory, and two cores wait in parallel.
func (s *extentStore) coveredBelowAll(xs, out []int64) {
	if len(xs) >= parallelBoundaries && s.count > 4*len(xs) {
		h := len(xs) / 2
		var wg sync.WaitGroup
		wg.Go(func() { s.searchAll(xs[h:], out[h:]) })
		s.searchAll(xs[:h], out[:h])
		wg.Wait()
		return
	}
	s.searchAll(xs, out)
}

func (s *extentStore) searchAll(xs, out []int64) {
	chunks := s.chunks
	q := 0 // chunks[:q] have a base below the current boundary
	for k, x := range xs {
		for step := 1; q < len(chunks) && chunks[q].base < x; step *= 2 {
			// Gallop, then binary search back within the last step.
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
		out[k] = s.belowFrom(x, q)
	}
}

// belowFrom is coveredBelow(x) given q, the number of chunks whose base is
// below x.
func (s *extentStore) belowFrom(x int64, q int) int64 {
	if q == 0 {
		return 0
	}
	c := &s.chunks[q-1]
	r := c.rankIn(x)
	if r == 0 {
		if q == 1 {
			return 0
		}
		c = &s.chunks[q-2]
		r = len(c.pieces)
	}
	return c.before + c.bytesBelow(x, r)
}
