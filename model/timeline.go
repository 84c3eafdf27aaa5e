package model

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// timelineView is a disk's snapshot chain: every consecutive interval's
// changes, fetched in the background by vsphere.RunTimeline, shown as a
// chart or a strip, with what looks wrong flagged. Enter opens an interval's
// map in the explorer, as fetched.
type timelineView struct {
	c    *common
	w, h int

	src     Source
	sel     selection
	tl      *vsphere.Timeline
	vmSnaps []vsphere.VMSnapshot
	flags   []vsphere.Flag
	err     error

	gen     int
	cancel  context.CancelFunc
	events  <-chan vsphere.TimelineEvent
	loading bool
	// frames schedules the frame ticks while events arrive.
	frames frameClock
	// rowsOf is the state of the chain the panel's rows show.
	rowsOf, scratch []rowKey

	panel *ui.TimelinePanel
	// run starts the chain's fetch: vsphere.RunTimeline.
	run func(context.Context, vsphere.Fetcher, *vsphere.Timeline, vsphere.TimelineOptions) <-chan vsphere.TimelineEvent
	// drainBudget bounds the time one message spends absorbing the events
	// waiting behind it.
	drainBudget time.Duration
}

func newTimelineView(c *common, src Source, sel selection) *timelineView {
	return &timelineView{c: c, src: src, sel: sel, panel: ui.NewTimelinePanel(c.st, c.keys.Timeline),
		run: vsphere.RunTimeline, drainBudget: drainBudget}
}

// The timeline's messages, tagged with the view and fetch they belong to.
type (
	openTimelineMsg struct{ sel selection }
	timelineBackMsg struct{}
	timelinePlanMsg struct {
		owner   *timelineView
		tl      *vsphere.Timeline
		vmSnaps []vsphere.VMSnapshot
		err     error
	}
	timelineEventMsg struct {
		owner *timelineView
		gen   int
		ev    vsphere.TimelineEvent
	}
	timelineClosedMsg struct {
		owner *timelineView
		gen   int
	}
)

// openTimeline shows the timeline of the selection's disk: the one already
// fetched when it is the same disk, else a new one.
func (m *Model) openTimeline(msg openTimelineMsg) tea.Cmd {
	if m.src == nil {
		return say("the timeline needs a vCenter")
	}
	m.timelineBack = m.showing
	if t := m.timeline; t != nil && t.sel.disk.ID == msg.sel.disk.ID {
		m.show(viewTimeline)
		return nil
	}
	if m.timeline != nil {
		m.timeline.stop()
	}
	m.timeline = newTimelineView(m.c, m.src, msg.sel)
	m.show(viewTimeline)
	return m.timeline.plan()
}

// plan lists the disk's snapshots and lays out the chain, in the
// background.
func (t *timelineView) plan() tea.Cmd {
	t.loading = true
	src, sel, limit := t.src, t.sel, t.c.cfg.Timeout
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		var spec vsphere.TimelineSpec
		var vmSnaps []vsphere.VMSnapshot
		if sel.vm != nil {
			snaps, err := src.VMSnapshots(ctx, sel.vm.vm)
			if err != nil {
				return timelinePlanMsg{owner: t, err: err}
			}
			spec, vmSnaps = vsphere.VMTimeline(sel.vm.vm, sel.vm.disk, snaps), snaps
		} else {
			snaps, err := src.Snapshots(ctx, sel.disk)
			if err != nil {
				return timelinePlanMsg{owner: t, err: err}
			}
			spec = vsphere.FCDTimeline(sel.disk, snaps)
		}
		spec.Allocated = true
		tl, err := vsphere.PlanTimeline(spec)
		return timelinePlanMsg{owner: t, tl: tl, vmSnaps: vmSnaps, err: err}
	}
}

// stop abandons the chain's fetch. What it did not finish is marked
// cancelled, as vsphere.Timeline.Run marks it: no page will come, so
// nothing may show it, or wait for it, as loading.
func (t *timelineView) stop() {
	if t.events != nil && t.tl != nil {
		ivs := t.tl.Intervals
		if a := t.tl.Allocated; a != nil {
			ivs = append(slices.Clip(ivs), a)
		}
		for _, iv := range ivs {
			if iv.Queried() && !iv.Sweep.Done {
				iv.Sweep.Done, iv.Sweep.Canceled = true, true
			}
		}
	}
	abandon(&t.cancel, &t.events)
	t.gen++ // an event read before the stop is dropped
	t.loading = false
}

