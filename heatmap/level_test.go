package heatmap

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// changeLevel equals ceil(levels*changed/n) computed with big integers, at
// the edges of every step and at random, up to the largest disks.
func TestChangeLevelMatchesDivision(t *testing.T) {
	want := func(changed, n int64, levels int) int {
		num := new(big.Int).Mul(big.NewInt(changed), big.NewInt(int64(levels)))
		num.Add(num, big.NewInt(n-1))
		return int(num.Quo(num, big.NewInt(n)).Int64())
	}
	check := func(changed, n int64, levels int) {
		t.Helper()
		if got, w := changeLevel(changed, n, levels), want(changed, n, levels); got != w {
			t.Fatalf("changeLevel(%d, %d, %d) = %d, want %d", changed, n, levels, got, w)
		}
	}
	r := rand.New(rand.NewPCG(3, 3))
	for _, levels := range []int{1, 2, 4, 8, 16} {
		for n := int64(1); n <= 100; n++ {
			for c := int64(1); c <= n; c++ {
				check(c, n, levels)
			}
		}
		for range 100_000 {
			n := r.Int64N(1<<63-1) + 1
			if r.IntN(2) == 0 {
				n = r.Int64N(1<<40) + 1
			}
			c := r.Int64N(n) + 1
			check(c, n, levels)
			// Either side of each step's threshold.
			k := int64(r.IntN(levels))
			th := new(big.Int).Mul(big.NewInt(n), big.NewInt(k))
			th.Quo(th, big.NewInt(int64(levels)))
			for _, c := range []int64{th.Int64() - 1, th.Int64(), th.Int64() + 1, th.Int64() + 2} {
				if c >= 1 && c <= n {
					check(c, n, levels)
				}
			}
		}
		check(1<<63-1, 1<<63-1, levels)
		check(1, 1<<63-1, levels)
	}
}
