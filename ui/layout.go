package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit makes s exactly w columns by h lines: long lines are cut, short ones
// padded, missing lines added, extra lines dropped. Every component's View
// goes through it, so layouts add up exactly.
func Fit(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	var b strings.Builder
	for i := 0; i < h; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(lines) {
			b.WriteString(FitLine(lines[i], w))
		} else {
			b.WriteString(strings.Repeat(" ", w))
		}
	}
	return b.String()
}

// FitLine makes one line exactly w columns.
func FitLine(line string, w int) string {
	lw := ansi.StringWidth(line)
	switch {
	case lw > w:
		line = ansi.Truncate(line, w, "")
		if lw = ansi.StringWidth(line); lw < w {
			line += strings.Repeat(" ", w-lw)
		}
		return line + "\x1b[m"
	case lw < w:
		return line + strings.Repeat(" ", w-lw)
	}
	return line
}

// JoinH puts blocks side by side; each must already be Fit to its width and
// the same height.
func JoinH(blocks ...string) string {
	if len(blocks) == 0 {
		return ""
	}
	split := make([][]string, len(blocks))
	h := 0
	for i, b := range blocks {
		split[i] = strings.Split(b, "\n")
		h = max(h, len(split[i]))
	}
	var b strings.Builder
	for y := 0; y < h; y++ {
		if y > 0 {
			b.WriteByte('\n')
		}
		for _, lines := range split {
			if y < len(lines) {
				b.WriteString(lines[y])
			}
		}
	}
	return b.String()
}

// JoinV stacks blocks.
func JoinV(blocks ...string) string {
	var parts []string
	for _, b := range blocks {
		if b != "" {
			parts = append(parts, b)
		}
	}
	return strings.Join(parts, "\n")
}

// Width is the display width of s.
func Width(s string) int { return ansi.StringWidth(s) }
