package heatmap

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// partFlags is the comparison's truth, byte by byte, from two byte models:
// which bytes are in each part, and which are unchanged in both.
func partFlags(a, b *byteModel) (parts [numParts][]bool, unchanged []bool) {
	n := len(a.changed)
	for p := range parts {
		parts[p] = make([]bool, n)
	}
	unchanged = make([]bool, n)
	for x := range n {
		switch {
		case a.changed[x] && b.changed[x]:
			parts[PartBoth][x] = true
		case a.changed[x] && b.scanned[x]:
			parts[PartOnlyA][x] = true
		case a.changed[x]:
			parts[PartAWhereBUnknown][x] = true
		case b.changed[x] && a.scanned[x]:
			parts[PartOnlyB][x] = true
		case b.changed[x]:
			parts[PartBWhereAUnknown][x] = true
		case a.scanned[x] && b.scanned[x]:
			unchanged[x] = true
		}
	}
	return parts, unchanged
}

// checkCompare checks every query of c against the byte models of its two
// maps.
func checkCompare(t *testing.T, r *rand.Rand, c *Comparison, a, b *byteModel) {
	t.Helper()
	capacity := c.Capacity()
	parts, unchanged := partFlags(a, b)
	st := c.Stats()
	var changed int64
	for _, p := range Parts() {
		want := runs(parts[p])
		if c.Len(p) != len(want) {
			t.Fatalf("%v: Len = %d, model has %d runs %v", p, c.Len(p), len(want), want)
		}
		for i, e := range want {
			if got := c.Extent(p, i); got != e {
				t.Fatalf("%v: Extent(%d) = %v, want %v", p, i, got, e)
			}
		}
		bytes := count(parts[p], 0, capacity)
		changed += bytes
		ps := st.Part(p)
		if ps.Bytes != bytes || ps.Extents != len(want) || ps.Share != float64(bytes)/float64(capacity) {
			t.Fatalf("%v: stats %+v, want %d bytes in %d extents", p, ps, bytes, len(want))
		}
		for range 10 {
			lo := r.Int64N(capacity + 1)
			hi := lo + r.Int64N(capacity-lo+1)
			if got, w := c.Bytes(p, lo, hi), count(parts[p], lo, hi); got != w {
				t.Fatalf("%v: Bytes(%d, %d) = %d, want %d", p, lo, hi, got, w)
			}
			var overlap []Extent
			for _, e := range want {
				if e.Start < hi && e.End() > lo {
					overlap = append(overlap, e)
				}
			}
			if got := slices.Collect(c.Extents(p, lo, hi)); !slices.Equal(got, overlap) {
				t.Fatalf("%v: Extents(%d, %d) = %v, want %v", p, lo, hi, got, overlap)
			}
		}
	}
	if w := count(unchanged, 0, capacity); st.UnchangedBytes != w || st.UnknownBytes != capacity-changed-w {
		t.Fatalf("stats unchanged %d unknown %d, want %d and %d", st.UnchangedBytes, st.UnknownBytes, w, capacity-changed-w)
	}
	scannedBoth := make([]bool, capacity)
	for x := range scannedBoth {
		scannedBoth[x] = a.scanned[x] && b.scanned[x]
	}
	if got, w := c.Complete(), count(scannedBoth, 0, capacity) == capacity; got != w {
		t.Fatalf("Complete = %v, want %v", got, w)
	}
	checkCompareGrid(t, r, c, parts, unchanged)
}

func checkCompareGrid(t *testing.T, r *rand.Rand, c *Comparison, parts [numParts][]bool, unchanged []bool) {
	t.Helper()
	capacity := c.Capacity()
	lo := r.Int64N(capacity)
	hi := lo + 1 + r.Int64N(capacity-lo)
	if r.IntN(3) == 0 {
		lo, hi = 0, capacity
	}
	cols, rows := 1+r.IntN(12), 1+r.IntN(6)
	g, err := c.Grid(Window{lo, hi}, cols, rows)
	if err != nil {
		t.Fatal(err)
	}
	n := int64(cols * rows)
	for k, cell := range g.Cells {
		cs := lo + (hi-lo)*int64(k)/n
		ce := lo + (hi-lo)*int64(k+1)/n
		want := CompareCell{Start: cs, End: ce, Unchanged: count(unchanged, cs, ce)}
		for p := range want.Parts {
			want.Parts[p] = count(parts[p], cs, ce)
		}
		if cell != want {
			t.Fatalf("grid %v %dx%d cell %d = %+v, want %+v", g.Window, cols, rows, k, cell, want)
		}
		if cs < ce {
			if got := g.CellAt(cs); got != k {
				t.Fatalf("CellAt(%d) = %d, want %d", cs, got, k)
			}
		}
	}
}

