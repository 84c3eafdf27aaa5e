package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/keymap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// longFault is a fault with everything a server can send: messages with
// long arguments, a chain of causes with their own messages, and hostile
// text that tries to forge lines and terminal escapes.
func longFault() *vsphere.Fault {
	f := &vsphere.Fault{
		Type:    "FileFault",
		Message: "Error caused by file /vmfs/volumes/5f3c2a1e-8d9b4c7a-1234-000c29abcdef/erp-data-02/erp-data-02-ctk.vmdk\r\nFAKE: all good \x1b[2J",
		Messages: []vsphere.FaultMessage{
			{Key: "vim.hostd.vmsvc.cbt.cannotGetChanges", Message: "Cannot compute changes for disk erp-data-02: change tracking information is corrupt.",
				Args: []vsphere.FaultArg{
					{Key: "path", Value: "[ds-fast] erp-data-02/" + strings.Repeat("a-very-long-directory-name/", 8) + "erp-data-02-ctk.vmdk"},
					{Key: "changeId", Value: "52 05 a2 ce 6d 6d c9 59-d3 2e ad 19 e3 96 73 6d/5"},
				}},
			{Key: "vim.hostd.vmsvc.cbt.ctkCheck", Message: "ctk header magic mismatch at offset 4096"},
		},
		Cause: &vsphere.Fault{
			Type: "SystemError", Message: "cause one says the ctk file is short",
			Messages: []vsphere.FaultMessage{{Key: "vob.cause.one", Message: "read 512 of 1024 bytes", Args: []vsphere.FaultArg{{Key: "bytes", Value: "512"}}}},
			Cause: &vsphere.Fault{Type: "HostCommunication", Message: "cause two: host \u202eevil\u202c unreachable",
				Messages: []vsphere.FaultMessage{{Key: "vob.cause.two", Message: "no route to host esx-07.lab.local"}}},
		},
		Request: &vsphere.Request{Disk: "8d3f0c2e-1111-2222-3333-444455556666", Datastore: "ds-fast",
			Snapshot: "a1b2c3d4-0000-1111-2222-333344445555", ChangeID: "52 05 a2 ce 6d 6d c9 59-d3 2e ad 19 e3 96 73 6d/3", StartOffset: 4398046511104},
	}
	f.Diagnosis = vsphere.Diagnose(f)
	return f
}

// Whatever the size, scrolling the Details panel reaches every part of the
// fault: nothing is cut off for good.
func TestFaultPanelShowsTheWholeFault(t *testing.T) {
	f := longFault()
	want := []string{
		f.Type, vsphere.SafeText(f.Message, 0), f.Diagnosis.Title, f.Diagnosis.Cause, f.Diagnosis.Remedy,
		f.Cause.Type, f.Cause.Message, f.Cause.Cause.Type, vsphere.SafeText(f.Cause.Cause.Message, 0),
		f.Request.Disk, f.Request.Datastore, f.Request.Snapshot, f.Request.ChangeID, "4,398,046,511,104",
	}
	for g := f; g != nil; g = g.Cause {
		for _, m := range g.Messages {
			want = append(want, m.Key, m.Message)
			for _, a := range m.Args {
				want = append(want, a.Key, a.Value)
			}
		}
	}
	for _, size := range [][2]int{{80, 24}, {40, 10}, {160, 48}, {24, 4}, {30, 2}} {
		w, h := size[0], size[1]
		p := NewFaultPanel(testStyles(), keymap.DefaultDetails())
		p.SetFault(f)
		p.SetSize(w, h)
		text := squash(strings.Join(readAll(t, p, w, h), "\n"))
		for _, s := range want {
			if !strings.Contains(text, squash(s)) {
				t.Errorf("%d×%d: %q is never shown", w, h, s)
			}
		}
	}
}

// The panel says when there is more than it shows, and not otherwise.
func TestFaultPanelScrollIndicator(t *testing.T) {
	p := NewFaultPanel(testStyles(), keymap.DefaultDetails())
	p.SetFault(longFault())
	p.SetSize(80, 12)
	title := func() string { return strings.SplitN(ansi.Strip(p.View()), "\n", 2)[0] }
	if !strings.Contains(title(), "↓") || strings.Contains(title(), "↑") {
		t.Fatalf("at the top of overflowing content the title reads %q", title())
	}
	if !p.Update(keyPress("end")) {
		t.Fatal("end was not used")
	}
	if !strings.Contains(title(), "↑") || strings.Contains(title(), "↓") {
		t.Fatalf("at the bottom the title reads %q", title())
	}
	p.Update(keyPress("pgup"))
	if !strings.Contains(title(), "↑") || !strings.Contains(title(), "↓") {
		t.Fatalf("in the middle the title reads %q", title())
	}
	p.SetSize(200, 100)
	if strings.ContainsAny(title(), "↑↓") {
		t.Fatalf("content that fits still shows %q", title())
	}
	if p.Update(keyPress("x")) {
		t.Fatal("a key that is not a details key was used")
	}
}

// Server text cannot forge lines: a CR LF inside the faultstring stays on
// the faultstring's own lines, visibly escaped.
func TestFaultPanelEscapesServerText(t *testing.T) {
	p := NewFaultPanel(testStyles(), keymap.DefaultDetails())
	p.SetFault(longFault())
	p.SetSize(200, 100)
	v := p.View()
	checkNoStrayControls(t, v)
	for _, l := range strings.Split(ansi.Strip(v), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "FAKE") {
			t.Fatalf("a server forged a line: %q", l)
		}
	}
	if !strings.Contains(ansi.Strip(v), `\r\nFAKE: all good \x1b[2J`) || !strings.Contains(ansi.Strip(v), `\u202eevil\u202c`) {
		t.Fatalf("escaped text missing:\n%s", ansi.Strip(v))
	}
}

// FaultView, which the explorer calls, is the panel at its top.
func TestFaultViewIsThePanel(t *testing.T) {
	st := testStyles()
	p := NewFaultPanel(st, keymap.DefaultDetails())
	p.SetFault(longFault())
	p.SetSize(80, 24)
	p.Focus(true)
	if got := FaultView(st, longFault(), true, 80, 24); got != p.View() {
		t.Fatalf("FaultView differs from the panel:\n%s\n---\n%s", got, p.View())
	}
}

func TestFaultPanelLooks(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		p := NewFaultPanel(testStyles(), keymap.DefaultDetails())
		p.SetFault(longFault())
		p.SetSize(size[0], size[1])
		t.Logf("%d×%d:\n%s", size[0], size[1], ansi.Strip(p.View()))
	}
}
