package model

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// panel is what has focus in the explorer.
type panel int

const (
	panelHeatmap panel = iota
	panelExtents
	panelDetails
	numPanels
)

// explorer is one change map: a vsphere.Sweep filled by a background fetch
// (or read from a file), shown as a heatmap, an extent table, an inspector
// of the cell under the cursor, and details (statistics, or the fault that
// stopped the fetch).
type explorer struct {
	c    *common
	w, h int

	src    vsphere.Fetcher // nil when opened from a file
	sel    selection
	opened *Opened
	sweep  *vsphere.Sweep
	query  vsphere.Query
	// queryErr is why the selection cannot be queried, found before any
	// call.
	queryErr error

	gen     int
	cancel  context.CancelFunc
	events  <-chan vsphere.Event
	loading bool

	hm     *ui.HeatmapPanel
	table  *ui.ExtentTable
	faultP *ui.FaultPanel
	statsP *ui.StatsPanel
	focus  panel
	shown  *vsphere.Fault // the fault the details panel shows
	// largest are the extents the statistics list as the largest.
	largest []heatmap.Extent
	// frames schedules the frame ticks while pages arrive.
	frames frameClock
	// summarised is the state the statistics panel shows.
	summarised summaryKey
	// drainBudget bounds the time one message spends absorbing the events
	// waiting behind it.
	drainBudget time.Duration
}

func newExplorer(c *common, src vsphere.Fetcher, sel selection) *explorer {
	e := &explorer{c: c, src: src, sel: sel, drainBudget: drainBudget}
	e.query, e.queryErr = sel.query()
	e.hm = ui.NewHeatmapPanel(c.st, c.keys.Heatmap)
	e.table = ui.NewExtentTable(c.st, c.keys.Extents)
	e.faultP = ui.NewFaultPanel(c.st, c.keys.Details)
	e.statsP = ui.NewStatsPanel(c.st, c.keys.Details)
	return e
}

// openedExplorer shows a saved export, offline.
func openedExplorer(c *common, o *Opened) *explorer {
	x := o.Export
	sel := selection{
		disk:   vsphere.Disk{ID: x.Disk.ID, Name: x.Disk.Name, CapacityBytes: x.Disk.CapacityBytes, Datastore: vsphere.Datastore{Name: x.Disk.Datastore}},
		target: vsphere.Snapshot{ID: x.SnapshotID},
		base:   x.ChangeID, baseLabel: x.ChangeID, baseName: "since-" + shortID(x.ChangeID),
	}
	if x.ChangeID == "*" {
		sel.baseLabel, sel.baseName = "* (allocated areas)", "allocated"
	}
	if vm, disk, ok := x.VMDiskOf(); ok {
		// A VM disk's export: shown, and exported again, as one.
		sel.vm = &vmSelection{vm: vm, disk: disk}
		sel.disk = vmDiskAsDisk(vm, disk)
	}
	e := newExplorer(c, nil, sel)
	e.opened = o
	e.sweep = &vsphere.Sweep{Map: o.Map, Fault: x.Fault, Done: true,
		Progress: vsphere.Progress{Scanned: o.Map.ScannedBytes(0, o.Map.Capacity()), Total: o.Map.Capacity(), Pages: int64(x.Stats.Pages)}}
	e.setMap()
	return e
}

func (e *explorer) setMap() {
	e.hm.SetMap(e.sweep.Map)
	e.table.SetMap(e.sweep.Map)
	e.focus = panelHeatmap
	e.showFault()
	e.refreshSummary()
}

// start fetches the whole map afresh.
func (e *explorer) start() tea.Cmd {
	sw, err := vsphere.NewSweep(e.sel.disk.CapacityBytes)
	if err != nil {
		return sayErr(err)
	}
	e.sweep = sw
	e.shown = nil
	e.setMap()
	if e.queryErr != nil {
		e.sweep.Err = e.queryErr
		return sayErr(e.queryErr)
	}
	return e.fetch([]vsphere.Query{e.query})
}

// adopt shows a map fetched elsewhere (an interval of the timeline) as it
// is: r fetches what it lacks.
func (e *explorer) adopt(sw *vsphere.Sweep) tea.Cmd {
	e.sweep = sw
	e.shown = nil
	e.setMap()
	return nil
}

// resume comes back to a map: what is missing is fetched, what is there is
// kept.
func (e *explorer) resume() tea.Cmd {
	if e.loading || e.sweep == nil || e.src == nil || e.queryErr != nil {
		return nil
	}
	if qs := e.sweep.Retry(e.query); len(qs) > 0 {
		return e.fetch(qs)
	}
	return nil
}

// reload fetches again what a fault or a cancel left unscanned, or, when
// nothing is missing, the whole map.
func (e *explorer) reload() tea.Cmd {
	if e.src == nil {
		return say("opened from a file: there is nothing to fetch")
	}
	if e.queryErr != nil {
		return sayErr(e.queryErr)
	}
	if qs := e.sweep.Retry(e.query); len(qs) > 0 {
		e.stop()
		return tea.Batch(e.fetch(qs), say("fetching the unscanned ranges again"))
	}
	e.stop()
	return tea.Batch(e.start(), say("fetching the whole map again"))
}

