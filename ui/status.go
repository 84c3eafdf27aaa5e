package ui

import (
	"fmt"
	"strings"
	"time"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// ProgressView is one line: a bar and what the fetch has done.
func ProgressView(st *Styles, p vsphere.Progress, loading bool, w int) string {
	frac := 0.0
	if p.Total > 0 {
		frac = float64(p.Scanned) / float64(p.Total)
	}
	info := fmt.Sprintf(" %3.0f%% %s/%s · %d pages · %s extents · %s/s", 100*frac,
		heatmap.FormatBytes(p.Scanned), heatmap.FormatBytes(p.Total), p.Pages, groupDigits(p.Extents), heatmap.FormatSize(p.Rate()))
	if eta := p.ETA(); loading && eta > 0 {
		info += " · ETA " + eta.Round(100*time.Millisecond).String()
	}
	if !loading {
		info += " · done in " + p.Elapsed.Round(10*time.Millisecond).String()
	}
	barW := max(min(w/4, 30), 0)
	if w-Width(info) < barW+2 {
		barW = max(w-Width(info)-2, 0)
	}
	full := int(frac * float64(barW))
	bar := st.BarFull.Render(strings.Repeat("█", full)) + st.BarEmpty.Render(strings.Repeat("░", barW-full))
	return FitLine(bar+info, w)
}
