package heatmap

import "strings"

// CompareLegend is one line, at most width columns, saying what a cell
// covers and how each part looks, e.g. "1 cell = 25.6 MiB  ████ only in A
// ████ only in B  ████ in both  ████ in A, B not scanned  …". On a narrow
// line the least needed parts go first: the cursor and the states without
// change, then the unknown-side parts; the scale and A, B and both stay
// longest. CompareLegendLines keeps them all.
func (r *Renderer) CompareLegend(cellBytes float64, width int) string {
	// parts: scale, the five parts, unchanged, unknown, cursor.
	return fitLegend(r.compareLegendParts(cellBytes), []int{8, 6, 7, 5, 4, 3, 2, 1}, width)
}

// CompareLegendLines is the whole compare legend in as few lines of at most
// width columns as it takes.
func (r *Renderer) CompareLegendLines(cellBytes float64, width int) []string {
	return wrapLegend(r.compareLegendParts(cellBytes), width)
}

// compareLegendParts are the legend's entries in reading order: the scale,
// each part with its ramp (one glyph without colour), the two states without
// change, and the cursor.
func (r *Renderer) compareLegendParts(cellBytes float64) []legendPart {
	t := r.compare()
	end := reset
	if r.theme.Mono {
		end = ""
	}
	swatch := func(glyphs string, n int, label string) legendPart {
		return legendPart{glyphs + end + " " + label, n + 1 + runeLen(label)}
	}
	scale := "1 cell = " + FormatSize(cellBytes)
	parts := []legendPart{{scale, runeLen(scale)}}
	for _, p := range Parts() {
		if r.theme.Mono {
			parts = append(parts, swatch(t.glyph[compareShade(p, CompareLevels)], 1, p.String()))
			continue
		}
		var ramp strings.Builder
		for l := 1; l <= CompareLevels; l++ {
			ramp.WriteString(t.glyph[compareShade(p, l)])
		}
		parts = append(parts, swatch(ramp.String(), CompareLevels, p.String()))
	}
	return append(parts,
		swatch(t.glyph[CompareUnchanged], 1, "unchanged in both"),
		swatch(t.glyph[CompareUnknown], 1, "not scanned by both"),
		swatch(t.glyph[CompareCursor], 1, "cursor"),
	)
}
