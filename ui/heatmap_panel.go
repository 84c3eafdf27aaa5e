package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
)

// HeatmapPanel draws a window of the change map as a grid of cells with a
// cursor, offsets down the side, a zoom breadcrumb and a legend. Enter zooms
// into the cursor's cell; esc zooms back out.
//
// The cursor and the zoom are byte offsets, never cell indexes: cells are
// derived from them at each size, so a resize cannot move what the user is
// looking at.
type HeatmapPanel struct {
	st   *Styles
	keys keymap.Heatmap
	r    *heatmap.Renderer

	m      *heatmap.ChangeMap
	zoom   []heatmap.Window // zoom[0] is the whole disk
	cursor int64            // the byte under the cursor, inside the window
	w, h   int
	focus  bool

	grid     heatmap.Grid
	gridKey  gridKey
	gridOK   bool
	gridErr  error
	rendered strings.Builder
}

type gridKey struct {
	version    uint64
	win        heatmap.Window
	cols, rows int
}

// NewHeatmapPanel makes a panel; SetMap gives it something to show.
func NewHeatmapPanel(st *Styles, keys keymap.Heatmap) *HeatmapPanel {
	return &HeatmapPanel{st: st, keys: keys, r: heatmap.NewRenderer(st.Heatmap)}
}

// SetMap shows a new map, zoomed out, the cursor at its start.
func (p *HeatmapPanel) SetMap(m *heatmap.ChangeMap) {
	p.m = m
	p.zoom = []heatmap.Window{{Start: 0, End: m.Capacity()}}
	p.cursor = 0
	p.gridOK = false
}

// SetSize sets the panel's outer size. The cursor keeps its byte.
func (p *HeatmapPanel) SetSize(w, h int) { p.w, p.h = w, h }

// Focus says whether keys go to this panel.
func (p *HeatmapPanel) Focus(on bool) { p.focus = on }

// gutterWidth is the width of the offset labels left of the grid, and
// none on a narrow panel.
func (p *HeatmapPanel) gutterWidth() int {
	if p.w < 30 {
		return 0
	}
	return axisLabelWidth + 1
}

// Cols is the number of cells across.
func (p *HeatmapPanel) Cols() int { return max(p.w-p.gutterWidth(), 1) }

// DataRows is the number of grid rows drawn (two per line in colour).
func (p *HeatmapPanel) DataRows() int { return max(p.r.DataRows(p.h-1-p.legendRows()), 1) }

// legendRows is how many lines the legend takes: all of it, so that every
// state is explained, when the grid keeps at least three lines; else one.
func (p *HeatmapPanel) legendRows() int {
	cols := max(p.w-p.gutterWidth(), 1)
	est := float64(p.Window().Len()) / float64(cols*max(p.r.DataRows(p.h-2), 1))
	if n := len(p.r.LegendLines(est, p.w)); n > 1 && p.h-1-n >= 3 {
		return n
	}
	return 1
}

func (p *HeatmapPanel) cells() int { return p.Cols() * p.DataRows() }

// Window is the byte range shown.
func (p *HeatmapPanel) Window() heatmap.Window {
	if len(p.zoom) == 0 {
		return heatmap.Window{}
	}
	return p.zoom[len(p.zoom)-1]
}

// Depth is how far zoomed in the panel is; 0 is the whole disk.
func (p *HeatmapPanel) Depth() int { return max(len(p.zoom)-1, 0) }

// Grid is the current grid, computed when the map, window or size changed.
func (p *HeatmapPanel) Grid() *heatmap.Grid {
	if p.m == nil {
		return nil
	}
	k := gridKey{p.m.Version(), p.Window(), p.Cols(), p.DataRows()}
	if !p.gridOK || k != p.gridKey {
		p.gridErr = p.m.GridInto(&p.grid, k.win, k.cols, k.rows)
		p.gridKey, p.gridOK = k, true
	}
	if p.gridErr != nil {
		return nil
	}
	return &p.grid
}

