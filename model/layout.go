package model

// rect is a region of the screen.
type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool {
	return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h
}

// layout is where each part of the screen goes at the current size.
type layout struct {
	tooSmall bool
	body     rect
	wide     bool // heatmap, table and side panel all shown
	heatmap  rect
	table    rect
	cell     rect // the inspector
	side     rect // statistics or the fault
}

// MinWidth and MinHeight are the smallest terminal cbtscope draws in.
const (
	MinWidth  = 40
	MinHeight = 12
)

// chrome is the header line above the body and the status and help lines
// below it.
const chrome = 3

func (m *Model) relayout() {
	l := layout{tooSmall: m.w < MinWidth || m.h < MinHeight}
	l.body = rect{0, 1, m.w, max(m.h-chrome, 0)}
	if m.picker != nil {
		m.picker.SetSize(l.body.w, l.body.h)
	}
	m.input.SetWidth(max(m.w-4, 10))
	m.help.SetWidth(m.w)
	b := l.body
	if b.w >= 90 && b.h >= 14 {
		l.wide = true
		sideW := min(max(b.w*2/7, 34), 56)
		leftW := b.w - sideW - 1
		tableH := min(max(b.h/3, 5), 14)
		l.heatmap = rect{0, b.y, leftW, b.h - tableH}
		l.table = rect{0, b.y + b.h - tableH, leftW, tableH}
		l.cell = rect{leftW + 1, b.y, sideW, 6}
		l.side = rect{leftW + 1, b.y + 6, sideW, b.h - 6}
	} else {
		switch m.focus {
		case panelHeatmap:
			if b.h >= 16 {
				l.heatmap = rect{0, b.y, b.w, b.h - 5}
				l.cell = rect{0, b.y + b.h - 5, b.w, 5}
			} else {
				l.heatmap = b
			}
		case panelExtents:
			l.table = b
		default:
			l.side = b
		}
	}
	m.layout = l
	// Hidden panels keep their last size so cursors stay meaningful.
	if l.heatmap.w > 0 {
		m.hm.SetSize(l.heatmap.w, l.heatmap.h)
	}
	if l.table.w > 0 {
		m.table.SetSize(l.table.w, l.table.h)
	}
}
