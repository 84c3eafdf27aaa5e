package heatmap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// byteModel is the brute-force truth the ChangeMap is checked against: one
// flag per byte of a small disk.
type byteModel struct {
	changed, scanned, faulted []bool
	reported                  int64
	gcd                       int64
	pages                     int
}

func newByteModel(capacity int) *byteModel {
	return &byteModel{
		changed: make([]bool, capacity),
		scanned: make([]bool, capacity),
		faulted: make([]bool, capacity),
	}
}

func (bm *byteModel) absorb(p Page) {
	bm.pages++
	if p.Length == 0 {
		return
	}
	for x := p.Start; x < p.Start+p.Length; x++ {
		bm.scanned[x] = true
		bm.faulted[x] = false
	}
	for _, e := range p.Extents {
		for x := e.Start; x < e.End(); x++ {
			bm.changed[x] = true
		}
		// Boundaries on the window's edge may be cuts, not evidence.
		if e.Start != p.Start {
			bm.gcd = gcd(bm.gcd, e.Start)
		}
		if e.End() != p.Start+p.Length {
			bm.gcd = gcd(bm.gcd, e.End())
		}
	}
	bm.reported += int64(len(p.Extents))
}

func (bm *byteModel) markFaulted(a, b int64) {
	for x := a; x < b; x++ {
		if !bm.scanned[x] {
			bm.faulted[x] = true
		}
	}
}

func count(flags []bool, a, b int64) int64 {
	var n int64
	for x := a; x < b; x++ {
		if flags[x] {
			n++
		}
	}
	return n
}

// runs are the maximal runs of set flags: the merged extents.
func runs(flags []bool) []Extent {
	var out []Extent
	for x := 0; x < len(flags); x++ {
		if !flags[x] {
			continue
		}
		s := x
		for x < len(flags) && flags[x] {
			x++
		}
		out = append(out, Extent{int64(s), int64(x - s)})
	}
	return out
}

// randomPage makes a page of the kind parallel workers and false positives
// produce: a random window with extents inside it that may overlap, repeat,
// touch and come in any order. Scale multiplies every offset, to imitate
// block-aligned servers.
func randomPage(r *rand.Rand, capacity int64) Page {
	start := r.Int64N(capacity)
	length := r.Int64N(capacity-start) + 1
	if r.IntN(10) == 0 {
		length = 0
	}
	p := Page{Start: start, Length: length}
	if length == 0 {
		return p
	}
	for range r.IntN(6) {
		s := start + r.Int64N(length)
		l := r.Int64N(start+length-s) + 1
		p.Extents = append(p.Extents, Extent{s, l})
		switch r.IntN(4) {
		case 0: // a duplicate
			p.Extents = append(p.Extents, Extent{s, l})
		case 1: // an adjacent one
			if s+l < start+length {
				p.Extents = append(p.Extents, Extent{s + l, 1})
			}
		}
	}
	r.Shuffle(len(p.Extents), func(i, j int) { p.Extents[i], p.Extents[j] = p.Extents[j], p.Extents[i] })
	return p
}

// checkAgainst compares every query of m with the model.
func checkAgainst(t *testing.T, r *rand.Rand, m *ChangeMap, bm *byteModel) {
	t.Helper()
	capacity := m.Capacity()
	want := runs(bm.changed)
	if m.Len() != len(want) {
		t.Fatalf("Len = %d, model has %d runs", m.Len(), len(want))
	}
	for i, e := range want {
		if got := m.Extent(i); got != e {
			t.Fatalf("Extent(%d) = %v, want %v", i, got, e)
		}
	}
	for range 20 {
		a := r.Int64N(capacity + 1)
		b := a + r.Int64N(capacity-a+1)
		if got, w := m.ChangedBytes(a, b), count(bm.changed, a, b); got != w {
			t.Fatalf("ChangedBytes(%d, %d) = %d, want %d", a, b, got, w)
		}
		if got, w := m.ScannedBytes(a, b), count(bm.scanned, a, b); got != w {
			t.Fatalf("ScannedBytes(%d, %d) = %d, want %d", a, b, got, w)
		}
		if got, w := m.FaultedBytes(a, b), count(bm.faulted, a, b); got != w {
			t.Fatalf("FaultedBytes(%d, %d) = %d, want %d", a, b, got, w)
		}
		var overlap []Extent
		for _, e := range want {
			if e.Start < b && e.End() > a {
				overlap = append(overlap, e)
			}
		}
		if got := slices.Collect(m.Extents(a, b)); !slices.Equal(got, overlap) {
			t.Fatalf("Extents(%d, %d) = %v, want %v", a, b, got, overlap)
		}
	}
	if got, w := m.Complete(), count(bm.scanned, 0, capacity) == capacity; got != w {
		t.Fatalf("Complete = %v, want %v", got, w)
	}
	checkGrid(t, r, m, bm)
	checkStats(t, m, bm)
}

