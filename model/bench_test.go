package model

import (
	"context"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// BenchmarkView1MStreaming is a frame of the explorer at 200×60 with a
// million extents loaded while pages keep arriving: each iteration delivers
// one more 2000-extent page through Update, then the frame tick, then
// draws (the View after the page alone would hand back the last frame).
func BenchmarkView1MStreaming(b *testing.B) {
	const block = 64 << 10
	r := rand.New(rand.NewPCG(1, 1))
	var off int64
	nextPage := func() heatmap.Page {
		p := heatmap.Page{Start: off}
		for range 2000 {
			off += block * int64(1+r.IntN(6))
			l := block * int64(1+r.IntN(3))
			p.Extents = append(p.Extents, heatmap.Extent{Start: off, Length: l})
			off += l
		}
		p.Length = off - p.Start
		return p
	}
	const capacity = 64 << 40
	cm, _ := heatmap.NewChangeMap(capacity)
	for range 500 { // 1,000,000 extents
		if err := cm.Absorb(nextPage()); err != nil {
			b.Fatal(err)
		}
	}
	m := New(Config{Dark: true, Profile: colorprofile.TrueColor, ExportDir: b.TempDir()})
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	e := newExplorer(m.c, nil, selection{disk: vsphere.Disk{Name: "bench", CapacityBytes: capacity}})
	e.sweep = &vsphere.Sweep{Map: cm}
	e.setMap()
	e.gen, e.loading = 1, true
	m.explorer, m.showing = e, viewExplorer
	m.relayout()
	m.View()
	var extents int64 = 1_000_000
	for b.Loop() {
		p := nextPage()
		extents += int64(len(p.Extents))
		m.Update(fetchMsg{owner: e, gen: 1, ev: &vsphere.PageEvent{Page: p, Progress: vsphere.Progress{Scanned: off, Total: capacity, Pages: extents / 2000, Extents: extents}}})
		m.Update(frameMsg{e})
		m.View()
	}
	if m.frame.drawn < b.N {
		b.Fatalf("%d frames drawn for %d pages", m.frame.drawn, b.N)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/frame")
	b.ReportMetric(float64(cm.Len()), "extents")
}

// BenchmarkStream10M is the explorer loading ten million extents as
// sixteen forward-moving workers' pages of 2,000 arrive, interleaved out of
// disk order, under a real Bubble Tea program (its renderer writing to
// io.Discard at 200×60): the events reach the explorer by the path a real
// fetch's do, and View is called whenever the program calls it. One
// iteration ends when the complete map's frame is drawn.
func BenchmarkStream10M(b *testing.B) {
	const (
		capacity = 4 << 40
		extents  = 10_000_000
		perPage  = 2000
	)
	evs := workerPages(capacity, extents, perPage, 16, 1)
	pages := len(evs) - 1
	var frames, views int
	for b.Loop() {
		m := New(Config{Dark: true, Profile: colorprofile.TrueColor, ExportDir: b.TempDir(), Workers: 16})
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		e := newExplorer(m.c, &replayFetcher{events: evs}, selection{disk: vsphere.Disk{Name: "bench", CapacityBytes: capacity}})
		m.explorer, m.showing = e, viewExplorer
		m.relayout()
		bm := &untilLoaded{Model: m, e: e}
		p := tea.NewProgram(bm, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(200, 60),
			tea.WithColorProfile(colorprofile.TrueColor), tea.WithoutSignals())
		if _, err := p.Run(); err != nil {
			b.Fatal(err)
		}
		if got := e.sweep.Map.Len(); got != extents || !e.sweep.Map.Complete() {
			b.Fatalf("map has %d extents (complete %v), want %d", got, e.sweep.Map.Complete(), extents)
		}
		frames += m.frame.drawn
		views += bm.views
	}
	s := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(s, "s/op")
	b.ReportMetric(1e3*s/float64(pages), "ms/page")
	b.ReportMetric(float64(frames)/float64(b.N), "frames")
	b.ReportMetric(float64(views)/float64(b.N), "views")
}

// untilLoaded runs the root model until the explorer's fetch is done and
// the frame showing it drawn: the tick after the last page.
type untilLoaded struct {
	*Model
	e     *explorer
	views int
}

func (u *untilLoaded) Init() tea.Cmd { return u.e.start() }

func (u *untilLoaded) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := u.Model.Update(msg)
	if _, tick := msg.(frameMsg); tick && u.e.sweep.Done {
		return u, tea.Quit
	}
	return u, cmd
}

func (u *untilLoaded) View() tea.View {
	u.views++
	return u.Model.View()
}

// BenchmarkStreamSparse is the explorer fetching the demo's 1.28-million-
// extent map from the in-process simulator over loopback TLS, under a real
// program as in BenchmarkStream10M, against the same fetch run as export
// runs it (a vsphere.Sweep, no screen): the explorer's seconds, export's,
// and their ratio.
func BenchmarkStreamSparse(b *testing.B) {
	cfg := testConfig(b)
	ctx := context.Background()
	src, err := cfg.Connect(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Logout(ctx)
	d, err := src.FindDisk(ctx, "ds-prod-02", simulator.DemoSparse)
	if err != nil {
		b.Fatal(err)
	}
	snaps, err := src.Snapshots(ctx, d)
	if err != nil || len(snaps) == 0 {
		b.Fatalf("snapshots: %v %v", snaps, err)
	}
	sel := selection{disk: d, target: snaps[len(snaps)-1], base: "*", baseLabel: "*"}
	q, _ := sel.query()
	var explorer, export time.Duration
	for b.Loop() {
		t0 := time.Now()
		sw, _ := vsphere.NewSweep(d.CapacityBytes)
		sw.Run(src.Fetch(ctx, q, vsphere.FetchOptions{Workers: cfg.Workers}), nil)
		export += time.Since(t0)

		t0 = time.Now()
		m := New(cfg)
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		m.src = src
		e := newExplorer(m.c, src, sel)
		m.explorer, m.showing = e, viewExplorer
		m.relayout()
		p := tea.NewProgram(&untilLoaded{Model: m, e: e}, tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithWindowSize(200, 60),
			tea.WithColorProfile(colorprofile.TrueColor), tea.WithoutSignals())
		if _, err := p.Run(); err != nil {
			b.Fatal(err)
		}
		explorer += time.Since(t0)
		if e.sweep.Map.Len() != sw.Map.Len() || !e.sweep.Map.Complete() || sw.Map.Len() < 1_000_000 {
			b.Fatalf("explorer's map: %d extents, export's %d", e.sweep.Map.Len(), sw.Map.Len())
		}
	}
	n := float64(b.N)
	b.ReportMetric(explorer.Seconds()/n, "explorer-s")
	b.ReportMetric(export.Seconds()/n, "export-s")
	b.ReportMetric(explorer.Seconds()/export.Seconds(), "explorer/export")
}