// randomModelMap builds a map and its byte model from random pages and
// faults; partial leaves part of the disk unscanned on purpose.
func randomModelMap(t *testing.T, r *rand.Rand, capacity int64) (*ChangeMap, *byteModel) {
	t.Helper()
	m, err := NewChangeMap(capacity)
	if err != nil {
		t.Fatal(err)
	}
	bm := newByteModel(int(capacity))
	for range r.IntN(12) {
		if r.IntN(8) == 0 {
			a := r.Int64N(capacity + 1)
			b := a + r.Int64N(capacity-a+1)
			if err := m.MarkFaulted(a, b); err != nil {
				t.Fatal(err)
			}
			bm.markFaulted(a, b)
			continue
		}
		p := randomPage(r, capacity)
		if err := m.Absorb(p); err != nil {
			t.Fatal(err)
		}
		bm.absorb(p)
	}
	// Most maps end complete, as a finished query does.
	if r.IntN(3) > 0 {
		p := Page{Start: 0, Length: capacity}
		if err := m.Absorb(p); err != nil {
			t.Fatal(err)
		}
		bm.absorb(p)
	}
	return m, bm
}

func TestCompareMatchesByteModel(t *testing.T) {
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 11))
		capacity := int64(1 + r.IntN(300))
		a, bmA := randomModelMap(t, r, capacity)
		b, bmB := randomModelMap(t, r, capacity)
		c, err := Compare(a, b)
		if err != nil {
			t.Fatal(err)
		}
		checkCompare(t, r, c, bmA, bmB)
	}
}

// Big enough that searches go through the set's index and the checkpoints
// span many strides.
func TestCompareMatchesByteModelLarge(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	const capacity = 1 << 15
	build := func() (*ChangeMap, *byteModel) {
		m, _ := NewChangeMap(capacity)
		bm := newByteModel(capacity)
		for range 400 {
			p := Page{Start: r.Int64N(capacity - 512)}
			p.Length = 1 + r.Int64N(512)
			for range 1 + r.IntN(20) {
				s := p.Start + r.Int64N(p.Length)
				p.Extents = append(p.Extents, Extent{s, 1 + r.Int64N(min(8, p.Start+p.Length-s))})
			}
			if err := m.Absorb(p); err != nil {
				t.Fatal(err)
			}
			bm.absorb(p)
		}
		return m, bm
	}
	a, bmA := build()
	b, bmB := build()
	c, err := Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if c.seg.len() < 64*indexStride {
		t.Fatalf("only %d segments: too few to exercise the index", c.seg.len())
	}
	for range 5 {
		checkCompare(t, r, c, bmA, bmB)
	}
}

