package ui

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
)

// LargestIn is the head of the window's extents sorted largest first, ties
// in disk order, for any n and window: what sorting them all would give.
func TestLargestInIsTheHeadOfTheSortedWindow(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	const capacity = 1 << 30
	m, _ := heatmap.NewChangeMap(capacity)
	var off int64
	for off < capacity-(4<<20) {
		p := heatmap.Page{Start: off}
		for range 50 {
			off += 4096 * (1 + r.Int64N(8))
			l := 4096 * (1 + r.Int64N(4)) // few sizes: many ties
			p.Extents = append(p.Extents, heatmap.Extent{Start: off, Length: l})
			off += l
		}
		p.Length = off - p.Start
		if err := m.Absorb(p); err != nil {
			t.Fatal(err)
		}
	}
	for range 60 {
		a := r.Int64N(capacity)
		w := heatmap.Window{Start: a, End: a + 1 + r.Int64N(capacity-a)}
		if r.IntN(4) == 0 {
			w = heatmap.Window{Start: 0, End: capacity}
		}
		all := slices.Collect(m.Extents(w.Start, w.End))
		slices.SortStableFunc(all, func(x, y heatmap.Extent) int {
			switch {
			case x.Length > y.Length:
				return -1
			case x.Length < y.Length:
				return 1
			}
			return 0
		})
		for _, n := range []int{0, 1, 5, 37, len(all) - 1, len(all), len(all) + 3} {
			got := LargestIn(m, w, n)
			want := all[:max(min(n, len(all)), 0)]
			if !slices.Equal(got, want) {
				t.Fatalf("LargestIn(%v, %d): %d extents, differs from the sorted window's head (%d)", w, n, len(got), len(want))
			}
		}
	}
}

// In size order the table's rows are the window sorted largest first, down
// to the last row, however it is scrolled.
func TestExtentTableBySizeScrollsThroughTheSortedWindow(t *testing.T) {
	m := sparseMap(t)
	tb := NewExtentTable(testStyles(), keymap.Default().Extents)
	tb.SetMap(m)
	tb.SetSize(100, 20)
	w := heatmap.Window{Start: 1 << 40, End: 1<<40 + 3<<30}
	tb.SetWindow(w)
	tb.Update(keyPress("s"))
	all := slices.Collect(m.Extents(w.Start, w.End))
	slices.SortStableFunc(all, bySizeThenOffset)
	check := func(move string, row int) {
		t.Helper()
		tb.Update(keyPress(move))
		if got, ok := tb.Cursor(); !ok || got != all[row] {
			t.Fatalf("after %s: cursor on %v, want row %d of the sorted window, %v", move, got, row, all[row])
		}
	}
	check("down", 1)
	check("pgdown", 1+tb.rows())
	check("end", len(all)-1)
	check("pgup", len(all)-1-tb.rows())
	check("home", 0)
}
