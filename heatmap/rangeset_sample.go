package heatmap

import "math/bits"

// rankSamples narrow a frame's searches in a set that is built once and
// never changed (a comparison's segments): ranks[j] is the number of starts
// below byte j<<shift, so a boundary finds the few starts it lies among
// with one read, where galloping through the index took a dozen scattered
// ones over a big set. Sampled about every rankSampleStarts starts, at
// 4 bytes a sample.
type rankSamples struct {
	shift uint
	ranks []int32
}

// rankSampleStarts is how many starts a sample's stride holds on average,
// half the span the lockstep search covers, so that most strides fit it.
const rankSampleStarts = indexStride / 2

// sampleRanks builds s.samples; any change to s drops them.
func (s *rangeSet) sampleRanks() {
	n := len(s.starts)
	s.samples = nil
	if n < 64*indexStride || n > 1<<31-1 {
		return
	}
	span := uint64(s.starts[n-1]) + 1
	want := uint64(1) << bits.Len(uint(n/rankSampleStarts))
	shift := uint(bits.Len64((span+want-1)/want - 1))
	rs := &rankSamples{shift: shift, ranks: make([]int32, int((span-1)>>shift)+1)}
	r := 0
	for j := range rs.ranks {
		pos := int64(j) << shift
		for r < n && s.starts[r] < pos {
			r++
		}
		rs.ranks[j] = int32(r)
	}
	s.samples = rs
}

// narrow returns lo such that the number of starts below x (x >= 0) is in
// [lo, lo+indexStride], or ok false when x's stride holds more starts than
// that.
func (rs *rankSamples) narrow(x int64, n int) (lo int, ok bool) {
	j := uint64(x) >> rs.shift
	if j >= uint64(len(rs.ranks)) {
		return n, true // every start lies below x
	}
	next := n
	if j+1 < uint64(len(rs.ranks)) {
		next = int(rs.ranks[j+1])
	}
	lo = int(rs.ranks[j])
	return lo, next-lo <= indexStride
}
