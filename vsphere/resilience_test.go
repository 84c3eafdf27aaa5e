package vsphere

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

var fastRetry = RetryPolicy{Attempts: 4, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond}

// patientRetry is for knobs that fail every Nth call of the whole server:
// under parallel workers and a loaded machine one worker's attempts can land
// on the failing turns several times running, so it gets more of them.
var patientRetry = RetryPolicy{Attempts: 12, Base: 2 * time.Millisecond, Max: 10 * time.Millisecond}

// Transient failures are retried from the last good offset and leave no
// trace in the result.
func TestTransientFailuresAreSurvived(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 300})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	newest := snaps[len(snaps)-1]
	want, err := s.GroundTruth(d.ID, newest.ID, snaps[0].ChangeID)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]simulator.Knobs{
		"dropped connection":  {DropConnection: simulator.Trigger{Nth: 3, Every: 7}},
		"HTTP 500":            {HTTP500: simulator.Trigger{Nth: 2, Every: 5}},
		"session expiry":      {SessionExpiry: simulator.Trigger{Nth: 4, Every: 9}},
		"overlapping extents": {OverlappingExtents: simulator.Trigger{Every: 2}},
	}
	for name, knobs := range cases {
		t.Run(name, func(t *testing.T) {
			for _, workers := range []int{1, 4} {
				s.SetKnobs(knobs)
				q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: snaps[0].ChangeID}
				m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: workers, Retry: patientRetry})
				s.SetKnobs(simulator.Knobs{})
				if !done.Complete || len(faults) > 0 {
					t.Fatalf("%d workers: done %+v, faults %+v", workers, done, faults)
				}
				if name == "overlapping extents" {
					// A reply with no extents gets two invented ones that
					// share a block: false positives, which CBT allows. The
					// map must hold every true change and merge the rest.
					for _, e := range want {
						if m.ChangedBytes(e.Start, e.Start+e.Length) != e.Length {
							t.Fatalf("%d workers: change %v is missing", workers, e)
						}
					}
				} else if got := extentsOf(m); !slices.Equal(got, want) {
					t.Fatalf("%d workers: %d extents, want %d", workers, len(got), len(want))
				}
				if name != "overlapping extents" && done.Progress.Retries == 0 {
					t.Fatalf("%d workers: no retry was needed: was the knob on?", workers)
				}
			}
		})
	}
}

// A reply that breaks the paging contract ends the fetch with a clear error
// naming the offset, quickly, and is never retried into a loop.
func TestContractViolationsStopTheFetch(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 300})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	cases := map[string]struct {
		knobs simulator.Knobs
		want  string
	}{
		"zero-length page":      {simulator.Knobs{ZeroLengthPage: simulator.Trigger{Nth: 3}}, "paging would not advance"},
		"extent outside window": {simulator.Knobs{ExtentOutsideWindow: simulator.Trigger{Nth: 2}}, "outside the reply's window"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s.SetKnobs(tc.knobs)
			defer s.SetKnobs(simulator.Knobs{})
			q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: snaps[0].ChangeID}
			start := time.Now()
			m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 1, Retry: fastRetry})
			if done.Complete || len(faults) != 1 {
				t.Fatalf("done %+v, faults %+v", done, faults)
			}
			var ce *ContractError
			if !errors.As(faults[0].Err, &ce) || !strings.Contains(ce.Error(), tc.want) || !strings.Contains(ce.Error(), "startOffset") {
				t.Fatalf("error %v, want a contract error about %q", faults[0].Err, tc.want)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Fatalf("took %v to give up", took)
			}
			if m.Complete() || m.FaultedBytes(0, m.Capacity()) != m.Capacity()-m.ScannedBytes(0, m.Capacity()) {
				t.Fatal("the rest of the disk is not marked as stopped by the fault")
			}
		})
	}
}

// Cancelling stops every worker promptly, ends the channel with a
// DoneEvent, and leaves no goroutine behind.
func TestCancelStopsPromptly(t *testing.T) {
	_, c := startSim(t, simulator.Options{Latency: 20 * time.Millisecond, PageExtents: 100})
	d, snaps := findDisk(t, c, simulator.DemoSparse)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: "*"}
	events := c.Fetch(ctx, q, FetchOptions{Workers: 4})
	pages := 0
	var done *DoneEvent
	for ev := range events {
		switch ev := ev.(type) {
		case *PageEvent:
			if pages++; pages == 3 {
				if during := fetchGoroutines(); during == 0 {
					t.Error("no fetch goroutine seen while fetching: the leak probe sees nothing")
				}
				cancel()
			}
		case *DoneEvent:
			done = ev
		}
	}
	if done == nil || done.Complete || !done.Progress.Canceled {
		t.Fatalf("done %+v", done)
	}
	// Idle keep-alive connections (client and in-process server) may stay;
	// no goroutine of the fetch may.
	deadline := time.Now().Add(5 * time.Second)
	for fetchGoroutines() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := fetchGoroutines(); n > 0 {
		t.Fatalf("%d goroutines of the fetch left behind (%d goroutines before it)", n, before)
	}
}

// fetchGoroutines counts goroutines running the fetcher's code.
func fetchGoroutines() int {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "cbtscope/vsphere.(*fetch)") {
			n++
		}
	}
	return n
}

// Bodies are drained, so parallel workers reuse their TLS connections
// instead of handshaking on every call.
func TestConnectionsAreReused(t *testing.T) {
	_, c := startSim(t, simulator.Options{PageExtents: 200})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	before := c.NewConnections()
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: snaps[0].ChangeID}
	_, done, _ := fetchMap(t, c, q, FetchOptions{Workers: 4})
	opened := c.NewConnections() - before
	if done.Progress.Calls < 40 {
		t.Fatalf("only %d calls: the test needs many", done.Progress.Calls)
	}
	if opened > 4 {
		t.Fatalf("%d calls opened %d new connections; want at most one per worker", done.Progress.Calls, opened)
	}
}

// govmomi's own calls (inventory here) reuse connections too: without
// draining, each would open a new TLS connection.
func TestInventoryCallsReuseConnections(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	d, _ := findDisk(t, c, simulator.DemoDatabase)
	before := c.NewConnections()
	for range 10 {
		if _, err := c.Snapshots(t.Context(), d); err != nil {
			t.Fatal(err)
		}
	}
	if opened := c.NewConnections() - before; opened > 1 {
		t.Fatalf("10 snapshot listings (dozens of calls) opened %d new connections", opened)
	}
}

// A reader that cancels and stops reading leaves nothing blocked.
func TestCancelWithoutReadingLeavesNothingBehind(t *testing.T) {
	_, c := startSim(t, simulator.Options{PageExtents: 50})
	d, snaps := findDisk(t, c, simulator.DemoSparse)
	ctx, cancel := context.WithCancel(context.Background())
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: "*"}
	events := c.Fetch(ctx, q, FetchOptions{Workers: 4})
	<-events
	// Wait until the channel is full and the workers block on sending: the
	// state this test is about. A fixed sleep could cancel before it.
	deadline := time.Now().Add(30 * time.Second)
	for len(events) < cap(events) && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(events) < cap(events) || fetchGoroutines() == 0 {
		t.Fatalf("the workers never filled the channel (%d of %d events queued)", len(events), cap(events))
	}
	cancel()
	deadline = time.Now().Add(5 * time.Second)
	for fetchGoroutines() > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := fetchGoroutines(); n > 0 {
		t.Fatalf("%d goroutines of the fetch blocked after the reader left", n)
	}
}
