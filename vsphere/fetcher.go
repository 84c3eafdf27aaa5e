package vsphere

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/cbtscope/cbtscope/heatmap"
)

// DiskRef names a First Class Disk.
type DiskRef struct {
	ID        string
	Datastore types.ManagedObjectReference
}

// Query is what to fetch: the changes of one disk at a snapshot since a
// changeId ("*" for all allocated areas), over [Start, End) of the disk.
type Query struct {
	// Disk is the First Class Disk queried; VM, when set, makes the query
	// one of a VM's disk instead (VirtualMachine.QueryChangedDiskAreas),
	// with Snapshot the snapshot's moref value ("" for none: allowed only
	// when the VM is powered off).
	VM       *VMDiskRef
	Disk     DiskRef
	Capacity int64
	Snapshot string
	ChangeID string
	// Start and End bound the range swept; End 0 means the capacity.
	Start, End int64
}

// FetchOptions tune a sweep.
type FetchOptions struct {
	// Workers fixes how many workers page the range in parallel; when
	// zero, the count adapts to the server, from 4 up to 32.
	Workers int
	// Retry bounds retries of transient failures.
	Retry RetryPolicy
}

// RetryPolicy is a bounded exponential backoff with jitter.
type RetryPolicy struct {
	Attempts int           // tries per page, first included; 6 when zero
	Base     time.Duration // first backoff; 200ms when zero
	Max      time.Duration // longest backoff; 5s when zero
	// Rand returns a uniform value in [0, n), n > 0; rand.Int64N when nil.
	// Tests set it to make the jitter deterministic.
	Rand func(n int64) int64
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.Attempts <= 0 {
		p.Attempts = 6
	}
	if p.Base <= 0 {
		p.Base = 200 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 5 * time.Second
	}
	return p
}

// backoff is the wait before retry attempt+1: "equal jitter", half the
// exponential step plus a random part of the other half, so workers that
// failed together (one dropped connection, one restart) do not retry in step
// yet never retry at once.
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := min(p.Base<<min(attempt, 20), p.Max)
	half := d / 2
	if half <= 0 {
		return d
	}
	r := p.Rand
	if r == nil {
		r = rand.Int64N
	}
	return half + time.Duration(r(int64(d-half)+1))
}

// Event is what a running fetch reports: *PageEvent, *ProgressEvent,
// *FaultEvent, and last *DoneEvent.
type Event interface{ event() }

// PageEvent carries one page, checked against the paging contract.
type PageEvent struct {
	Page     heatmap.Page
	Progress Progress
}

// ProgressEvent reports progress without a page (after a retry).
type ProgressEvent struct{ Progress Progress }

// FaultEvent reports what stopped one worker: a server fault (Fault set), a
// contract violation or retries exhausted. Unscanned is the range that worker
// leaves unscanned.
type FaultEvent struct {
	Err       error
	Fault     *Fault
	Unscanned heatmap.Window
}

// DoneEvent ends every fetch. Complete is true when the whole range was
// scanned; Err is the first error (nil when complete or cancelled).
type DoneEvent struct {
	Complete bool
	Err      error
	Progress Progress
}

func (*PageEvent) event()     {}
func (*ProgressEvent) event() {}
func (*FaultEvent) event()    {}
func (*DoneEvent) event()     {}

// Progress counts a sweep's work so far.
type Progress struct {
	Scanned  int64 // bytes of the range scanned
	Total    int64 // bytes in the range
	Pages    int64
	Calls    int64 // queries sent, retries included
	Retries  int64
	Extents  int64 // as reported
	Elapsed  time.Duration
	Workers  int // running at the time: the adaptive count changes
	Canceled bool
}

// Rate is bytes scanned per second.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Scanned) / p.Elapsed.Seconds()
}

// ETA estimates the time left, or 0 when unknown.
func (p Progress) ETA() time.Duration {
	r := p.Rate()
	if r <= 0 || p.Scanned >= p.Total {
		return 0
	}
	return time.Duration(float64(p.Total-p.Scanned) / r * float64(time.Second))
}

// ContractError is a reply that breaks the paging contract. It is never
// retried: a server that answers wrongly once will again.
type ContractError struct {
	Offset int64
	Reason string
}

func (e *ContractError) Error() string {
	return fmt.Sprintf("server broke the paging contract at startOffset %d: %s", e.Offset, e.Reason)
}

