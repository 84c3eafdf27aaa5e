package model

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Drive runs cmd and every command the resulting messages lead to, until
// none is left: the model as a function, without a terminal. Commands run
// concurrently, as under a Program, and their messages reach Update one at a
// time in the calling goroutine. Tests and the screenshot generator use it to
// put the explorer in a state (connected, a disk picked, the map loaded)
// before they look. A command still running after patience (a timer that
// would fire forever, say) is abandoned.
func Drive(m tea.Model, cmd tea.Cmd, patience time.Duration) tea.Model {
	msgs := make(chan tea.Msg)
	pending := 0
	start := func(c tea.Cmd) {
		if c == nil {
			return
		}
		pending++
		go func() {
			done := make(chan tea.Msg, 1)
			go func() { done <- c() }()
			select {
			case msg := <-done:
				msgs <- msg
			case <-time.After(patience):
				msgs <- abandoned{}
			}
		}()
	}
	start(cmd)
	quit := false
	for pending > 0 {
		msg := <-msgs
		pending--
		if quit {
			continue // let the other commands finish; their messages are dropped
		}
		switch msg := msg.(type) {
		case nil, abandoned:
		case tea.QuitMsg:
			quit = true
		case tea.BatchMsg:
			for _, c := range msg {
				start(c)
			}
		default:
			var next tea.Cmd
			m, next = m.Update(msg)
			start(next)
		}
	}
	return m
}

// abandoned stands for a command that outlived Drive's patience.
type abandoned struct{}

// Send delivers one message and drives what follows.
func Send(m tea.Model, msg tea.Msg, patience time.Duration) tea.Model {
	m, cmd := m.Update(msg)
	return Drive(m, cmd, patience)
}

// KeyPress is the key message for a key name as the key maps spell them:
// "enter", "esc", "tab", "shift+tab", "backspace", arrows ("up", "down",
// "left", "right"), "pgup", "pgdown", "home", "end", or one character.
func KeyPress(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "shift+tab":
		return tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	}
	r := []rune(name)
	return tea.KeyPressMsg{Code: r[0], Text: name}
}
