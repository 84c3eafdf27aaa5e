package model

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// markedMap is a map set aside with `c`, to compare with the next.
type markedMap struct {
	label string
	m     *heatmap.ChangeMap
	disk  string
	// sweep is the fetch filling m; nil for a map read from a file.
	sweep *vsphere.Sweep
}

// loading reports whether pages may still arrive in the map.
func (mm markedMap) loading() bool { return mm.sweep != nil && !mm.sweep.Done }

// markMsg asks the root to set a map aside, or to compare it with the one
// set aside.
type markMsg struct{ m markedMap }

// compareBackMsg leaves the comparison.
type compareBackMsg struct{}

// compareView sets two maps of one disk against each other: a heatmap in
// which only-in-A, only-in-B and in-both read apart (colours, or glyphs
// without colour), the statistics of each part, and the extents of one part.
type compareView struct {
	c    *common
	w, h int

	a, b markedMap
	cmp  *heatmap.Comparison
	err  error
	r    *heatmap.Renderer
	grid heatmap.CompareGrid
	// gridFor is the size grid was laid out for: a comparison never
	// changes, so only a resize lays it out again.
	gridFor [2]int
	cursor  int64
	part    heatmap.Part
	out     strings.Builder
	// versions are the maps' versions when compared.
	versions [2]uint64
}

func newCompareView(c *common, a, b markedMap) *compareView {
	v := &compareView{c: c, a: a, b: b, r: heatmap.NewRenderer(c.st.Heatmap)}
	v.compare()
	return v
}

// compare sets the maps against each other as they are now.
func (v *compareView) compare() {
	v.cmp, v.err = heatmap.Compare(v.a.m, v.b.m)
	v.versions = [2]uint64{v.a.m.Version(), v.b.m.Version()}
	v.gridFor = [2]int{}
}

// moved reports whether a map changed since it was compared.
func (v *compareView) moved() bool {
	return v.versions != [2]uint64{v.a.m.Version(), v.b.m.Version()}
}

// sync compares again when a map moved on and no page can arrive any
// more. A comparison is a snapshot, a pass over both maps: made again at
// every frame while pages stream, it would cost a pass per frame, so a
// comparison made while a map loads stands (and says so) until it is in.
func (v *compareView) sync() {
	if v.moved() && !v.a.loading() && !v.b.loading() {
		v.compare()
	}
}

// openedCompare compares two saved exports.
func openedCompare(c *common, a, b *Opened) *compareView {
	name := func(o *Opened) string {
		x := o.Export
		return fmt.Sprintf("%s %s since %s", x.Disk.Name, shortID(x.SnapshotID), oneLine(x.ChangeID))
	}
	return newCompareView(c, markedMap{label: name(a), m: a.Map}, markedMap{label: name(b), m: b.Map})
}

func (v *compareView) SetSize(w, h int) { v.w, v.h = w, h }

// side is the width of the statistics beside the map.
func (v *compareView) side() int {
	if v.w < 90 {
		return 0
	}
	return min(max(v.w/3, 34), 56)
}

// layout lays the grid out for the current size, once per size.
func (v *compareView) layout() error {
	cols, rows := v.gridSize()
	if v.gridFor == [2]int{cols, rows} {
		return nil
	}
	if err := v.cmp.GridInto(&v.grid, heatmap.Window{Start: 0, End: v.cmp.Capacity()}, cols, rows); err != nil {
		return err
	}
	v.gridFor = [2]int{cols, rows}
	return nil
}

func (v *compareView) gridSize() (cols, rows int) {
	cols = max(v.w-v.side()-1, 1)
	rows = max(v.r.DataRows(v.h-4), 1) // title, A, B, legend
	if v.side() == 0 {
		rows = max(v.r.DataRows(v.h/2-4), 1)
	}
	return cols, rows
}

func (v *compareView) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if ok {
		v.sync()
	}
	if !ok || v.cmp == nil {
		if ok && key.Matches(kp, v.c.keys.Compare.Back) {
			return emit(compareBackMsg{})
		}
		return nil
	}
	k := v.c.keys.Compare
	cols, _ := v.gridSize()
	if err := v.layout(); err != nil {
		return sayErr(err)
	}
	at := max(v.grid.CellAt(v.cursor), 0)
	n := len(v.grid.Cells)
	switch {
	case key.Matches(kp, k.Left):
		at = max(at-1, 0)
	case key.Matches(kp, k.Right):
		at = min(at+1, n-1)
	case key.Matches(kp, k.Up):
		if at >= cols {
			at -= cols
		}
	case key.Matches(kp, k.Down):
		if at+cols < n {
			at += cols
		}
	case key.Matches(kp, k.Part):
		parts := heatmap.Parts()
		v.part = parts[(int(v.part)+1)%len(parts)]
		return nil
	case key.Matches(kp, k.Back):
		return emit(compareBackMsg{})
	default:
		return nil
	}
	v.cursor = v.grid.Cells[at].Start
	return nil
}

