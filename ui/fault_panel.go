package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/vsphere"
)

// FaultView explains a fault: the diagnosis first, then everything the
// server said, then the request, wrapped to w and cut to h.
func FaultView(st *Styles, f *vsphere.Fault, focused bool, w, h int) string {
	title := st.PanelTitle
	if focused {
		title = st.PanelTitleFocused
	}
	wrap := func(s string, indent int) string {
		return ansi.Wrap(s, max(w-indent, 10), " ")
	}
	var b strings.Builder
	b.WriteString(title.Render(" Fault ") + " " + st.Bad.Render(wrap(f.Type+": "+f.Diagnosis.Title, 8)))
	b.WriteString("\n" + st.Subtle.Render("what it means"))
	b.WriteString("\n" + wrap(f.Diagnosis.Cause, 0))
	b.WriteString("\n" + st.Subtle.Render("what to do"))
	b.WriteString("\n" + st.Accent.Render(wrap(f.Diagnosis.Remedy, 0)))
	if f.Message != "" {
		b.WriteString("\n" + st.Subtle.Render("faultstring"))
		b.WriteString("\n" + wrap(f.Message, 0))
	}
	for _, m := range f.Messages {
		b.WriteString("\n" + st.Subtle.Render("faultMessage"))
		b.WriteString("\n" + wrap(m.Key, 0))
		b.WriteString("\n" + wrap(m.Message, 0))
		for _, a := range m.Args {
			b.WriteString(fmt.Sprintf("\n  %s = %s", a.Key, a.Value))
		}
	}
	if f.InvalidProperty != "" {
		b.WriteString("\n" + st.Subtle.Render("invalidProperty ") + f.InvalidProperty)
	}
	for c := f.Cause; c != nil; c = c.Cause {
		b.WriteString("\n" + st.Subtle.Render("faultCause ") + c.Type)
		if c.Message != "" {
			b.WriteString("\n" + wrap(c.Message, 0))
		}
	}
	if r := f.Request; r != nil {
		b.WriteString("\n" + st.Subtle.Render("request"))
		for _, l := range []string{"disk " + r.Disk + " on " + r.Datastore, "snapshot " + r.Snapshot,
			fmt.Sprintf("changeId %q", r.ChangeID), fmt.Sprintf("startOffset %d", r.StartOffset)} {
			b.WriteString("\n" + wrap("  "+l, 0))
		}
	}
	return Fit(b.String(), w, h)
}
