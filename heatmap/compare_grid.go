package heatmap

import (
	"fmt"
	"math/bits"
	"sync"
)

// CompareCell is one cell of a compare grid: the byte range it covers, how
// many of its bytes are in each part, and how many both maps scanned and
// found unchanged. The rest of the cell is unknown.
type CompareCell struct {
	Start, End int64
	Parts      [numParts]int64
	Unchanged  int64
}

// Len is the number of bytes the cell covers.
func (c CompareCell) Len() int64 { return c.End - c.Start }

// Changed is the number of the cell's bytes changed in A or in B.
func (c CompareCell) Changed() int64 {
	var n int64
	for _, b := range c.Parts {
		n += b
	}
	return n
}

// Unknown is the number of the cell's bytes changed in neither map as far
// as is known, that one map or both never scanned.
func (c CompareCell) Unknown() int64 { return c.Len() - c.Changed() - c.Unchanged }

// CompareGrid is a window of a comparison laid out over Cols×Rows cells, as
// Grid lays out a map: cell k covers [Start + Len*k/N, Start + Len*(k+1)/N).
type CompareGrid struct {
	Window     Window
	Cols, Rows int
	Cells      []CompareCell

	// scratch reused from frame to frame
	bounds, total, scanned []int64
	ranks                  []int
	below                  [][numParts]int64
}

// CellBytes is the (average) number of bytes one cell covers.
func (g *CompareGrid) CellBytes() float64 {
	return float64(g.Window.Len()) / float64(g.Cols*g.Rows)
}

// CellAt returns the index of the cell holding byte off, or -1 when off is
// outside the window.
func (g *CompareGrid) CellAt(off int64) int {
	layout := Grid{Window: g.Window, Cols: g.Cols, Rows: g.Rows}
	return layout.CellAt(off)
}

// Grid lays window w of the comparison out over cols×rows cells.
func (c *Comparison) Grid(w Window, cols, rows int) (*CompareGrid, error) {
	g := &CompareGrid{}
	return g, c.GridInto(g, w, cols, rows)
}

// GridInto is Grid reusing g's buffers. Like a map's grid it costs
// O(cells · log n) for n segments, whatever the zoom: one search per cell
// boundary finds every part's bytes below it.
func (c *Comparison) GridInto(g *CompareGrid, w Window, cols, rows int) error {
	if w.Start < 0 || w.End > c.capacity || w.Start >= w.End {
		return fmt.Errorf("window %v is not a non-empty range of the disk of %d bytes", w, c.capacity)
	}
	if cols <= 0 || rows <= 0 {
		return fmt.Errorf("grid of %d×%d cells is empty", cols, rows)
	}
	n := cols * rows
	g.Window, g.Cols, g.Rows = w, cols, rows
	if cap(g.Cells) < n {
		g.Cells = make([]CompareCell, n)
	}
	g.Cells = g.Cells[:n]
	if cap(g.below) < n+1 {
		g.below = make([][numParts]int64, n+1)
	}
	g.below = g.below[:n+1]

	xs := cellBounds(grow(&g.bounds, n+1), w)
	ranks := growInt(&g.ranks, n+1)
	scanned := grow(&g.scanned, n+1)
	c.scannedBoth.coveredBelowAll(xs, scanned, ranks)
	c.seg.set.coveredBelowAll(xs, grow(&g.total, n+1), ranks)
	if len(xs) >= parallelBoundaries && c.seg.len() > 4*len(xs) {
		// As in the search, the halves of a big frame over a big set wait
		// on different cache misses, so both cores share the waiting.
		h := len(xs) / 2
		var wg sync.WaitGroup
		wg.Go(func() { c.seg.partsBelowAll(xs[h:], ranks[h:], g.below[h:]) })
		c.seg.partsBelowAll(xs[:h], ranks[:h], g.below[:h])
		wg.Wait()
	} else {
		c.seg.partsBelowAll(xs, ranks, g.below)
	}
	for k := 0; k < n; k++ {
		cell := CompareCell{Start: xs[k], End: xs[k+1]}
		lo, hi := &g.below[k], &g.below[k+1]
		for p := range cell.Parts {
			cell.Parts[p] = hi[p] - lo[p]
		}
		cell.Unchanged = scanned[k+1] - scanned[k] - cell.Parts[PartOnlyA] - cell.Parts[PartOnlyB] - cell.Parts[PartBoth]
		g.Cells[k] = cell
	}
	return nil
}

// CompareLevels is the number of brightness steps of each part's colour,
// from "any change" to "all changed".
const CompareLevels = 4

// CompareShade is what a compare cell shows.
type CompareShade uint8

// The compare shades. A changed cell shows the part holding most of its
// changed bytes (the first in Parts order on a tie), at a level set by how
// much of the cell changed in any part: so hue says where, brightness how
// much.
const (
	CompareEmpty     CompareShade = iota // covers no bytes
	CompareUnknown                       // no change found, not all of it scanned by both
	CompareUnchanged                     // scanned by both, changed in neither
	CompareCursor                        // the cursor, drawn over whatever is beneath
	CompareChanged                       // part p at level l is CompareChanged + p*CompareLevels + l - 1
)

// numCompareShades counts every compare shade, for look-up tables.
const numCompareShades = int(CompareChanged) + int(numParts)*CompareLevels

// Part is the part a changed shade shows, and whether it is one.
func (s CompareShade) Part() (Part, bool) {
	if s < CompareChanged {
		return 0, false
	}
	return Part(int(s-CompareChanged) / CompareLevels), true
}

// Level is the change level 1..CompareLevels of a changed shade, or 0.
func (s CompareShade) Level() int {
	if s < CompareChanged {
		return 0
	}
	return int(s-CompareChanged)%CompareLevels + 1
}

func compareShade(p Part, level int) CompareShade {
	return CompareChanged + CompareShade(int(p)*CompareLevels+level-1)
}

// Shade classifies the cell. Any change shows; a cell without one is
// unchanged only when both maps scanned all of it.
func (c CompareCell) Shade() CompareShade {
	n := c.Len()
	if n <= 0 {
		return CompareEmpty
	}
	changed := c.Changed()
	if changed == 0 {
		if c.Unchanged >= n {
			return CompareUnchanged
		}
		return CompareUnknown
	}
	top := PartOnlyA
	for p := range numParts {
		if c.Parts[p] > c.Parts[top] {
			top = p
		}
	}
	// ceil(changed/len * levels), in 128 bits so huge cells are exact.
	hi, lo := bits.Mul64(uint64(changed), CompareLevels)
	lo, carry := bits.Add64(lo, uint64(n-1), 0)
	q, _ := bits.Div64(hi+carry, lo, uint64(n))
	return compareShade(top, int(q))
}
