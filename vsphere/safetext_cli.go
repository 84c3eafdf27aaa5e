package vsphere

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// safeTextCLI makes text from a server, a file or a user safe to print on
// one line: control characters (C0, DEL, C1), line and paragraph
// separators and bidirectional overrides are escaped (\r, \n, \t, \x1b,
// \u202e, …; invalid UTF-8 as \xNN), so no such text can move the cursor,
// recolour the terminal or start a line that looks like cbtscope's own. A
// value longer than max runes keeps its start and end with "…(N more)…"
// in between, so a 120 KB changeId costs a line, not pages; max <= 0 means
// no limit.
func safeTextCLI(s string, max int) string {
	n := utf8.RuneCountInString(s)
	if max <= 0 || n <= max {
		return escapeText(s)
	}
	head, tail := (max+1)/2, max/2
	hi := byteOffsetOfRune(s, head)
	ti := byteOffsetOfRune(s, n-tail)
	return escapeText(s[:hi]) + fmt.Sprintf("…(%d more)…", n-head-tail) + escapeText(s[ti:])
}

// byteOffsetOfRune is the byte offset where the k-th rune of s starts.
func byteOffsetOfRune(s string, k int) int {
	i := 0
	for j := 0; j < k && i < len(s); j++ {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

func escapeText(s string) string {
	clean := true
	for _, r := range s {
		if needsEscape(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case needsEscape(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func needsEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true // C0, DEL, C1 controls
	case r == 0x2028, r == 0x2029:
		return true // line and paragraph separators
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // bidirectional marks, embeddings, overrides and isolates
	case r == utf8.RuneError:
		return true // possibly an invalid byte: escapeText decides
	}
	return false
}
