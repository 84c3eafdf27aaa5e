package vsphere

import (
	"context"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// BenchmarkTimelineParallel fetches the timeline of the demo's nightly disk
// (11 intervals, over a million extents) at 5 ms per call, one interval
// after another and then three at a time, and reports how many times faster
// the parallel run is. Each interval has its own 4 workers either way.
func BenchmarkTimelineParallel(b *testing.B) {
	_, c := startSim(b, simulator.Options{Latency: 5 * time.Millisecond})
	d, snaps := findDisk(b, c, simulator.DemoNightly)
	run := func(parallel int) (time.Duration, int) {
		tl, err := PlanTimeline(FCDTimeline(d, snaps))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		tl.Run(context.Background(), c, TimelineOptions{Parallel: parallel}, nil)
		elapsed := time.Since(start)
		if err := tl.Failure(); err != nil {
			b.Fatal(err)
		}
		extents := 0
		for _, iv := range tl.Intervals {
			extents += iv.Sweep.Map.Len()
		}
		return elapsed, extents
	}
	run(3) // the server expands the disk's writes once
	var seq, par time.Duration
	var extents int
	for b.Loop() {
		s, _ := run(1)
		p, n := run(3)
		seq, par, extents = seq+s, par+p, n
	}
	b.ReportMetric(float64(seq)/float64(par), "x-faster-parallel")
	b.ReportMetric(seq.Seconds()/float64(b.N), "s-sequential/op")
	b.ReportMetric(par.Seconds()/float64(b.N), "s-parallel/op")
	b.ReportMetric(float64(extents), "extents")
}
