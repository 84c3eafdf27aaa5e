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
type HeatmapPanel struct {
	st   *Styles
	keys keymap.Heatmap
	r    *heatmap.Renderer

	m      *heatmap.ChangeMap
	zoom   []heatmap.Window // zoom[0] is the whole disk
	cursor int              // cell index in the grid
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

// gutter is the width of the offset labels left of the grid.
const gutter = 10

// NewHeatmapPanel makes a panel; SetMap gives it something to show.
func NewHeatmapPanel(st *Styles, keys keymap.Heatmap) *HeatmapPanel {
	return &HeatmapPanel{st: st, keys: keys, r: heatmap.NewRenderer(st.Heatmap)}
}

// SetMap shows a new map, zoomed out.
func (p *HeatmapPanel) SetMap(m *heatmap.ChangeMap) {
	p.m = m
	p.zoom = []heatmap.Window{{Start: 0, End: m.Capacity()}}
	p.cursor = 0
	p.gridOK = false
}

// SetSize sets the panel's outer size.
func (p *HeatmapPanel) SetSize(w, h int) {
	p.w, p.h = w, h
	p.cursor = min(p.cursor, max(p.cells()-1, 0))
}

// Focus says whether keys go to this panel.
func (p *HeatmapPanel) Focus(on bool) { p.focus = on }

func (p *HeatmapPanel) gutterWidth() int {
	if p.w < 30 {
		return 0
	}
	return gutter
}

// Cols and DataRows are the grid's size.
func (p *HeatmapPanel) Cols() int { return max(p.w-p.gutterWidth(), 1) }

// DataRows is the number of grid rows drawn (two per line in colour).
func (p *HeatmapPanel) DataRows() int { return max(p.r.DataRows(p.h-2), 1) }

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

// CursorCell is the cell under the cursor.
func (p *HeatmapPanel) CursorCell() (heatmap.Cell, bool) {
	g := p.Grid()
	if g == nil || p.cursor >= len(g.Cells) {
		return heatmap.Cell{}, false
	}
	return g.Cells[p.cursor], true
}

// MoveToOffset puts the cursor on the cell holding byte off, if shown.
func (p *HeatmapPanel) MoveToOffset(off int64) {
	if g := p.Grid(); g != nil {
		if k := g.CellAt(off); k >= 0 {
			p.cursor = k
		}
	}
}

// Click moves the cursor to the cell at (x, y), relative to the panel.
func (p *HeatmapPanel) Click(x, y int) {
	x -= p.gutterWidth()
	row := y - 1 // the line under the panel title
	if !p.r.Mono() {
		row *= 2 // two rows of cells per line
	}
	if x < 0 || x >= p.Cols() || row < 0 || row >= p.DataRows() {
		return
	}
	p.cursor = row*p.Cols() + x
}

// ZoomIn shows the cursor's cell across the whole panel. It stops where a
// cell would cover less than a byte.
func (p *HeatmapPanel) ZoomIn() bool {
	c, ok := p.CursorCell()
	if !ok || c.Len() < int64(p.cells()) {
		return false
	}
	p.zoom = append(p.zoom, heatmap.Window{Start: c.Start, End: c.End})
	p.cursor = 0
	return true
}

// ZoomOut goes back one level, keeping the cursor on the cell zoomed from;
// it reports false at the top.
func (p *HeatmapPanel) ZoomOut() bool {
	if len(p.zoom) <= 1 {
		return false
	}
	from := p.Window()
	p.zoom = p.zoom[:len(p.zoom)-1]
	p.gridOK = false
	p.MoveToOffset(from.Start)
	return true
}

// Update handles the panel's keys. It reports whether it used the key, and
// ZoomOut at the top is left to the caller (it means "back").
func (p *HeatmapPanel) Update(msg tea.KeyPressMsg) bool {
	cols, n := p.Cols(), p.cells()
	rowsPerPage := max(p.DataRows()-1, 1)
	switch {
	case key.Matches(msg, p.keys.Left):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, p.keys.Right):
		p.cursor = min(p.cursor+1, n-1)
	case key.Matches(msg, p.keys.Up):
		if p.cursor >= cols {
			p.cursor -= cols
		}
	case key.Matches(msg, p.keys.Down):
		if p.cursor+cols < n {
			p.cursor += cols
		}
	case key.Matches(msg, p.keys.PageUp):
		p.cursor = max(p.cursor-rowsPerPage*cols, p.cursor%cols)
	case key.Matches(msg, p.keys.PageDown):
		for p.cursor+cols < n && rowsPerPage > 0 {
			p.cursor += cols
			rowsPerPage--
		}
	case key.Matches(msg, p.keys.Home):
		p.cursor = 0
	case key.Matches(msg, p.keys.End):
		p.cursor = n - 1
	case key.Matches(msg, p.keys.NextChange):
		p.nextChange()
	case key.Matches(msg, p.keys.ZoomIn):
		p.ZoomIn()
	case key.Matches(msg, p.keys.ZoomOut):
		return p.ZoomOut()
	default:
		return false
	}
	return true
}

func (p *HeatmapPanel) nextChange() {
	g := p.Grid()
	if g == nil {
		return
	}
	n := len(g.Cells)
	for i := 1; i <= n; i++ {
		k := (p.cursor + i) % n
		if g.Cells[k].Changed > 0 {
			p.cursor = k
			return
		}
	}
}

// Breadcrumb is the zoom path: "disk › 1.2 GiB–1.4 GiB › …".
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

// OffsetLabel is an offset inside a window, as the heatmap's side labels
// show it: human units, or relative to the window's start ("+1.5 MiB") when
// the window is too narrow for absolute human units to differ.
func OffsetLabel(off int64, w heatmap.Window) string {
	if fine(w.Start, w.Len()) {
		return "+" + heatmap.FormatBytes(off-w.Start)
	}
	return heatmap.FormatBytes(off)
}

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
	p.r.RenderTo(&p.rendered, g, p.cursor)
	lines := strings.Split(p.rendered.String(), "\n")
	gw := p.gutterWidth()
	var b strings.Builder
	b.WriteString(FitLine(head, p.w))
	rowsPerLine := 2
	if p.r.Mono() {
		rowsPerLine = 1
	}
	for i, l := range lines {
		b.WriteByte('\n')
		if gw > 0 {
			label := ""
			if k := i * rowsPerLine * g.Cols; k < len(g.Cells) {
				label = OffsetLabel(g.Cells[k].Start, g.Window)
			}
			b.WriteString(p.st.Muted.Render(fmt.Sprintf("%*s ", gw-1, label)))
		}
		b.WriteString(l)
	}
	b.WriteByte('\n')
	b.WriteString(p.r.Legend(g.CellBytes(), p.w))
	return Fit(b.String(), p.w, p.h)
}
