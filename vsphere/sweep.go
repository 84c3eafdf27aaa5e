package vsphere

import (
	"context"
	"errors"
	"fmt"

	"github.com/cbtscope/cbtscope/heatmap"
)

// Fetcher starts fetches. *Client is one; tests and offline views may supply
// others.
type Fetcher interface {
	Fetch(ctx context.Context, q Query, opts FetchOptions) <-chan Event
}

// Sweep is one change map being filled from a fetch, under the one fault
// policy every front end shares (export, the explorer, open):
//
//   - pages are absorbed into the map as they arrive;
//   - a worker that faults marks the range it leaves unscanned;
//   - of several server faults, the one nearest the start of the disk is
//     kept: it is where a sequential reader would have stopped;
//   - the map, not the events, says whether the result is complete: a
//     worker may fail on a range another worker's pages had already
//     covered. Any fault or broken reply still fails the sweep.
//
// A Sweep is not safe for concurrent use: one goroutine applies the events
// (a command's loop, or a Bubble Tea model's Update).
type Sweep struct {
	Map      *heatmap.ChangeMap
	Progress Progress
	// Fault is the server fault nearest the start of the disk, if any.
	Fault *Fault
	// Err is the first failure that is not a server fault: a contract
	// violation, retries exhausted, a page the map refused.
	Err error
	// Faults counts the workers that stopped on a fault or an error.
	Faults int
	// Done is set by the fetch's last event; Canceled when it was stopped.
	Done, Canceled bool
}

// NewSweep starts an empty sweep of a disk of capacity bytes.
func NewSweep(capacity int64) (*Sweep, error) {
	m, err := heatmap.NewChangeMap(capacity)
	if err != nil {
		return nil, err
	}
	return &Sweep{Map: m, Progress: Progress{Total: capacity}}, nil
}

// Apply folds one event of a fetch into the sweep.
func (s *Sweep) Apply(ev Event) {
	switch ev := ev.(type) {
	case *PageEvent:
		if err := s.Map.Absorb(ev.Page); err != nil && s.Err == nil {
			// The fetcher checked the page; a refusal here is a bug, and
			// the page's range stays unscanned rather than guessed.
			s.Err = fmt.Errorf("absorbing page at %d: %w", ev.Page.Start, err)
		}
		s.Progress = ev.Progress
	case *ProgressEvent:
		s.Progress = ev.Progress
	case *FaultEvent:
		s.Faults++
		if f := ev.Fault; f != nil {
			if s.Fault == nil || offsetOf(f) < offsetOf(s.Fault) {
				s.Fault = f
			}
		} else if s.Err == nil {
			s.Err = ev.Err
		}
		if err := s.Map.MarkFaulted(ev.Unscanned.Start, ev.Unscanned.End); err != nil && s.Err == nil {
			s.Err = err
		}
	case *DoneEvent:
		s.Done, s.Canceled = true, ev.Progress.Canceled
		s.Progress = ev.Progress
		if ev.Err != nil && s.Err == nil && s.Fault == nil {
			s.Err = ev.Err
		}
	}
}

func offsetOf(f *Fault) int64 {
	if f.Request == nil {
		return 1<<63 - 1
	}
	return f.Request.StartOffset
}

// Run applies every event of a fetch until its channel closes, calling
// observe (when not nil) after each.
func (s *Sweep) Run(events <-chan Event, observe func(*Sweep)) {
	for ev := range events {
		s.Apply(ev)
		if observe != nil {
			observe(s)
		}
	}
}

// Complete reports whether the whole disk is scanned.
func (s *Sweep) Complete() bool { return s.Map.Complete() }

// Failure says why the sweep cannot be trusted as a whole: nil only when
// the map is complete and nothing went wrong on the way. A fault is
// returned as the *Fault itself, so callers can show its diagnosis.
func (s *Sweep) Failure() error {
	switch {
	case s.Fault != nil:
		return s.Fault
	case s.Err != nil && s.Complete():
		return s.Err
	case s.Err != nil:
		return fmt.Errorf("map incomplete: %w", s.Err)
	case s.Complete():
		return nil
	case s.Canceled:
		return ErrInterrupted
	}
	return ErrIncomplete
}

