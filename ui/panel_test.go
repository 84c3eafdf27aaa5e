package ui

import (
	"strings"
	"testing"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// testStyles is the dark colour theme used by the component tests.
func testStyles() *Styles { return NewStyles(true, colorprofile.TrueColor) }

var testKeys = map[string]tea.KeyPressMsg{
	"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "pgup": {Code: tea.KeyPgUp},
	"pgdown": {Code: tea.KeyPgDown}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
}

func keyPress(name string) tea.KeyPressMsg {
	if k, ok := testKeys[name]; ok {
		return k
	}
	return tea.KeyPressMsg{Code: []rune(name)[0], Text: name}
}

// checkExact fails unless view is exactly w columns by h lines.
func checkExact(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%d×%d view has %d lines:\n%s", w, h, len(lines), view)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("%d×%d view: line %d is %d wide: %q", w, h, i, got, l)
		}
	}
}

// checkNoStrayControls fails if the view holds a control character other
// than the SGR colour sequences the styles write.
func checkNoStrayControls(t *testing.T, view string) {
	t.Helper()
	for _, r := range ansi.Strip(view) {
		if r != '\n' && unicode.IsControl(r) {
			t.Fatalf("view holds control %U:\n%q", r, view)
		}
	}
	for _, seq := range strings.Split(view, "\x1b")[1:] {
		if !strings.HasPrefix(seq, "[") {
			t.Fatalf("view holds a non-SGR escape %q", seq[:min(len(seq), 12)])
		}
		end := strings.IndexFunc(seq[1:], func(r rune) bool { return r < '0' || r > ';' })
		if end < 0 || seq[1+end] != 'm' {
			t.Fatalf("view holds a non-SGR escape %q", seq[:min(len(seq), 12)])
		}
	}
}

// squash removes all white space, so text can be found however it was
// wrapped.
func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// scrollable is a panel that scrolls with the details keys.
type scrollable interface {
	Update(tea.KeyPressMsg) bool
	View() string
}

// readAll scrolls a panel of height h from top to bottom and returns the
// body lines seen, each once, in order, checking every frame's size.
func readAll(t *testing.T, p scrollable, w, h int) []string {
	t.Helper()
	p.Update(keyPress("home"))
	var seen []string
	prev := ""
	for i := 0; ; i++ {
		v := p.View()
		checkExact(t, v, w, h)
		checkNoStrayControls(t, v)
		if v == prev {
			break
		}
		lines := strings.Split(ansi.Strip(v), "\n")
		if i == 0 {
			seen = append(seen, lines[1:]...)
		} else {
			seen = append(seen, lines[len(lines)-1])
		}
		prev = v
		p.Update(keyPress("down"))
		if i > 10_000 {
			t.Fatal("scrolling never ends")
		}
	}
	return seen
}
