package heatmap

import (
	"image/color"
	"strings"
)

// ComparePalette says how a comparison looks: a ramp of CompareLevels
// colours per part, from "any change" to "all changed", and the colours of
// cells without change and of the cursor.
type ComparePalette struct {
	Unknown, Unchanged, Cursor color.Color
	Parts                      [numParts][CompareLevels]color.Color
}

// DarkComparePalette suits dark backgrounds: A blue, B orange, both purple;
// a change whose other side is unknown is a greyed tone of its side's hue.
// Unchanged is a quiet green-grey, so it reads apart from A's blue.
func DarkComparePalette() ComparePalette {
	return ComparePalette{
		Unknown:   hex("#3a3a3a"),
		Unchanged: hex("#1e2b24"),
		Cursor:    hex("#ffffff"),
		Parts: [numParts][CompareLevels]color.Color{
			PartOnlyA:          {hex("#1f3f7a"), hex("#2d5fb0"), hex("#3f83e0"), hex("#7ab4ff")},
			PartOnlyB:          {hex("#7a3d10"), hex("#b05a14"), hex("#e07b1a"), hex("#ffb060")},
			PartBoth:           {hex("#4a2470"), hex("#7030a0"), hex("#9b45d0"), hex("#d08cff")},
			PartAWhereBUnknown: {hex("#2e3a4a"), hex("#3e5068"), hex("#56708f"), hex("#7f9bbd")},
			PartBWhereAUnknown: {hex("#4a3e2e"), hex("#68563e"), hex("#8f7656"), hex("#bda07f")},
		},
	}
}

// LightComparePalette suits light backgrounds: the same hues, darkening
// with the share of change.
func LightComparePalette() ComparePalette {
	return ComparePalette{
		Unknown:   hex("#d0d0d0"),
		Unchanged: hex("#e8f0ea"),
		Cursor:    hex("#00a651"),
		Parts: [numParts][CompareLevels]color.Color{
			PartOnlyA:          {hex("#b8d4f5"), hex("#7fb0ea"), hex("#3f7fd0"), hex("#1a4f9a")},
			PartOnlyB:          {hex("#f8cfa6"), hex("#f0a660"), hex("#d97a1e"), hex("#9a4f0a")},
			PartBoth:           {hex("#dcc1f0"), hex("#bb8ae0"), hex("#9050c8"), hex("#5e2492")},
			PartAWhereBUnknown: {hex("#d0d8e2"), hex("#aab8c8"), hex("#7f90a6"), hex("#556680")},
			PartBWhereAUnknown: {hex("#e2d8d0"), hex("#c8b8aa"), hex("#a6907f"), hex("#806655")},
		},
	}
}

func (p ComparePalette) color(s CompareShade) color.Color {
	switch s {
	case CompareEmpty:
		return nil
	case CompareUnknown:
		return p.Unknown
	case CompareUnchanged:
		return p.Unchanged
	case CompareCursor:
		return p.Cursor
	}
	part, _ := s.Part()
	return p.Parts[part][s.Level()-1]
}

// compareMonoPart are the parts' glyphs without colour: a letter for the
// side a change is only on, Greek for a side whose other one is unknown, a
// full block for both. Levels do not show without colour.
var compareMonoPart = [numParts]string{
	PartOnlyA: "a", PartOnlyB: "b", PartBoth: "█", PartAWhereBUnknown: "α", PartBWhereAUnknown: "β",
}

func compareMonoGlyph(s CompareShade) string {
	switch s {
	case CompareEmpty:
		return " "
	case CompareUnknown:
		return "░"
	case CompareUnchanged:
		return "·"
	case CompareCursor:
		return "◆"
	}
	p, _ := s.Part()
	return compareMonoPart[p]
}

// compareTables are Renderer's tables for compare shades, built the same
// way as its map tables.
type compareTables struct {
	pair      [numCompareShades * numCompareShades]string
	pairGlyph [numCompareShades * numCompareShades]string
	glyph     [numCompareShades]string
}

// compare returns the compare tables, building them on first use so that
// renderers that never draw a comparison do not pay for them.
func (r *Renderer) compare() *compareTables {
	r.cmpOnce.Do(func() {
		t := &compareTables{}
		pal := r.theme.Compare
		if pal.Parts[0][0] == nil {
			pal = DarkComparePalette()
		}
		for s := range numCompareShades {
			if r.theme.Mono {
				t.glyph[s] = compareMonoGlyph(CompareShade(s))
				continue
			}
			c := pal.color(CompareShade(s))
			t.glyph[s] = fg(c) + "█"
			if c == nil {
				t.glyph[s] = "\x1b[39m "
			}
		}
		if !r.theme.Mono {
			for top := range numCompareShades {
				for bot := range numCompareShades {
					ct, cb := pal.color(CompareShade(top)), pal.color(CompareShade(bot))
					var s string
					switch {
					case ct == nil && cb == nil:
						s = bg(nil) + " "
					case ct == nil:
						s = bg(nil) + fg(cb) + "▄"
					default:
						s = fg(ct) + bg(cb) + "▀"
					}
					t.pair[top*numCompareShades+bot] = s
					t.pairGlyph[top*numCompareShades+bot] = s[strings.LastIndexByte(s, 'm')+1:]
				}
			}
		}
		r.cmp = t
	})
	return r.cmp
}

// RenderCompare draws a compare grid into b as Render draws a map's grid:
// one line per text row, each exactly g.Cols columns wide, the cell at
// index cursor highlighted (none when cursor < 0).
func (r *Renderer) RenderCompare(b *strings.Builder, g *CompareGrid, cursor int) {
	t := r.compare()
	shade := func(k int) CompareShade {
		if k == cursor {
			return CompareCursor
		}
		return g.Cells[k].Shade()
	}
	if r.theme.Mono {
		b.Grow(g.Rows * (g.Cols*3 + 1))
		for y := range g.Rows {
			if y > 0 {
				b.WriteByte('\n')
			}
			for x := range g.Cols {
				b.WriteString(t.glyph[shade(y*g.Cols+x)])
			}
		}
		return
	}
	lines := (g.Rows + 1) / 2
	ps := make([]uint16, lines*g.Cols)
	for ty := range lines {
		top := 2 * ty * g.Cols
		for x := range g.Cols {
			sb := CompareEmpty
			if 2*ty+1 < g.Rows {
				sb = shade(top + g.Cols + x)
			}
			ps[ty*g.Cols+x] = uint16(int(shade(top+x))*numCompareShades + int(sb))
		}
	}
	writePairs(b, ps, lines, g.Cols, t.pair[:], t.pairGlyph[:])
}
