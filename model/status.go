package model

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/vsphere"
)

// statusMsg puts a message on the status line for a while. An error's full
// text stays readable afterwards (the last-error key).
type statusMsg struct {
	text string
	full string
	err  bool
}

// statusExpiredMsg clears message id, unless another replaced it.
type statusExpiredMsg struct{ id int }

// statusFor is how long a message stays.
const statusFor = 6 * time.Second

// say is a command that shows a message.
func say(text string) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: oneLine(text), full: vsphere.SafeText(text, fullTextMax)} }
}

// sayErr is a command that shows an error, kept in full for the last-error
// key.
func sayErr(err error) tea.Cmd {
	return func() tea.Msg {
		full := err.Error()
		return statusMsg{text: oneLine(full), full: vsphere.SafeText(full, fullTextMax), err: true}
	}
}

// oneLine is text that may hold a server's words made safe for one line of
// the screen: controls escaped, a long value elided in the middle.
func oneLine(s string) string { return vsphere.SafeText(strings.TrimSpace(s), oneLineMax) }

// oneLineMax and fullTextMax bound what is kept of a message: a line's worth
// for the screen, and enough of any real error for the last-error view.
const (
	oneLineMax  = 400
	fullTextMax = 20000
)

// status is the root's message line.
type status struct {
	text string
	err  bool
	id   int
}

func (s *status) set(msg statusMsg) tea.Cmd {
	s.id++
	s.text, s.err = msg.text, msg.err
	id := s.id
	return tea.Tick(statusFor, func(time.Time) tea.Msg { return statusExpiredMsg{id} })
}

func (s *status) expire(id int) {
	if id == s.id {
		s.text = ""
	}
}

func (s *status) clear() { s.id++; s.text = "" }
