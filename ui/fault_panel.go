package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// serverTextMax bounds one server-provided value in the panel: enough for
// any real message or path, while a hostile megabyte-long argument costs a
// few dozen lines, not thousands (the marker says how much is left out;
// exports keep the whole text).
const serverTextMax = 4096

// FaultPanel is the Details panel for a fault: what it means and what to
// do first, then everything the server said (type, faultstring, every
// faultMessage with its arguments, the whole faultCause chain), then the
// request that caused it. It wraps to its width and scrolls, so all of it
// can be read at any size. Every server-provided string goes through
// vsphere.SafeText: a fault cannot forge lines or send terminal escapes.
type FaultPanel struct {
	st     *Styles
	f      *vsphere.Fault
	focus  bool
	w, h   int
	scroll scrollView
}

// NewFaultPanel makes a panel scrolled by keys; SetFault gives it a fault.
func NewFaultPanel(st *Styles, keys keymap.Details) *FaultPanel {
	return &FaultPanel{st: st, scroll: scrollView{keys: keys}}
}

// SetFault shows a fault from its top.
func (p *FaultPanel) SetFault(f *vsphere.Fault) {
	p.f = f
	p.scroll.top = 0
	p.build()
}

// SetSize sets the panel's outer size.
func (p *FaultPanel) SetSize(w, h int) {
	if w != p.w {
		p.w = w
		p.build()
	}
	p.h = h
	p.scroll.setHeight(h)
}

// Focus says whether keys go to the panel.
func (p *FaultPanel) Focus(on bool) { p.focus = on }

// Update scrolls for the details keys and reports whether it used msg.
func (p *FaultPanel) Update(msg tea.KeyPressMsg) bool { return p.scroll.update(msg) }

// View draws the panel in exactly its size, with a scroll indicator in
// the title line when the fault is longer than the panel.
func (p *FaultPanel) View() string {
	title := p.st.PanelTitle
	if p.focus {
		title = p.st.PanelTitleFocused
	}
	return p.scroll.view(p.st, title.Render(" Fault "), p.w, p.h)
}

// FaultView draws a fault in w×h from its top: the panel, for callers that
// keep no panel.
func FaultView(st *Styles, f *vsphere.Fault, focused bool, w, h int) string {
	p := NewFaultPanel(st, keymap.DefaultDetails())
	p.SetFault(f)
	p.Focus(focused)
	p.SetSize(w, h)
	return p.View()
}

// labelW lines up the values of the fault's fields, msgLabelW those of a
// faultMessage, which sit deeper and so get a narrower label column.
const (
	labelW    = len("startOffset ")
	msgLabelW = len("message ")
)

func (p *FaultPanel) build() {
	if p.f == nil || p.w <= 0 {
		p.scroll.setLines(nil)
		return
	}
	st, f := p.st, p.f
	t := &textLines{w: p.w}
	d := f.Diagnosis
	t.para(st.Bad, 0, safe(f.Type)+": "+d.Title)
	t.para(st.Subtle, 0, "what it means")
	t.para(st.App, 2, d.Cause)
	t.para(st.Subtle, 0, "what to do")
	t.para(st.Accent, 2, d.Remedy)
	t.para(st.Subtle, 0, "what the server said")
	p.faultFields(t, f)
	n := 0
	for c := f.Cause; c != nil; c = c.Cause {
		n++
		t.para(st.Subtle, 0, fmt.Sprintf("faultCause %d", n))
		p.faultFields(t, c)
	}
	if r := f.Request; r != nil {
		t.para(st.Subtle, 0, "request")
		t.field(st, 2, labelW, "disk", safe(r.Disk), st.App)
		t.field(st, 2, labelW, "datastore", safe(r.Datastore), st.App)
		t.field(st, 2, labelW, "snapshot", safe(r.Snapshot), st.App)
		t.field(st, 2, labelW, "changeId", safe(r.ChangeID), st.App)
		t.field(st, 2, labelW, "startOffset", fmt.Sprintf("%s (%s)", groupDigits(r.StartOffset), heatmap.FormatBytes(r.StartOffset)), st.App)
	}
	p.scroll.setLines(t.lines)
}

// faultFields adds one fault's own fields (not its cause's).
func (p *FaultPanel) faultFields(t *textLines, f *vsphere.Fault) {
	st := p.st
	t.field(st, 2, labelW, "type", safe(f.Type), st.Bold)
	if f.Message != "" {
		t.field(st, 2, labelW, "faultstring", safe(f.Message), st.App)
	}
	if f.InvalidProperty != "" {
		t.field(st, 2, labelW, "property", safe(f.InvalidProperty), st.App)
	}
	for i, m := range f.Messages {
		t.para(st.Subtle, 2, fmt.Sprintf("faultMessage %d of %d", i+1, len(f.Messages)))
		t.field(st, 4, msgLabelW, "key", safe(m.Key), st.Accent)
		t.field(st, 4, msgLabelW, "message", safe(m.Message), st.App)
		for _, a := range m.Args {
			t.field(st, 4, msgLabelW, "arg", safe(a.Key)+" = "+safe(a.Value), st.App)
		}
	}
}

// safe is server text as the panel shows it; "(empty)" says the server
// sent nothing, rather than leaving a blank that reads as cut off.
func safe(s string) string {
	if s == "" {
		return "(empty)"
	}
	return vsphere.SafeText(s, serverTextMax)
}
