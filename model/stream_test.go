package model

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// floodSource fetches the whole map from the server before it hands the
// events over: all of them are waiting on the channel at once.
type floodSource struct {
	Source
	events []vsphere.Event
}

func (f *floodSource) Fetch(ctx context.Context, q vsphere.Query, opts vsphere.FetchOptions) <-chan vsphere.Event {
	var evs []vsphere.Event
	for ev := range f.Source.Fetch(ctx, q, opts) {
		evs = append(evs, ev)
	}
	f.events = append(f.events, evs...)
	return (&replayFetcher{events: evs, flood: true}).Fetch(ctx, q, opts)
}

// fetchMsgCounter counts the fetch messages that reach the model.
type fetchMsgCounter struct {
	*Model
	n int
}

func (c *fetchMsgCounter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if _, ok := msg.(fetchMsg); ok {
		c.n++
	}
	_, cmd := c.Model.Update(msg)
	return c, cmd
}

func extentsOf(m *heatmap.ChangeMap) []heatmap.Extent {
	return slices.Collect(m.Extents(0, m.Capacity()))
}

// A fetch of more than a million extents whose pages are all waiting at
// once is absorbed by the one message that finds them waiting (given the
// time), and the map is exactly the one export makes of the same disk.
func TestFloodOfWaitingPagesAbsorbedExactly(t *testing.T) {
	m := started(t, 160, 45)
	ctx := context.Background()
	d, err := m.src.FindDisk(ctx, "ds-prod-02", simulator.DemoSparse)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := m.src.Snapshots(ctx, d)
	if err != nil || len(snaps) == 0 {
		t.Fatalf("snapshots of %s: %v %v", d.Name, snaps, err)
	}
	flood := &floodSource{Source: m.src}
	e := newExplorer(m.c, flood, selection{disk: d, target: snaps[len(snaps)-1], base: "*", baseLabel: "*"})
	e.drainBudget = time.Hour // the budget is what lets keys in; no key comes here
	m.explorer, m.showing = e, viewExplorer
	m.relayout()
	counter := &fetchMsgCounter{Model: m}
	Drive(counter, e.start(), patience)
	if e.loading || !e.sweep.Done {
		t.Fatalf("still loading after the flood: %+v", e.sweep.Progress)
	}
	if counter.n != 1 {
		t.Fatalf("%d messages for %d waiting events: the first should absorb them all", counter.n, len(flood.events))
	}

	q, err := e.sel.query()
	if err != nil {
		t.Fatal(err)
	}
	want, err := vsphere.NewSweep(q.Capacity)
	if err != nil {
		t.Fatal(err)
	}
	// Another fetch of the same map, as export makes it: the same extents
	// (its pages may fall differently).
	want.Run(flood.Source.Fetch(ctx, q, vsphere.FetchOptions{Workers: 4}), nil)
	got := e.sweep.Map
	if !got.Complete() || got.Len() < 1_000_000 || !slices.Equal(extentsOf(got), extentsOf(want.Map)) {
		t.Fatalf("explorer's map: %d extents, complete %v; export's: %d extents", got.Len(), got.Complete(), want.Map.Len())
	}
	// Export's sweep of the very events the explorer absorbed: the same
	// statistics, down to the pages and extents as reported.
	if same := sweepOf(t, q.Capacity, flood.events).Map.Stats(); got.Stats() != same {
		t.Fatalf("statistics differ:\nexplorer %+v\nexport   %+v", got.Stats(), same)
	}
	contains(t, m.Render(), "100%", groupDigitsModel(int64(want.Map.Len()))+" merged")
}

// streamingExplorer is the explorer at w×h on a replayed fetch whose events
// are all waiting, absorbing one event per message (no drain budget), so
// that a test decides what comes between them. The first page's message
// is returned, not yet delivered, and the frame before it is drawn.
func streamingExplorer(t *testing.T, w, h int, evs []vsphere.Event) (*Model, *explorer, fetchMsg) {
	t.Helper()
	m := New(testConfig(t))
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	p := evs[0].(*vsphere.PageEvent)
	e := newExplorer(m.c, &replayFetcher{events: evs, flood: true}, selection{disk: vsphere.Disk{Name: "flood", CapacityBytes: p.Progress.Total}})
	e.drainBudget = 0
	m.explorer, m.showing = e, viewExplorer
	m.relayout()
	msg, ok := e.start()().(fetchMsg)
	if !ok {
		t.Fatal("the fetch's first message is not a page")
	}
	m.View()
	return m, e, msg
}

// sweepOf is the map export makes of the same events.
func sweepOf(t *testing.T, capacity int64, evs []vsphere.Event) *vsphere.Sweep {
	t.Helper()
	sw, err := vsphere.NewSweep(capacity)
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan vsphere.Event, len(evs))
	for _, ev := range evs {
		ch <- ev
	}
	close(ch)
	sw.Run(ch, nil)
	return sw
}

