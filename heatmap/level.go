package heatmap

import "math/bits"

// changeLevel is ceil(levels * changed / n) for 0 < changed <= n and levels
// a power of two: the step of a shade ramp a cell's change falls on.
//
// It counts the steps k whose threshold floor(k*n/levels) lies below
// changed (changed > k*n/levels exactly when it exceeds the floor, being an
// integer), with shifts and multiplications only. Rendering asks it for
// every cell of every frame, and a 128-bit division per cell was most of a
// frame's rendering time.
func changeLevel(changed, n int64, levels int) int {
	s := uint(bits.TrailingZeros(uint(levels)))
	hi, lo := uint64(n)>>s, uint64(n)&uint64(levels-1)
	q := 1
	for k := uint64(1); k < uint64(levels); k++ {
		// k*hi <= k*n/levels < 2^63: no overflow.
		if k*hi+(k*lo)>>s < uint64(changed) {
			q++
		}
	}
	return q
}
