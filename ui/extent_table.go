package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
)

// ExtentTable lists the changed extents in the heatmap's window, in disk
// order or largest first, scrolling without copying the map.
type ExtentTable struct {
	st   *Styles
	keys keymap.Extents

	m      *heatmap.ChangeMap
	win    heatmap.Window
	bySize bool
	exact  bool
	hex    bool
	cursor int // row
	top    int // first row shown
	w, h   int
	focus  bool

	// sorted holds the largest extents of the window, largest first: as
	// many as the rows up to the cursor and the screen need, for the window
	// and map version it was made for. Only those are selected, so a frame
	// never sorts the whole window.
	sorted    []heatmap.Extent
	sortedKey gridKey
}

// NewExtentTable makes a table; SetMap and SetWindow give it rows.
func NewExtentTable(st *Styles, keys keymap.Extents) *ExtentTable {
	return &ExtentTable{st: st, keys: keys}
}

// SetMap shows a map's extents.
func (t *ExtentTable) SetMap(m *heatmap.ChangeMap) {
	t.m, t.cursor, t.top, t.sorted = m, 0, 0, nil
	t.win = heatmap.Window{Start: 0, End: m.Capacity()}
}

// SetWindow limits the rows to extents overlapping w.
func (t *ExtentTable) SetWindow(w heatmap.Window) {
	if w != t.win {
		t.win, t.cursor, t.top = w, 0, 0
	}
}

// SetSize sets the table's outer size.
func (t *ExtentTable) SetSize(w, h int) { t.w, t.h = w, h }

// Focus says whether keys go to the table.
func (t *ExtentTable) Focus(on bool) { t.focus = on }

// Len is the number of rows.
func (t *ExtentTable) Len() int {
	if t.m == nil {
		return 0
	}
	i, j := t.m.ExtentsIn(t.win.Start, t.win.End)
	return j - i
}

// extentAt is the extent on row, 0 <= row < Len().
func (t *ExtentTable) extentAt(row int) heatmap.Extent {
	if t.bySize {
		return t.largest(row + 1)[row]
	}
	i, _ := t.m.ExtentsIn(t.win.Start, t.win.End)
	return t.m.Extent(i + row)
}

// largest is at least the n largest extents of the window, largest first.
func (t *ExtentTable) largest(n int) []heatmap.Extent {
	k := gridKey{version: t.m.Version(), win: t.win}
	if t.sortedKey == k && len(t.sorted) >= min(n, t.Len()) && t.sorted != nil {
		return t.sorted
	}
	// Room for the screen below the cursor and a few pages of scrolling
	// before the next selection.
	want := max(n, t.top+t.rows()) + 4*t.rows()
	t.sorted, t.sortedKey = LargestIn(t.m, t.win, want), k
	return t.sorted
}

// Cursor is the extent under the cursor.
func (t *ExtentTable) Cursor() (heatmap.Extent, bool) {
	if t.cursor >= t.Len() {
		return heatmap.Extent{}, false
	}
	return t.extentAt(t.cursor), true
}

// SelectOffset puts the cursor on the first extent ending after off (in
// disk order; in size order the cursor stays).
func (t *ExtentTable) SelectOffset(off int64) {
	if t.m == nil || t.bySize {
		return
	}
	i, _ := t.m.ExtentsIn(t.win.Start, t.win.End)
	k, _ := t.m.ExtentsIn(max(off, t.win.Start), t.win.End)
	t.cursor = min(k-i, max(t.Len()-1, 0))
	t.scroll()
}

func (t *ExtentTable) rows() int { return max(t.h-2, 1) }

func (t *ExtentTable) scroll() {
	if t.cursor < t.top {
		t.top = t.cursor
	}
	if t.cursor >= t.top+t.rows() {
		t.top = t.cursor - t.rows() + 1
	}
}