// A key pressed between the pages of a flood is handled, and drawn by the
// very next View; the pages after it are all absorbed, and the key's
// effect stays.
func TestKeyBetweenFloodedPagesTakesEffect(t *testing.T) {
	evs := workerPages(1<<40, 200_000, 2000, 16, 7)
	m, e, first := streamingExplorer(t, 160, 45, evs)
	_, next := m.Update(first)
	if e.sweep.Progress.Pages != 1 {
		t.Fatalf("%d pages absorbed by the first message, want 1", e.sweep.Progress.Pages)
	}
	press0 := m.View().Content
	m.Update(keyMsg("enter")) // zooms into the cell under the cursor
	if e.hm.Depth() != 1 {
		t.Fatalf("enter between pages: depth %d", e.hm.Depth())
	}
	after := m.View().Content
	if after == press0 {
		t.Fatal("the View after the key is the frame before it")
	}
	contains(t, after, "whole disk ›")

	Drive(m, next, patience)
	want := sweepOf(t, e.sweep.Map.Capacity(), evs)
	if !e.sweep.Done || !slices.Equal(extentsOf(e.sweep.Map), extentsOf(want.Map)) || !e.sweep.Map.Complete() {
		t.Fatalf("after the flood: done %v, %d extents, want %d", e.sweep.Done, e.sweep.Map.Len(), want.Map.Len())
	}
	if e.hm.Depth() != 1 {
		t.Fatalf("the pages after the key undid its zoom: depth %d", e.hm.Depth())
	}
	contains(t, m.View().Content, "whole disk ›", "100%")
}

// Pages streaming in do not redraw the screen one by one: the frame drawn
// last stands until the frame tick, which draws them all at once.
func TestStreamedPagesAreDrawnByTheFrameTick(t *testing.T) {
	evs := workerPages(1<<40, 20_000, 2000, 4, 3)
	m, e, first := streamingExplorer(t, 160, 45, evs)
	before := m.View().Content
	drawn := m.frame.drawn
	_, cmd := m.Update(first)
	msgs := runBatch(cmd)
	var page fetchMsg
	var tick frameMsg
	for _, msg := range msgs {
		switch msg := msg.(type) {
		case fetchMsg:
			page = msg
		case frameMsg:
			tick = msg
		}
	}
	if page.owner != e || tick.owner != e {
		t.Fatalf("after a page, the explorer asked for %v: want the next event and a frame tick", msgs)
	}
	m.Update(page)
	if got := m.View().Content; got != before || m.frame.drawn != drawn {
		t.Fatalf("two pages redrew the screen %d times before the frame tick", m.frame.drawn-drawn)
	}
	m.Update(tick)
	got := m.View().Content
	if m.frame.drawn != drawn+1 || got == before {
		t.Fatalf("the frame tick drew %d frames", m.frame.drawn-drawn)
	}
	if e.sweep.Progress.Pages != 2 {
		t.Fatalf("%d pages absorbed", e.sweep.Progress.Pages)
	}
	if got != m.Render() {
		t.Fatal("the frame drawn by the tick is not the screen as it is")
	}
}

// runBatch runs a command and the commands of the batches it returns, and
// gives back their messages.
func runBatch(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runBatch(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// A frame drawn between frame ticks (after a key, say) shows statistics of
// the same state as the map and the progress line beside them, not of the
// last tick.
func TestStatisticsDrawnWithTheMapTheyDescribe(t *testing.T) {
	evs := workerPages(1<<40, 50_000, 2000, 16, 11)
	m, e, msg := streamingExplorer(t, 200, 60, evs)
	for range 5 {
		_, next := m.Update(msg)
		found := false
		for _, x := range runBatch(next) { // the next page, and a frame tick left undelivered
			if f, ok := x.(fetchMsg); ok {
				msg, found = f, true
			}
		}
		if !found {
			t.Fatal("no next page")
		}
	}
	m.Update(keyMsg("l"))
	pr := e.sweep.Progress
	if pr.Pages != 5 {
		t.Fatalf("%d pages absorbed, want 5", pr.Pages)
	}
	contains(t, m.View().Content, fmt.Sprintf("%d pages · %d calls", pr.Pages, pr.Calls))
}

// An event read before the explorer stopped its fetch (esc back to the
// pickers) is dropped when it arrives: a stopped map stays as it was.
func TestEventReadBeforeStopIsDropped(t *testing.T) {
	evs := workerPages(1<<40, 20_000, 2000, 4, 5)
	m, e, first := streamingExplorer(t, 160, 45, evs)
	e.stop()
	m.Update(first)
	if n := e.sweep.Progress.Pages; n != 0 {
		t.Fatalf("a page read before the stop was applied after it: %d pages", n)
	}
}
