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
