package vsphere

import (
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// A page whose window runs past its span covers the spans after it: the
// bytes are counted once, by that page, and the spans it covers are done,
// so no worker queries them again and no one splits them.
func TestPlanPageCoveringOtherSpansEndsThem(t *testing.T) {
	const size = 4096 * miB
	p := newPlan(0, size, 4, miB, nil)
	spans := p.start()
	if len(spans) != 4 {
		t.Fatalf("%d spans for 4 workers", len(spans))
	}
	// Every worker has its first call out; the first answers for the
	// whole disk, as a server does for a disk with few changes.
	scanned, _ := p.done(spans[0], 0, size, callSample{})
	if scanned != size {
		t.Fatalf("the page covering the disk counted %d bytes of %d", scanned, size)
	}
	for i, sp := range spans[1:] {
		off := int64(i+1) * size / 4
		if n, _ := p.done(sp, off, size-off, callSample{}); n != 0 {
			t.Fatalf("span %d counted %d bytes already counted", i+1, n)
		}
	}
	for i, sp := range spans {
		if _, off, ok := p.next(sp); ok {
			t.Fatalf("worker %d queries again at %d after the disk was covered", i, off)
		}
	}
}

// End to end: a disk one reply covers costs one call per worker started,
// however many workers there are or how they adapt; before, pages that
// covered other workers' spans left them to be queried and split again.
func TestFetchDoesNotRequeryCoveredSpans(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	d, snaps := findDisk(t, c, simulator.DemoFreshFS)
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: "*"}
	_, one, _ := fetchMap(t, c, q, FetchOptions{Workers: 1})
	if one.Progress.Pages != 1 {
		t.Fatalf("the disk takes %d pages with one worker; the test needs a disk one page covers", one.Progress.Pages)
	}
	for _, workers := range []int{4, 16, 0} {
		_, done, faults := fetchMap(t, c, q, FetchOptions{Workers: workers})
		if !done.Complete || len(faults) > 0 {
			t.Fatalf("%d workers: %+v %v", workers, done, faults)
		}
		if limit := int64(max(workers, 4)); done.Progress.Calls > limit {
			t.Errorf("%d workers: %d calls for a disk one call covers (at most %d: one per worker started)", workers, done.Progress.Calls, limit)
		}
	}
}

// A parked span (its worker left when the pace controller wanted fewer)
// that another worker's page covers is done: it is never handed out again,
// so no worker queries past its end, at worst at the end of the disk.
func TestPlanParkedSpanCoveredIsNeverClaimed(t *testing.T) {
	p := newPlan(0, 8*miB, 2, miB, nil)
	sp := p.start()
	a, b := sp[0], sp[1]
	p.done(b, b.next, miB, callSample{})
	p.target = 1
	if _, _, ok := p.next(b); ok {
		t.Fatal("the worker holding b did not leave when the target dropped")
	}
	if got, off, ok := p.next(a); !ok || got != a || off != 0 {
		t.Fatalf("a: %v %d %v", got, off, ok)
	}
	if n, _ := p.done(a, 0, 8*miB, callSample{}); n != 7*miB {
		t.Fatalf("the page covering the disk counted %d bytes, want %d", n, 7*miB)
	}
	if s, off, ok := p.next(a); ok {
		t.Fatalf("a worker is sent to query at %d (span [%d, %d)) after the disk was covered", off, s.next, s.end)
	}
}

// A call that fails after another worker's page covered everything its
// span had left still reports its failure, with nothing left unscanned:
// the map is whole, but the server faulted or broke the contract, and a
// user troubleshooting it must see that (a failure a scheduler's timing
// could hide would make exports of one disk differ from run to run).
func TestFailedCallOnACoveredSpanIsStillReported(t *testing.T) {
	f := &fetch{q: Query{Capacity: 8 * miB}, out: make(chan Event, 4), total: 8 * miB}
	f.plan = newPlan(0, 8*miB, 2, miB, nil)
	sp := f.plan.start()
	f.plan.done(sp[0], 0, 8*miB, callSample{}) // covers the second span too
	f.stop(t.Context(), sp[1], 4*miB, &ContractError{Offset: 4 * miB, Reason: "a reply of no length"})
	if f.firstErr == nil || len(f.out) != 1 {
		t.Fatalf("a failed call over a covered span went unreported (%v, %d events)", f.firstErr, len(f.out))
	}
	ev := (<-f.out).(*FaultEvent)
	if ev.Unscanned.Start != 8*miB || ev.Unscanned.End != 8*miB {
		t.Fatalf("unscanned [%d, %d), want the empty range at the span's covered end", ev.Unscanned.Start, ev.Unscanned.End)
	}
}

// A page that runs into a span whose worker stopped on a fault counts the
// bytes it covers there: the progress counts what the map has scanned, no
// more and no less.
func TestPageIntoAFaultedSpanCountsWhatItCovers(t *testing.T) {
	p := newPlan(0, 64*miB, 2, miB, nil)
	sp := p.start()
	a, b := sp[0], sp[1]
	if n, _ := p.done(b, 32*miB, 8*miB, callSample{}); n != 8*miB {
		t.Fatalf("b's page counted %d", n)
	}
	if start, end, _ := p.abandon(b); start != 40*miB || end != 64*miB {
		t.Fatalf("b left [%d, %d) unscanned, want [40 MiB, 64 MiB)", start, end)
	}
	if n, _ := p.done(a, 0, 50*miB, callSample{}); n != 42*miB {
		t.Fatalf("a's page over [0, 50 MiB) counted %d bytes, want 42 MiB (its own 32 and 10 of b's)", n)
	}
	if _, off, ok := p.next(a); ok {
		t.Fatalf("a was sent on at %d into the faulted span", off)
	}
}
