package vsphere

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SafeText makes a string a server sent fit to print on a terminal line.
// Every character that could act on the terminal or on the layout around it
// is written out visibly instead: CR, LF and tab as \r, \n, \t; other C0
// and C1 controls, DEL and bytes that are not UTF-8 as \xNN; Unicode
// bidirectional overrides, isolates and marks and the line and paragraph
// separators as \uNNNN. So a faultstring cannot forge a line of output, move
// the cursor, retitle the window or reorder what is read after it.
//
// When max > 0 and the escaped text is longer than max runes, its middle is
// replaced by a marker saying how many characters were left out, e.g.
// "first…(118,000 more)…last": the ends of a long value (a path's start, a
// message's conclusion) are what tell it apart. An escape is never cut in
// half. The result is at most max + safeTextMarkerMax runes. Backslashes are
// kept as they are, so paths stay readable.
func SafeText(s string, max int) string {
	if !needsWork(s, max) {
		return s
	}
	if max <= 0 {
		var b strings.Builder
		b.Grow(len(s))
		for i := 0; i < len(s); {
			tok, n := nextToken(s[i:])
			b.WriteString(tok)
			i += n
		}
		return b.String()
	}
	var toks []string
	total := 0
	for i := 0; i < len(s); {
		tok, n := nextToken(s[i:])
		toks = append(toks, tok)
		total += utf8.RuneCountInString(tok)
		i += n
	}
	if total <= max {
		return strings.Join(toks, "")
	}
	head, used := 0, 0
	for head < len(toks) && used+utf8.RuneCountInString(toks[head]) <= max/2 {
		used += utf8.RuneCountInString(toks[head])
		head++
	}
	tail := len(toks)
	for tail > head && used+utf8.RuneCountInString(toks[tail-1]) <= max {
		tail--
		used += utf8.RuneCountInString(toks[tail])
	}
	return strings.Join(toks[:head], "") + "…(" + groupThousands(int64(tail-head)) + " more)…" + strings.Join(toks[tail:], "")
}

// safeTextMarkerMax bounds the runes of SafeText's elision marker: "…(",
// the largest count with its commas, " more)…".
const safeTextMarkerMax = 2 + 25 + 7

// needsWork reports whether s has anything to escape or is over max runes.
func needsWork(s string, max int) bool {
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || needsEscape(r) {
			return true
		}
		n++
	}
	return max > 0 && n > max
}

// nextToken is the first character of s as it is printed and the bytes it
// used.
func nextToken(s string) (string, int) {
	r, n := utf8.DecodeRuneInString(s)
	switch {
	case r == utf8.RuneError && n == 1:
		return `\x` + hex2(s[0]), 1
	case r == '\r':
		return `\r`, n
	case r == '\n':
		return `\n`, n
	case r == '\t':
		return `\t`, n
	case r < 0x100 && needsEscape(r):
		return `\x` + hex2(byte(r)), n
	case needsEscape(r):
		h := strconv.FormatInt(int64(r), 16)
		return `\u` + strings.Repeat("0", max(4-len(h), 0)) + h, n
	}
	return s[:n], n
}

func hex2(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// needsEscape reports the runes SafeText writes out: controls (C0, DEL,
// C1), the line and paragraph separators, and every bidirectional
// formatting character (marks, embeddings, overrides, isolates).
func needsEscape(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == 0x2028, r == 0x2029:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// groupThousands writes 118000 as 118,000.
func groupThousands(v int64) string {
	s := strconv.FormatInt(v, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
