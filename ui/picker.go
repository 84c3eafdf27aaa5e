package ui

import (
	"charm.land/bubbles/v2/list"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Choice is one entry of a picker: what it shows, and what it stands for.
type Choice struct {
	Name, Detail string
	Value        any
}

// Title, Description and FilterValue make a Choice a list item.
func (c Choice) Title() string       { return c.Name }
func (c Choice) Description() string { return c.Detail }
func (c Choice) FilterValue() string { return c.Name + " " + c.Detail }

// Picker is a titled, filterable list of choices ("/" filters).
type Picker struct {
	list list.Model
	w, h int
}

// NewPicker makes a picker with a title.
func NewPicker(st *Styles, title string, choices []Choice, selected int) *Picker {
	d := list.NewDefaultDelegate()
	if st.NoColor {
		// A bar beside the selected choice: text, so it shows even where
		// a terminal drops every attribute (TERM=dumb).
		bar := lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).Padding(0, 0, 0, 1)
		d.Styles.SelectedTitle = bar.Bold(true)
		d.Styles.SelectedDesc = bar
		d.Styles.NormalTitle = st.App.Padding(0, 0, 0, 2)
		d.Styles.NormalDesc = st.App.Padding(0, 0, 0, 2)
		d.Styles.DimmedTitle = st.App.Padding(0, 0, 0, 2)
		d.Styles.DimmedDesc = st.App.Padding(0, 0, 0, 2)
	}
	items := make([]list.Item, len(choices))
	for i, c := range choices {
		items[i] = c
	}
	l := list.New(items, d, 0, 0)
	l.Title = title
	l.Styles.Title = st.ListTitle
	l.SetShowHelp(false)
	l.DisableQuitKeybindings()
	if selected >= 0 && selected < len(items) {
		l.Select(selected)
	}
	return &Picker{list: l}
}

// SetSize sets the picker's outer size.
func (p *Picker) SetSize(w, h int) {
	p.w, p.h = w, h
	p.list.SetSize(w, h)
}

// Filtering reports whether the user is typing a filter (keys are text).
func (p *Picker) Filtering() bool { return p.list.SettingFilter() }

// Filtered reports whether a filter is applied.
func (p *Picker) Filtered() bool { return p.list.IsFiltered() }

// Selected is the highlighted choice.
func (p *Picker) Selected() (Choice, bool) {
	c, ok := p.list.SelectedItem().(Choice)
	return c, ok
}

// Update passes a message to the list.
func (p *Picker) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.list, cmd = p.list.Update(msg)
	return cmd
}

// View draws the picker in exactly its size.
func (p *Picker) View() string { return Fit(p.list.View(), p.w, p.h) }