// ErrInterrupted and ErrIncomplete are the failures of a sweep that met no
// error but did not finish.
var (
	ErrInterrupted = errors.New("interrupted: the map is incomplete")
	ErrIncomplete  = errors.New("the map is incomplete")
)

// CoveredFailure reports whether something failed on a range that other
// pages then covered: the map is complete, yet the sweep is not clean.
func (s *Sweep) CoveredFailure() bool { return s.Complete() && (s.Fault != nil || s.Err != nil) }

// Retry returns queries for every range not scanned yet (where a fault
// stopped a worker, or a fetch was cancelled), derived from q, and forgets
// the failures met so far: the next events decide again. It returns nothing
// when the map is complete.
func (s *Sweep) Retry(q Query) []Query {
	var qs []Query
	add := func(a, b int64) {
		if a < b {
			rq := q
			rq.Start, rq.End = a, b
			qs = append(qs, rq)
		}
	}
	pos := int64(0)
	for r := range s.Map.ScannedRanges() {
		add(pos, r.Start)
		pos = r.End()
	}
	add(pos, s.Map.Capacity())
	if len(qs) > 0 {
		s.Fault, s.Err, s.Faults, s.Done, s.Canceled = nil, nil, 0, false, false
	}
	return qs
}

// FetchEach runs the queries one after another through f and reports as a
// single fetch: their events in order, then one DoneEvent whose progress
// adds theirs up. Cancel ctx to stop; the channel then closes promptly.
func FetchEach(ctx context.Context, f Fetcher, qs []Query, opts FetchOptions) <-chan Event {
	out := make(chan Event, 16)
	go func() {
		defer close(out)
		var sum Progress
		var firstErr error
		for _, q := range qs {
			for ev := range f.Fetch(ctx, q, opts) {
				d, last := ev.(*DoneEvent)
				if !last {
					ev = offsetProgress(ev, sum)
					select {
					case out <- ev:
					case <-ctx.Done():
					}
					continue
				}
				sum = addProgress(sum, d.Progress)
				if firstErr == nil {
					firstErr = d.Err
				}
			}
			if ctx.Err() != nil {
				break
			}
		}
		sum.Canceled = ctx.Err() != nil
		done := &DoneEvent{Complete: firstErr == nil && !sum.Canceled && sum.Scanned == sum.Total, Err: firstErr, Progress: sum}
		select {
		case out <- done:
		case <-ctx.Done():
			select {
			case out <- done:
			default:
			}
		}
	}()
	return out
}

// offsetProgress shows a running fetch's progress on top of the fetches
// before it.
func offsetProgress(ev Event, before Progress) Event {
	switch ev := ev.(type) {
	case *PageEvent:
		c := *ev
		c.Progress = addProgress(before, ev.Progress)
		return &c
	case *ProgressEvent:
		return &ProgressEvent{Progress: addProgress(before, ev.Progress)}
	}
	return ev
}

func addProgress(a, b Progress) Progress {
	return Progress{
		Scanned: a.Scanned + b.Scanned, Total: a.Total + b.Total, Pages: a.Pages + b.Pages,
		Calls: a.Calls + b.Calls, Retries: a.Retries + b.Retries, Extents: a.Extents + b.Extents,
		Elapsed: a.Elapsed + b.Elapsed, Workers: max(a.Workers, b.Workers), Canceled: a.Canceled || b.Canceled,
	}
}

// Export describes the sweep's map of disk d as an export, with a copy of
// its extents.
func (s *Sweep) Export(d ExportDisk, snapshot, changeID string) *Export {
	return NewExport(d, snapshot, changeID, s.Map, s.Fault)
}

// ExportView is Export reading the extents from the map when written (see
// NewExportView): for a sweep that is over.
func (s *Sweep) ExportView(d ExportDisk, snapshot, changeID string) *Export {
	return NewExportView(d, snapshot, changeID, s.Map, s.Fault)
}