func (t *timelineView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case timelinePlanMsg:
		if msg.owner != t {
			return nil
		}
		if msg.err != nil {
			t.err, t.loading = msg.err, false
			return sayErr(msg.err)
		}
		t.tl, t.vmSnaps, t.loading = msg.tl, msg.vmSnaps, true
		t.gen++
		ctx, cancel := context.WithCancel(context.Background())
		t.cancel = cancel
		t.events = t.run(ctx, t.src, t.tl, vsphere.TimelineOptions{Fetch: vsphere.FetchOptions{Workers: t.c.cfg.Workers}})
		t.syncRows()
		return waitTimeline(t, t.gen, t.events)
	case timelineEventMsg:
		if msg.owner != t || msg.gen != t.gen {
			return nil
		}
		cmds, closed := drain(&t.events, t.drainBudget, msg.ev, t.apply)
		if closed {
			t.finish()
		}
		return tea.Batch(append(cmds, waitTimeline(t, t.gen, t.events), t.frames.request(t))...)
	case timelineClosedMsg:
		if msg.owner != t || msg.gen != t.gen {
			return nil
		}
		t.events = nil
		t.finish()
		return t.frames.request(t)
	case frameMsg:
		if msg.owner == t {
			t.onFrame()
		}
		return nil
	case tea.KeyPressMsg:
		return t.onKey(msg)
	}
	return nil
}

// apply folds one event of the chain's fetch into the plan; the rows
// follow when a frame is drawn.
func (t *timelineView) apply(ev vsphere.TimelineEvent) tea.Cmd {
	t.tl.Apply(ev)
	return nil
}

// finish is the end of the chain's fetch: what looks wrong can be read
// now that every interval is in.
func (t *timelineView) finish() {
	t.loading = false
	if t.cancel != nil {
		t.cancel()
		t.cancel = nil
	}
	t.flags = t.tl.Flags()
}

// onFrame is the frame tick: the View after it draws afresh, with the rows
// brought up to date (syncRows).
func (t *timelineView) onFrame() { t.frames.ticked() }

func waitTimeline(t *timelineView, gen int, ch <-chan vsphere.TimelineEvent) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return timelineClosedMsg{t, gen}
		}
		return timelineEventMsg{t, gen, ev}
	}
}

func (t *timelineView) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := t.c.keys
	t.syncRows()
	switch {
	case t.panel.Update(msg):
		return nil
	case key.Matches(msg, k.Timeline.Back):
		t.stop()
		return emit(timelineBackMsg{})
	case t.tl == nil:
		return nil
	case key.Matches(msg, k.Timeline.Open):
		iv := t.selected()
		if iv == nil {
			return nil
		}
		if !iv.Queried() {
			return say(iv.Name() + " is not queried: " + iv.NotQueryable)
		}
		return emit(openMapMsg{sel: t.intervalSelection(iv), sweep: iv.Sweep})
	case key.Matches(msg, k.Explorer.Compare):
		iv := t.selected()
		if iv == nil || !iv.Queried() {
			return nil
		}
		label, _ := t.rowLabel(iv)
		return emit(markMsg{markedMap{label: oneLine(t.sel.disk.Name) + " " + label, m: iv.Sweep.Map, disk: t.sel.disk.ID, sweep: iv.Sweep}})
	}
	return nil
}

func (t *timelineView) selected() *vsphere.Interval {
	if t.tl == nil || len(t.tl.Intervals) == 0 {
		return nil
	}
	return t.tl.Intervals[min(t.panel.Cursor(), len(t.tl.Intervals)-1)]
}

// intervalSelection is the interval as a map the explorer shows.
func (t *timelineView) intervalSelection(iv *vsphere.Interval) selection {
	s := selection{disk: t.sel.disk, target: iv.To, base: iv.From.ChangeID, baseLabel: label(iv.From), baseName: "since-" + shortID(iv.From.ID)}
	if t.sel.vm != nil {
		v := *t.sel.vm
		v.snap = vmSnapshot(t.vmSnaps, iv.To)
		s.vm = &v
	}
	return s
}

// rowLabel names an interval by its snapshots' dates.
func (t *timelineView) rowLabel(iv *vsphere.Interval) (label, short string) {
	when := func(s vsphere.Snapshot, layout string) string {
		if s.CreateTime.IsZero() {
			return shortID(s.ID)
		}
		return s.CreateTime.Format(layout)
	}
	name := fmt.Sprintf("S%d→S%d ", iv.Index+1, iv.Index+2)
	return name + when(iv.From, "01-02 15:04") + " → " + when(iv.To, "01-02 15:04"),
		name + when(iv.From, "01-02") + " → " + when(iv.To, "01-02")
}

// rowKey is what an interval's row is drawn from.
type rowKey struct {
	version        uint64
	progress       vsphere.Progress
	fault          *vsphere.Fault
	faults         int
	started, done  bool
	queried, flags int
}

// rowKeys is the chain's state as rows show it: a few fields per interval,
// so comparing it costs nothing next to a frame.
func (t *timelineView) rowKeys(into []rowKey) []rowKey {
	into = into[:0]
	for _, iv := range t.tl.Intervals {
		k := rowKey{started: iv.Started, flags: len(t.flags)}
		if iv.Queried() {
			sw := iv.Sweep
			k.version, k.progress, k.fault, k.faults, k.done, k.queried = sw.Map.Version(), sw.Progress, sw.Fault, sw.Faults, sw.Done, 1
		}
		into = append(into, k)
	}
	return into
}

