package model

import (
	"math/rand/v2"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// BenchmarkView1MStreaming is a frame of the explorer at 200×60 with a
// million extents loaded while pages keep arriving: each iteration delivers
// one more 2000-extent page through Update, then draws.
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
		m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/frame")
	b.ReportMetric(float64(cm.Len()), "extents")
}