// fetch starts the queries as one background fetch.
func (e *explorer) fetch(qs []vsphere.Query) tea.Cmd {
	e.stop()
	e.gen++
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	opts := vsphere.FetchOptions{Workers: e.c.cfg.Workers}
	if len(qs) == 1 && qs[0].Start == 0 && (qs[0].End == 0 || qs[0].End == qs[0].Capacity) {
		e.events = e.src.Fetch(ctx, qs[0], opts)
	} else {
		e.events = vsphere.FetchEach(ctx, e.src, qs, opts)
	}
	e.loading = true
	e.refreshSummary()
	return waitEvent(e, e.gen, e.events)
}

// stop abandons the running fetch; its remaining events are drained in the
// background and dropped by generation.
func (e *explorer) stop() {
	abandon(&e.cancel, &e.events)
	e.gen++ // an event read before the stop is dropped
	e.loading = false
}

// abandon cancels a background fetch and drains what it still sends, so its
// goroutines end; whatever reaches Update after is dropped by generation.
func abandon[T any](cancel *context.CancelFunc, events *<-chan T) {
	if *cancel != nil {
		(*cancel)()
		*cancel = nil
	}
	if ch := *events; ch != nil {
		go func() {
			for range ch {
			}
		}()
		*events = nil
	}
}

func (e *explorer) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case fetchMsg:
		if msg.owner != e || msg.gen != e.gen {
			return nil // a page of an abandoned query
		}
		return e.absorb(msg.ev)
	case fetchClosedMsg:
		if msg.owner == e && msg.gen == e.gen {
			e.events = nil
		}
		return nil
	case frameMsg:
		if msg.owner == e {
			e.onFrame()
		}
		return nil
	case jumpMsg:
		if msg.owner == e {
			e.hm.MoveToOffset(msg.off)
			e.syncTable(true)
		}
		return nil
	case exportedMsg:
		if msg.owner == e {
			return e.onExported(msg)
		}
		return nil
	case tea.MouseClickMsg:
		e.onClick(msg)
		return nil
	case tea.KeyPressMsg:
		return e.onKey(msg)
	}
	return nil
}

// onFetchEvent applies one event; the statistics follow at the next frame,
// or at once when the fetch is done.
func (e *explorer) onFetchEvent(ev vsphere.Event) tea.Cmd {
	e.sweep.Apply(ev)
	e.showFault()
	d, ok := ev.(*vsphere.DoneEvent)
	if !ok {
		return nil
	}
	e.loading = false
	if e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
	e.refreshSummary()
	if err := e.sweep.Err; err != nil && !d.Progress.Canceled {
		return sayErr(err)
	}
	return nil
}

// showFault puts the sweep's fault in the details panel, and the focus on
// it when it first appears, so that at any size a fault is seen at once.
func (e *explorer) showFault() {
	f := e.sweep.Fault
	if f == e.shown {
		return
	}
	first := e.shown == nil
	e.shown = f
	if f != nil {
		e.faultP.SetFault(f)
		if first {
			e.focus = panelDetails
		}
	}
	e.layout()
}

// refreshSummary brings the statistics up to date. The map keeps them as
// pages arrive, so this costs the same at any number of extents: it runs at
// every frame while pages stream.
func (e *explorer) refreshSummary() {
	m := e.sweep.Map
	e.largest = m.Largest(5)
	e.statsP.SetSummary(ui.Summary{Stats: m.Stats(), Largest: e.largest, Progress: e.sweep.Progress, Loading: e.loading})
	e.summarised = summaryKey{m, m.Version(), e.sweep.Progress.Calls, e.loading}
}

// summaryKey is what the statistics shown were computed from.
type summaryKey struct {
	m       *heatmap.ChangeMap
	version uint64
	calls   int64
	loading bool
}

// syncSummary refreshes the statistics when the map or the fetch moved on
// since they were computed, so that whatever draws a frame (a key, a
// resize, the frame tick) draws them from the same state as the map, the
// table and the progress line beside them.
func (e *explorer) syncSummary() {
	m := e.sweep.Map
	if e.summarised != (summaryKey{m, m.Version(), e.sweep.Progress.Calls, e.loading}) {
		e.refreshSummary()
	}
}