// Cursor is the byte under the cursor.
func (p *HeatmapPanel) Cursor() int64 { return p.cursor }

// cursorIndex is the index of the cell under the cursor in g.
func (p *HeatmapPanel) cursorIndex(g *heatmap.Grid) int {
	return max(g.CellAt(p.cursor), 0)
}

// CursorCell is the cell under the cursor.
func (p *HeatmapPanel) CursorCell() (heatmap.Cell, bool) {
	g := p.Grid()
	if g == nil || len(g.Cells) == 0 {
		return heatmap.Cell{}, false
	}
	return g.Cells[p.cursorIndex(g)], true
}

// MoveToOffset puts the cursor on byte off, zooming out until the window
// holds it.
func (p *HeatmapPanel) MoveToOffset(off int64) {
	if p.m == nil || off < 0 || off >= p.m.Capacity() {
		return
	}
	for len(p.zoom) > 1 && (off < p.Window().Start || off >= p.Window().End) {
		p.zoom = p.zoom[:len(p.zoom)-1]
	}
	p.cursor = off
}

// ZoomTo shows [w.Start, w.End) across the panel (widened to a byte per
// cell if smaller), one level below the window that holds it, with the
// cursor on its first byte.
func (p *HeatmapPanel) ZoomTo(w heatmap.Window) {
	if p.m == nil || w.Start < 0 || w.End > p.m.Capacity() || w.Start >= w.End {
		return
	}
	if n := int64(p.cells()); w.Len() < n {
		w.End = min(w.Start+n, p.m.Capacity())
		w.Start = max(w.End-n, 0)
	}
	for len(p.zoom) > 1 && (w.Start < p.Window().Start || w.End > p.Window().End) {
		p.zoom = p.zoom[:len(p.zoom)-1]
	}
	if w != p.Window() {
		p.zoom = append(p.zoom, w)
	}
	p.cursor = max(p.cursor, w.Start)
	if p.cursor >= w.End {
		p.cursor = w.Start
	}
}

// Click moves the cursor to the cell at (x, y), relative to the panel.
func (p *HeatmapPanel) Click(x, y int) {
	x -= p.gutterWidth()
	row := y - 1 // the line under the panel title
	if !p.r.Mono() {
		row *= 2 // two rows of cells per line
	}
	g := p.Grid()
	if g == nil || x < 0 || x >= p.Cols() || row < 0 || row >= p.DataRows() {
		return
	}
	p.cursor = g.Cells[row*p.Cols()+x].Start
}

// ZoomIn shows the cursor's cell across the whole panel. It stops where a
// cell would cover less than a byte.
func (p *HeatmapPanel) ZoomIn() bool {
	c, ok := p.CursorCell()
	if !ok || c.Len() < int64(p.cells()) {
		return false
	}
	p.zoom = append(p.zoom, heatmap.Window{Start: c.Start, End: c.End})
	return true
}

// ZoomOut goes back one level, keeping the cursor on its byte; it reports
// false at the top.
func (p *HeatmapPanel) ZoomOut() bool {
	if len(p.zoom) <= 1 {
		return false
	}
	p.zoom = p.zoom[:len(p.zoom)-1]
	return true
}

// Update handles the panel's keys. It reports whether it used the key;
// ZoomOut at the top is left to the caller (it means "back").
func (p *HeatmapPanel) Update(msg tea.KeyPressMsg) bool {
	g := p.Grid()
	if g == nil {
		return false
	}
	cols, n := g.Cols, len(g.Cells)
	k := p.cursorIndex(g)
	rowsPerPage := max(g.Rows-1, 1)
	to := k
	switch {
	case key.Matches(msg, p.keys.Left):
		to = max(k-1, 0)
	case key.Matches(msg, p.keys.Right):
		to = min(k+1, n-1)
	case key.Matches(msg, p.keys.Up):
		if k >= cols {
			to = k - cols
		}
	case key.Matches(msg, p.keys.Down):
		if k+cols < n {
			to = k + cols
		}
	case key.Matches(msg, p.keys.PageUp):
		to = max(k-rowsPerPage*cols, k%cols)
	case key.Matches(msg, p.keys.PageDown):
		for to+cols < n && rowsPerPage > 0 {
			to += cols
			rowsPerPage--
		}
	case key.Matches(msg, p.keys.Home):
		to = 0
	case key.Matches(msg, p.keys.End):
		to = n - 1
	case key.Matches(msg, p.keys.NextChange):
		to = changedFrom(g, k, 1)
	case key.Matches(msg, p.keys.PrevChange):
		to = changedFrom(g, k, -1)
	case key.Matches(msg, p.keys.ZoomIn):
		p.ZoomIn()
		return true
	case key.Matches(msg, p.keys.ZoomOut):
		return p.ZoomOut()
	default:
		return false
	}
	if to != k {
		p.cursor = g.Cells[to].Start
	}
	return true
}

