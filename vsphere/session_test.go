package vsphere

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// A session that expires on every second call, under 8 workers: every call
// in flight fails when one expiry ends the session, yet one login serves
// them all, no page spends its retries on it, and the map is exact.
func TestSessionExpiryUnderParallelWorkers(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 200})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	newest := snaps[len(snaps)-1]
	want, err := s.GroundTruth(d.ID, newest.ID, snaps[0].ChangeID)
	if err != nil {
		t.Fatal(err)
	}
	s.SetKnobs(simulator.Knobs{SessionExpiry: simulator.Trigger{Every: 2}})
	defer s.SetKnobs(simulator.Knobs{})
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: snaps[0].ChangeID}
	loginsBefore := c.generation()
	m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 8, Retry: fastRetry})
	if !done.Complete || len(faults) > 0 {
		t.Fatalf("done %+v, faults %v", done, faults)
	}
	if got := extentsOf(m); !slices.Equal(got, want) {
		t.Fatalf("%d extents, ground truth has %d", len(got), len(want))
	}
	// Each expiry needs one login; more would mean workers logged in over
	// each other's fresh sessions.
	logins := c.generation() - loginsBefore
	expiries := s.Stats().Injected["sessionExpiry"]
	if logins == 0 || int64(logins) > expiries {
		t.Fatalf("%d logins for %d expiries", logins, expiries)
	}
}

// A vCenter that ends every session at once still ends the fetch, with a
// message that says so rather than promising a retry.
func TestSessionEndedEveryTimeGivesUp(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 200})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	s.SetKnobs(simulator.Knobs{SessionExpiry: simulator.Trigger{Every: 1}})
	defer s.SetKnobs(simulator.Knobs{})
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: snaps[0].ChangeID}
	var done *DoneEvent
	var faults []*FaultEvent
	guardHang(t, "fetch", func() { _, done, faults = fetchMap(t, c, q, FetchOptions{Workers: 4, Retry: fastRetry}) })
	if done.Complete || len(faults) == 0 {
		t.Fatalf("done %+v, faults %v", done, faults)
	}
	var lost *SessionLostError
	if !errors.As(done.Err, &lost) || lost.Times != maxLoginsWithoutProgress+1 {
		t.Fatalf("got %v, want the session lost %d times", done.Err, maxLoginsWithoutProgress+1)
	}
	if !strings.Contains(done.Err.Error(), "ended the session 6 times in a row without a page getting through") {
		t.Fatalf("message %q", done.Err)
	}
	if n := c.generation(); n > uint64(maxLoginsWithoutProgress)+1 {
		t.Fatalf("%d logins in all; the bound is %d after the first", n, maxLoginsWithoutProgress)
	}
}
