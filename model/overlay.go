package model

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/ui"
)

// overlay is a modal layer over the body: while it is open, every key and
// click goes to it and nothing reaches what is under it.
type overlay interface {
	// Update takes every message while the overlay is open; done closes it.
	Update(msg tea.Msg) (cmd tea.Cmd, done bool)
	View() string
	SetSize(w, h int)
	ShortHelp() []key.Binding
	// FullScreen overlays replace the body; the others are a box over it.
	FullScreen() bool
}

// scrollText is a scrollable block of text, for the help and long errors.
type scrollText struct {
	c      *common
	title  string
	render func(width int) string
	top    int
	w, h   int
	closes []key.Binding
}

func (s *scrollText) SetSize(w, h int) { s.w, s.h = w, h }
func (s *scrollText) FullScreen() bool { return true }

func (s *scrollText) lines() []string {
	return strings.Split(s.render(max(s.w-2, 10)), "\n")
}

func (s *scrollText) Update(msg tea.Msg) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	k := s.c.keys.Overlay
	rows := max(s.h-2, 1)
	maxTop := max(len(s.lines())-rows, 0)
	switch {
	case key.Matches(kp, k.Up):
		s.top = max(s.top-1, 0)
	case key.Matches(kp, k.Down):
		s.top = min(s.top+1, maxTop)
	case key.Matches(kp, k.Cancel):
		return nil, true
	default:
		for _, b := range s.closes {
			if key.Matches(kp, b) {
				return nil, true
			}
		}
	}
	return nil, false
}

func (s *scrollText) View() string {
	lines := s.lines()
	rows := max(s.h-2, 1)
	end := min(s.top+rows, len(lines))
	head := s.c.st.Title.Render(" " + s.title + " ")
	if len(lines) > rows {
		head += s.c.st.Muted.Render(fmt.Sprintf("  lines %d–%d of %d", s.top+1, end, len(lines)))
	}
	return ui.Fit(head+"\n\n"+strings.Join(lines[s.top:end], "\n"), s.w, s.h)
}

func (s *scrollText) ShortHelp() []key.Binding {
	k := s.c.keys.Overlay
	return []key.Binding{k.Down, k.Up, k.Cancel}
}

// newHelpOverlay is the help screen of the component on top, generated from
// its key map.
func newHelpOverlay(c *common, groups [][]key.Binding) overlay {
	h := help.New()
	h.Styles = help.DefaultStyles(c.st.Dark)
	if c.st.NoColor {
		h.Styles = help.Styles{}
	}
	render := func(w int) string {
		h.SetWidth(w)
		return h.FullHelpView(groups) + "\n\n" + c.st.Subtle.Render("esc or ? closes this screen")
	}
	return &scrollText{c: c, title: "Keys", render: render, closes: []key.Binding{c.keys.Global.Help, c.keys.Global.Quit}}
}

// newTextOverlay shows a long text (the last error in full), wrapped.
func newTextOverlay(c *common, title, text string) overlay {
	render := func(w int) string { return ansi.Wrap(text, w, " ") }
	return &scrollText{c: c, title: title, render: render, closes: []key.Binding{c.keys.Global.LastError, c.keys.Global.Quit}}
}

// confirmOverlay asks a yes/no question; yes runs a command.
type confirmOverlay struct {
	c        *common
	question string
	yes      tea.Cmd
	w, h     int
}

func newConfirm(c *common, question string, yes tea.Cmd) overlay {
	return &confirmOverlay{c: c, question: question, yes: yes}
}

func (o *confirmOverlay) SetSize(w, h int) { o.w, o.h = w, h }
func (o *confirmOverlay) FullScreen() bool { return false }

func (o *confirmOverlay) Update(msg tea.Msg) (tea.Cmd, bool) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, false
	}
	k := o.c.keys.Overlay
	switch {
	case key.Matches(kp, k.Yes), key.Matches(kp, k.Confirm):
		return o.yes, true
	case key.Matches(kp, k.No), key.Matches(kp, k.Cancel):
		return nil, true
	}
	return nil, false
}

func (o *confirmOverlay) View() string {
	return box(o.c, "Confirm", ansi.Wrap(o.question, max(o.w-6, 10), " ")+"\n\n"+o.c.st.Subtle.Render("y: yes · n or esc: no"), o.w)
}

func (o *confirmOverlay) ShortHelp() []key.Binding {
	k := o.c.keys.Overlay
	return []key.Binding{k.Yes, k.No}
}

// inputOverlay reads one line; submit checks it and either says what is
// wrong (the overlay stays open) or returns what to do.
type inputOverlay struct {
	c      *common
	title  string
	hint   string
	input  textinput.Model
	submit func(string) (tea.Cmd, error)
	err    string
	w, h   int
}

func newInput(c *common, title, hint, value string, submit func(string) (tea.Cmd, error)) *inputOverlay {
	in := textinput.New()
	in.SetValue(value)
	in.CharLimit = 4096
	// A steady cursor: a blinking one is a timer that never ends.
	is := in.Styles()
	is.Cursor.Blink = false
	in.SetStyles(is)
	in.Focus()
	in.CursorEnd()
	return &inputOverlay{c: c, title: title, hint: hint, input: in, submit: submit}
}

func (o *inputOverlay) SetSize(w, h int) {
	o.w, o.h = w, h
	o.input.SetWidth(max(w-10, 10))
}

func (o *inputOverlay) FullScreen() bool { return false }

func (o *inputOverlay) Update(msg tea.Msg) (tea.Cmd, bool) {
	k := o.c.keys.Overlay
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Confirm):
			cmd, err := o.submit(strings.TrimSpace(o.input.Value()))
			if err != nil {
				o.err = err.Error()
				return nil, false
			}
			return cmd, true
		case key.Matches(kp, k.Cancel):
			return nil, true
		}
		o.err = ""
	}
	var cmd tea.Cmd
	o.input, cmd = o.input.Update(msg)
	return cmd, false
}

func (o *inputOverlay) View() string {
	body := o.input.View() + "\n\n" + o.c.st.Subtle.Render(ansi.Wrap(o.hint, max(o.w-6, 10), " "))
	if o.err != "" {
		body += "\n" + o.c.st.Bad.Render(ansi.Wrap(o.err, max(o.w-6, 10), " "))
	}
	return box(o.c, o.title, body, o.w)
}

func (o *inputOverlay) ShortHelp() []key.Binding {
	k := o.c.keys.Overlay
	return []key.Binding{k.Confirm, k.Cancel}
}

// box draws a titled box as wide as the body.
func box(c *common, title, body string, w int) string {
	inner := max(w-4, 1)
	var b strings.Builder
	b.WriteString(ui.FitLine(c.st.Title.Render(" "+title+" "), w) + "\n")
	b.WriteString("┌" + strings.Repeat("─", w-2) + "┐\n")
	for _, l := range strings.Split(body, "\n") {
		b.WriteString("│ " + ui.FitLine(l, inner) + " │\n")
	}
	b.WriteString("└" + strings.Repeat("─", w-2) + "┘")
	return b.String()
}

// overlayOn lays a boxed overlay over the middle of the body.
func overlayOn(body, over string, w, h int) string {
	lines := strings.Split(body, "\n")
	ol := strings.Split(over, "\n")
	top := max((h-len(ol))/2, 0)
	for i, l := range ol {
		if top+i < len(lines) {
			lines[top+i] = ui.FitLine(l, w)
		}
	}
	return strings.Join(lines, "\n")
}