// changedFrom finds the next changed cell after k in direction dir (+1 or
// -1), wrapping around the grid; k itself when there is none.
func changedFrom(g *heatmap.Grid, k, dir int) int {
	n := len(g.Cells)
	for i := 1; i <= n; i++ {
		j := ((k+dir*i)%n + n) % n
		if g.Cells[j].Changed > 0 {
			return j
		}
	}
	return k
}

// Breadcrumb is the zoom path: "whole disk › 1.2 GiB–1.4 GiB › …".
func (p *HeatmapPanel) Breadcrumb() string {
	parts := []string{"whole disk"}
	for _, w := range p.zoom[min(1, len(p.zoom)):] {
		parts = append(parts, RangeString(w.Start, w.End))
	}
	return strings.Join(parts, " › ")
}

// RangeString is a byte range in human units, or, when human units would
// not tell its ends apart, as the exact start and a human length.
func RangeString(start, end int64) string {
	if fine(start, end-start) {
		return fmt.Sprintf("%s +%s", groupDigits(start), heatmap.FormatBytes(end-start))
	}
	return fmt.Sprintf("%s–%s", heatmap.FormatBytes(start), heatmap.FormatBytes(end))
}

// fine reports whether a span is too small next to its offset for three
// significant digits to resolve it.
func fine(offset, span int64) bool { return span < offset/200 }

// View draws the panel in exactly its size.
func (p *HeatmapPanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	title := p.st.PanelTitle
	if p.focus {
		title = p.st.PanelTitleFocused
	}
	head := title.Render(" Heatmap ") + " " + p.st.Subtle.Render(p.Breadcrumb())
	g := p.Grid()
	if g == nil {
		return Fit(head+"\n"+p.st.Muted.Render("no map"), p.w, p.h)
	}
	p.rendered.Reset()
	p.r.RenderTo(&p.rendered, g, p.cursorIndex(g))
	lines := strings.Split(p.rendered.String(), "\n")
	gw := p.gutterWidth()
	rowsPerLine := 2
	if p.r.Mono() {
		rowsPerLine = 1
	}
	var labels []string
	if gw > 0 {
		var offs []int64
		for i := range lines {
			if k := i * rowsPerLine * g.Cols; k < len(g.Cells) {
				offs = append(offs, g.Cells[k].Start)
			}
		}
		labels = AxisLabels(offs, g.Window)
	}
	var b strings.Builder
	b.WriteString(FitLine(head, p.w))
	for i, l := range lines {
		b.WriteByte('\n')
		if gw > 0 {
			label := ""
			if i < len(labels) {
				label = labels[i]
			}
			b.WriteString(p.st.Muted.Render(fmt.Sprintf("%*s ", gw-1, label)))
		}
		b.WriteString(l)
	}
	if n := p.legendRows(); n > 1 {
		for _, l := range p.r.LegendLines(g.CellBytes(), p.w) {
			b.WriteByte('\n')
			b.WriteString(l)
		}
	} else {
		b.WriteByte('\n')
		b.WriteString(p.r.Legend(g.CellBytes(), p.w))
	}
	return Fit(b.String(), p.w, p.h)
}
