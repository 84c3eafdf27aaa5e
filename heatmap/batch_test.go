package heatmap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The lockstep search must agree with the one-at-a-time search everywhere:
// before the first range, inside ranges, in gaps, at both ends, past the end,
// on one goroutine and on two.
func TestCoveredBelowAllMatchesCoveredBelow(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{0, 1, 100, 600, 5000, 100_000} {
		var s rangeSet
		var off int64 = 100
		for range size {
			l := int64(1 + r.IntN(50))
			s.add(Extent{off, l})
			off += l + int64(1+r.IntN(50))
		}
		for _, count := range []int{1, 17, parallelBoundaries - 1, parallelBoundaries, 3 * parallelBoundaries} {
			xs := make([]int64, count)
			for k := range xs {
				xs[k] = r.Int64N(off + 200)
			}
			xs[0] = 0
			slices.Sort(xs)
			out := make([]int64, count)
			s.coveredBelowAll(xs, out, make([]int, count))
			rank := 0
			for k, x := range xs {
				var want int64
				want, rank = s.coveredBelow(x, rank)
				if out[k] != want {
					t.Fatalf("%d ranges, %d boundaries: bytes below %d = %d, want %d", size, count, x, out[k], want)
				}
			}
		}
	}
}
