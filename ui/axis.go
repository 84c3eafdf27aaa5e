package ui

import (
	"math"
	"strconv"

	"github.com/cbtscope/cbtscope/heatmap"
)

// axisLabelWidth is the widest offset label beside the heatmap.
const axisLabelWidth = 11

var axisUnits = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// AxisLabels names the offsets of the heatmap's rows so that no two read
// the same, at any zoom: absolute offsets in human units with as many
// decimals as it takes, or, when the window is too narrow for that, offsets
// relative to the window's start ("+1.25 MiB"), or exact relative bytes.
// Every label fits axisLabelWidth columns.
func AxisLabels(offs []int64, w heatmap.Window) []string {
	if len(offs) == 0 {
		return nil
	}
	last := offs[len(offs)-1]
	rel := make([]int64, len(offs))
	for i, o := range offs {
		rel[i] = o - w.Start
	}
	// The smallest step between rows: labels resolve it to a quarter.
	step := w.Len()
	for i := 1; i < len(offs); i++ {
		step = min(step, offs[i]-offs[i-1])
	}
	for _, try := range []struct {
		vals   []int64
		top    int64
		prefix string
	}{{offs, last, ""}, {rel, last - w.Start, "+"}} {
		u := unitOf(try.top)
		for d := 0; d <= 3; d++ {
			if d < 3 && math.Pow(1024, float64(u))*math.Pow(10, -float64(d)) > float64(step)/4 {
				continue
			}
			if out, ok := labelsIn(try.vals, u, d, try.prefix); ok {
				return out
			}
		}
	}
	out := make([]string, len(offs))
	for i, r := range rel {
		out[i] = "+" + strconv.FormatInt(r, 10)
	}
	return out
}

// unitOf is the largest binary unit not above v (bytes for v < 1024).
func unitOf(v int64) int {
	u := 0
	for v >= 1024 && u < len(axisUnits)-1 {
		v /= 1024
		u++
	}
	return u
}

// labelsIn formats vals in unit u with d decimals; ok when they are all
// distinct and fit.
func labelsIn(vals []int64, u, d int, prefix string) ([]string, bool) {
	if u == 0 && d > 0 {
		return nil, false
	}
	out := make([]string, len(vals))
	scale := math.Pow(1024, float64(u))
	for i, v := range vals {
		s := strconv.FormatFloat(float64(v)/scale, 'f', d, 64)
		out[i] = prefix + s + " " + axisUnits[u]
		if len(out[i]) > axisLabelWidth {
			return nil, false
		}
		if i > 0 && out[i] == out[i-1] {
			return nil, false
		}
	}
	return out, true
}
