package heatmap

// A chunk's pieces are indexed like a shallow B-tree of fanout 16, so that
// finding a boundary among 10^4 pieces touches a handful of cache lines
// rather than the dozen a binary search over the pieces would:
//
//   - tops[t] is the offset of piece t*topStride;
//   - marks[j] is the offset of piece j*markStride and the bytes in the
//     pieces before it (which lie before that offset, so fit in a uint32);
//   - then at most markStride pieces are read, their lengths summed.
//
// Both are kept for a chunk's first pieces and extended lazily (prepare);
// a merge in the chunk cuts them back to the pieces it left alone. They
// cost half a byte per piece.

// markStride is how many pieces a mark covers, topStride how many a top.
const (
	markStride = 16
	topStride  = markStride * markStride
)

// mark indexes piece j*markStride: its offset, and the bytes before it.
type mark struct{ off, cum uint32 }

func marksFor(n int) int { return (n + markStride - 1) / markStride }
func topsFor(n int) int  { return (n + topStride - 1) / topStride }

// ensureIndex extends c's marks and tops to all its pieces.
func (c *chunk) ensureIndex() {
	n := len(c.pieces)
	want := marksFor(n)
	if want > cap(c.marks) {
		// Grow by an eighth, not double: chunks being filled are few, and a
		// finished one is clipped to size.
		grown := make([]mark, len(c.marks), want+want/8)
		copy(grown, c.marks)
		c.marks = grown
	}
	for j := len(c.marks); j < want; j++ {
		var cum uint32
		if j > 0 {
			cum = c.marks[j-1].cum
			for k := (j - 1) * markStride; k < j*markStride; k++ {
				cum += c.pieces[k].lenM1 + 1
			}
		}
		c.marks = append(c.marks, mark{off: c.pieces[j*markStride].off, cum: cum})
	}
	for t := len(c.tops); t < topsFor(n); t++ {
		c.tops = append(c.tops, c.pieces[t*topStride].off)
	}
}

// truncateIndex drops the marks and tops that a change to pieces from i on
// makes stale.
func (c *chunk) truncateIndex(i int) {
	c.marks = c.marks[:min(len(c.marks), marksFor(i))]
	c.tops = c.tops[:min(len(c.tops), topsFor(i))]
}

// topRank is the number of tops below offset d.
func (c *chunk) topRank(d uint64) int {
	lo, hi := 0, len(c.tops)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if uint64(c.tops[m]) < d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// markRank is the number of marks below offset d, given t >= 1 tops below
// it: the answer lies among the marks of top t-1.
func (c *chunk) markRank(d uint64, t int) int {
	j := (t - 1) * markStride
	end := min(j+markStride, len(c.marks))
	for j++; j < end && uint64(c.marks[j].off) < d; j++ {
	}
	return j
}

// pieceRank is the number of pieces below offset d, given j >= 1 marks
// below it.
func (c *chunk) pieceRank(d uint64, j int) int {
	k := (j - 1) * markStride
	end := min(k+markStride, len(c.pieces))
	for k++; k < end && uint64(c.pieces[k].off) < d; k++ {
	}
	return k
}

// rankIn is the number of pieces of c that start below x.
func (c *chunk) rankIn(x int64) int {
	d := x - c.base
	if d <= 0 {
		return 0
	}
	if d > 1<<32 {
		return len(c.pieces)
	}
	t := c.topRank(uint64(d))
	if t == 0 {
		return 0
	}
	return c.pieceRank(uint64(d), c.markRank(uint64(d), t))
}

// bytesBelow is the bytes of c's pieces below x, where r >= 1 of them
// start below x.
func (c *chunk) bytesBelow(x int64, r int) int64 {
	j := (r - 1) / markStride
	sum := int64(c.marks[j].cum)
	for k := j * markStride; k < r-1; k++ {
		sum += int64(c.pieces[k].lenM1) + 1
	}
	st := c.start(r - 1)
	return sum + min(st+c.length(r-1), x) - st
}
