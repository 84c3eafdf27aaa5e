package model

import (
	"io"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cbtscope/cbtscope/vsphere"
)

// BenchmarkTimelineStream11M is the timeline loading a chain of eleven
// intervals of a million extents each, as vsphere.RunTimeline delivers
// them (three intervals at a time, each paged by its workers out of disk
// order, their events interleaved), under a real Bubble Tea program (its
// renderer writing to io.Discard at 200×60), View called whenever the
// program calls it. One iteration ends when the frame showing the whole
// chain in is drawn.
func BenchmarkTimelineStream11M(b *testing.B) {
	const intervals, extents = 11, 1_000_000
	src := newChainSource(intervals, extents, 1)
	events := 0
	for _, evs := range src.byQuery {
		events += len(evs)
	}
	var frames, views int
	for b.Loop() {
		spec := vsphere.FCDTimeline(src.disk, src.snaps)
		plan, err := vsphere.PlanTimeline(spec)
		if err != nil {
			b.Fatal(err)
		}
		m := New(Config{Dark: true, Profile: colorprofile.TrueColor, ExportDir: b.TempDir()})
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		m.src = src
		tv := newTimelineView(m.c, src, selection{disk: src.disk})
		m.timeline, m.showing = tv, viewTimeline
		m.relayout()
		bm := &untilChainLoaded{Model: m, t: tv, plan: plan}
		p := tea.NewProgram(bm, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(200, 60),
			tea.WithColorProfile(colorprofile.TrueColor), tea.WithoutSignals())
		if _, err := p.Run(); err != nil {
			b.Fatal(err)
		}
		for _, iv := range plan.Intervals {
			if m := iv.Sweep.Map; m.Len() != extents || !m.Complete() {
				b.Fatalf("%s: %d extents (complete %v), want %d", iv.Name(), m.Len(), m.Complete(), extents)
			}
		}
		frames += m.frame.drawn
		views += bm.views
	}
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(s, "s/op")
	b.ReportMetric(1e3*s/float64(events), "ms/event")
	b.ReportMetric(float64(frames)/float64(b.N), "frames")
	b.ReportMetric(float64(views)/float64(b.N), "views")
}

// untilChainLoaded runs the root model on the timeline until its fetch is
// done and the frame showing it drawn: the tick after the last event.
type untilChainLoaded struct {
	*Model
	t     *timelineView
	plan  *vsphere.Timeline
	views int
}

func (u *untilChainLoaded) Init() tea.Cmd {
	return func() tea.Msg { return timelinePlanMsg{owner: u.t, tl: u.plan} }
}

func (u *untilChainLoaded) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := u.Model.Update(msg)
	if _, tick := msg.(frameMsg); tick && u.t.tl != nil && !u.t.loading {
		return u, tea.Quit
	}
	return u, cmd
}

func (u *untilChainLoaded) View() tea.View {
	u.views++
	return u.Model.View()
}
