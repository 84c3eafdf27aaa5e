package heatmap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// A set built once, as a comparison's segments are, answers a frame's
// boundaries from its rank samples exactly as a plain count over its ranges
// does, in strides the samples narrow and in crowded ones they leave to the
// index.
func TestRankSamplesMatchCount(t *testing.T) {
	narrowed, crowded := 0, 0
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 31))
		var s rangeSet
		s.cum = []int64{0}
		var ranges []Extent
		for off := int64(r.IntN(3)); len(ranges) < 600+r.IntN(5000); {
			gap := int64(1 + r.IntN(40))
			if (off/4096)%3 == 0 {
				gap = int64(1 + r.IntN(2)) // a crowded stretch
			}
			e := Extent{off + gap, int64(1 + r.IntN(30))}
			ranges = append(ranges, e)
			s.starts = append(s.starts, e.Start)
			s.cum = append(s.cum, s.cum[len(s.cum)-1]+e.Length)
			off = e.End()
		}
		s.ensureIndex()
		s.sampleRanks()
		if s.samples == nil {
			t.Fatalf("seed %d: a set of %d ranges has no samples", seed, len(ranges))
		}
		end := ranges[len(ranges)-1].End() + 10
		xs := make([]int64, 1+r.IntN(3000))
		for k := range xs {
			xs[k] = r.Int64N(end)
		}
		slices.Sort(xs)
		out, lo := make([]int64, len(xs)), make([]int, len(xs))
		s.searchAll(xs, out, lo)
		for k, x := range xs {
			var want int64
			rank := 0
			for _, e := range ranges {
				if e.Start < x {
					want += min(e.End(), x) - e.Start
					rank++
				}
			}
			if out[k] != want || lo[k] != rank {
				t.Fatalf("seed %d: below %d: %d bytes, rank %d; want %d, %d", seed, x, out[k], lo[k], want, rank)
			}
			if _, ok := s.samples.narrow(x, len(s.starts)); ok {
				narrowed++
			} else {
				crowded++
			}
		}
	}
	if narrowed < 1000 || crowded < 1000 {
		t.Fatalf("only %d boundaries narrowed by samples and %d crowded: the test misses a case", narrowed, crowded)
	}
}

// Changing a set drops its samples, which describe it as it was.
func TestRankSamplesDroppedOnChange(t *testing.T) {
	var s rangeSet
	for k := range int64(2000) {
		s.add(Extent{k * 10, 5})
	}
	s.flush()
	s.sampleRanks()
	if s.samples == nil {
		t.Fatal("no samples built")
	}
	s.add(Extent{3, 1})
	if s.samples != nil {
		t.Fatal("samples kept after add")
	}
	s.flush()
	s.sampleRanks()
	s.subtract(0, 100)
	if s.samples != nil {
		t.Fatal("samples kept after subtract")
	}
}
