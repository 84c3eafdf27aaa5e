package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// Summary is what the statistics panel shows.
type Summary struct {
	Stats    heatmap.Stats
	Largest  []heatmap.Extent // a few, largest first
	Progress vsphere.Progress
	Loading  bool
}

// StatsPanel shows a map's statistics, wrapped to its width; it scrolls
// when they are longer than the panel.
type StatsPanel struct {
	st     *Styles
	s      Summary
	focus  bool
	w, h   int
	scroll scrollView
}

// NewStatsPanel makes a panel scrolled by keys; SetSummary fills it.
func NewStatsPanel(st *Styles, keys keymap.Details) *StatsPanel {
	return &StatsPanel{st: st, scroll: scrollView{keys: keys}}
}

// SetSummary shows new statistics, keeping the scroll position (they are
// refreshed as pages arrive).
func (p *StatsPanel) SetSummary(s Summary) {
	p.s = s
	p.build()
}

// SetSize sets the panel's outer size.
func (p *StatsPanel) SetSize(w, h int) {
	if w != p.w {
		p.w = w
		p.build()
	}
	p.h = h
	p.scroll.setHeight(h)
}

// Focus says whether keys go to the panel.
func (p *StatsPanel) Focus(on bool) { p.focus = on }

// Update scrolls for the details keys and reports whether it used msg.
func (p *StatsPanel) Update(msg tea.KeyPressMsg) bool { return p.scroll.update(msg) }

// View draws the panel in exactly its size.
func (p *StatsPanel) View() string {
	title := p.st.PanelTitle
	if p.focus {
		title = p.st.PanelTitleFocused
	}
	head := title.Render(" Statistics ")
	if p.s.Loading {
		head += " " + p.st.Warn.Render("loading…")
	}
	return p.scroll.view(p.st, head, p.w, p.h)
}

// StatsView draws the statistics in exactly w×h from their top: the panel,
// for callers that keep no panel.
func StatsView(st *Styles, s Summary, focused bool, w, h int) string {
	p := NewStatsPanel(st, keymap.DefaultDetails())
	p.SetSummary(s)
	p.Focus(focused)
	p.SetSize(w, h)
	return p.View()
}

func (p *StatsPanel) build() {
	if p.w <= 0 {
		p.scroll.setLines(nil)
		return
	}
	st, w := p.st, p.w
	label := func(l string) string { return st.Subtle.Render(fmt.Sprintf("%-10s", l)) }
	x := p.s.Stats
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s %s", label("changed"), st.Bold.Render(heatmap.FormatBytes(x.ChangedBytes)),
		st.Subtle.Render(fmt.Sprintf("(%.3g%% of %s)", 100*x.ChangedShare, heatmap.FormatBytes(x.Capacity))))
	if x.ScannedBytes < x.Capacity {
		fmt.Fprintf(&b, "\n%s%s of %s", label("scanned"), heatmap.FormatBytes(x.ScannedBytes), heatmap.FormatBytes(x.Capacity))
	}
	if x.FaultedBytes > 0 {
		fmt.Fprintf(&b, "\n%s%s", label("faulted"), st.Bad.Render(heatmap.FormatBytes(x.FaultedBytes)+" not scanned"))
	}
	fmt.Fprintf(&b, "\n%s%s merged", label("extents"), groupDigits(int64(x.Extents)))
	if x.ReportedExtents != int64(x.Extents) {
		fmt.Fprintf(&b, "\n%s%s as returned", label(""), groupDigits(x.ReportedExtents))
	}
	if x.Extents > 0 {
		fmt.Fprintf(&b, "\n%s%s / %s / %s", label("sizes"),
			heatmap.FormatBytes(x.MinExtent), heatmap.FormatBytes(x.MedianExtent), heatmap.FormatBytes(x.MaxExtent))
		fmt.Fprintf(&b, "\n%s%s", label(""), st.Subtle.Render("min / median / max"))
	}
	fmt.Fprintf(&b, "\n%s%s", label("CBT block"), blockText(st, x))
	pr := p.s.Progress
	if pr.Calls > 0 {
		fmt.Fprintf(&b, "\n%s%d pages · %d calls", label("fetch"), pr.Pages, pr.Calls)
		if pr.Retries > 0 {
			fmt.Fprintf(&b, " · %d retries", pr.Retries)
		}
		fmt.Fprintf(&b, " · %s", pr.Elapsed.Round(10*time.Millisecond))
	}
	if hist := histogramLines(st, x, w); len(hist) > 0 {
		b.WriteString("\n" + st.Subtle.Render("size histogram"))
		for _, l := range hist {
			b.WriteString("\n" + l)
		}
	}
	if len(p.s.Largest) > 0 {
		b.WriteString("\n" + st.Subtle.Render("largest extents (1–"+fmt.Sprint(len(p.s.Largest))+" zooms to one)"))
		for i, e := range p.s.Largest {
			fmt.Fprintf(&b, "\n%s %9s at %s", st.Key.Render(fmt.Sprintf("%d", i+1)), heatmap.FormatBytes(e.Length), groupDigits(e.Start))
		}
	}
	p.scroll.setLines(strings.Split(ansi.Wrap(b.String(), w, " "), "\n"))
}