// checkPage verifies a reply to a query at offset on a disk of capacity
// bytes, and turns it into a page.
func checkPage(ci *changeInfo, offset, capacity int64) (heatmap.Page, error) {
	fail := func(format string, a ...any) (heatmap.Page, error) {
		return heatmap.Page{}, &ContractError{Offset: offset, Reason: fmt.Sprintf(format, a...)}
	}
	if ci.StartOffset != offset {
		return fail("reply starts at %d", ci.StartOffset)
	}
	if ci.Length <= 0 {
		return fail("reply covers %d bytes before the end of the disk (%d); paging would not advance", ci.Length, capacity)
	}
	if ci.Length > capacity-offset {
		return fail("reply window of %d bytes runs past the end of the disk (%d)", ci.Length, capacity)
	}
	end := offset + ci.Length
	for i, a := range ci.Areas {
		if a.Length <= 0 {
			return fail("changedArea %d [%d, +%d) has no positive length", i, a.Start, a.Length)
		}
		if a.Start < offset || a.Start >= end || a.Length > end-a.Start {
			return fail("changedArea %d [%d, +%d) lies outside the reply's window [%d, %d)", i, a.Start, a.Length, offset, end)
		}
	}
	extents := make([]heatmap.Extent, len(ci.Areas))
	copy(extents, ci.Areas)
	return heatmap.Page{Start: offset, Length: ci.Length, Extents: extents}, nil
}

// Fetch sweeps the query's range in the background and reports through the
// returned channel, which ends with a *DoneEvent and is then closed. Cancel
// ctx to stop early: every goroutine of the fetch then ends promptly, whether
// or not the reader goes on reading, and the DoneEvent is delivered only if
// there is room for it. A reader that does not cancel must read until the
// channel closes.
//
// With opts.Workers zero the worker count adapts to the server (see
// paceController); workers that finish their slice take over part of the
// slice with the most left (see plan).
func (c *Client) Fetch(ctx context.Context, q Query, opts FetchOptions) <-chan Event {
	if q.End == 0 {
		q.End = q.Capacity
	}
	f := &fetch{c: c, q: q, retry: opts.Retry.withDefaults(), start: time.Now()}
	workers, most := opts.Workers, opts.Workers
	var pace *paceController
	if workers <= 0 {
		pace = newPaceController(f.start)
		workers, most = pace.workers(), paceMax
	}
	// The channel holds a few events per worker the fetch may run.
	f.out = make(chan Event, 4*most)
	f.total = q.End - q.Start
	// Spans are aligned to 1 MiB so workers start on block boundaries.
	f.plan = newPlan(q.Start, q.End, workers, 1<<20, pace)
	c.progressed() // a new sweep starts with a fresh bound on logins
	go f.run(ctx)
	return f.out
}

type fetch struct {
	c     *Client
	q     Query
	retry RetryPolicy
	out   chan Event
	start time.Time
	total int64
	plan  *plan
	wg    sync.WaitGroup

	scanned, pages, calls, retries, extents atomic.Int64

	errOnce  sync.Once
	firstErr error
}

func (f *fetch) progress() Progress {
	return Progress{
		Scanned: f.scanned.Load(), Total: f.total, Pages: f.pages.Load(), Calls: f.calls.Load(),
		Retries: f.retries.Load(), Extents: f.extents.Load(), Elapsed: time.Since(f.start), Workers: f.plan.workers(),
	}
}

func (f *fetch) run(ctx context.Context) {
	defer close(f.out)
	q := f.q
	if q.Start < 0 || q.End > q.Capacity || q.Start > q.End {
		f.out <- &DoneEvent{Err: fmt.Errorf("range [%d, %d) is not inside the disk of %d bytes", q.Start, q.End, q.Capacity)}
		return
	}
	for _, sp := range f.plan.start() {
		f.wg.Go(func() { f.work(ctx, sp) })
	}
	f.wg.Wait()
	p := f.progress()
	p.Canceled = ctx.Err() != nil
	done := &DoneEvent{Complete: f.firstErr == nil && p.Scanned == f.total && !p.Canceled, Err: f.firstErr, Progress: p}
	// A reader that cancelled may have stopped reading: then the DoneEvent
	// is dropped rather than left blocking forever.
	select {
	case f.out <- done:
	case <-ctx.Done():
		select {
		case f.out <- done:
		default:
		}
	}
}

