package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// Summary is what the statistics panel shows.
type Summary struct {
	Stats    heatmap.Stats
	Largest  []heatmap.Extent // a few, largest first
	Progress vsphere.Progress
	Loading  bool
}

// LargestExtents finds the n largest changed extents, largest first.
func LargestExtents(m *heatmap.ChangeMap, n int) []heatmap.Extent {
	var top []heatmap.Extent
	for e := range m.Extents(0, m.Capacity()) {
		if len(top) < n || e.Length > top[len(top)-1].Length {
			k := len(top)
			if len(top) < n {
				top = append(top, e)
			} else {
				k--
			}
			for k > 0 && top[k-1].Length < e.Length {
				top[k] = top[k-1]
				k--
			}
			top[k] = e
		}
	}
	return top
}

// StatsView draws the statistics in exactly w×h.
func StatsView(st *Styles, s Summary, focused bool, w, h int) string {
	title := st.PanelTitle
	if focused {
		title = st.PanelTitleFocused
	}
	label := func(l string) string { return st.Subtle.Render(fmt.Sprintf("%-10s", l)) }
	x := s.Stats
	var b strings.Builder
	b.WriteString(title.Render(" Statistics "))
	if s.Loading {
		b.WriteString(" " + st.Warn.Render("loading…"))
	}
	fmt.Fprintf(&b, "\n%s%s %s", label("changed"), st.Bold.Render(heatmap.FormatBytes(x.ChangedBytes)),
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
	if x.BlockSize > 0 {
		fmt.Fprintf(&b, "\n%s%s %s", label("CBT block"), st.Accent.Render(heatmap.FormatBytes(x.BlockSize)), st.Subtle.Render("(inferred)"))
	}
	p := s.Progress
	if p.Calls > 0 {
		fmt.Fprintf(&b, "\n%s%d pages · %d calls", label("fetch"), p.Pages, p.Calls)
		if p.Retries > 0 {
			fmt.Fprintf(&b, " · %d retries", p.Retries)
		}
		fmt.Fprintf(&b, " · %s", p.Elapsed.Round(10*time.Millisecond))
	}
	if hist := histogramLines(st, x, w); len(hist) > 0 {
		b.WriteString("\n" + st.Subtle.Render("size histogram"))
		for _, l := range hist {
			b.WriteString("\n" + l)
		}
	}
	if len(s.Largest) > 0 {
		b.WriteString("\n" + st.Subtle.Render("largest extents"))
		for _, e := range s.Largest {
			fmt.Fprintf(&b, "\n  %9s at %s", heatmap.FormatBytes(e.Length), heatmap.FormatBytes(e.Start))
		}
	}
	return Fit(ansi.Wrap(b.String(), w, " "), w, h)
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
	fmt.Fprintf(&b, "\n%s %s", st.Subtle.Render("range  "), RangeString(c.Start, c.End))
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
