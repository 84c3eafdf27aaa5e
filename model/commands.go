package model

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/vsphere"
)

// Messages, each sent by the command beside it.

type connectedMsg struct {
	src Source
	err error
}

type datastoresMsg struct {
	list []vsphere.Datastore
	err  error
}

// disksMsg and snapshotsMsg carry the load generation they answer: a reply
// to a choice the user has since changed or left is dropped.
type disksMsg struct {
	gen  int
	list []vsphere.Disk
	err  error
}

type snapshotsMsg struct {
	gen  int
	list []vsphere.Snapshot
	err  error
}

// fetchMsg carries one fetch event, tagged with the query generation it
// belongs to: events of an abandoned query are dropped.
type fetchMsg struct {
	gen int
	ev  vsphere.Event
}

type fetchClosedMsg struct{ gen int }

// refreshMsg asks for the statistics to be brought up to date while a
// fetch of generation gen runs: pages alone refresh them at most every few
// hundred milliseconds, and the last pages before a pause would otherwise
// linger uncounted.
type refreshMsg struct{ gen int }

const refreshEvery = 300 * time.Millisecond

func refreshLater(gen int) tea.Cmd {
	return tea.Tick(refreshEvery, func(time.Time) tea.Msg { return refreshMsg{gen} })
}

type exportedMsg struct {
	path string
	err  error
}

const loadTimeout = 2 * time.Minute

func connect(f func(context.Context) (Source, error)) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		src, err := f(ctx)
		return connectedMsg{src, err}
	}
}

func loadDatastores(src Source) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		l, err := src.Datastores(ctx)
		return datastoresMsg{l, err}
	}
}

func loadDisks(gen int, src Source, ds vsphere.Datastore) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		l, err := src.Disks(ctx, ds)
		return disksMsg{gen, l, err}
	}
}

func loadSnapshots(gen int, src Source, d vsphere.Disk) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		defer cancel()
		l, err := src.Snapshots(ctx, d)
		return snapshotsMsg{gen, l, err}
	}
}

// waitEvent reads one event; Update issues it again after each.
func waitEvent(gen int, ch <-chan vsphere.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return fetchClosedMsg{gen}
		}
		return fetchMsg{gen, ev}
	}
}

func writeExport(e *vsphere.Export, dir, format string) tea.Cmd {
	return func() tea.Msg {
		name := fmt.Sprintf("cbtscope-%s-%s.%s", safeName(e.Disk.Name), safeName(shortID(e.SnapshotID)), format)
		path := filepath.Join(dir, name)
		return exportedMsg{path, e.WriteFile(path, format)}
	}
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' || r == ':' {
			return '_'
		}
		return r
	}, s)
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