func (f *fetch) send(ctx context.Context, ev Event) bool {
	select {
	case f.out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// stop ends the worker holding sp on err at off, reporting the range it
// leaves unscanned: from off, or from where another worker's page covered
// it to, to its span's end as it is now (a part split off earlier is
// another worker's). The request in the fault stays the one at off.
//
// When other workers' pages covered all the span had left while the call
// was out, the range is empty, but the failure is still reported: the map
// is whole, yet the server faulted or broke the paging contract, and that
// is for the user to see (the sweep calls it a covered failure).
func (f *fetch) stop(ctx context.Context, sp *span, off int64, err error) {
	start, end, adopt := f.plan.abandon(sp)
	f.failRange(ctx, err, off, start, end)
	if adopt != nil {
		f.wg.Go(func() { f.work(ctx, adopt) })
	}
}

func (f *fetch) fail(ctx context.Context, err error, off, end int64) {
	f.failRange(ctx, err, off, off, end)
}

// failRange reports err from the call at off, leaving [start, end)
// unscanned.
func (f *fetch) failRange(ctx context.Context, err error, off, start, end int64) {
	req := requestOf(&f.q, off)
	ev := &FaultEvent{Err: err, Unscanned: heatmap.Window{Start: start, End: max(start, end)}}
	if flt, ok := AsFault(err, req); ok {
		ev.Fault, ev.Err = flt, flt
	}
	f.errOnce.Do(func() { f.firstErr = ev.Err })
	f.send(ctx, ev)
}

// work pages the spans the plan gives it until none is left. A page may
// reach past its span's end into the next: the overlap is harmless, as the
// change map merges exactly.
func (f *fetch) work(ctx context.Context, sp *span) {
	var ci changeInfo
	for {
		var off int64
		var ok bool
		if sp, off, ok = f.plan.next(sp); !ok {
			return
		}
		if ctx.Err() != nil {
			f.plan.leave()
			return
		}
		began, err := f.query(ctx, off, &ci)
		if err != nil {
			if ctx.Err() != nil {
				f.plan.leave()
				return
			}
			f.stop(ctx, sp, off, err)
			return
		}
		page, err := checkPage(&ci, off, f.q.Capacity)
		if err != nil {
			f.stop(ctx, sp, off, err)
			return
		}
		scanned, more := f.plan.done(sp, off, page.Length, callSample{Start: began, End: time.Now()})
		for _, s := range more {
			f.wg.Go(func() { f.work(ctx, s) })
		}
		f.scanned.Add(scanned)
		f.pages.Add(1)
		f.extents.Add(int64(len(page.Extents)))
		if !f.send(ctx, &PageEvent{Page: page, Progress: f.progress()}) {
			f.plan.leave()
			return
		}
	}
}

// maxFreeRetries bounds the retries of one page that spend no attempt
// (its session was replaced, or it logged in again): a safety net under
// maxLoginsWithoutProgress for a server that fails only some pages so.
const maxFreeRetries = 64

// query makes one call, retrying transient failures with backoff and
// logging in again when the session expired.
//
// A NotAuthenticated does not spend an attempt: with parallel workers, one
// expiry fails every call in flight, and each would otherwise burn a retry.
// Logins are bounded instead by maxLoginsWithoutProgress, shared by all.
func (f *fetch) query(ctx context.Context, off int64, ci *changeInfo) (began time.Time, err error) {
	spent, free := 0, 0
	for {
		gen := f.c.generation()
		f.calls.Add(1)
		began = time.Now()
		err = f.c.queryChangedAreas(ctx, &f.q, off, ci)
		if err == nil {
			f.c.progressed()
			return began, nil
		}
		if ctx.Err() != nil {
			return began, ctx.Err()
		}
		if flt, ok := AsFault(err, nil); ok && flt.Type == "NotAuthenticated" {
			if free++; free > maxFreeRetries {
				return began, fmt.Errorf("giving up at startOffset %d: the session ended %d times under this page: %w", off, free-1, err)
			}
			if rerr := f.c.renew(ctx, gen); rerr != nil {
				if ctx.Err() != nil {
					return began, ctx.Err()
				}
				return began, rerr
			}
			f.retries.Add(1)
			f.send(ctx, &ProgressEvent{Progress: f.progress()})
			continue
		}
		var te *TransientError
		if !errors.As(err, &te) {
			return began, err
		}
		// A transient failure is a sign of overload: fewer workers.
		f.plan.failed(callSample{Start: began, End: time.Now(), Failed: true})
		if spent++; spent >= f.retry.Attempts {
			break
		}
		f.retries.Add(1)
		f.send(ctx, &ProgressEvent{Progress: f.progress()})
		t := time.NewTimer(f.retry.backoff(spent - 1))
		select {
		case <-ctx.Done():
			t.Stop()
			return began, ctx.Err()
		case <-t.C:
		}
	}
	return began, fmt.Errorf("giving up at startOffset %d after %d attempts: %w", off, f.retry.Attempts, err)
}
