package heatmap

import "math/bits"

// Shade is what a cell shows: its state, and for changed cells how much of
// it changed, quantised to one of Levels steps.
type Shade uint8

// The shades. Every changed cell is at least ShadeChanged (level 1), so any
// change at all is distinct from no change.
const (
	ShadeEmpty     Shade = iota // covers no bytes (window narrower than the grid)
	ShadeUnscanned              // nothing known yet
	ShadePartial                // partly scanned, no change found so far
	ShadeFaulted                // scanning stopped on a fault here
	ShadeUnchanged              // wholly scanned, nothing changed
	ShadeCursor                 // the cursor, drawn over whatever is beneath
	ShadeChanged                // level 1; level k is ShadeChanged + k - 1
)

// Levels is the number of shades of change, from "any" to "all".
const Levels = 8

// numShades counts every shade, for look-up tables.
const numShades = int(ShadeChanged) + Levels

// Level is the change level 1..Levels of a changed shade, or 0.
func (s Shade) Level() int {
	if s < ShadeChanged {
		return 0
	}
	return int(s-ShadeChanged) + 1
}

// Shade classifies the cell. A cell with any change shows how much; one with
// none shows what is known: a fault, "unchanged" only when wholly scanned,
// otherwise partly scanned or not scanned at all. Unscanned bytes are never
// shown as unchanged.
func (c Cell) Shade() Shade {
	n := c.Len()
	switch {
	case n <= 0:
		return ShadeEmpty
	case c.Changed > 0:
		// ceil(changed/len * Levels), in 128 bits so huge cells are exact.
		hi, lo := bits.Mul64(uint64(c.Changed), Levels)
		lo, carry := bits.Add64(lo, uint64(n-1), 0)
		q, _ := bits.Div64(hi+carry, lo, uint64(n))
		return ShadeChanged + Shade(q) - 1
	case c.Faulted > 0:
		return ShadeFaulted
	case c.Scanned >= n:
		return ShadeUnchanged
	case c.Scanned > 0:
		return ShadePartial
	}
	return ShadeUnscanned
}