// A byte B never scanned is never "only in A": it is "in A, B not scanned".
func TestCompareKeepsUnscannedApart(t *testing.T) {
	a := mapOf(t, 100, []Extent{{0, 10}, {50, 10}})
	b, _ := NewChangeMap(100)
	if err := b.Absorb(Page{Start: 0, Length: 5}); err != nil {
		t.Fatal(err)
	}
	if err := b.Absorb(Page{Start: 55, Length: 45, Extents: []Extent{{58, 4}, {90, 10}}}); err != nil {
		t.Fatal(err)
	}
	c, err := Compare(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[Part][]Extent{
		PartOnlyA:          {{0, 5}, {55, 3}},
		PartBoth:           {{58, 2}},
		PartOnlyB:          {{60, 2}, {90, 10}},
		PartAWhereBUnknown: {{5, 5}, {50, 5}},
		PartBWhereAUnknown: nil,
	}
	for p, w := range want {
		if got := slices.Collect(c.Extents(p, 0, 100)); !slices.Equal(got, w) {
			t.Errorf("%v: %v, want %v", p, got, w)
		}
	}
	st := c.Stats()
	// Both scanned [0, 5) and [55, 100): 50 bytes, of which 22 changed.
	// Unknown is what is left once the 32 changed bytes are counted.
	if st.UnchangedBytes != 50-22 || st.UnknownBytes != 100-32-28 {
		t.Errorf("unchanged %d, unknown %d", st.UnchangedBytes, st.UnknownBytes)
	}
	if c.Complete() {
		t.Error("a comparison with B half scanned is complete")
	}
}

func TestCompareRefusesDifferentDisks(t *testing.T) {
	a, _ := NewChangeMap(100)
	b, _ := NewChangeMap(101)
	if _, err := Compare(a, b); !errors.Is(err, ErrCapacityMismatch) {
		t.Fatalf("Compare of 100 and 101 bytes: %v", err)
	}
	if _, err := Compare(a, nil); err == nil {
		t.Fatal("Compare with a missing map succeeded")
	}
}

// A map compared with itself is all "both", and says so exactly.
func TestCompareWithItself(t *testing.T) {
	m := mapOf(t, 1000, []Extent{{10, 20}, {500, 100}})
	c, err := Compare(m, m)
	if err != nil {
		t.Fatal(err)
	}
	st := c.Stats()
	if st.Both.Bytes != 120 || st.Both.Extents != 2 || st.OnlyA.Bytes+st.OnlyB.Bytes+st.AWhereBUnknown.Bytes+st.BWhereAUnknown.Bytes != 0 {
		t.Fatalf("stats %+v", st)
	}
	if st.Both.Share != 0.12 || st.UnchangedBytes != 880 || st.UnknownBytes != 0 || !c.Complete() {
		t.Fatalf("stats %+v", st)
	}
}

func TestCompareCellShade(t *testing.T) {
	cell := func(parts [numParts]int64, unchanged int64) CompareCell {
		return CompareCell{Start: 0, End: 100, Parts: parts, Unchanged: unchanged}
	}
	cases := []struct {
		name      string
		cell      CompareCell
		part      Part
		level     int
		wantShade CompareShade
	}{
		{"empty", CompareCell{Start: 5, End: 5}, 0, 0, CompareEmpty},
		{"unchanged", cell([numParts]int64{}, 100), 0, 0, CompareUnchanged},
		{"partly scanned", cell([numParts]int64{}, 99), 0, 0, CompareUnknown},
		{"one byte only in A", cell([numParts]int64{PartOnlyA: 1}, 99), PartOnlyA, 1, 0},
		{"all in both", cell([numParts]int64{PartBoth: 100}, 0), PartBoth, 4, 0},
		{"B leads, half changed", cell([numParts]int64{PartOnlyA: 10, PartOnlyB: 30, PartBoth: 10}, 50), PartOnlyB, 2, 0},
		{"tie goes to the first part", cell([numParts]int64{PartOnlyB: 20, PartBoth: 20}, 60), PartOnlyB, 2, 0},
		{"B changed, A unknown", cell([numParts]int64{PartBWhereAUnknown: 76}, 0), PartBWhereAUnknown, 4, 0},
	}
	for _, tc := range cases {
		got := tc.cell.Shade()
		if tc.level == 0 {
			if got != tc.wantShade {
				t.Errorf("%s: shade %d, want %d", tc.name, got, tc.wantShade)
			}
			continue
		}
		if p, ok := got.Part(); !ok || p != tc.part || got.Level() != tc.level {
			t.Errorf("%s: shade shows %v level %d, want %v level %d", tc.name, p, got.Level(), tc.part, tc.level)
		}
	}
}

// A frame big enough that two goroutines share the grid's work agrees,
// cell by cell, with one query at a time.
func TestCompareBigGridMatchesQueries(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	const capacity = 1 << 22
	build := func() *ChangeMap {
		var ext []Extent
		for off := int64(0); ; {
			off += 1 + r.Int64N(64)
			l := 1 + r.Int64N(64)
			if off+l > capacity {
				break
			}
			ext = append(ext, Extent{off, l})
			off += l
		}
		return mapOf(t, capacity, ext)
	}
	c, err := Compare(build(), build())
	if err != nil {
		t.Fatal(err)
	}
	const cols, rows = 100, 50
	if c.seg.len() <= 4*(cols*rows+1) {
		t.Fatalf("only %d segments: too few for the parallel search", c.seg.len())
	}
	for _, w := range []Window{{0, capacity}, {12345, 12345 + 3*cols*rows}} {
		g, err := c.Grid(w, cols, rows)
		if err != nil {
			t.Fatal(err)
		}
		for k, cell := range g.Cells {
			want := CompareCell{Start: cell.Start, End: cell.End}
			for p := range want.Parts {
				want.Parts[p] = c.Bytes(Part(p), cell.Start, cell.End)
			}
			want.Unchanged = c.ScannedBothBytes(cell.Start, cell.End) - want.Parts[PartOnlyA] - want.Parts[PartOnlyB] - want.Parts[PartBoth]
			if cell != want {
				t.Fatalf("window %v cell %d = %+v, want %+v", w, k, cell, want)
			}
		}
	}
}