// Update handles the table's keys and reports whether it used the key.
func (t *ExtentTable) Update(msg tea.KeyPressMsg) bool {
	n := t.Len()
	switch {
	case key.Matches(msg, t.keys.Up):
		t.cursor = max(t.cursor-1, 0)
	case key.Matches(msg, t.keys.Down):
		t.cursor = max(min(t.cursor+1, n-1), 0)
	case key.Matches(msg, t.keys.PageUp):
		t.cursor = max(t.cursor-t.rows(), 0)
	case key.Matches(msg, t.keys.PageDown):
		t.cursor = max(min(t.cursor+t.rows(), n-1), 0)
	case key.Matches(msg, t.keys.Home):
		t.cursor = 0
	case key.Matches(msg, t.keys.End):
		t.cursor = max(n-1, 0)
	case key.Matches(msg, t.keys.Sort):
		t.bySize = !t.bySize
		t.cursor, t.top = 0, 0
	case key.Matches(msg, t.keys.ExactBytes):
		t.exact = !t.exact
	case key.Matches(msg, t.keys.Hex):
		t.hex = !t.hex
	default:
		return false
	}
	t.scroll()
	return true
}

// offset writes a disk offset exactly, whatever the zoom: grouped bytes,
// or hex with 'x'. Human units would print neighbouring extents alike
// ("120 GiB" for both ends of a 64 KiB extent).
func (t *ExtentTable) offset(v int64) string {
	if t.hex {
		return "0x" + strconv.FormatInt(v, 16)
	}
	return groupDigits(v)
}

// size writes an extent's length: human units, which read at a glance and
// never need to tell neighbours apart, or exact bytes with 'b'.
func (t *ExtentTable) size(v int64) string {
	if t.exact {
		return groupDigits(v)
	}
	return heatmap.FormatBytes(v)
}

// columns are the widths of the row number, offset and length columns:
// wide enough for the largest value the map can hold in the current
// number form, so rows line up however far the table is scrolled.
func (t *ExtentTable) columns(rows int) (num, off, size int) {
	capacity := t.m.Capacity()
	num = max(len("#"), len(groupDigits(int64(rows))))
	off = max(len("start"), len(t.offset(capacity)))
	size = max(len("length"), len("1023 KiB")) // the widest FormatBytes
	if t.exact {
		size = max(size, len(groupDigits(capacity)))
	}
	return num, off, size
}

// groupDigits writes 1234567 as 1,234,567.
func groupDigits(v int64) string {
	s := strconv.FormatInt(v, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// View draws the table in exactly its size.
func (t *ExtentTable) View() string {
	if t.w <= 0 || t.h <= 0 {
		return ""
	}
	title := t.st.PanelTitle
	if t.focus {
		title = t.st.PanelTitleFocused
	}
	n := t.Len()
	order := "by offset"
	if t.bySize {
		order = "largest first"
	}
	var b strings.Builder
	b.WriteString(title.Render(" Extents ") + " " + t.st.Subtle.Render(fmt.Sprintf("%s in view · %s", groupDigits(int64(n)), order)))
	numW, offW, sizeW := 1, 5, 8
	if t.m != nil {
		numW, offW, sizeW = t.columns(n)
	}
	// The end is start + length: the first column to go when the table is
	// narrow, so what is shown stays aligned and whole.
	withEnd := numW+offW+sizeW+offW+3 <= t.w
	line := func(num, start, length, end string) string {
		l := fmt.Sprintf("%*s %*s %*s", numW, num, offW, start, sizeW, length)
		if withEnd {
			l += fmt.Sprintf(" %*s", offW, end)
		}
		return l
	}
	b.WriteString("\n" + t.st.Header.Render(line("#", "start", "length", "end")))
	for r := t.top; r < min(n, t.top+t.rows()); r++ {
		e := t.extentAt(r)
		l := line(groupDigits(int64(r+1)), t.offset(e.Start), t.size(e.Length), t.offset(e.End()))
		if r == t.cursor {
			l = t.st.Selected.Render(FitLine(l, t.w))
		}
		b.WriteString("\n" + l)
	}
	if n == 0 {
		b.WriteString("\n" + t.st.Muted.Render("  no changed extents here"))
	}
	return Fit(b.String(), t.w, t.h)
}
