package model

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/vsphere"
)

// chainSource is a disk with a chain of snapshots whose intervals' fetches
// are replayed: every query's events are made beforehand (workers' pages,
// out of disk order) and all waiting when Fetch returns.
type chainSource struct {
	Source
	disk    vsphere.Disk
	snaps   []vsphere.Snapshot
	byQuery map[string][]vsphere.Event
}

func chainKey(snapshot, changeID string) string { return snapshot + "|" + changeID }

// newChainSource is a 1 TiB disk with intervals+1 snapshots, each interval
// about extents changed extents, and the allocated areas of the newest.
func newChainSource(intervals, extents int, seed uint64) *chainSource {
	const capacity = 1 << 40
	c := &chainSource{disk: vsphere.Disk{ID: "disk-chain", Name: "chain", CapacityBytes: capacity}, byQuery: map[string][]vsphere.Event{}}
	t0 := time.Date(2025, 1, 1, 2, 0, 0, 0, time.UTC)
	for k := range intervals + 1 {
		s := vsphere.Snapshot{ID: fmt.Sprintf("snap-%d", k), CreateTime: t0.Add(time.Duration(k) * 24 * time.Hour), ChangeID: fmt.Sprintf("52 0c/%d", k+1)}
		c.snaps = append(c.snaps, s)
		if k > 0 {
			c.byQuery[chainKey(s.ID, c.snaps[k-1].ChangeID)] = workerPages(capacity, extents, 2000, vsphere.TimelineWorkers, seed+uint64(k))
		}
	}
	c.byQuery[chainKey(c.snaps[intervals].ID, "*")] = workerPages(capacity, 2*extents, 2000, vsphere.TimelineWorkers, seed)
	return c
}

func (c *chainSource) Snapshots(context.Context, vsphere.Disk) ([]vsphere.Snapshot, error) {
	return c.snaps, nil
}

func (c *chainSource) Fetch(ctx context.Context, q vsphere.Query, opts vsphere.FetchOptions) <-chan vsphere.Event {
	return (&replayFetcher{events: c.byQuery[chainKey(q.Snapshot, q.ChangeID)], flood: true}).Fetch(ctx, q, opts)
}

