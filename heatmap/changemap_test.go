package heatmap

import (
	"errors"
	"math/rand/v2"
	"testing"
)

func TestChangeMapMatchesByteModel(t *testing.T) {
	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 7))
		capacity := int64(1 + r.IntN(300))
		m, err := NewChangeMap(capacity)
		if err != nil {
			t.Fatal(err)
		}
		bm := newByteModel(int(capacity))
		steps := 1 + r.IntN(40)
		for step := range steps {
			if r.IntN(8) == 0 {
				a := r.Int64N(capacity + 1)
				b := a + r.Int64N(capacity-a+1)
				if err := m.MarkFaulted(a, b); err != nil {
					t.Fatal(err)
				}
				bm.markFaulted(a, b)
			} else {
				p := randomPage(r, capacity)
				if err := m.Absorb(p); err != nil {
					t.Fatalf("seed %d step %d: Absorb(%+v): %v", seed, step, p, err)
				}
				bm.absorb(p)
			}
			// Query only now and then, so pending ranges pile up between
			// merges as they do with parallel workers.
			if r.IntN(4) == 0 || step == steps-1 {
				checkAgainst(t, r, m, bm)
			}
		}
	}
}

// Pages from several sequential workers interleave: mostly appends, with
// splices mid-map.
func TestChangeMapInterleavedWorkers(t *testing.T) {
	const capacity = 1 << 16
	r := rand.New(rand.NewPCG(1, 2))
	m, _ := NewChangeMap(capacity)
	bm := newByteModel(capacity)
	const workers = 4
	var next [workers]int64
	for w := range workers {
		next[w] = int64(w) * capacity / workers
	}
	for {
		w := r.IntN(workers)
		end := int64(w+1) * capacity / workers
		if w == workers-1 {
			end = capacity
		}
		live := false
		for v := range workers {
			if next[v] < int64(v+1)*capacity/workers {
				live = true
			}
		}
		if !live {
			break
		}
		if next[w] >= end {
			continue
		}
		l := min(int64(1+r.IntN(700)), end-next[w])
		p := Page{Start: next[w], Length: l}
		for x := next[w]; x < next[w]+l; x += int64(1 + r.IntN(40)) {
			p.Extents = append(p.Extents, Extent{x, min(int64(1+r.IntN(8)), next[w]+l-x)})
		}
		if err := m.Absorb(p); err != nil {
			t.Fatal(err)
		}
		bm.absorb(p)
		next[w] += l
		if r.IntN(20) == 0 {
			checkAgainst(t, r, m, bm)
		}
	}
	checkAgainst(t, r, m, bm)
	if !m.Complete() {
		t.Fatal("every byte was scanned but the map is not complete")
	}
}

