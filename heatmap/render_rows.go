package heatmap

import "strings"

// writePairs writes lines half-block text rows of cols text cells: ps[k] is
// the pair of shades (top and bottom data cell) of text cell k, pair[p]
// draws pair p with its colours and glyph[p] without them, for a cell that
// repeats the one before it. Each row ends in a reset.
//
// It sizes the output first and grows b once: a frame's text is hundreds
// of kilobytes when neighbouring cells differ (a zoomed view), and growing
// it by doubling cost more than drawing it.
func writePairs(b *strings.Builder, ps []uint16, lines, cols int, pair, glyph []string) {
	size := 0
	for ty := range lines {
		row := ty * cols
		prev := -1
		for _, p := range ps[row : row+cols] {
			if int(p) == prev {
				size += len(glyph[p])
				continue
			}
			size += len(pair[p])
			prev = int(p)
		}
		size += len(reset) + 1
	}
	b.Grow(size)
	for ty := range lines {
		row := ty * cols
		if ty > 0 {
			b.WriteByte('\n')
		}
		prev := -1
		for _, p := range ps[row : row+cols] {
			if int(p) == prev {
				// Same colours as the cell before: the glyph alone will do.
				b.WriteString(glyph[p])
				continue
			}
			b.WriteString(pair[p])
			prev = int(p)
		}
		b.WriteString(reset)
	}
}
