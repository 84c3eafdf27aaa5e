package heatmap

import (
	"fmt"
	"image/color"
	"strings"
	"sync"
)

// Theme says how each shade looks. A nil colour means the terminal's default.
type Theme struct {
	Empty, Unscanned, Partial, Faulted, Unchanged, Cursor color.Color
	// Ramp holds Levels colours, from "any change" to "all changed".
	Ramp [Levels]color.Color
	// Mono draws one data row per text row with glyphs instead of colours,
	// for terminals without colour or when NO_COLOR is set.
	Mono bool
	// Compare colours comparisons; when unset the dark palette is used.
	Compare ComparePalette
}

func hex(s string) color.Color {
	var r, g, b uint8
	fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{r, g, b, 0xff}
}

// DarkTheme suits terminals with a dark background: unknown is neutral grey,
// unchanged a quiet navy, change a ramp from violet to pale yellow, faults
// cyan, the cursor white.
func DarkTheme() Theme {
	return Theme{
		Unscanned: hex("#303030"),
		Partial:   hex("#585858"),
		Faulted:   hex("#26c6da"),
		Unchanged: hex("#14304a"),
		Cursor:    hex("#ffffff"),
		Ramp: [Levels]color.Color{
			hex("#5b2a86"), hex("#7f2b8e"), hex("#a3327f"), hex("#c8406c"),
			hex("#e65b4f"), hex("#f7842f"), hex("#fbb41f"), hex("#f9f871"),
		},
		Compare: DarkComparePalette(),
	}
}

// LightTheme suits terminals with a light background.
func LightTheme() Theme {
	return Theme{
		Unscanned: hex("#d0d0d0"),
		Partial:   hex("#a8a8a8"),
		Faulted:   hex("#0097a7"),
		Unchanged: hex("#cfe0f0"),
		Cursor:    hex("#00a651"),
		Ramp: [Levels]color.Color{
			hex("#c9b3e6"), hex("#b28ad6"), hex("#a35fb8"), hex("#b63f8c"),
			hex("#cf3c5c"), hex("#e0532c"), hex("#c9540a"), hex("#7a2800"),
		},
		Compare: LightComparePalette(),
	}
}

// MonoTheme draws with glyphs only.
func MonoTheme() Theme { return Theme{Mono: true} }

// monoGlyphs are the glyphs of each shade in Mono themes: change levels rise
// like a bar chart, so "how much" reads without colour.
var monoGlyphs = [numShades]string{
	ShadeEmpty:     " ",
	ShadeUnscanned: "░",
	ShadePartial:   "┄",
	ShadeFaulted:   "×",
	ShadeUnchanged: "·",
	ShadeCursor:    "◆",
	ShadeChanged:   "▁", ShadeChanged + 1: "▂", ShadeChanged + 2: "▃", ShadeChanged + 3: "▄",
	ShadeChanged + 4: "▅", ShadeChanged + 5: "▆", ShadeChanged + 6: "▇", ShadeChanged + 7: "█",
}

// Renderer turns grids into ANSI text. It pre-renders every pair of shades
// once, so drawing a frame is table look-ups and one string build: no
// per-cell styling calls.
type Renderer struct {
	theme Theme
	// pair[top*numShades+bottom] draws one text cell: the top data cell as
	// the foreground of "▀", the bottom one as its background.
	pair [numShades * numShades]string
	// pairGlyph is pair without its colour codes, for runs of one pair.
	pairGlyph [numShades * numShades]string
	// glyph[s] draws a shade alone (legend swatches, Mono cells).
	glyph [numShades]string

	// cmp holds the compare shades' tables, built on first use.
	cmp     *compareTables
	cmpOnce sync.Once
}