func TestAbsorbRejectsBadPagesWhole(t *testing.T) {
	cases := []struct {
		name string
		page Page
	}{
		{"negative window start", Page{Start: -1, Length: 10}},
		{"negative window length", Page{Start: 0, Length: -1}},
		{"window past the end", Page{Start: 90, Length: 11}},
		{"window start past the end", Page{Start: 101, Length: 0}},
		{"window length overflows", Page{Start: 50, Length: 1<<63 - 1}},
		{"zero-length extent", Page{Start: 0, Length: 50, Extents: []Extent{{0, 10}, {20, 0}}}},
		{"negative extent length", Page{Start: 0, Length: 50, Extents: []Extent{{20, -5}}}},
		{"negative extent start", Page{Start: 0, Length: 50, Extents: []Extent{{-10, 20}}}},
		{"extent before its window", Page{Start: 10, Length: 50, Extents: []Extent{{5, 10}}}},
		{"extent past its window", Page{Start: 10, Length: 50, Extents: []Extent{{55, 10}}}},
		{"extent past the disk", Page{Start: 0, Length: 100, Extents: []Extent{{95, 10}}}},
		{"extent in an empty window", Page{Start: 100, Length: 0, Extents: []Extent{{99, 1}}}},
		{"extent length overflows", Page{Start: 0, Length: 100, Extents: []Extent{{50, 1<<63 - 1}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := NewChangeMap(100)
			if err := m.Absorb(Page{Start: 0, Length: 40, Extents: []Extent{{8, 8}}}); err != nil {
				t.Fatal(err)
			}
			before, v := m.Stats(), m.Version()
			err := m.Absorb(tc.page)
			if !errors.Is(err, ErrInvalidPage) {
				t.Fatalf("Absorb(%+v) = %v, want an ErrInvalidPage", tc.page, err)
			}
			if m.Stats() != before || m.Version() != v {
				t.Fatalf("a rejected page changed the map: %+v -> %+v", before, m.Stats())
			}
		})
	}
}

func TestUnscannedIsNotUnchanged(t *testing.T) {
	m, _ := NewChangeMap(1000)
	if err := m.Absorb(Page{Start: 0, Length: 500}); err != nil {
		t.Fatal(err)
	}
	if err := m.MarkFaulted(700, 1000); err != nil {
		t.Fatal(err)
	}
	g, _ := m.Grid(Window{0, 1000}, 4, 1)
	want := []Shade{ShadeUnchanged, ShadeUnchanged, ShadePartial, ShadeFaulted}
	// cells: [0,250) [250,500) [500,750) partly faulted, [750,1000) faulted
	want[2] = ShadeFaulted
	for k, c := range g.Cells {
		if c.Shade() != want[k] {
			t.Errorf("cell %d %+v shade %d, want %d", k, c, c.Shade(), want[k])
		}
	}
	g, _ = m.Grid(Window{400, 600}, 2, 1)
	if s := g.Cells[1].Shade(); s != ShadeUnscanned {
		t.Errorf("never-scanned cell shows %d, want unscanned", s)
	}
	if s := g.Cells[0].Shade(); s != ShadeUnchanged {
		t.Errorf("scanned cell shows %d, want unchanged", s)
	}
	g, _ = m.Grid(Window{450, 550}, 1, 1)
	if s := g.Cells[0].Shade(); s != ShadePartial {
		t.Errorf("half-scanned cell shows %d, want partial", s)
	}
}

func TestRescanClearsFault(t *testing.T) {
	m, _ := NewChangeMap(100)
	if err := m.MarkFaulted(0, 100); err != nil {
		t.Fatal(err)
	}
	if err := m.Absorb(Page{Start: 20, Length: 30, Extents: []Extent{{25, 5}}}); err != nil {
		t.Fatal(err)
	}
	if got := m.FaultedBytes(0, 100); got != 70 {
		t.Fatalf("faulted bytes after a rescan = %d, want 70", got)
	}
	if err := m.MarkFaulted(0, 200); err == nil {
		t.Fatal("a faulted range past the disk was accepted")
	}
}

func TestShadeAnyChangeIsVisible(t *testing.T) {
	huge := int64(1) << 50
	cases := []struct {
		cell Cell
		want Shade
	}{
		{Cell{0, huge, 1, huge, 0}, ShadeChanged},
		{Cell{0, huge, huge, huge, 0}, ShadeChanged + Levels - 1},
		{Cell{0, 8, 1, 8, 0}, ShadeChanged},
		{Cell{0, 8, 2, 8, 0}, ShadeChanged + 1},
		{Cell{0, 8, 7, 8, 0}, ShadeChanged + 6},
		{Cell{0, 8, 8, 8, 0}, ShadeChanged + 7},
		{Cell{0, 8, 0, 8, 0}, ShadeUnchanged},
		{Cell{0, 8, 0, 7, 0}, ShadePartial},
		{Cell{0, 8, 0, 0, 0}, ShadeUnscanned},
		{Cell{0, 8, 0, 0, 3}, ShadeFaulted},
		{Cell{5, 5, 0, 0, 0}, ShadeEmpty},
	}
	for _, tc := range cases {
		if got := tc.cell.Shade(); got != tc.want {
			t.Errorf("%+v: shade %d, want %d", tc.cell, got, tc.want)
		}
	}
}

func TestGridAtExtremeZoom(t *testing.T) {
	const capacity = int64(1) << 52 // 4 PiB
	m, _ := NewChangeMap(capacity)
	if err := m.Absorb(Page{Start: 0, Length: capacity, Extents: []Extent{{capacity / 2, 3}}}); err != nil {
		t.Fatal(err)
	}
	// Whole disk: a cell covers terabytes; the one with 3 bytes still shows.
	g, err := m.Grid(Window{0, capacity}, 200, 100)
	if err != nil {
		t.Fatal(err)
	}
	k := g.CellAt(capacity / 2)
	if g.Cells[k].Changed != 3 || g.Cells[k].Shade() != ShadeChanged {
		t.Fatalf("cell %d = %+v", k, g.Cells[k])
	}
	// A window of 10 bytes over 40 cells: cells of zero and one byte.
	g, _ = m.Grid(Window{capacity/2 - 5, capacity/2 + 5}, 40, 1)
	var changed int64
	for _, c := range g.Cells {
		changed += c.Changed
	}
	if changed != 3 {
		t.Fatalf("a 10-byte window shows %d changed bytes, want 3", changed)
	}
	if _, err := m.Grid(Window{0, capacity + 1}, 1, 1); err == nil {
		t.Fatal("a window past the disk was accepted")
	}
	if _, err := m.Grid(Window{0, capacity}, 0, 1); err == nil {
		t.Fatal("an empty grid was accepted")
	}
}