// plan is the chain as the timeline plans it, nothing fetched.
func (c *chainSource) plan(t testing.TB) *vsphere.Timeline {
	t.Helper()
	spec := vsphere.FCDTimeline(c.disk, c.snaps)
	spec.Allocated = true
	tl, err := vsphere.PlanTimeline(spec)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// floodRun is vsphere.RunTimeline with every event already waiting on the
// channel when it returns.
func floodRun(ctx context.Context, f vsphere.Fetcher, tl *vsphere.Timeline, opts vsphere.TimelineOptions) <-chan vsphere.TimelineEvent {
	var all []vsphere.TimelineEvent
	for ev := range vsphere.RunTimeline(ctx, f, tl, opts) {
		all = append(all, ev)
	}
	ch := make(chan vsphere.TimelineEvent, len(all))
	for _, ev := range all {
		ch <- ev
	}
	close(ch)
	return ch
}

// streamingTimeline is the timeline of src's chain at w×h with its plan in
// and its events all waiting, each message absorbing those behind it for at
// most budget. It returns the command that reads the first event, not yet
// run, with the frame before it drawn.
func streamingTimeline(t *testing.T, w, h int, src *chainSource, budget time.Duration) (*Model, *timelineView, tea.Cmd) {
	t.Helper()
	m := New(testConfig(t))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.src = src
	_, planCmd := m.Update(openTimelineMsg{sel: selection{disk: src.disk}})
	tv := m.timeline
	tv.drainBudget, tv.run = budget, floodRun
	plan, ok := planCmd().(timelinePlanMsg)
	if !ok || plan.err != nil {
		t.Fatalf("plan: %+v", plan)
	}
	_, next := m.Update(plan)
	m.View()
	return m, tv, next
}

// sameTimeline fails unless got's maps are want's, extent for extent and
// statistic for statistic, and got is complete.
func sameTimeline(t *testing.T, got, want *vsphere.Timeline) {
	t.Helper()
	ivs := append(slices.Clone(want.Intervals), want.Allocated)
	for i, w := range ivs {
		g := got.Allocated
		if i < len(got.Intervals) {
			g = got.Intervals[i]
		}
		gm, wm := g.Sweep.Map, w.Sweep.Map
		if !g.Sweep.Done || !gm.Complete() || gm.Len() == 0 || !slices.Equal(extentsOf(gm), extentsOf(wm)) {
			t.Fatalf("%s: done %v, complete %v, %d extents; Run's: %d", w.Name(), g.Sweep.Done, gm.Complete(), gm.Len(), wm.Len())
		}
		if gm.Stats() != wm.Stats() || g.Sweep.Progress.Pages != w.Sweep.Progress.Pages {
			t.Fatalf("%s: statistics differ:\nview %+v\nRun  %+v", w.Name(), gm.Stats(), wm.Stats())
		}
	}
}

// timelineMsgCounter counts the timeline's event messages that reach the
// model.
type timelineMsgCounter struct {
	*Model
	n int
}

func (c *timelineMsgCounter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(timelineEventMsg); ok {
		c.n++
	}
	_, cmd := c.Model.Update(msg)
	return c, cmd
}

// A chain's events all waiting at once are absorbed by the one message
// that finds them waiting (given the time), and the maps, statistics and
// flags are exactly those vsphere.Timeline.Run makes of the same events.
func TestTimelineFloodAbsorbedExactly(t *testing.T) {
	src := newChainSource(11, 60_000, 1)
	m, tv, next := streamingTimeline(t, 160, 48, src, time.Hour)
	counter := &timelineMsgCounter{Model: m}
	Drive(counter, next, patience)
	if tv.loading {
		t.Fatal("still loading after the flood")
	}
	if counter.n != 1 {
		t.Fatalf("%d messages for the waiting events: the first should absorb them all", counter.n)
	}
	want := src.plan(t)
	want.Run(context.Background(), src, vsphere.TimelineOptions{}, nil)
	sameTimeline(t, tv.tl, want)
	if !reflect.DeepEqual(tv.flags, want.Flags()) {
		t.Fatalf("flags %+v, Run's %+v", tv.flags, want.Flags())
	}
	iv := want.Intervals[0].Sweep.Map
	contains(t, ansi.Strip(m.View().Content), "11 intervals, all complete", groupDigitsModel(int64(iv.Len()))+" extents")
}

// A key pressed between the events of a flood is handled and drawn by the
// very next View; the events after it are all absorbed, and the key's
// effect stays.
func TestTimelineKeyBetweenFloodedEventsTakesEffect(t *testing.T) {
	src := newChainSource(11, 20_000, 2)
	m, tv, next := streamingTimeline(t, 160, 48, src, 0)
	_, rest := m.Update(next())
	before := m.View().Content
	m.Update(keyMsg("j"))
	if tv.panel.Cursor() != 1 {
		t.Fatalf("j between events: cursor on %d", tv.panel.Cursor())
	}
	after := m.View().Content
	if after == before {
		t.Fatal("the View after the key is the frame before it")
	}
	contains(t, ansi.Strip(after), "▶ S2→S3")

	Drive(m, rest, patience)
	want := src.plan(t)
	want.Run(context.Background(), src, vsphere.TimelineOptions{}, nil)
	sameTimeline(t, tv.tl, want)
	if tv.panel.Cursor() != 1 {
		t.Fatalf("the events after the key moved the cursor to %d", tv.panel.Cursor())
	}
	contains(t, ansi.Strip(m.View().Content), "▶ S2→S3", "all complete")
}

// Events streaming in do not redraw the screen one by one: the frame drawn
// last stands until the frame tick, which draws them all at once.
func TestTimelineEventsAreDrawnByTheFrameTick(t *testing.T) {
	src := newChainSource(3, 20_000, 3)
	m, tv, next := streamingTimeline(t, 160, 48, src, 0)
	before := m.View().Content
	drawn := m.frame.drawn
	_, cmd := m.Update(next())
	var ev timelineEventMsg
	var tick frameMsg
	msgs := runBatch(cmd)
	for _, msg := range msgs {
		switch msg := msg.(type) {
		case timelineEventMsg:
			ev = msg
		case frameMsg:
			tick = msg
		}
	}
	if ev.owner != tv || tick.owner != tv {
		t.Fatalf("after an event, the timeline asked for %v: want the next event and a frame tick", msgs)
	}
	m.Update(ev)
	if got := m.View().Content; got != before || m.frame.drawn != drawn {
		t.Fatalf("two events redrew the screen %d times before the frame tick", m.frame.drawn-drawn)
	}
	m.Update(tick)
	got := m.View().Content
	if m.frame.drawn != drawn+1 || got == before {
		t.Fatalf("the frame tick drew %d frames", m.frame.drawn-drawn)
	}
	if got != m.Render() {
		t.Fatal("the frame drawn by the tick is not the screen as it is")
	}
}

// A frame drawn between frame ticks (after a key, say) shows every
// interval's row as its map and fetch are, not as they were at the last
// tick.
func TestTimelineRowsDrawnWithTheMapsTheyDescribe(t *testing.T) {
	src := newChainSource(5, 50_000, 4)
	m, tv, next := streamingTimeline(t, 160, 48, src, 0)
	for range 40 {
		_, cmd := m.Update(next())
		next = nil
		for _, x := range runBatch(cmd) { // the next event, and a frame tick left undelivered
			if ev, ok := x.(timelineEventMsg); ok {
				next = func() tea.Msg { return ev }
			}
		}
		if next == nil {
			t.Fatal("no next event")
		}
	}
	m.Update(keyMsg("j"))
	screen := ansi.Strip(m.View().Content)
	loading := 0
	for _, iv := range tv.tl.Intervals {
		sw := iv.Sweep
		if !iv.Started || sw.Done {
			continue
		}
		loading++
		contains(t, screen, fmt.Sprintf("%s extents · loading %.0f%%", groupDigitsModel(int64(sw.Map.Len())), 100*float64(sw.Progress.Scanned)/float64(sw.Progress.Total)))
	}
	if loading == 0 {
		t.Fatal("no interval loading after 40 events")
	}
}