func (e *explorer) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := e.c.keys
	switch {
	case key.Matches(msg, k.Global.NextPanel):
		e.focus = (e.focus + 1) % numPanels
		e.layout()
		return nil
	case key.Matches(msg, k.Global.PrevPanel):
		e.focus = (e.focus + numPanels - 1) % numPanels
		e.layout()
		return nil
	case key.Matches(msg, k.Explorer.ExportJSON):
		return e.askExport("json")
	case key.Matches(msg, k.Explorer.ExportCSV):
		return e.askExport("csv")
	case key.Matches(msg, k.Explorer.Jump):
		return e.askJump()
	case key.Matches(msg, k.Explorer.Reload):
		return e.reload()
	case key.Matches(msg, k.Explorer.Timeline):
		if e.opened != nil {
			return say("opened from a file: the timeline needs the disk's snapshots from vCenter")
		}
		return emit(openTimelineMsg{sel: e.sel})
	case key.Matches(msg, k.Explorer.Compare):
		return e.markOrCompare()
	}
	switch e.focus {
	case panelHeatmap:
		before := e.hm.Window()
		if e.hm.Update(msg) {
			e.syncTable(e.hm.Window() != before)
			return nil
		}
	case panelExtents:
		if key.Matches(msg, k.Extents.Zoom) {
			if x, ok := e.table.Cursor(); ok {
				e.hm.ZoomTo(heatmap.Window{Start: x.Start, End: x.End()})
				e.syncTable(true)
			}
			return nil
		}
		if e.table.Update(msg) {
			if x, ok := e.table.Cursor(); ok {
				e.hm.MoveToOffset(x.Start)
			}
			return nil
		}
	case panelDetails:
		if key.Matches(msg, k.Details.Largest) && e.sweep.Fault == nil {
			if i := int(msg.Code - '1'); i >= 0 && i < len(e.largest) {
				x := e.largest[i]
				e.hm.ZoomTo(heatmap.Window{Start: x.Start, End: x.End()})
				e.focus = panelHeatmap
				e.layout()
			}
			return nil
		}
		if e.detailsPanel().Update(msg) {
			return nil
		}
	}
	if key.Matches(msg, k.Heatmap.ZoomOut) {
		if e.hm.ZoomOut() {
			e.syncTable(true)
			return nil
		}
		if e.opened == nil {
			return emit(backMsg{}) // esc at the top: back to the base picker
		}
	}
	return nil
}

// syncTable shows in the table what the heatmap shows: its window when it
// changed, and the extent under the cursor.
func (e *explorer) syncTable(window bool) {
	if window {
		e.table.SetWindow(e.hm.Window())
	}
	if c, ok := e.hm.CursorCell(); ok {
		e.table.SelectOffset(c.Start)
	}
}

// detailsPanel is the fault when there is one, else the statistics.
func (e *explorer) detailsPanel() interface{ Update(tea.KeyPressMsg) bool } {
	if e.sweep.Fault != nil {
		return e.faultP
	}
	return e.statsP
}

func (e *explorer) onClick(msg tea.MouseClickMsg) {
	if msg.Button != tea.MouseLeft {
		return
	}
	r := e.layoutRects().heatmap
	if r.contains(msg.X, msg.Y) {
		e.focus = panelHeatmap
		e.layout()
		e.hm.Click(msg.X-r.x, msg.Y-r.y)
		e.syncTable(false)
	}
}

func (e *explorer) askJump() tea.Cmd {
	capacity := e.sel.disk.CapacityBytes
	in := newInput(e.c, "Go to offset", "bytes (4398046511104), hex (0x40000000000), units (12G, 1.5TiB) or a share of the disk (37.5%)", "",
		func(v string) (tea.Cmd, error) {
			off, err := heatmap.ParseOffset(v, capacity)
			if err != nil {
				return nil, err
			}
			return emit(jumpMsg{e, off}), nil
		})
	return openOverlay(in)
}

func (e *explorer) Typing() bool { return false }

func (e *explorer) ShortHelp() []key.Binding {
	switch e.focus {
	case panelExtents:
		return e.c.keys.ShortHelp("extents")
	case panelDetails:
		return e.c.keys.ShortHelp("details")
	}
	return e.c.keys.ShortHelp("heatmap")
}

func (e *explorer) FullHelp() [][]key.Binding { return e.c.keys.FullHelp() }

// The explorer's messages, each tagged with the explorer it belongs to (and
// for fetch events, the fetch generation): messages of an explorer since
// replaced, or of an abandoned fetch, are dropped.

type fetchMsg struct {
	owner *explorer
	gen   int
	ev    vsphere.Event
}

type fetchClosedMsg struct {
	owner *explorer
	gen   int
}

type jumpMsg struct {
	owner *explorer
	off   int64
}

// waitEvent reads one event; Update issues it again after each.
func waitEvent(e *explorer, gen int, ch <-chan vsphere.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return fetchClosedMsg{e, gen}
		}
		return fetchMsg{e, gen, ev}
	}
}

// markOrCompare sets this map aside as A, or compares it with the map set
// aside: the root decides which.
func (e *explorer) markOrCompare() tea.Cmd {
	label := oneLine(e.sel.disk.Name) + " " + oneLine(label(e.sel.target)) + " since " + oneLine(e.sel.baseLabel)
	return emit(markMsg{markedMap{label: label, m: e.sweep.Map, disk: e.sel.disk.ID, sweep: e.sweep}})
}