func (v *compareView) View() string {
	v.sync()
	st := v.c.st
	if v.err != nil {
		return ui.Fit("\n  "+st.Bad.Render("cannot compare: "+oneLine(v.err.Error())), v.w, v.h)
	}
	cols, _ := v.gridSize()
	if err := v.layout(); err != nil {
		return ui.Fit(st.Bad.Render(err.Error()), v.w, v.h)
	}
	v.out.Reset()
	v.r.RenderCompare(&v.out, &v.grid, max(v.grid.CellAt(v.cursor), 0))
	left := ui.FitLine(st.PanelTitleFocused.Render(" Compare ")+" "+st.Subtle.Render("whole disk")+v.loadingNote(), cols) + "\n" +
		ui.FitLine(st.Bold.Render("A ")+oneLine(v.a.label), cols) + "\n" +
		ui.FitLine(st.Bold.Render("B ")+oneLine(v.b.label), cols) + "\n" +
		v.out.String() + "\n" + v.r.CompareLegend(v.grid.CellBytes(), cols)
	if v.side() == 0 {
		return ui.Fit(left+"\n"+v.sideText(v.w), v.w, v.h)
	}
	gap := ui.Fit("", 1, v.h)
	return ui.JoinH(ui.Fit(left, cols, v.h), gap, ui.Fit(v.sideText(v.side()), v.side(), v.h))
}

// loadingNote says that a map was compared while it loaded.
func (v *compareView) loadingNote() string {
	var which []string
	for _, s := range []struct {
		name string
		mm   markedMap
	}{{"A", v.a}, {"B", v.b}} {
		if s.mm.loading() {
			which = append(which, s.name)
		}
	}
	if len(which) == 0 {
		return ""
	}
	return v.c.st.Warn.Render(" · " + strings.Join(which, " and ") + " still loading: compared as it was, again when it is in")
}

// sideText is the statistics of each part, then the extents of the chosen
// part.
func (v *compareView) sideText(w int) string {
	st := v.c.st
	s := v.cmp.Stats()
	var b strings.Builder
	b.WriteString(st.PanelTitle.Render(" Parts "))
	for _, p := range heatmap.Parts() {
		ps := s.Part(p)
		mark := "  "
		if p == v.part {
			mark = st.Accent.Render("▶ ")
		}
		fmt.Fprintf(&b, "\n%s%-20s %9s %6.3g%% %s ext", mark, p.String(), heatmap.FormatBytes(ps.Bytes), 100*ps.Share, groupDigitsModel(int64(ps.Extents)))
	}
	fmt.Fprintf(&b, "\n  %-20s %9s", "unchanged in both", heatmap.FormatBytes(s.UnchangedBytes))
	fmt.Fprintf(&b, "\n  %-20s %9s", "unknown", heatmap.FormatBytes(s.UnknownBytes))
	b.WriteString("\n\n" + st.PanelTitle.Render(" Extents ") + " " + st.Subtle.Render(v.part.String()+" · p for another part"))
	shown := 0
	for x := range v.cmp.Extents(v.part, 0, v.cmp.Capacity()) {
		if shown >= max(v.h-14, 3) {
			fmt.Fprintf(&b, "\n  … %s more", groupDigitsModel(int64(v.cmp.Len(v.part)-shown)))
			break
		}
		fmt.Fprintf(&b, "\n  %15s  %9s", groupDigitsModel(x.Start), heatmap.FormatBytes(x.Length))
		shown++
	}
	if shown == 0 {
		b.WriteString("\n  " + st.Muted.Render("none"))
	}
	return ui.Fit(b.String(), w, v.h)
}

func groupDigitsModel(v int64) string {
	s := fmt.Sprint(v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (v *compareView) StatusLine(w int) string {
	if v.cmp == nil {
		return ui.FitLine("", w)
	}
	c, ok := v.cellUnderCursor()
	if !ok {
		return ui.FitLine("", w)
	}
	return ui.FitLine(v.c.st.Subtle.Render(fmt.Sprintf(" cell %s: only A %s · only B %s · both %s",
		ui.RangeString(c.Start, c.End), heatmap.FormatBytes(c.Parts[heatmap.PartOnlyA]), heatmap.FormatBytes(c.Parts[heatmap.PartOnlyB]), heatmap.FormatBytes(c.Parts[heatmap.PartBoth]))), w)
}

func (v *compareView) cellUnderCursor() (heatmap.CompareCell, bool) {
	if k := v.grid.CellAt(v.cursor); k >= 0 && k < len(v.grid.Cells) {
		return v.grid.Cells[k], true
	}
	return heatmap.CompareCell{}, false
}

func (v *compareView) ShortHelp() []key.Binding {
	k := v.c.keys
	return []key.Binding{k.Compare.Right, k.Compare.Down, k.Compare.Part, k.Compare.Back, k.Global.Help, k.Global.Quit}
}

func (v *compareView) FullHelp() [][]key.Binding {
	k := v.c.keys
	return [][]key.Binding{k.Compare.All(), {k.Global.Help, k.Global.Quit}}
}

func (v *compareView) Typing() bool { return false }