// syncRows rebuilds the panel's rows when the chain moved on since they
// were made, so that whatever draws a frame (the frame tick, a key, a
// resize) draws every row from the maps and fetches as they are.
func (t *timelineView) syncRows() {
	if t.tl == nil {
		return
	}
	keys := t.rowKeys(t.scratch)
	if slices.Equal(keys, t.rowsOf) {
		t.scratch = keys
		return
	}
	t.scratch, t.rowsOf = t.rowsOf, keys
	t.refresh()
}

// refresh rebuilds the panel's rows from the intervals. A row's figures
// come from its map's statistics, which the map keeps as pages arrive: the
// cost is the same at any number of extents.
func (t *timelineView) refresh() {
	rows := make([]ui.TimelineRow, len(t.tl.Intervals))
	for i, iv := range t.tl.Intervals {
		var r ui.TimelineRow
		r.Label, r.Short = t.rowLabel(iv)
		switch {
		case !iv.Queried():
			r.State = "not queried: " + oneLine(iv.NotQueryable)
		default:
			sw := iv.Sweep
			st := sw.Map.Stats()
			r.Map, r.ChangedBytes, r.Extents = sw.Map, st.ChangedBytes, st.Extents
			switch {
			case !iv.Started:
				r.State = "waiting"
			case !sw.Done:
				r.State = fmt.Sprintf("loading %.0f%%", 100*float64(sw.Progress.Scanned)/float64(max(sw.Progress.Total, 1)))
			case sw.Fault != nil:
				r.State = "fault: " + oneLine(sw.Fault.Type+" "+sw.Fault.Diagnosis.Title)
			case !sw.Complete():
				r.State = "incomplete"
			}
		}
		for _, f := range t.flags {
			if f.Interval == i {
				r.Flags = append(r.Flags, string(f.Kind))
			}
		}
		rows[i] = r
	}
	t.panel.SetRows(rows)
}

func (t *timelineView) SetSize(w, h int) {
	t.w, t.h = w, h
	t.panel.SetSize(w, max(h-t.flagLines(), 3))
}

// flagLines is the room below the panel for what looks wrong.
func (t *timelineView) flagLines() int { return min(max(t.h/3, 4), 10) }

func (t *timelineView) View() string {
	t.syncRows()
	if t.tl == nil {
		msg := "\n  listing the snapshots of " + oneLine(t.sel.disk.Name) + " …"
		if t.err != nil {
			msg = "\n  " + t.c.st.Bad.Render(oneLine(t.err.Error()))
		}
		return ui.Fit(msg, t.w, t.h)
	}
	var b strings.Builder
	b.WriteString(t.c.st.PanelTitle.Render(" What looks wrong "))
	switch {
	case t.loading:
		b.WriteString(t.c.st.Subtle.Render(" (when every interval is in)"))
	case len(t.flags) == 0:
		b.WriteString("\n" + t.c.st.Good.Render("nothing: the chain looks consistent"))
	}
	for _, f := range t.flags {
		line := "▲ likely: " + oneLine(f.Likely)
		if f.Evidence != "" {
			line += t.c.st.Subtle.Render(" (" + oneLine(f.Evidence) + ")")
		}
		b.WriteString("\n" + ansi.Wrap(line, max(t.w-2, 10), " "))
	}
	return ui.JoinV(t.panel.View(), ui.Fit(b.String(), t.w, t.flagLines()))
}

func (t *timelineView) StatusLine(w int) string {
	if t.tl == nil || !t.loading {
		if t.tl != nil {
			if err := t.tl.Failure(); err != nil {
				return ui.FitLine(t.c.st.Warn.Render(" "+oneLine(err.Error())), w)
			}
			return ui.FitLine(t.c.st.Subtle.Render(fmt.Sprintf(" %d intervals, all complete", len(t.tl.Intervals))), w)
		}
		return ui.FitLine("", w)
	}
	done := 0
	for _, iv := range t.tl.Intervals {
		if !iv.Queried() || iv.Sweep.Done {
			done++
		}
	}
	return ui.FitLine(t.c.st.Warn.Render(fmt.Sprintf(" fetching the chain: %d of %d intervals in …", done, len(t.tl.Intervals))), w)
}

func (t *timelineView) ShortHelp() []key.Binding {
	k := t.c.keys
	return []key.Binding{k.Timeline.Down, k.Timeline.Open, k.Timeline.View, k.Explorer.Compare, k.Timeline.Back, k.Global.Help, k.Global.Quit}
}

func (t *timelineView) FullHelp() [][]key.Binding {
	k := t.c.keys
	return [][]key.Binding{k.Timeline.All(), {k.Explorer.Compare, k.Global.LastError, k.Global.Help, k.Global.Quit}}
}

func (t *timelineView) Typing() bool { return false }