// NewRenderer builds a renderer for a theme.
func NewRenderer(t Theme) *Renderer {
	r := &Renderer{theme: t}
	for s := 0; s < numShades; s++ {
		if t.Mono {
			r.glyph[s] = monoGlyphs[s]
			continue
		}
		r.glyph[s] = fg(t.color(Shade(s))) + "█"
		if t.color(Shade(s)) == nil {
			r.glyph[s] = "\x1b[39m "
		}
	}
	if t.Mono {
		return r
	}
	for top := 0; top < numShades; top++ {
		for bot := 0; bot < numShades; bot++ {
			ct, cb := t.color(Shade(top)), t.color(Shade(bot))
			var s string
			switch {
			case ct == nil:
				// Draw the bottom half instead, so a default-coloured top
				// shows the terminal's own background.
				s = bg(nil) + fg(cb) + "▄"
				if cb == nil {
					s = bg(nil) + " "
				}
			default:
				s = fg(ct) + bg(cb) + "▀"
			}
			r.pair[top*numShades+bot] = s
			r.pairGlyph[top*numShades+bot] = s[strings.LastIndexByte(s, 'm')+1:]
		}
	}
	return r
}

// Mono reports whether the renderer draws glyphs rather than colours.
func (r *Renderer) Mono() bool { return r.theme.Mono }

func (t Theme) color(s Shade) color.Color {
	switch s {
	case ShadeEmpty:
		return t.Empty
	case ShadeUnscanned:
		return t.Unscanned
	case ShadePartial:
		return t.Partial
	case ShadeFaulted:
		return t.Faulted
	case ShadeUnchanged:
		return t.Unchanged
	case ShadeCursor:
		return t.Cursor
	}
	return t.Ramp[s.Level()-1]
}

func fg(c color.Color) string {
	if c == nil {
		return "\x1b[39m"
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("\x1b[38;2;%d;%d;%dm", r>>8, g>>8, b>>8)
}

func bg(c color.Color) string {
	if c == nil {
		return "\x1b[49m"
	}
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("\x1b[48;2;%d;%d;%dm", r>>8, g>>8, b>>8)
}

const reset = "\x1b[m"

// TextRows is how many lines Render draws for a grid of dataRows rows.
func (r *Renderer) TextRows(dataRows int) int {
	if r.theme.Mono {
		return dataRows
	}
	return (dataRows + 1) / 2
}

// DataRows is how many grid rows fit in textRows lines.
func (r *Renderer) DataRows(textRows int) int {
	if r.theme.Mono {
		return textRows
	}
	return 2 * textRows
}

// Render draws the grid, one line per text row, each exactly g.Cols columns
// wide, with the cell at index cursor highlighted (none when cursor < 0).
func (r *Renderer) Render(g *Grid, cursor int) string {
	var b strings.Builder
	r.RenderTo(&b, g, cursor)
	return b.String()
}

// RenderTo is Render writing into b.
func (r *Renderer) RenderTo(b *strings.Builder, g *Grid, cursor int) {
	shade := func(k int) Shade {
		if k == cursor {
			return ShadeCursor
		}
		return g.Cells[k].Shade()
	}
	if r.theme.Mono {
		b.Grow(g.Rows * (g.Cols*3 + 8))
		for y := 0; y < g.Rows; y++ {
			if y > 0 {
				b.WriteByte('\n')
			}
			for x := 0; x < g.Cols; x++ {
				k := y*g.Cols + x
				// The cursor is a glyph of its own: without colour a
				// terminal may also drop reverse video (TERM=dumb).
				b.WriteString(r.glyph[shade(k)])
			}
		}
		return
	}
	lines := (g.Rows + 1) / 2
	ps := make([]uint16, lines*g.Cols)
	for ty := range lines {
		top := 2 * ty * g.Cols
		for x := range g.Cols {
			sb := ShadeEmpty
			if 2*ty+1 < g.Rows {
				sb = shade(top + g.Cols + x)
			}
			ps[ty*g.Cols+x] = uint16(int(shade(top+x))*numShades + int(sb))
		}
	}
	writePairs(b, ps, lines, g.Cols, r.pair[:], r.pairGlyph[:])
}

// Legend is one line, at most width columns, saying what a cell covers and
// what each state looks like, e.g. "1 cell = 25.6 MiB  ▁▂▃▄▅▆▇█ changed
// any→all  █ unchanged  █ never scanned  █ partly scanned  █ fault
// █ cursor". When the line is narrow the least needed parts go first (the
// scale and the change ramp stay longest); LegendLines keeps them all.
func (r *Renderer) Legend(cellBytes float64, width int) string {
	return fitLegend(r.legendParts(cellBytes), legendDropFirst, width)
}

// LegendLines is the whole legend in as few lines of at most width columns
// as it takes: every state is always explained, for panels that can spare
// the lines. A part wider than the line is cut.
func (r *Renderer) LegendLines(cellBytes float64, width int) []string {
	return wrapLegend(r.legendParts(cellBytes), width)
}

// fitLegend joins parts into one line of at most width columns, dropping
// parts in the order dropFirst lists until it fits; parts[0], the scale, is
// kept, cut if it must be.
func fitLegend(parts []legendPart, dropFirst []int, width int) string {
	for _, k := range dropFirst {
		if total(parts) <= width {
			break
		}
		parts[k] = legendPart{}
	}
	if total(parts) > width {
		return truncateRunes(parts[0].text, width)
	}
	var b strings.Builder
	for _, p := range parts {
		if p.text == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("  ")
		}
		b.WriteString(p.text)
	}
	return b.String()
}

