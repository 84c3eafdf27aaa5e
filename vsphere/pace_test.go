package vsphere

import (
	"testing"
	"time"
)

// server is a synthetic server for the pace controller: the latency one
// call sees when n calls run at once.
type server func(n int) time.Duration

// wan is a distant server that never saturates: every call waits the same.
func wan(l time.Duration) server { return func(int) time.Duration { return l } }

// saturating serves k calls at once, each in l; more queue, so latency
// grows with concurrency beyond k.
func saturating(l time.Duration, k int) server {
	return func(n int) time.Duration {
		if n <= k {
			return l
		}
		return l * time.Duration(n) / time.Duration(k)
	}
}

// drive runs rounds in which every worker the controller asks for makes one
// call at once, and returns the count asked for after each round.
func drive(p *paceController, srv server, start time.Time, rounds int) (time.Time, []int) {
	t := start
	var counts []int
	for range rounds {
		n := p.workers()
		lat := srv(n)
		for range n {
			p.observe(callSample{Start: t, End: t.Add(lat)})
		}
		t = t.Add(lat)
		counts = append(counts, p.workers())
	}
	return t, counts
}

func TestPaceGrowsToTheBoundAgainstADistantServer(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	p := newPaceController(t0)
	if p.workers() != paceStart {
		t.Fatalf("starts at %d workers, want %d", p.workers(), paceStart)
	}
	_, counts := drive(p, wan(20*time.Millisecond), t0, 40)
	// Doubling from 4 reaches 32 in three growths of two rounds each.
	if counts[7] != paceMax {
		t.Fatalf("after 8 rounds at 20 ms: %v, want %d workers by then", counts[:8], paceMax)
	}
	for i, n := range counts {
		if n > paceMax {
			t.Fatalf("round %d asks for %d workers, beyond the bound %d", i, n, paceMax)
		}
	}
	if last := counts[len(counts)-1]; last != paceMax {
		t.Fatalf("settles at %d workers, want %d: %v", last, paceMax, counts)
	}
}

func TestPaceBacksOffAServerThatSaturates(t *testing.T) {
	for _, k := range []int{2, 6, 8, 12} {
		t0 := time.Unix(1_000_000, 0)
		p := newPaceController(t0)
		_, counts := drive(p, saturating(20*time.Millisecond, k), t0, 80)
		// After the first probes, the count stays where latency is still
		// the unloaded one, give or take one probing step: between k and
		// 1.5·k (or the start, when k is below it).
		lo, hi := min(k, paceStart), max(k+k/2, paceStart+1)
		for i, n := range counts[20:] {
			if n < lo || n > hi {
				t.Fatalf("server of %d slots, round %d: %d workers, want %d..%d; all rounds: %v", k, 20+i, n, lo, hi, counts)
			}
		}
	}
}

func TestPaceHalvesOnTransientFailures(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	p := newPaceController(t0)
	t1, counts := drive(p, wan(20*time.Millisecond), t0, 10)
	if n := counts[len(counts)-1]; n != paceMax {
		t.Fatalf("not at the bound before the failures: %v", counts)
	}
	// One dropped connection fails every call in flight: one halving, not
	// one per failed call.
	for range paceMax {
		p.observe(callSample{Start: t1, End: t1.Add(time.Millisecond), Failed: true})
	}
	if n := p.workers(); n != paceMax/2 {
		t.Fatalf("after one burst of failures: %d workers, want %d", n, paceMax/2)
	}
	// Failures that go on keep halving, down to the floor and no lower.
	t2 := t1.Add(time.Second)
	for i := range 10 {
		at := t2.Add(time.Duration(i) * time.Second)
		p.observe(callSample{Start: at, End: at.Add(time.Millisecond), Failed: true})
	}
	if n := p.workers(); n != paceMin {
		t.Fatalf("after failures that persist: %d workers, want %d", n, paceMin)
	}
	// Once calls succeed again, it grows back, one worker per epoch.
	_, counts = drive(p, wan(20*time.Millisecond), t2.Add(time.Minute), 20)
	if counts[len(counts)-1] <= paceMin {
		t.Fatalf("never grows back after the failures stop: %v", counts)
	}
}

// A growth that buys no throughput is undone: something other than the
// server's latency is the limit (here the client issues at most one call
// per 5 ms, whatever the count).
func TestPaceUndoesGrowthThatDoesNotPay(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	p := newPaceController(t0)
	const lat, every = 20 * time.Millisecond, 5 * time.Millisecond
	maxSeen := 0
	for i := range 2000 {
		start := t0.Add(time.Duration(i) * every)
		p.observe(callSample{Start: start, End: start.Add(lat)})
		maxSeen = max(maxSeen, p.workers())
	}
	if n := p.workers(); n > 2*paceStart {
		t.Fatalf("a client-bound fetch settles at %d workers, want at most %d (peak %d)", n, 2*paceStart, maxSeen)
	}
}

// Calls that started before the count changed measured the old count and
// must not close the new epoch.
func TestPaceIgnoresCallsFromBeforeAChange(t *testing.T) {
	t0 := time.Unix(1_000_000, 0)
	p := newPaceController(t0)
	_, _ = drive(p, wan(10*time.Millisecond), t0, 2) // 4 → 8 at t0+20ms
	if p.workers() != 2*paceStart {
		t.Fatalf("%d workers after the first epoch, want %d", p.workers(), 2*paceStart)
	}
	// Slow calls that began before the change: ignored, no back-off.
	for range 100 {
		p.observe(callSample{Start: t0, End: t0.Add(time.Second)})
	}
	if p.workers() != 2*paceStart {
		t.Fatalf("stale samples changed the count to %d", p.workers())
	}
}
