// Package keymap holds cbtscope's key bindings: one struct of key.Binding per
// scope, each with a Default constructor. The help screen and the short help
// line are generated from the same structs, so what is shown is what works,
// and no component matches a key by its name.
package keymap

import "charm.land/bubbles/v2/key"

// Global bindings work everywhere no overlay is open.
type Global struct {
	// Interrupt quits from anywhere, even while typing or under a dialog.
	Interrupt key.Binding
	Quit      key.Binding
	Help      key.Binding
	NextPanel key.Binding
	PrevPanel key.Binding
	LastError key.Binding
}

// Picker bindings work in the inventory lists (which also take the list's
// own movement keys).
type Picker struct {
	Select key.Binding
	Filter key.Binding
	Back   key.Binding
	Reload key.Binding
}

// Heatmap bindings move the cursor over the map and zoom.
type Heatmap struct {
	Left, Right, Up, Down  key.Binding
	PageUp, PageDown       key.Binding
	Home, End              key.Binding
	NextChange, PrevChange key.Binding
	ZoomIn                 key.Binding
	ZoomOut                key.Binding
}

// Extents bindings move through the extent table and change how it reads.
type Extents struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	Home, End        key.Binding
	Sort             key.Binding
	ExactBytes       key.Binding
	Hex              key.Binding
	Zoom             key.Binding
	Back             key.Binding
}

// Explorer bindings act on the map as a whole, whichever panel has focus.
type Explorer struct {
	ExportJSON key.Binding
	ExportCSV  key.Binding
	Jump       key.Binding
	Reload     key.Binding
	Timeline   key.Binding
	Compare    key.Binding
}

// Overlay bindings answer a question or finish typing.
type Overlay struct {
	Confirm key.Binding
	Cancel  key.Binding
	Yes     key.Binding
	No      key.Binding
	Up      key.Binding
	Down    key.Binding
}

// KeyMap is every scope's bindings.
type KeyMap struct {
	Timeline Timeline
	Compare  Compare
	Global   Global
	Picker   Picker
	Heatmap  Heatmap
	Extents  Extents
	Details  Details
	Explorer Explorer
	Overlay  Overlay
}

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// Default is cbtscope's key map.
func Default() KeyMap {
	return KeyMap{
		Global: Global{
			Interrupt: bind("ctrl+c", "quit from anywhere", "ctrl+c"),
			Quit:      bind("q", "quit", "q"),
			Help:      bind("?", "help", "?"),
			NextPanel: bind("tab", "next panel", "tab"),
			PrevPanel: bind("shift+tab", "previous panel", "shift+tab"),
			LastError: bind("!", "last error in full", "!"),
		},
		Picker: Picker{
			Select: bind("enter", "choose", "enter"),
			Filter: bind("/", "filter", "/"),
			Back:   bind("esc", "back", "esc", "backspace"),
			Reload: bind("r", "list again", "r"),
		},
		Heatmap: Heatmap{
			Left:       bind("←/h", "left", "left", "h"),
			Right:      bind("→/l", "right", "right", "l"),
			Up:         bind("↑/k", "up", "up", "k"),
			Down:       bind("↓/j", "down", "down", "j"),
			PageUp:     bind("pgup", "page up", "pgup", "ctrl+u"),
			PageDown:   bind("pgdn", "page down", "pgdown", "ctrl+d"),
			Home:       bind("home", "first cell", "home"),
			End:        bind("end/G", "last cell", "end", "G"),
			NextChange: bind("n", "next changed cell", "n"),
			PrevChange: bind("N", "previous changed cell", "N"),
			ZoomIn:     bind("enter", "zoom into cell", "enter"),
			ZoomOut:    bind("esc/⌫", "zoom out (back at top)", "esc", "backspace"),
		},
		Extents: Extents{
			Up:         bind("↑/k", "up", "up", "k"),
			Down:       bind("↓/j", "down", "down", "j"),
			PageUp:     bind("pgup", "page up", "pgup", "ctrl+u"),
			PageDown:   bind("pgdn", "page down", "pgdown", "ctrl+d"),
			Home:       bind("home", "first", "home"),
			End:        bind("end/G", "last", "end", "G"),
			Sort:       bind("s", "sort by offset/size", "s"),
			ExactBytes: bind("b", "exact bytes", "b"),
			Hex:        bind("x", "hex offsets", "x"),
			Zoom:       bind("enter", "zoom the map to the extent", "enter"),
			Back:       bind("esc/⌫", "zoom out (back at top)", "esc", "backspace"),
		},
		Details:  DefaultDetails(),
		Timeline: DefaultTimeline(),
		Compare:  DefaultCompare(),
		Explorer: Explorer{
			ExportJSON: bind("e", "export JSON", "e"),
			ExportCSV:  bind("E", "export CSV", "E"),
			Jump:       bind("g", "go to offset", "g"),
			Reload:     bind("r", "fetch again (faulted ranges first)", "r"),
			Timeline:   bind("t", "timeline of the disk's snapshots", "t"),
			Compare:    bind("c", "mark as A, then compare with A", "c"),
		},
		Overlay: Overlay{
			Confirm: bind("enter", "confirm", "enter"),
			Cancel:  bind("esc", "cancel", "esc"),
			Yes:     bind("y", "yes", "y"),
			No:      bind("n", "no", "n"),
			Up:      bind("↑", "scroll up", "up", "pgup"),
			Down:    bind("↓", "scroll down", "down", "pgdown"),
		},
	}
}

