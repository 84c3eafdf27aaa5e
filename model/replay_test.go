package model

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// replayFetcher is a fetch whose events were made beforehand: the point of
// the tests and benchmarks that use it is what the explorer does with
// events, not how they are fetched. With flood set, every event is already
// waiting on the channel when Fetch returns; otherwise they are sent as
// the reader takes them, through a buffer as large as a real fetch's.
type replayFetcher struct {
	events []vsphere.Event
	flood  bool
}

func (f *replayFetcher) Fetch(ctx context.Context, q vsphere.Query, opts vsphere.FetchOptions) <-chan vsphere.Event {
	if f.flood {
		ch := make(chan vsphere.Event, len(f.events))
		for _, ev := range f.events {
			ch <- ev
		}
		close(ch)
		return ch
	}
	ch := make(chan vsphere.Event, 4*max(opts.Workers, 1))
	go func() {
		defer close(ch)
		for _, ev := range f.events {
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// workerPages is a fetch of a disk of capacity bytes with about extents
// changed extents (64 KiB blocks, runs of 1–3 blocks, gaps of 1–6), as
// workers forward-moving workers page it, perPage extents a page: each
// worker's pages in disk order, the workers' pages interleaved at random
// (seeded), as a parallel fetch delivers them. The last event is the
// DoneEvent.
func workerPages(capacity int64, extents, perPage, workers int, seed uint64) []vsphere.Event {
	const block = 64 << 10
	r := rand.New(rand.NewPCG(seed, seed))
	slice := capacity / int64(workers) / block * block
	perWorker := extents / workers
	queues := make([][]heatmap.Page, workers)
	for w := range workers {
		s, end := int64(w)*slice, int64(w+1)*slice
		if w == workers-1 {
			end = capacity
		}
		// Spread the worker's extents over its slice: the mean stride.
		stride := (end - s) / int64(max(perWorker, 1)) / block
		off := s
		for n := 0; n < perWorker; {
			p := heatmap.Page{Start: off}
			for k := 0; k < perPage && n < perWorker; k++ {
				gap := block * (1 + r.Int64N(max(stride-3, 1)))
				l := block * (1 + r.Int64N(min(3, stride-1)))
				if off+gap+l > end {
					break
				}
				off += gap
				p.Extents = append(p.Extents, heatmap.Extent{Start: off, Length: l})
				off += l
				n++
			}
			if len(p.Extents) == 0 || n == perWorker {
				off = end // the worker's last page reaches its slice's end
			}
			p.Length = off - p.Start
			queues[w] = append(queues[w], p)
			if off == end {
				break
			}
		}
	}
	var evs []vsphere.Event
	var pr vsphere.Progress
	pr.Total, pr.Workers = capacity, workers
	start := time.Now()
	for {
		var live []int
		for w, q := range queues {
			if len(q) > 0 {
				live = append(live, w)
			}
		}
		if len(live) == 0 {
			break
		}
		w := live[r.IntN(len(live))]
		p := queues[w][0]
		queues[w] = queues[w][1:]
		pr.Scanned += p.Length
		pr.Pages++
		pr.Calls++
		pr.Extents += int64(len(p.Extents))
		pr.Elapsed = time.Since(start)
		evs = append(evs, &vsphere.PageEvent{Page: p, Progress: pr})
	}
	return append(evs, &vsphere.DoneEvent{Complete: true, Progress: pr})
}
