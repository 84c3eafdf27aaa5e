package model

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// Drive runs cmd and every command the resulting messages lead to, in this
// goroutine, until none is left: the model as a function, without a
// terminal. Tests and the screenshot generator use it to put the explorer in
// a state (connected, a disk picked, the map loaded) before they look.
// A command that takes longer than patience (a timer, say) is abandoned.
func Drive(m tea.Model, cmd tea.Cmd, patience time.Duration) tea.Model {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		var msg tea.Msg
		select {
		case msg = <-done:
		case <-time.After(patience):
			continue
		}
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.QuitMsg:
			return m
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		}
		var next tea.Cmd
		m, next = m.Update(msg)
		queue = append(queue, next)
	}
	return m
}

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
