package heatmap

import (
	"fmt"
	"math/bits"
)

// Cell is one cell of a grid: the byte range it covers and how many of those
// bytes are changed, scanned and faulted.
type Cell struct {
	Start, End int64
	Changed    int64
	Scanned    int64
	Faulted    int64
}

// Len is the number of bytes the cell covers; zero when the window is
// narrower than the grid has cells.
func (c Cell) Len() int64 { return c.End - c.Start }

// ChangedFraction is the share of the cell's bytes that changed.
func (c Cell) ChangedFraction() float64 {
	if c.Len() == 0 {
		return 0
	}
	return float64(c.Changed) / float64(c.Len())
}

// ScannedFraction is the share of the cell's bytes that were scanned.
func (c Cell) ScannedFraction() float64 {
	if c.Len() == 0 {
		return 0
	}
	return float64(c.Scanned) / float64(c.Len())
}

// Grid is a window of the disk laid out row-major over Cols×Rows cells: cell
// (x, y) is Cells[y*Cols+x] and covers
// [Start + Len*k/N, Start + Len*(k+1)/N) for k = y*Cols+x and N = Cols*Rows.
type Grid struct {
	Window     Window
	Cols, Rows int
	Cells      []Cell

	// scratch reused from frame to frame
	bounds, changed, scanned, faulted []int64
	ranks                             []int
}

func grow(buf *[]int64, n int) []int64 {
	if cap(*buf) < n {
		*buf = make([]int64, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

func growInt(buf *[]int, n int) []int {
	if cap(*buf) < n {
		*buf = make([]int, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

// CellBytes is the (average) number of bytes one cell covers.
func (g *Grid) CellBytes() float64 {
	return float64(g.Window.Len()) / float64(g.Cols*g.Rows)
}

// CellAt returns the index of the cell holding byte off, or -1 when off is
// outside the window.
func (g *Grid) CellAt(off int64) int {
	if off < g.Window.Start || off >= g.Window.End {
		return -1
	}
	n := uint64(g.Cols * g.Rows)
	// The cell k with bound(k) <= off < bound(k+1): k = floor(((off-a)*N + N - 1 ... )
	// is found exactly by a first guess and a correction step.
	k := int(mulDiv(uint64(off-g.Window.Start), n, uint64(g.Window.Len())))
	for k > 0 && g.bound(k) > off {
		k--
	}
	for k+1 < int(n) && g.bound(k+1) <= off {
		k++
	}
	return k
}

// bound is the first byte of cell k (k may be N, giving the window's end).
func (g *Grid) bound(k int) int64 {
	n := uint64(g.Cols * g.Rows)
	return g.Window.Start + int64(mulDiv(uint64(g.Window.Len()), uint64(k), n))
}

// cellBounds fills xs (n+1 long for n cells) with the cells' first bytes
// and the window's end: bound(k) = Start + floor(Len*k/n), stepped without a
// division per cell. Grid and CompareGrid lay cells out alike through it.
func cellBounds(xs []int64, w Window) []int64 {
	n := int64(len(xs) - 1)
	step, rem := w.Len()/n, w.Len()%n
	x, frac := w.Start, int64(0)
	for k := range xs {
		xs[k] = x
		x += step
		if frac += rem; frac >= n {
			x++
			frac -= n
		}
	}
	return xs
}

// mulDiv is a*b/c without overflow, for a*b up to 128 bits.
func mulDiv(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// Grid lays window w out over cols×rows cells. It costs O(cells · log n) for n
// extents, whatever the zoom. A window that is not inside the disk, or an
// empty grid, is an error.
func (m *ChangeMap) Grid(w Window, cols, rows int) (*Grid, error) {
	g := &Grid{}
	return g, m.GridInto(g, w, cols, rows)
}

// GridInto is Grid reusing g's cell buffer.
func (m *ChangeMap) GridInto(g *Grid, w Window, cols, rows int) error {
	if w.Start < 0 || w.End > m.capacity || w.Start >= w.End {
		return fmt.Errorf("window %v is not a non-empty range of the disk of %d bytes", w, m.capacity)
	}
	if cols <= 0 || rows <= 0 {
		return fmt.Errorf("grid of %d×%d cells is empty", cols, rows)
	}
	m.changed.prepare()
	m.scanned.flush()
	m.faulted.flush()
	n := cols * rows
	g.Window, g.Cols, g.Rows = w, cols, rows
	if cap(g.Cells) < n {
		g.Cells = make([]Cell, n)
	}
	g.Cells = g.Cells[:n]

	// Each set answers "bytes below x" at every cell boundary; a cell's
	// bytes are the difference between its two boundaries.
	xs := cellBounds(grow(&g.bounds, n+1), w)
	changed := grow(&g.changed, n+1)
	scanned := grow(&g.scanned, n+1)
	faulted := grow(&g.faulted, n+1)
	ranks := growInt(&g.ranks, n+1)
	m.changed.coveredBelowAll(xs, changed)
	m.scanned.coveredBelowAll(xs, scanned, ranks)
	m.faulted.coveredBelowAll(xs, faulted, ranks)
	for k := 0; k < n; k++ {
		g.Cells[k] = Cell{Start: xs[k], End: xs[k+1], Changed: changed[k+1] - changed[k],
			Scanned: scanned[k+1] - scanned[k], Faulted: faulted[k+1] - faulted[k]}
	}
	return nil
}
