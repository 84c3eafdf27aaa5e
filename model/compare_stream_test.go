package model

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Two intervals compared while the chain still loads (the first has some
// of its pages in) are compared as they were, and the screen says so; once every map is in, the comparison is
// made again, and its parts add up to what each whole map changed.
func TestCompareWhileLoadingIsMadeAgainWhenIn(t *testing.T) {
	src := newChainSource(3, 50_000, 5)
	m, tv, next := streamingTimeline(t, 160, 48, src, 0)
	loading := func(i int) bool {
		iv := tv.tl.Intervals[i]
		return iv.Started && !iv.Sweep.Done && iv.Sweep.Map.Len() > 0
	}
	var rest tea.Cmd
	for range 1000 {
		if loading(0) {
			break
		}
		_, rest = m.Update(next())
		next = nil
		for _, x := range runBatch(rest) { // the next event, and a frame tick
			switch x := x.(type) {
			case timelineEventMsg:
				next, rest = func() tea.Msg { return x }, func() tea.Msg { return x }
			case frameMsg:
				m.Update(x)
			}
		}
		if next == nil {
			t.Fatal("the chain ended before its first interval was loading")
		}
	}
	press(t, m, "c", "j", "c")
	if screenName(m) != "compare" {
		t.Fatalf("c, j, c led to %s", screenName(m))
	}
	contains(t, ansi.Strip(m.View().Content), "still loading")

	Drive(m, rest, patience)
	if tv.loading {
		t.Fatal("the chain is still loading")
	}
	screen := ansi.Strip(m.View().Content)
	a, b := tv.tl.Intervals[0].Sweep.Map, tv.tl.Intervals[1].Sweep.Map
	st := m.compare.cmp.Stats()
	if !a.Complete() || !b.Complete() || st.OnlyA.Bytes+st.Both.Bytes != a.ChangedBytes(0, a.Capacity()) || st.OnlyB.Bytes+st.Both.Bytes != b.ChangedBytes(0, b.Capacity()) {
		t.Fatalf("parts %+v do not add up to A %d and B %d", st, a.ChangedBytes(0, a.Capacity()), b.ChangedBytes(0, b.Capacity()))
	}
	if st.AWhereBUnknown.Bytes != 0 || st.BWhereAUnknown.Bytes != 0 {
		t.Fatalf("bytes left unknown in complete maps: %+v", st)
	}
	contains(t, screen, "Compare", "only in A")
	if strings.Contains(screen, "still loading") {
		t.Fatalf("the comparison of complete maps says it is loading:\n%s", screen)
	}
}

// A timeline left while it loads stops its fetch (an event already read is
// dropped): come back to it, and the
// intervals it did not finish say so rather than loading for ever, and a
// comparison of one of them is not waiting for pages that will not come.
func TestTimelineLeftWhileLoadingStopsForGood(t *testing.T) {
	src := newChainSource(3, 50_000, 6)
	m, tv, next := streamingTimeline(t, 160, 48, src, 0)
	for range 4 { // the starts, and a page or so
		_, cmd := m.Update(next())
		next = nil
		for _, x := range runBatch(cmd) {
			if ev, ok := x.(timelineEventMsg); ok {
				next = func() tea.Msg { return ev }
			}
		}
	}
	press(t, m, "esc")
	if screenName(m) == "timeline" {
		t.Fatal("esc stayed in the timeline")
	}
	// The event read before the stop comes in after it, and is dropped.
	pages := func() (n int64) {
		for _, iv := range tv.tl.Intervals {
			n += iv.Sweep.Progress.Pages
		}
		return n
	}
	before := pages()
	m.Update(next())
	if pages() != before {
		t.Fatalf("an event of the stopped fetch was applied: %d pages, %d before", pages(), before)
	}
	Send(m, openTimelineMsg{sel: selection{disk: src.disk}}, patience)
	if m.timeline != tv {
		t.Fatal("the timeline of the same disk was not kept")
	}
	screen := ansi.Strip(m.View().Content)
	if strings.Contains(screen, "loading") {
		t.Fatalf("a stopped timeline shows intervals loading:\n%s", screen)
	}
	contains(t, screen, "incomplete")
	press(t, m, "c", "j", "c")
	if screenName(m) != "compare" || strings.Contains(ansi.Strip(m.View().Content), "still loading") {
		t.Fatalf("a comparison of a stopped timeline's intervals (%s):\n%s", screenName(m), m.Render())
	}
}
