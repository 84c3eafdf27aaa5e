package keymap

import "charm.land/bubbles/v2/key"

// Details bindings scroll a text panel (the fault details, the
// statistics) whose content can be longer than the panel.
type Details struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Home, End        key.Binding
	// Largest zooms the map to one of the largest extents the
	// statistics list, by its number.
	Largest key.Binding
}

// DefaultDetails is cbtscope's details bindings: the same movement keys as
// the extent table, so scrolling reads the same everywhere.
func DefaultDetails() Details {
	return Details{
		Up:       bind("↑/k", "scroll up", "up", "k"),
		Down:     bind("↓/j", "scroll down", "down", "j"),
		PageUp:   bind("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: bind("pgdn/space", "page down", "pgdown", "ctrl+d", "space"),
		Home:     bind("home", "top", "home"),
		End:      bind("end/G", "bottom", "end", "G"),
		Largest:  bind("1–5", "zoom to a largest extent", "1", "2", "3", "4", "5"),
	}
}

// All is every details binding, for conflict checks and scopes.
func (d Details) All() []key.Binding {
	return []key.Binding{d.Up, d.Down, d.PageUp, d.PageDown, d.Home, d.End, d.Largest}
}

// ShortHelp is the details panel's one-line help.
func (d Details) ShortHelp() []key.Binding {
	return []key.Binding{d.Down, d.PageDown, d.Home, d.End}
}

// FullHelp is the details panel's column of the help screen.
func (d Details) FullHelp() [][]key.Binding { return [][]key.Binding{d.All()} }
