package model

import (
	"context"
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// The wizard's messages, each sent by the command beside it. Replies to a
// list carry the load generation they answer: a reply to a choice the user
// has since changed or left is dropped.

type connectedMsg struct {
	src Source
	err error
}

// datastoresMsg is the first list: the datastores and the virtual machines.
// A failure to list the VMs leaves the datastores usable.
type datastoresMsg struct {
	gen   int
	list  []vsphere.Datastore
	err   error
	vms   []vsphere.VM
	vmErr error
}

type disksMsg struct {
	gen  int
	list []vsphere.Disk
	err  error
}

type snapshotsMsg struct {
	gen  int
	list []vsphere.Snapshot
	err  error
	// vmSnaps are a VM's snapshots, whose disk's view list is.
	vmSnaps []vsphere.VMSnapshot
}

// selectedMsg is a map named on the command line, found.
type selectedMsg struct {
	datastores []vsphere.Datastore
	vms        []vsphere.VM
	vm         *vsphere.VM
	vmDisk     vsphere.VMDisk
	vmSnaps    []vsphere.VMSnapshot
	disks      []vsphere.Disk
	snaps      []vsphere.Snapshot
	disk       vsphere.Disk
	target     vsphere.Snapshot
	base       string
	err        error
}

func connectCmd(ctx context.Context, f func(context.Context) (Source, error), limit time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, limit)
		defer cancel()
		src, err := f(ctx)
		if err != nil && errors.Is(err, context.Canceled) {
			err = errors.New("connecting was cancelled")
		}
		return connectedMsg{src, err}
	}
}

func loadDatastores(gen int, src Source, limit time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		l, err := src.Datastores(ctx)
		if err != nil {
			return datastoresMsg{gen: gen, err: err}
		}
		vms, vmErr := src.VMs(ctx)
		return datastoresMsg{gen: gen, list: l, vms: vms, vmErr: vmErr}
	}
}

func loadDisks(gen int, src Source, ds vsphere.Datastore, limit time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		l, err := src.Disks(ctx, ds)
		return disksMsg{gen, l, err}
	}
}

func loadSnapshots(gen int, src Source, d vsphere.Disk, limit time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		l, err := src.Snapshots(ctx, d)
		return snapshotsMsg{gen: gen, list: l, err: err}
	}
}

// autoSelect finds the map a command line names, with the lists the
// pickers need to be one esc away.
func autoSelect(src Source, sel Select, limit time.Duration) tea.Cmd {
	return func() tea.Msg {
		var out selectedMsg
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		if out.datastores, out.err = src.Datastores(ctx); out.err != nil {
			return out
		}
		out.vms, _ = src.VMs(ctx) // the first list; a VM named is found below
		if sel.VM != "" {
			return autoSelectVM(ctx, src, sel, out)
		}
		if out.disk, out.err = src.FindDisk(ctx, sel.Datastore, sel.Disk); out.err != nil {
			return out
		}
		if out.disks, out.err = src.Disks(ctx, out.disk.Datastore); out.err != nil {
			return out
		}
		if out.snaps, out.err = src.Snapshots(ctx, out.disk); out.err != nil {
			return out
		}
		if out.err = refuse(out.disk); out.err != nil {
			return out
		}
		out.target, out.base, out.err = vsphere.PickSnapshots(out.snaps, sel.Snapshot, sel.BaseSnapshot, sel.ChangeID)
		return out
	}
}

// errorView explains an error: a fault with its diagnosis, a refused disk
// with the reason and remedy, a connection failure with what to fix.
func errorView(st *ui.Styles, err error, canGoBack bool, w, h int) string {
	if f, ok := vsphere.AsFault(err, nil); ok {
		return ui.FaultView(st, f, false, w, h)
	}
	var b strings.Builder
	wrap := func(s string, indent int) string { return ansi.Wrap(oneLineKeepBreaks(s), max(w-indent, 10), " ") }
	b.WriteString(st.Bad.Render(" Cannot continue ") + "\n\n")
	var ce *vsphere.ConnectError
	var re *refusedError
	switch {
	case errors.As(err, &re):
		b.WriteString(st.Bold.Render(wrap(re.Error(), 2)) + "\n\n")
		b.WriteString(st.Subtle.Render("what it means") + "\n" + wrap(re.d.Cause, 0) + "\n\n")
		b.WriteString(st.Subtle.Render("what to do") + "\n" + st.Accent.Render(wrap(re.d.Remedy, 0)))
	case errors.As(err, &ce):
		b.WriteString(st.Bold.Render(wrap(ce.Err.Error(), 2)) + "\n")
		if ce.URL != "" {
			b.WriteString("\n" + st.Subtle.Render("vCenter  ") + vsphere.SafeText(ce.URL, 200))
		}
		if ce.Hint != "" {
			b.WriteString("\n" + st.Subtle.Render("to fix   ") + ansi.Wrap(ce.Hint, max(w-11, 10), " "))
		}
	case err != nil:
		b.WriteString(wrap(err.Error(), 2))
	}
	b.WriteString("\n\n")
	if canGoBack {
		b.WriteString(st.Subtle.Render("esc goes back · r tries again · q quits (the error is printed)"))
	} else {
		b.WriteString(st.Subtle.Render("r tries again · q quits (the error is printed)"))
	}
	return ui.Fit(b.String(), w, h)
}

// oneLineKeepBreaks escapes server text, keeping the message's own line
// breaks out of it: errors are ours, their quoted parts the server's.
func oneLineKeepBreaks(s string) string { return vsphere.SafeText(s, 2000) }
