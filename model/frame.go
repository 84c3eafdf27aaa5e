package model

import tea "charm.land/bubbletea/v2"

// frame is the screen as View last drew it. Bubble Tea calls View after
// every message; a streamed message (a fetch's pages) leaves the frame as
// it is, and the frame tick that follows it redraws, so a flood of pages
// costs one frame per tick rather than one per page. Every other message
// may change what is seen, and the View after it draws afresh.
type frame struct {
	text  string
	valid bool
	// drawn counts the frames drawn, for the benchmarks and tests.
	drawn int
}

// note invalidates the frame unless msg is streamed.
func (f *frame) note(msg tea.Msg) {
	if _, ok := msg.(streamed); !ok {
		f.valid = false
	}
}

// draw is the frame, drawn by render when it is not valid.
func (f *frame) draw(render func() string) string {
	if !f.valid {
		f.text, f.valid = render(), true
		f.drawn++
	}
	return f.text
}