func checkGrid(t *testing.T, r *rand.Rand, m *ChangeMap, bm *byteModel) {
	t.Helper()
	capacity := m.Capacity()
	a := r.Int64N(capacity)
	b := a + 1 + r.Int64N(capacity-a)
	if r.IntN(3) == 0 {
		a, b = 0, capacity
	}
	cols, rows := 1+r.IntN(12), 1+r.IntN(6)
	g, err := m.Grid(Window{a, b}, cols, rows)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(cols * rows)
	for k, c := range g.Cells {
		cs := a + (b-a)*int64(k)/n
		ce := a + (b-a)*int64(k+1)/n
		want := Cell{cs, ce, count(bm.changed, cs, ce), count(bm.scanned, cs, ce), count(bm.faulted, cs, ce)}
		if c != want {
			t.Fatalf("grid %v %dx%d cell %d = %+v, want %+v", g.Window, cols, rows, k, c, want)
		}
		for _, off := range []int64{cs, ce - 1} {
			if cs < ce {
				if got := g.CellAt(off); g.Cells[got].Start > off || g.Cells[got].End <= off {
					t.Fatalf("CellAt(%d) = %d covering [%d, %d)", off, got, g.Cells[got].Start, g.Cells[got].End)
				}
			}
		}
	}
}

func checkStats(t *testing.T, m *ChangeMap, bm *byteModel) {
	t.Helper()
	st := m.Stats()
	want := runs(bm.changed)
	capacity := int64(len(bm.changed))
	if st.ChangedBytes != count(bm.changed, 0, capacity) || st.ScannedBytes != count(bm.scanned, 0, capacity) ||
		st.FaultedBytes != count(bm.faulted, 0, capacity) {
		t.Fatalf("stats bytes %+v disagree with the model", st)
	}
	if st.Extents != len(want) || st.ReportedExtents != bm.reported || st.ExtentGCD != bm.gcd || st.Pages != bm.pages {
		t.Fatalf("stats counts %+v, want extents %d reported %d gcd %d pages %d", st, len(want), bm.reported, bm.gcd, bm.pages)
	}
	if (st.BlockSize == 0) == (st.BlockUnknown == "") || st.BlockSize != 0 && (bm.gcd%st.BlockSize != 0 || st.BlockSize&(st.BlockSize-1) != 0) {
		t.Fatalf("block %d (%q) is not a power of two dividing the gcd %d, nor unknown with a reason", st.BlockSize, st.BlockUnknown, bm.gcd)
	}
	if len(want) == 0 {
		if st.MinExtent != 0 || st.MaxExtent != 0 || st.MedianExtent != 0 {
			t.Fatalf("sizes of an empty map: %+v", st)
		}
		return
	}
	sizes := make([]int64, len(want))
	var hist [64]int64
	for i, e := range want {
		sizes[i] = e.Length
		k := 0
		for int64(1)<<(k+1) <= e.Length {
			k++
		}
		hist[k]++
	}
	slices.Sort(sizes)
	if st.MinExtent != sizes[0] || st.MaxExtent != sizes[len(sizes)-1] || st.MedianExtent != sizes[(len(sizes)-1)/2] {
		t.Fatalf("sizes min/median/max %d/%d/%d, want %d/%d/%d", st.MinExtent, st.MedianExtent, st.MaxExtent,
			sizes[0], sizes[(len(sizes)-1)/2], sizes[len(sizes)-1])
	}
	if st.Histogram != hist {
		t.Fatalf("histogram %v, want %v", st.Histogram, hist)
	}
}
