package heatmap

import "math/bits"

// A whole-disk frame over a big map asks for the changed bytes below some
// 20,000 boundaries, each in a different chunk, each far in memory from the
// last. Through the index of extentstore_index.go a boundary waits on a
// top, a row of marks, a row of pieces, and then the marks and pieces again
// to sum them. A chunk's samples answer it from one sample and one short
// row of pieces.
//
// Sample j describes byte position j<<sampleShift of the chunk: how many
// pieces start below it (rank), and the bytes of all of those but the last
// (cum), which may reach past the position. The bytes below any d in the
// stride after the position are then cum plus a walk from piece rank-1 over
// the pieces that start below d. The stride is a power of two chosen so
// that a stride holds samplePieces pieces on average; where pieces crowd
// into a few strides, a walk longer than sampleWalkMax is not taken and the
// marks answer instead, so a boundary never costs more than before.
//
// Samples cost at most 8 bytes per samplePieces pieces (half a byte per
// extent). A chunk is sampled when its range is wholly scanned (clip), and
// sampled again whole, in prepare, after its pieces change: one pass over
// the pieces of the chunks a frame's worth of pages touched.

// sample indexes the chunk at one byte position.
type sample struct{ rank, cum uint32 }

const (
	// samplePieces is how many pieces a sample's stride holds on average.
	samplePieces = 16
	// sampleWalkMax is the most pieces a boundary walks from its sample;
	// a stride holding more is searched through the marks.
	sampleWalkMax = 4 * samplePieces
	// minSampledPieces is the fewest pieces a chunk samples: below it the
	// marks are as quick.
	minSampledPieces = 4 * samplePieces
)

// ensureSamples builds c's samples unless they are current. Positions up to
// the last piece's start are sampled; past it every piece starts below.
func (c *chunk) ensureSamples() {
	n := len(c.pieces)
	if len(c.samples) > 0 || n < minSampledPieces {
		return
	}
	span := uint64(c.pieces[n-1].off) + 1
	want := uint64(1) << (bits.Len(uint(n/samplePieces)) - 1) // a power of two <= n/samplePieces
	// The smallest stride that covers span in want samples.
	shift := uint(bits.Len64((span+want-1)/want - 1))
	m := int((span-1)>>shift) + 1
	if cap(c.samples) >= m {
		c.samples = c.samples[:m]
	} else {
		c.samples = make([]sample, m)
	}
	c.sampleShift = uint8(shift)
	r := 0
	var full uint64 // bytes of pieces [0, r)
	for j := range c.samples {
		pos := uint64(j) << shift
		for r < n && uint64(c.pieces[r].off) < pos {
			full += uint64(c.pieces[r].lenM1) + 1
			r++
		}
		cum := full
		if r > 0 {
			cum -= uint64(c.pieces[r-1].lenM1) + 1
		}
		// Pieces before piece r-1 lie before its start, so cum < 2^32; and
		// r-1 < n-1, so its lenM1 is its true length.
		c.samples[j] = sample{rank: uint32(r), cum: uint32(cum)}
	}
}

// sampled finds where a walk for offset d (0 < d <= 2^32) in c starts: the
// piece k to walk from and the bytes of the pieces before it. ok is false
// when c has no samples or d's stride holds too many pieces to walk, or no
// piece of c starts below d.
func (c *chunk) sampled(d uint64) (k int, cum int64, ok bool) {
	j := d >> c.sampleShift
	n := len(c.pieces)
	if j >= uint64(len(c.samples)) {
		if len(c.samples) == 0 {
			return 0, 0, false
		}
		// Past the last sampled position, every piece starts below d.
		return n - 1, c.bytes - c.tailLen, true
	}
	s := c.samples[j]
	next := n
	if j+1 < uint64(len(c.samples)) {
		next = int(c.samples[j+1].rank)
	}
	if s.rank == 0 || next-int(s.rank) > sampleWalkMax {
		return 0, 0, false
	}
	return int(s.rank) - 1, int64(s.cum), true
}

// walkBelow is the bytes of c's pieces below offset d, walking from piece
// k, which starts below d, with cum bytes in the pieces before it.
func (c *chunk) walkBelow(d uint64, k int, cum int64) int64 {
	pieces := c.pieces
	n := len(pieces)
	for k+1 < n && uint64(pieces[k+1].off) < d {
		cum += int64(pieces[k].lenM1) + 1
		k++
	}
	off := int64(pieces[k].off)
	l := int64(pieces[k].lenM1) + 1
	if k == n-1 {
		l = c.tailLen
	}
	return cum + min(off+l, int64(d)) - off
}
