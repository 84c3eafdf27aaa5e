package heatmap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// mapOf absorbs extents as one page covering the whole disk.
func mapOf(t *testing.T, capacity int64, ext []Extent) *ChangeMap {
	t.Helper()
	m, err := NewChangeMap(capacity)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Absorb(Page{Start: 0, Length: capacity, Extents: ext}); err != nil {
		t.Fatal(err)
	}
	return m
}

// scattered makes n separate extents of whole blocks of size block, at
// random block-aligned places, with lengths of 1 to 4 blocks.
func scattered(r *rand.Rand, capacity, block int64, n int) []Extent {
	var ext []Extent
	used := map[int64]bool{}
	for len(ext) < n {
		b := r.Int64N(capacity/block/8) * 8 // room between extents so none merge
		if used[b] {
			continue
		}
		used[b] = true
		ext = append(ext, Extent{Start: b * block, Length: (1 + r.Int64N(4)) * block})
	}
	return ext
}

// The block size is inferred only when enough extents back it, and the
// stats say how many.
func TestBlockSizeNeedsEvidence(t *testing.T) {
	const gib, kib = int64(1) << 30, int64(1) << 10
	r := rand.New(rand.NewPCG(4, 4))
	cases := []struct {
		name      string
		capacity  int64
		ext       []Extent
		wantBlock int64
		wantWhy   string
	}{
		// "*" on a database disk: two allocated regions, 2 GiB aligned.
		{"two coarse extents", 128 * gib, []Extent{{4 * gib, 2 * gib}, {10 * gib, 110 * gib}}, 0, BlockTooFewExtents},
		{"nothing changed", gib, nil, 0, BlockNoExtents},
		{"scattered 64 KiB writes", 128 * gib, scattered(r, 128*gib, 64*kib, 3000), 64 * kib, ""},
		{"scattered 8 KiB blocks", gib, scattered(r, gib, 8*kib, 40), 8 * kib, ""},
		{"just below the evidence needed", gib, scattered(r, gib, 64*kib, MinBlockEvidence-1), 0, BlockTooFewExtents},
		{"just enough evidence", gib, scattered(r, gib, 64*kib, MinBlockEvidence), 64 * kib, ""},
		{"not sector aligned", gib, append(scattered(r, gib, 64*kib, 40), Extent{gib - 100, 10}), 0, BlockNotSectorAligned},
		{"coarser than any CBT block", 1024 * gib, scattered(r, 1024*gib, 4<<20, 100), 0, BlockTooCoarse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := mapOf(t, tc.capacity, tc.ext).Stats()
			if st.BlockSize != tc.wantBlock || st.BlockUnknown != tc.wantWhy {
				t.Fatalf("block %d (%q), want %d (%q); gcd %d over %d extents", st.BlockSize, st.BlockUnknown, tc.wantBlock, tc.wantWhy, st.ExtentGCD, st.BlockEvidence)
			}
			if st.BlockEvidence != st.Extents {
				t.Fatalf("evidence %d, want the %d merged extents", st.BlockEvidence, st.Extents)
			}
		})
	}
}

// A GCD that is not a power of two (all extents multiples of 192 KiB) can
// only come from a block that divides its largest power-of-two factor.
func TestBlockSizeIsAPowerOfTwo(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	st := mapOf(t, 1<<36, scattered(r, 1<<36, 192<<10, 100)).Stats()
	if st.ExtentGCD != 192<<10 || st.BlockSize != 64<<10 {
		t.Fatalf("gcd %d block %d, want gcd 192 KiB and block 64 KiB", st.ExtentGCD, st.BlockSize)
	}
}

// pagesCutAt absorbs ext as pages whose windows start at cuts, clipping
// each extent to the windows it crosses, as a server answers queries that
// start inside an extent.
func pagesCutAt(t *testing.T, capacity int64, ext []Extent, cuts []int64) *ChangeMap {
	t.Helper()
	m, err := NewChangeMap(capacity)
	if err != nil {
		t.Fatal(err)
	}
	bounds := append(append([]int64{0}, cuts...), capacity)
	for i := 0; i+1 < len(bounds); i++ {
		a, b := bounds[i], bounds[i+1]
		var in []Extent
		for _, e := range ext {
			if s, end := max(e.Start, a), min(e.End(), b); s < end {
				in = append(in, Extent{s, end - s})
			}
		}
		if err := m.Absorb(Page{Start: a, Length: b - a, Extents: in}); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// Where the pages' windows were cut (parallel workers start theirs at
// 1 MiB-aligned offsets, inside extents) does not change what the
// statistics infer: a boundary on a window's edge may be where the server
// cut an extent, so it is no evidence of the block size.
func TestBlockEvidenceIgnoresWindowEdges(t *testing.T) {
	const mib = int64(1) << 20
	r := rand.New(rand.NewPCG(6, 6))
	capacity := int64(1) << 40
	ext := scattered(r, capacity, 64*mib, 200) // every boundary 64 MiB aligned
	whole := mapOf(t, capacity, ext).Stats()
	var cuts []int64
	for _, e := range ext[:40] {
		cuts = append(cuts, e.Start+mib) // 1 MiB into an extent
	}
	slices.Sort(cuts)
	cut := pagesCutAt(t, capacity, ext, cuts).Stats()
	if cut.ExtentGCD != whole.ExtentGCD || cut.BlockSize != whole.BlockSize || cut.BlockUnknown != whole.BlockUnknown {
		t.Fatalf("cut into pages: gcd %d block %d (%q); as one page: gcd %d block %d (%q)",
			cut.ExtentGCD, cut.BlockSize, cut.BlockUnknown, whole.ExtentGCD, whole.BlockSize, whole.BlockUnknown)
	}
	if whole.BlockUnknown != BlockTooCoarse {
		t.Fatalf("64 MiB-aligned extents: %q, want %q", whole.BlockUnknown, BlockTooCoarse)
	}
}

// A map whose extents all touch their windows' edges has no evidence of
// the block size, and says so.
func TestNoBoundaryEvidenceIsTooFewExtents(t *testing.T) {
	m := mapOf(t, 1<<30, []Extent{{0, 1 << 30}})
	if st := m.Stats(); st.BlockSize != 0 || st.BlockUnknown != BlockTooFewExtents {
		t.Fatalf("one extent over the whole window: block %d (%q)", st.BlockSize, st.BlockUnknown)
	}
}