// blockText is the inferred CBT block size with what it rests on, or why
// there is none: "64 KiB (inferred from 1,234 extents)", "unknown (too few
// extents: 2)".
func blockText(st *Styles, x heatmap.Stats) string {
	if x.BlockSize > 0 {
		return st.Accent.Render(heatmap.FormatBytes(x.BlockSize)) + " " +
			st.Subtle.Render(fmt.Sprintf("(inferred from %s extents)", groupDigits(int64(x.BlockEvidence))))
	}
	why := x.BlockUnknown
	if why == heatmap.BlockTooFewExtents {
		why += ": " + groupDigits(int64(x.BlockEvidence))
	}
	return "unknown " + st.Subtle.Render("("+why+")")
}

// histogramLines is one bar per power-of-two size class present.
func histogramLines(st *Styles, x heatmap.Stats, w int) []string {
	lo, hi := -1, -1
	var most int64
	for k, n := range x.Histogram {
		if n > 0 {
			if lo < 0 {
				lo = k
			}
			hi = k
			most = max(most, n)
		}
	}
	if lo < 0 {
		return nil
	}
	barW := max(w-22, 4)
	var out []string
	for k := lo; k <= hi; k++ {
		n := x.Histogram[k]
		if n == 0 {
			continue // empty size classes would push the rest off the panel
		}
		bar := int((n*int64(barW) + most - 1) / most)
		out = append(out, fmt.Sprintf("  %8s %s %s", heatmap.FormatBytes(int64(1)<<k),
			st.BarFull.Render(strings.Repeat("█", bar)), st.Subtle.Render(groupDigits(n))))
	}
	return out
}

// InspectorView describes the cell under the heatmap cursor.
func InspectorView(st *Styles, c heatmap.Cell, extents int, w, h int) string {
	var b strings.Builder
	b.WriteString(st.PanelTitle.Render(" Cell "))
	// One form at every zoom, as in the extent table: the exact first byte
	// and the size. Human-unit ends read alike once zoomed in.
	fmt.Fprintf(&b, "\n%s %s +%s", st.Subtle.Render("range  "), groupDigits(c.Start), heatmap.FormatBytes(c.Len()))
	fmt.Fprintf(&b, "\n%s %s", st.Subtle.Render("size   "), heatmap.FormatBytes(c.Len()))
	state := ""
	switch s := c.Shade(); {
	case s == heatmap.ShadeUnscanned:
		state = st.Warn.Render("not scanned yet")
	case s == heatmap.ShadePartial:
		state = st.Warn.Render(fmt.Sprintf("%.0f%% scanned, no change so far", 100*c.ScannedFraction()))
	case s == heatmap.ShadeFaulted:
		state = st.Bad.Render("not scanned: a fault stopped paging here")
	case s == heatmap.ShadeUnchanged:
		state = st.Good.Render("scanned, unchanged")
	default:
		state = st.Accent.Render(fmt.Sprintf("%s (%.3g%%)", heatmap.FormatBytes(c.Changed), 100*c.ChangedFraction()))
	}
	fmt.Fprintf(&b, "\n%s %s", st.Subtle.Render("changed"), state)
	fmt.Fprintf(&b, "\n%s %s", st.Subtle.Render("extents"), groupDigits(int64(extents)))
	return Fit(ansi.Wrap(b.String(), w, " "), w, h)
}
