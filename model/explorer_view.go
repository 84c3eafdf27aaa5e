package model

import (
	"fmt"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
)

// rect is a region of the screen.
type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool {
	return x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h
}

// explorerRects is where each part of the explorer goes, derived from the
// size and the focus every time: a narrow screen shows the focused panel,
// so a fault (which takes the focus) is on screen at any size.
type explorerRects struct {
	wide    bool // heatmap, table, inspector and details all shown
	heatmap rect
	table   rect
	cell    rect // the inspector
	side    rect // statistics or the fault
}

// bodyTop is the screen line the body starts on, under the header.
const bodyTop = 1

func (e *explorer) layoutRects() explorerRects {
	var l explorerRects
	w, h, y := e.w, e.h, bodyTop
	if w >= 90 && h >= 14 {
		l.wide = true
		sideW := min(max(w*2/7, 34), 56)
		leftW := w - sideW - 1
		tableH := min(max(h/3, 5), 14)
		l.heatmap = rect{0, y, leftW, h - tableH}
		l.table = rect{0, y + h - tableH, leftW, tableH}
		l.cell = rect{leftW + 1, y, sideW, 6}
		l.side = rect{leftW + 1, y + 6, sideW, h - 6}
		return l
	}
	switch e.focus {
	case panelHeatmap:
		if h >= 16 {
			l.heatmap = rect{0, y, w, h - 5}
			l.cell = rect{0, y + h - 5, w, 5}
		} else {
			l.heatmap = rect{0, y, w, h}
		}
	case panelExtents:
		l.table = rect{0, y, w, h}
	default:
		l.side = rect{0, y, w, h}
	}
	return l
}

func (e *explorer) SetSize(w, h int) {
	e.w, e.h = w, h
	e.layout()
}

// layout sizes the panels shown. Hidden panels keep their last size; the
// heatmap's cursor is a byte offset, so no size moves it.
func (e *explorer) layout() {
	l := e.layoutRects()
	if l.heatmap.w > 0 {
		e.hm.SetSize(l.heatmap.w, l.heatmap.h)
	}
	if l.table.w > 0 {
		e.table.SetSize(l.table.w, l.table.h)
	}
	if l.side.w > 0 {
		e.faultP.SetSize(l.side.w, l.side.h)
		e.statsP.SetSize(l.side.w, l.side.h)
	}
	e.hm.Focus(e.focus == panelHeatmap)
	e.table.Focus(e.focus == panelExtents)
	e.faultP.Focus(e.focus == panelDetails)
	e.statsP.Focus(e.focus == panelDetails)
	e.syncTable(true)
}

func (e *explorer) View() string {
	e.syncSummary()
	l := e.layoutRects()
	if l.wide {
		left := ui.JoinV(e.hm.View(), e.table.View())
		right := ui.JoinV(e.cellView(l.cell), e.sideView())
		gap := ui.Fit("", 1, e.h)
		return ui.JoinH(ui.Fit(left, l.heatmap.w, e.h), gap, ui.Fit(right, l.side.w, e.h))
	}
	switch {
	case l.heatmap.w > 0:
		out := e.hm.View()
		if l.cell.h > 0 {
			out = ui.JoinV(out, e.cellView(l.cell))
		}
		return ui.Fit(out, e.w, e.h)
	case l.table.w > 0:
		return ui.Fit(e.table.View(), e.w, e.h)
	}
	return ui.Fit(e.sideView(), e.w, e.h)
}

func (e *explorer) cellView(r rect) string {
	c, ok := e.hm.CursorCell()
	if !ok {
		return ui.Fit("", r.w, r.h)
	}
	i, j := e.sweep.Map.ExtentsIn(c.Start, c.End)
	return ui.InspectorView(e.c.st, c, j-i, r.w, r.h)
}

func (e *explorer) sideView() string {
	if e.sweep.Fault != nil {
		return e.faultP.View()
	}
	return e.statsP.View()
}

func (e *explorer) StatusLine(w int) string {
	st := e.c.st
	p := e.sweep.Progress
	switch {
	case e.loading:
		return ui.ProgressView(st, p, true, w)
	case e.sweep.Err != nil:
		return ui.FitLine(st.Bad.Render(" "+oneLine(e.sweep.Err.Error())), w)
	case e.opened != nil:
		state := "complete"
		if !e.sweep.Map.Complete() {
			state = fmt.Sprintf("INCOMPLETE: %s of %s scanned", heatmap.FormatBytes(p.Scanned), heatmap.FormatBytes(p.Total))
		}
		return ui.FitLine(st.Subtle.Render(" opened from a file · offline · "+state), w)
	case e.sweep.Fault != nil:
		return ui.FitLine(st.Bad.Render(fmt.Sprintf(" stopped by %s: %s of %s scanned · %d calls · r retries",
			oneLine(e.sweep.Fault.Type), heatmap.FormatBytes(p.Scanned), heatmap.FormatBytes(p.Total), p.Calls)), w)
	case !e.sweep.Map.Complete():
		return ui.FitLine(st.Warn.Render(fmt.Sprintf(" stopped: %s of %s scanned · r fetches the rest",
			heatmap.FormatBytes(e.sweep.Map.ScannedBytes(0, e.sweep.Map.Capacity())), heatmap.FormatBytes(e.sweep.Map.Capacity()))), w)
	}
	return ui.ProgressView(st, p, false, w)
}
