package model

import (
	"context"
	"fmt"
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
	drawnAt time.Time

	panel *ui.TimelinePanel
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
	m.timeline = &timelineView{c: m.c, src: m.src, sel: msg.sel, panel: ui.NewTimelinePanel(m.c.st, m.c.keys.Timeline)}
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

func (t *timelineView) stop() {
	abandon(&t.cancel, &t.events)
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
		t.tl, t.vmSnaps = msg.tl, msg.vmSnaps
		t.gen++
		ctx, cancel := context.WithCancel(context.Background())
		t.cancel = cancel
		t.events = vsphere.RunTimeline(ctx, t.src, t.tl, vsphere.TimelineOptions{Fetch: vsphere.FetchOptions{Workers: t.c.cfg.Workers}})
		t.refresh()
		return waitTimeline(t, t.gen, t.events)
	case timelineEventMsg:
		if msg.owner != t || msg.gen != t.gen {
			return nil
		}
		t.tl.Apply(msg.ev)
		// Rows are redrawn at most a few times a second while pages
		// stream, and always when an interval ends.
		if _, done := msg.ev.Event.(*vsphere.DoneEvent); done || time.Since(t.drawnAt) > refreshEvery {
			t.refresh()
		}
		return waitTimeline(t, t.gen, t.events)
	case timelineClosedMsg:
		if msg.owner == t && msg.gen == t.gen {
			t.events, t.loading = nil, false
			if t.cancel != nil {
				t.cancel()
				t.cancel = nil
			}
			t.flags = t.tl.Flags()
			t.refresh()
		}
		return nil
	case tea.KeyPressMsg:
		return t.onKey(msg)
	}
	return nil
}

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
		return emit(markMsg{markedMap{label: oneLine(t.sel.disk.Name) + " " + t.rowLabel(iv), m: iv.Sweep.Map, disk: t.sel.disk.ID}})
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
func (t *timelineView) rowLabel(iv *vsphere.Interval) string {
	day := func(s vsphere.Snapshot) string {
		if s.CreateTime.IsZero() {
			return shortID(s.ID)
		}
		return s.CreateTime.Format("01-02 15:04")
	}
	return fmt.Sprintf("S%d→S%d %s → %s", iv.Index+1, iv.Index+2, day(iv.From), day(iv.To))
}

// refresh rebuilds the panel's rows from the intervals.
func (t *timelineView) refresh() {
	t.drawnAt = time.Now()
	if t.tl == nil {
		return
	}
	rows := make([]ui.TimelineRow, len(t.tl.Intervals))
	for i, iv := range t.tl.Intervals {
		r := ui.TimelineRow{Label: t.rowLabel(iv)}
		switch {
		case !iv.Queried():
			r.State = "not queried: " + oneLine(iv.NotQueryable)
		default:
			r.Map = iv.Sweep.Map
			sw := iv.Sweep
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
