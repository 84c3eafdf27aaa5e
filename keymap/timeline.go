package keymap

import "charm.land/bubbles/v2/key"

// Timeline bindings move through a disk's snapshot chain.
type Timeline struct {
	Up, Down key.Binding
	View     key.Binding
	Open     key.Binding
	Back     key.Binding
}

// DefaultTimeline are the timeline's keys.
func DefaultTimeline() Timeline {
	return Timeline{
		Up:   bind("↑/k", "previous interval", "up", "k"),
		Down: bind("↓/j", "next interval", "down", "j"),
		View: bind("v", "chart or strip", "v"),
		Open: bind("enter", "open the interval's map", "enter"),
		Back: bind("esc", "back", "esc", "backspace"),
	}
}

// All is every timeline binding.
func (t Timeline) All() []key.Binding { return []key.Binding{t.Up, t.Down, t.View, t.Open, t.Back} }

// Compare bindings read a comparison of two maps.
type Compare struct {
	Left, Right, Up, Down key.Binding
	Part                  key.Binding
	Back                  key.Binding
}

// DefaultCompare are the comparison's keys.
func DefaultCompare() Compare {
	return Compare{
		Left:  bind("←/h", "left", "left", "h"),
		Right: bind("→/l", "right", "right", "l"),
		Up:    bind("↑/k", "up", "up", "k"),
		Down:  bind("↓/j", "down", "down", "j"),
		Part:  bind("p", "extents: only A, only B, both", "p"),
		Back:  bind("esc", "back", "esc", "backspace"),
	}
}

// All is every comparison binding.
func (c Compare) All() []key.Binding {
	return []key.Binding{c.Left, c.Right, c.Up, c.Down, c.Part, c.Back}
}
