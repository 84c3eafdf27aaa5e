package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
)

// TimelineRow is one interval of a snapshot chain as the timeline shows it.
type TimelineRow struct {
	// Label names the interval, e.g. "S1→S2 01-05 01:30 → 01-06 01:30";
	// Short, when set, is what narrow panels show instead of cutting Label,
	// e.g. "S1→S2 01-05 → 01-06".
	Label, Short string
	// Map is the interval's change map; nil when it is not fetched (not
	// queryable, or not started). The strip draws it.
	Map *heatmap.ChangeMap
	// ChangedBytes and Extents are Map's changed bytes and merged extents
	// when the row was made (from its statistics, which cost the same at
	// any size): the chart shows them.
	ChangedBytes int64
	Extents      int
	// State says what is going on when the map is not complete: "loading
	// 40%", "fault: …", "no changeId at the older snapshot".
	State string
	// Flags are the "what looks wrong" marks on this interval.
	Flags []string
}

// TimelinePanel shows a disk's snapshot chain, one row per interval: as a
// chart (a bar of changed bytes each, with share and extent count) or as a
// strip (a one-line heatmap of the whole disk each, aligned, so a region that
// changes every night reads as a column).
type TimelinePanel struct {
	st     *Styles
	keys   keymap.Timeline
	r      *heatmap.Renderer
	rows   []TimelineRow
	cursor int
	strip  bool
	w, h   int
	top    int
	grid   heatmap.Grid
	out    strings.Builder
}

// NewTimelinePanel makes an empty panel.
func NewTimelinePanel(st *Styles, keys keymap.Timeline) *TimelinePanel {
	// The strip draws one data row per line, so it uses glyph-free
	// colour cells from a renderer of its own.
	return &TimelinePanel{st: st, keys: keys, r: heatmap.NewRenderer(st.Heatmap)}
}

// SetRows shows the intervals, keeping the cursor.
func (p *TimelinePanel) SetRows(rows []TimelineRow) {
	p.rows = rows
	p.cursor = min(p.cursor, max(len(rows)-1, 0))
}

// SetSize sets the panel's outer size.
func (p *TimelinePanel) SetSize(w, h int) { p.w, p.h = w, h }

// Cursor is the selected interval's index.
func (p *TimelinePanel) Cursor() int { return p.cursor }

// Strip reports whether the strip view is shown (else the chart).
func (p *TimelinePanel) Strip() bool { return p.strip }

// Update moves the cursor and switches views; it reports whether it used
// the key.
func (p *TimelinePanel) Update(msg tea.KeyPressMsg) bool {
	switch {
	case key.Matches(msg, p.keys.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(msg, p.keys.Down):
		p.cursor = min(p.cursor+1, max(len(p.rows)-1, 0))
	case key.Matches(msg, p.keys.View):
		p.strip = !p.strip
	default:
		return false
	}
	return true
}

// labelWidth is the width of the interval labels, and whether they are
// the short ones: the full labels when they fit a third of the panel, else
// the short ones when every row has one.
func (p *TimelinePanel) labelWidth() (int, bool) {
	limit := max(p.w/3, 8)
	full, short, shorts := 8, 8, true
	for _, r := range p.rows {
		full = max(full, Width(r.Label))
		short = max(short, Width(r.Short))
		shorts = shorts && r.Short != ""
	}
	if full <= limit || !shorts {
		return min(full, limit), false
	}
	return min(short, limit), true
}

// View draws the panel in exactly its size.
func (p *TimelinePanel) View() string {
	if p.w <= 0 || p.h <= 0 {
		return ""
	}
	title := " Timeline · chart "
	if p.strip {
		title = " Timeline · strip "
	}
	var b strings.Builder
	b.WriteString(FitLine(p.st.PanelTitleFocused.Render(title)+" "+p.st.Subtle.Render(fmt.Sprintf("%d intervals", len(p.rows))), p.w))
	rows := p.h - 1
	if p.strip {
		rows-- // the legend
	}
	// Keep the cursor in view.
	if p.cursor < p.top {
		p.top = p.cursor
	}
	if p.cursor >= p.top+rows {
		p.top = p.cursor - rows + 1
	}
	lw, short := p.labelWidth()
	var most int64
	for _, r := range p.rows {
		if r.Map != nil {
			most = max(most, r.ChangedBytes)
		}
	}
	for i := p.top; i < min(p.top+rows, len(p.rows)); i++ {
		b.WriteByte('\n')
		r := p.rows[i]
		mark := "  "
		if i == p.cursor {
			mark = p.st.Accent.Render("▶ ")
		}
		text := r.Label
		if short {
			text = r.Short
		}
		label := FitLine(text, lw)
		if i == p.cursor {
			label = p.st.Bold.Render(label)
		}
		rest := p.w - 2 - lw - 1
		var body string
		switch {
		case p.strip:
			body = p.stripLine(r, rest)
		default:
			body = p.chartLine(r, rest, most)
		}
		b.WriteString(FitLine(mark+label+" "+body, p.w))
	}
	if p.strip {
		b.WriteByte('\n')
		cb := 0.0
		if len(p.rows) > 0 && p.rows[0].Map != nil {
			cb = float64(p.rows[0].Map.Capacity()) / float64(max(p.w-2-lw-1, 1))
		}
		b.WriteString(p.r.Legend(cb, p.w))
	}
	return Fit(b.String(), p.w, p.h)
}

// chartLine is a bar of the interval's changed bytes against the chain's
// largest, then its figures and flags.
func (p *TimelinePanel) chartLine(r TimelineRow, width int, most int64) string {
	if r.Map == nil {
		return p.st.Muted.Render(r.State)
	}
	x := r.ChangedBytes
	figures := fmt.Sprintf(" %s · %.3g%% · %s extents", heatmap.FormatBytes(x), 100*float64(x)/float64(r.Map.Capacity()), groupDigits(int64(r.Extents)))
	if r.State != "" {
		figures += " · " + r.State
	}
	flags := ""
	for _, f := range r.Flags {
		flags += " " + p.st.Bad.Render("▲ "+f)
	}
	barW := max(min(width-Width(figures)-Width(flags), width/2), 4)
	n := 0
	if most > 0 {
		n = int((float64(x)/float64(most))*float64(barW) + 0.5)
		if x > 0 {
			n = max(n, 1)
		}
	}
	bar := p.st.BarFull.Render(strings.Repeat("█", n)) + p.st.BarEmpty.Render(strings.Repeat("░", barW-n))
	return bar + figures + flags
}

// stripLine is the interval's whole disk as one line of cells.
func (p *TimelinePanel) stripLine(r TimelineRow, width int) string {
	if r.Map == nil || width <= 0 {
		return p.st.Muted.Render(r.State)
	}
	if err := r.Map.GridInto(&p.grid, heatmap.Window{Start: 0, End: r.Map.Capacity()}, width, 1); err != nil {
		return p.st.Bad.Render(err.Error())
	}
	p.out.Reset()
	p.r.RenderTo(&p.out, &p.grid, -1)
	return p.out.String()
}
