package ui

import (
	"strings"
	"unicode/utf8"

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
	lw := Width(line)
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

// Width is the display width of s. Heatmap lines are thousands of colour
// codes around one-column glyphs, drawn many times a second, so the common
// case (SGR codes, ASCII, Latin, arrows, box drawing and block glyphs) is
// counted directly; anything else goes to the full grapheme-aware measure.
func Width(s string) int {
	n := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c == 0x1b {
			// Skip an SGR sequence, ESC [ digits and separators m; leave
			// every other escape to the full parser.
			if i+1 < len(s) && s[i+1] == '[' {
				j := i + 2
				for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':') {
					j++
				}
				if j < len(s) && s[j] == 'm' {
					i = j + 1
					continue
				}
			}
			return ansi.StringWidth(s)
		}
		if c < 0x80 {
			if c < 0x20 || c == 0x7f {
				return ansi.StringWidth(s)
			}
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !narrow(r) {
			return ansi.StringWidth(s)
		}
		n++
		i += size
	}
	return n
}

// narrow reports runes known to take one column.
func narrow(r rune) bool {
	switch {
	case r >= 0xa0 && r < 0x300: // Latin-1 and Latin extended: ×, ·, é
		return true
	case r >= 0x2010 && r <= 0x2027, r >= 0x2030 && r <= 0x205e: // dashes, quotes, •, …, ›
		return true
	case r >= 0x2190 && r <= 0x21ff: // arrows
		return true
	case r >= 0x2500 && r <= 0x259f: // box drawing and block elements
		return true
	}
	return false
}
