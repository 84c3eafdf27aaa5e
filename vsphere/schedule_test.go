package vsphere

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

const miB = int64(1 << 20)

// simWorker is a worker of a plan driven by hand: the span it holds and
// the offset of its call in flight (-1 when none).
type simWorker struct {
	sp     *span
	flight int64
}

// Workers interleaved at random, pages of random sizes: every byte of the
// range is covered by some page, the bytes counted add up to the range
// exactly, and every split lands on an aligned offset beyond its owner's
// call in flight.
func TestPlanCoversEveryByteAndCountsItOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 7))
	splits := 0
	for trial := range 300 {
		start := rng.Int64N(64) * miB / 3 // not always aligned
		end := start + 1 + rng.Int64N(1<<34)
		n := 1 + rng.IntN(8)
		p := newPlan(start, end, n, miB, nil)
		var ws []*simWorker
		for _, sp := range p.start() {
			ws = append(ws, &simWorker{sp: sp, flight: -1})
		}
		type page struct{ a, b int64 }
		var pages []page
		var counted int64
		for len(ws) > 0 {
			i := rng.IntN(len(ws))
			w := ws[i]
			if w.flight < 0 {
				before := w.sp
				// What every span's owner may reach with its call in flight,
				// before this worker possibly splits one.
				reach := map[*span]int64{}
				for _, s := range p.spans {
					reach[s] = s.next + s.stride
				}
				sp, off, ok := p.next(w.sp)
				if !ok {
					ws = slices.Delete(ws, i, i+1)
					continue
				}
				if _, existed := reach[sp]; sp != before && !existed {
					splits++
					// A new span split off another: aligned, beyond the
					// victim's reach.
					if off%miB != 0 {
						t.Fatalf("trial %d: split at %d, not aligned to 1 MiB", trial, off)
					}
					for s, r := range reach {
						if s.end == off && off <= r {
							t.Fatalf("trial %d: split at %d within its owner's reach %d", trial, off, r)
						}
					}
				}
				w.sp, w.flight = sp, off
				continue
			}
			// The call returns: a page of a random size, which may run past
			// the span and the range.
			length := 1 + rng.Int64N(1<<(20+rng.IntN(14)))
			scanned, more := p.done(w.sp, w.flight, length, callSample{})
			if len(more) > 0 {
				t.Fatalf("a fixed plan started %d workers", len(more))
			}
			pages = append(pages, page{w.flight, w.flight + length})
			counted += scanned
			w.flight = -1
		}
		if counted != end-start {
			t.Fatalf("trial %d: counted %d bytes of a range of %d", trial, counted, end-start)
		}
		slices.SortFunc(pages, func(x, y page) int { return cmp.Compare(x.a, y.a) })
		pos := start
		for _, pg := range pages {
			if pg.a > pos {
				t.Fatalf("trial %d: [%d, %d) never scanned", trial, pos, pg.a)
			}
			pos = max(pos, pg.b)
		}
		if pos < end {
			t.Fatalf("trial %d: scanning stops at %d, before the end %d", trial, pos, end)
		}
		if len(p.spans) != 0 || p.workers() != 0 {
			t.Fatalf("trial %d: %d spans and %d workers left", trial, len(p.spans), p.workers())
		}
	}
	if splits < 300 {
		t.Fatalf("only %d splits in 300 trials: the test does not exercise them", splits)
	}
}

// A worker that finishes early takes the upper half of the span with the
// most calls left; its owner stops where the taken part begins.
func TestPlanSplitsTheSpanWithMostCallsLeft(t *testing.T) {
	p := newPlan(0, 1024*miB, 2, miB, nil)
	sps := p.start()
	a, b := sps[0], sps[1] // [0, 512 MiB) and [512 MiB, 1 GiB)
	// a pages 4 MiB at a time and is at 8 MiB; b pages 100 MiB at a time
	// and is at 900 MiB: a has ~126 calls left, b one.
	if _, _ = p.done(a, 0, 8*miB, callSample{}); a.next != 8*miB {
		t.Fatal(a.next)
	}
	a.stride = 4 * miB
	p.done(b, 512*miB, 388*miB, callSample{})
	b.stride = 100 * miB
	p.done(b, 900*miB, 124*miB, callSample{}) // b's span is done
	got, off, ok := p.next(b)
	if !ok || got == a || got == b {
		t.Fatalf("the idle worker got nothing of its own: ok %v", ok)
	}
	// a's call in flight may reach 12 MiB; the split is half-way from there
	// to 512 MiB, aligned.
	if want := int64(262 * miB); off != want || got.end != 512*miB || a.end != want {
		t.Fatalf("split at %d (taken span ends %d, owner's now ends %d), want both at %d", off, got.end, a.end, want)
	}
}

