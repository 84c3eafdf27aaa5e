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
	if k, ok := namedKeys[name]; ok {
		return k
	}
	r := []rune(name)
	return tea.KeyPressMsg{Code: r[0], Text: name}
}

var namedKeys = map[string]tea.KeyPressMsg{
	"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "backspace": {Code: tea.KeyBackspace},
	"tab": {Code: tea.KeyTab}, "shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"up": {Code: tea.KeyUp}, "down": {Code: tea.KeyDown}, "left": {Code: tea.KeyLeft}, "right": {Code: tea.KeyRight},
	"pgup": {Code: tea.KeyPgUp}, "pgdown": {Code: tea.KeyPgDown}, "home": {Code: tea.KeyHome}, "end": {Code: tea.KeyEnd},
}
