package heatmap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// samplePattern lays out small extents over [0, capacity): evenly, crowded
// into a few dense stretches (strides too full to walk), or both.
func samplePattern(r *rand.Rand, capacity int64, kind int) []Extent {
	var ext []Extent
	for x := int64(r.IntN(4)); x < capacity; {
		gap, l := int64(1+r.IntN(8)), int64(1+r.IntN(8))
		if kind > 0 && (x/512)%4 != 0 {
			// Between the dense stretches, far fewer extents.
			gap = int64(1 + r.IntN(400))
		}
		if kind == 2 && r.IntN(50) == 0 {
			l = int64(1 + r.IntN(3000)) // now and then one across chunks
		}
		l = min(l, capacity-x)
		ext = append(ext, Extent{x, l})
		x += l + gap
	}
	return ext
}

// pagesOf cuts ext into pages of up to n extents covering [0, capacity).
func pagesOf(ext []Extent, n int, capacity int64) []Page {
	var pages []Page
	start := int64(0)
	for len(ext) > 0 {
		k := min(n, len(ext))
		end := capacity
		if k < len(ext) {
			end = ext[k].Start
		}
		pages = append(pages, Page{Start: start, Length: end - start, Extents: ext[:k]})
		ext, start = ext[k:], end
	}
	return pages
}

// checkBoundaries compares the store's frame searches, and one query at a
// time, with bytes counted on the byte model, at random increasing
// boundaries and at a whole-disk grid's.
func checkBoundaries(t *testing.T, r *rand.Rand, m *ChangeMap, bm *byteModel) (walks, searches int) {
	t.Helper()
	below := make([]int64, len(bm.changed)+1)
	for x, c := range bm.changed {
		below[x+1] = below[x]
		if c {
			below[x+1]++
		}
	}
	s := &m.changed
	s.prepare()
	xs := make([]int64, 1+r.IntN(3000))
	for k := range xs {
		xs[k] = r.Int64N(m.Capacity() + 1)
	}
	slices.Sort(xs)
	for _, xs := range [][]int64{xs, cellBounds(make([]int64, 1+r.IntN(2000)), Window{0, m.Capacity()})} {
		out, probes := make([]int64, len(xs)), make([]probe, len(xs))
		s.searchAll(xs, out, probes)
		for k, x := range xs {
			if out[k] != below[x] {
				t.Fatalf("searched bytes below %d = %d, want %d", x, out[k], below[x])
			}
			if got := s.coveredBelow(x); got != below[x] {
				t.Fatalf("bytes below %d = %d, want %d", x, got, below[x])
			}
			if probes[k].walk {
				walks++
			} else {
				searches++
			}
		}
	}
	return walks, searches
}

// A frame's boundaries answered from the samples, or through the marks
// where a stride is too crowded, equal the byte model's counts; and they
// still do after retried pages merge into chunks already sampled.
func TestFrameSamplesMatchByteModel(t *testing.T) {
	var walks, searches, resampled int
	for seed := range uint64(60) {
		r := rand.New(rand.NewPCG(seed, 23))
		shift := uint(10 + r.IntN(4))
		capacity := int64(4+r.IntN(12))<<shift - int64(r.IntN(100))
		m := newChunkedMap(capacity, shift)
		bm := newByteModel(int(capacity))
		pages := pagesOf(samplePattern(r, capacity, r.IntN(3)), 20+r.IntN(200), capacity)
		r.Shuffle(len(pages), func(i, j int) { pages[i], pages[j] = pages[j], pages[i] })
		for i, p := range pages {
			if err := m.Absorb(p); err != nil {
				t.Fatal(err)
			}
			bm.absorb(p)
			if r.IntN(len(pages)/4+1) == 0 || i == len(pages)-1 {
				w, s := checkBoundaries(t, r, m, bm)
				walks, searches = walks+w, searches+s
			}
		}
		// Retries that add extents inside chunks already sampled.
		for range 1 + r.IntN(5) {
			before := sampledChunks(m)
			p := randomPage(r, capacity)
			if err := m.Absorb(p); err != nil {
				t.Fatal(err)
			}
			bm.absorb(p)
			w, s := checkBoundaries(t, r, m, bm)
			walks, searches = walks+w, searches+s
			if before > 0 && len(p.Extents) > 0 {
				resampled++
			}
		}
	}
	// The cases must all have been met, or the test proves nothing.
	if walks < 1000 || searches < 1000 || resampled < 20 {
		t.Fatalf("only %d boundaries walked from samples, %d searched, %d pages merged into sampled maps", walks, searches, resampled)
	}
}

func sampledChunks(m *ChangeMap) int {
	n := 0
	for k := range m.changed.chunks {
		if len(m.changed.chunks[k].samples) > 0 {
			n++
		}
	}
	return n
}

// Samples take at most half a byte per extent.
func TestSamplesStayCompact(t *testing.T) {
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 29))
		capacity := int64(1 << 20)
		m := newChunkedMap(capacity, 16)
		for _, p := range pagesOf(samplePattern(r, capacity, int(seed%3)), 500, capacity) {
			if err := m.Absorb(p); err != nil {
				t.Fatal(err)
			}
		}
		m.changed.prepare()
		for k := range m.changed.chunks {
			c := &m.changed.chunks[k]
			if n := len(c.pieces); n >= minSampledPieces && (len(c.samples) == 0 || len(c.samples) > n/samplePieces) {
				t.Fatalf("seed %d: chunk of %d pieces has %d samples", seed, n, len(c.samples))
			}
		}
	}
}