// Scopes lists, for each place keys are read, every binding active there:
// the scope's own, the explorer's where they apply, and the global ones.
// No key may appear twice in one scope.
func (k KeyMap) Scopes() map[string][]key.Binding {
	g := []key.Binding{k.Global.Interrupt, k.Global.Quit, k.Global.Help, k.Global.LastError}
	panels := []key.Binding{k.Global.NextPanel, k.Global.PrevPanel}
	ex := []key.Binding{k.Explorer.ExportJSON, k.Explorer.ExportCSV, k.Explorer.Jump, k.Explorer.Reload, k.Explorer.Timeline, k.Explorer.Compare}
	h, e, d := k.Heatmap, k.Extents, k.Details
	join := func(parts ...[]key.Binding) []key.Binding {
		var out []key.Binding
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	return map[string][]key.Binding{
		"picker":   join([]key.Binding{k.Picker.Select, k.Picker.Filter, k.Picker.Back, k.Picker.Reload}, g),
		"heatmap":  join([]key.Binding{h.Left, h.Right, h.Up, h.Down, h.PageUp, h.PageDown, h.Home, h.End, h.NextChange, h.PrevChange, h.ZoomIn, h.ZoomOut}, ex, panels, g),
		"extents":  join([]key.Binding{e.Up, e.Down, e.PageUp, e.PageDown, e.Home, e.End, e.Sort, e.ExactBytes, e.Hex, e.Zoom, e.Back}, ex, panels, g),
		"details":  join(d.All(), ex, panels, g),
		"timeline": join(k.Timeline.All(), []key.Binding{k.Explorer.Compare}, g),
		"compare":  join(k.Compare.All(), g),
		"overlay":  {k.Overlay.Confirm, k.Overlay.Cancel, k.Overlay.Yes, k.Overlay.No, k.Overlay.Up, k.Overlay.Down, k.Global.Interrupt},
	}
}

// ShortHelp is the one-line help of a scope.
func (k KeyMap) ShortHelp(scope string) []key.Binding {
	switch scope {
	case "heatmap":
		return []key.Binding{k.Heatmap.ZoomIn, k.Heatmap.ZoomOut, k.Heatmap.NextChange, k.Explorer.Jump, k.Global.NextPanel, k.Explorer.ExportJSON, k.Global.Help, k.Global.Quit}
	case "extents":
		return []key.Binding{k.Extents.Zoom, k.Extents.Sort, k.Extents.ExactBytes, k.Extents.Hex, k.Global.NextPanel, k.Global.Help, k.Global.Quit}
	case "details":
		return []key.Binding{k.Details.Down, k.Global.NextPanel, k.Explorer.Reload, k.Explorer.ExportJSON, k.Global.Help, k.Global.Quit}
	case "error":
		return []key.Binding{k.Picker.Back, k.Global.LastError, k.Global.Help, k.Global.Quit}
	}
	return []key.Binding{k.Picker.Select, k.Picker.Filter, k.Picker.Back, k.Picker.Reload, k.Global.Help, k.Global.Quit}
}

// FullHelp is the help screen: one column per scope.
func (k KeyMap) FullHelp() [][]key.Binding {
	h, e := k.Heatmap, k.Extents
	return [][]key.Binding{
		{h.Left, h.Right, h.Up, h.Down, h.PageUp, h.PageDown, h.Home, h.End, h.NextChange, h.PrevChange, h.ZoomIn, h.ZoomOut},
		append([]key.Binding{e.Up, e.Down, e.PageUp, e.PageDown, e.Home, e.End, e.Sort, e.ExactBytes, e.Hex, e.Zoom}, k.Details.All()...),
		{k.Explorer.Jump, k.Explorer.Reload, k.Explorer.Timeline, k.Explorer.Compare, k.Explorer.ExportJSON, k.Explorer.ExportCSV,
			k.Picker.Select, k.Picker.Filter, k.Picker.Back, k.Picker.Reload,
			k.Global.NextPanel, k.Global.PrevPanel, k.Global.LastError, k.Global.Help, k.Global.Quit, k.Global.Interrupt},
		append(k.Timeline.All(), k.Compare.All()...),
		{k.Overlay.Confirm, k.Overlay.Cancel, k.Overlay.Yes, k.Overlay.No, k.Overlay.Up, k.Overlay.Down},
	}
}