// wrapLegend lays parts out in as few lines of at most width columns as it
// takes; a part wider than the line is cut.
func wrapLegend(parts []legendPart, width int) []string {
	var lines []string
	var b strings.Builder
	used := 0
	for _, p := range parts {
		switch {
		case used == 0:
		case used+2+p.width <= width:
			b.WriteString("  ")
			used += 2
		default:
			lines = append(lines, b.String())
			b.Reset()
			used = 0
		}
		if p.width > width {
			// Only the scale is plain text; swatched parts are narrow.
			p = legendPart{truncateRunes(p.text, width), width}
		}
		b.WriteString(p.text)
		used += p.width
	}
	return append(lines, b.String())
}

// legendParts are the legend's entries in reading order: the scale, then
// one per state a cell can show.
func (r *Renderer) legendParts(cellBytes float64) []legendPart {
	end := reset
	if r.theme.Mono {
		end = ""
	}
	var ramp strings.Builder
	for l := 0; l < Levels; l++ {
		ramp.WriteString(r.glyph[ShadeChanged+Shade(l)])
	}
	ramp.WriteString(end)
	part := func(swatch, swatchW int, text string) legendPart {
		return legendPart{text, swatchW + 1 + runeLen(text)}
	}
	sw := func(s Shade, label string) legendPart {
		p := part(0, 1, label)
		p.text = r.glyph[s] + end + " " + label
		return p
	}
	scale := "1 cell = " + FormatSize(cellBytes)
	changed := part(0, Levels, "changed any→all")
	changed.text = ramp.String() + " changed any→all"
	cursor := part(0, 1, "cursor")
	cursor.text = r.cursorSwatch() + " cursor"
	return []legendPart{
		{scale, runeLen(scale)},
		changed,
		sw(ShadeUnchanged, "unchanged"),
		sw(ShadeUnscanned, "never scanned"),
		sw(ShadePartial, "partly scanned"),
		sw(ShadeFaulted, "fault"),
		cursor,
	}
}

// legendDropFirst lists legendParts indices in the order a narrow line
// drops them: partly scanned, the cursor, fault, never scanned, unchanged
// and the ramp; the scale stays.
var legendDropFirst = []int{4, 6, 5, 3, 2, 1}

// cursorSwatch draws the cursor as Render does: its own colour, or in Mono
// its own glyph.
func (r *Renderer) cursorSwatch() string {
	if r.theme.Mono {
		return r.glyph[ShadeCursor]
	}
	return r.glyph[ShadeCursor] + reset
}

type legendPart struct {
	text  string
	width int
}

// total is the width of the parts joined two spaces apart.
func total(parts []legendPart) int {
	n, k := 0, 0
	for _, p := range parts {
		if p.text != "" {
			n += p.width
			k++
		}
	}
	return n + 2*max(k-1, 0)
}

func runeLen(s string) int { return len([]rune(s)) }

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:max(n, 0)]
	}
	return string(r)
}