// A span too short for two calls beyond its owner's call in flight is not
// split: splitting it would only add a call.
func TestPlanLeavesShortSpansAlone(t *testing.T) {
	p := newPlan(0, 64*miB, 1, miB, nil)
	a := p.start()[0]
	p.done(a, 0, 32*miB, callSample{}) // stride 32 MiB, 32 MiB left: one call
	p.spans = append(p.spans, &span{next: 64 * miB, end: 64 * miB, owned: true})
	if s := p.claimLocked(); s != nil {
		t.Fatalf("split a span with one call left: [%d, %d)", s.next, s.end)
	}
}

// A fault reports exactly the owner's part: up to where another worker took
// over, not to the span's old end.
func TestPlanFaultLeavesTheStolenPartToItsTaker(t *testing.T) {
	p := newPlan(0, 1024*miB, 1, miB, nil)
	a := p.start()[0]
	p.target = 2
	p.done(a, 0, 2*miB, callSample{})
	p.mu.Lock()
	taken := p.claimLocked()
	p.active++
	p.mu.Unlock()
	_, end, adopt := p.abandon(a)
	if adopt != nil || end != taken.next || end <= 2*miB {
		t.Fatalf("fault leaves [%d, %d) unscanned (adopted %v); the taken part starts at %d", 2*miB, end, adopt, taken.next)
	}
	// The faulted span stays only to count pages that run into it: dead,
	// never handed out again.
	if !a.dead || len(p.spans) != 2 {
		t.Fatalf("after the fault: span dead %v, %d spans", a.dead, len(p.spans))
	}
	p.mu.Lock()
	again := p.claimLocked()
	p.mu.Unlock()
	if again == a {
		t.Fatal("the faulted span was handed out again")
	}
}

// When the pace controller wants fewer workers, those that leave park
// their spans; the workers that stay take them up before splitting others,
// and the last worker to fault hands parked spans to a new one.
func TestPlanParksTheSpansOfWorkersThatLeave(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	pace := newPaceController(t0)
	p := newPlan(0, 4096*miB, pace.workers(), miB, pace)
	sps := p.start()
	if len(sps) != paceStart {
		t.Fatalf("%d first workers, want %d", len(sps), paceStart)
	}
	for _, sp := range sps {
		p.done(sp, sp.next, miB, callSample{Start: t0, End: t0.Add(time.Millisecond)})
	}
	p.failed(callSample{Start: t0.Add(time.Second), End: t0.Add(time.Second), Failed: true})
	if p.target != paceStart/2 {
		t.Fatalf("target %d after a failure, want %d", p.target, paceStart/2)
	}
	var left []*span
	for _, sp := range sps {
		if _, _, ok := p.next(sp); !ok {
			left = append(left, sp)
		}
	}
	if len(left) != paceStart/2 || p.workers() != paceStart/2 {
		t.Fatalf("%d workers left, %d run; want half each", len(left), p.workers())
	}
	for _, sp := range left {
		if sp.owned {
			t.Fatal("a span left behind is still owned")
		}
	}
	// A staying worker that finishes its span takes a parked one.
	var stay *span
	for _, sp := range sps {
		if sp.owned {
			stay = sp
			break
		}
	}
	p.done(stay, stay.next, stay.end-stay.next, callSample{})
	got, _, ok := p.next(stay)
	if !ok || !slices.Contains(left, got) {
		t.Fatal("the idle worker split a span instead of taking a parked one")
	}
	// Both remaining workers fault: the last hands the parked span on.
	var others []*span
	for _, sp := range p.spans {
		if sp.owned {
			others = append(others, sp)
		}
	}
	_, _, first := p.abandon(others[0])
	_, _, last := p.abandon(others[1])
	if first != nil || last == nil || !slices.Contains(left, last) || p.workers() != 1 {
		t.Fatalf("after the last fault: adopted %v %v, %d workers", first, last, p.workers())
	}
}
