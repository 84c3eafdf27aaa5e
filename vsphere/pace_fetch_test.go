package vsphere

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// With the worker count left to adapt, every demo disk's map equals the
// journal: workers started, parked and taken over lose and invent nothing.
func TestAdaptiveFetchMatchesGroundTruth(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 200})
	for _, name := range []string{simulator.DemoDatabase, simulator.DemoLog, simulator.DemoFreshFS, simulator.DemoBootStorm} {
		d, snaps := findDisk(t, c, name)
		newest := snaps[len(snaps)-1]
		for _, base := range []string{snaps[0].ChangeID, "*"} {
			want, err := s.GroundTruth(d.ID, newest.ID, base)
			if err != nil {
				t.Fatal(err)
			}
			q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: base}
			m, done, faults := fetchMap(t, c, q, FetchOptions{})
			if !done.Complete || len(faults) > 0 || done.Progress.Scanned != d.CapacityBytes {
				t.Fatalf("%s since %q: done %+v, faults %v", name, base, done, faults)
			}
			if got := extentsOf(m); !slices.Equal(got, want) {
				t.Fatalf("%s since %q: %d extents, ground truth %d", name, base, len(got), len(want))
			}
		}
	}
}

// Against a server that saturates (calls beyond a few queue) and fails now
// and then, the adaptive fetch backs off and still maps the disk exactly,
// never running more workers than its bound.
func TestAdaptiveFetchUnderASaturatingServer(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 20})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	newest := snaps[len(snaps)-1]
	// A delta of thousands of extents: many pages at 20 extents each (the
	// few allocated regions of "*" take a handful).
	base := snaps[0].ChangeID
	want, err := s.GroundTruth(d.ID, newest.ID, base)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]simulator.Knobs{
		"queueing":           {Latency: 2 * time.Millisecond, MaxConcurrent: 3},
		"queueing and 500s":  {Latency: time.Millisecond, MaxConcurrent: 3, HTTP500: simulator.Trigger{Nth: 5, Every: 11}},
		"dropped connection": {DropConnection: simulator.Trigger{Nth: 2, Every: 13}},
	}
	for name, knobs := range cases {
		t.Run(name, func(t *testing.T) {
			s.SetKnobs(knobs)
			defer s.SetKnobs(simulator.Knobs{})
			q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: base}
			m, err := NewSweep(q.Capacity)
			if err != nil {
				t.Fatal(err)
			}
			peak := 0
			m.Run(c.Fetch(t.Context(), q, FetchOptions{Retry: patientRetry}), func(s *Sweep) { peak = max(peak, s.Progress.Workers) })
			if err := m.Failure(); err != nil {
				t.Fatalf("sweep failed: %v (progress %+v)", err, m.Progress)
			}
			if got := extentsOf(m.Map); !slices.Equal(got, want) {
				t.Fatalf("%d extents, ground truth %d", len(got), len(want))
			}
			t.Logf("%d pages, %d calls, %d retries, peak %d workers", m.Progress.Pages, m.Progress.Calls, m.Progress.Retries, peak)
			if peak < 1 || peak > paceMax {
				t.Fatalf("peak of %d workers, outside 1..%d", peak, paceMax)
			}
			if knobs.HTTP500.Enabled() || knobs.DropConnection.Enabled() {
				if m.Progress.Retries == 0 {
					t.Fatal("no retries: was the fault knob on?")
				}
			}
		})
	}
}

// Workers that stop on broken replies report exactly the part of the range
// that was theirs: with slices split and taken over along the way, every
// byte the map has not scanned lies in a range some fault reported, and the
// progress counts exactly the bytes the map has scanned (pages that ran on
// into a faulted span included).
func TestFaultsReportExactlyTheirWorkersPart(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 20})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	newest := snaps[len(snaps)-1]
	for _, workers := range []int{0, 3, 8} {
		s.SetKnobs(simulator.Knobs{ZeroLengthPage: simulator.Trigger{Nth: 9, Every: 17}})
		q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: snaps[0].ChangeID}
		m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: workers, Retry: fastRetry})
		s.SetKnobs(simulator.Knobs{})
		if done.Complete || len(faults) == 0 {
			t.Fatalf("%d workers: no fault reported: done %+v", workers, done)
		}
		reported, err := heatmap.NewChangeMap(d.CapacityBytes) // the ranges faults left unscanned
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range faults {
			var ce *ContractError
			// The range starts at the failed call, or past it where another
			// worker's page covered that far.
			if !errors.As(f.Err, &ce) || ce.Offset > f.Unscanned.Start || f.Unscanned.End < f.Unscanned.Start {
				t.Fatalf("%d workers: fault %v over [%d, %d)", workers, f.Err, f.Unscanned.Start, f.Unscanned.End)
			}
			if f.Unscanned.End > f.Unscanned.Start {
				if err := reported.Absorb(heatmap.Page{Start: f.Unscanned.Start, Length: f.Unscanned.End - f.Unscanned.Start}); err != nil {
					t.Fatal(err)
				}
			}
		}
		scanned := m.ScannedBytes(0, d.CapacityBytes)
		if done.Progress.Scanned != scanned {
			t.Fatalf("%d workers: progress counts %d bytes scanned, the map %d", workers, done.Progress.Scanned, scanned)
		}
		pos := int64(0)
		check := func(a, b int64) {
			if a < b && reported.ScannedBytes(a, b) != b-a {
				t.Fatalf("%d workers: [%d, %d) is unscanned, but no fault reported all of it", workers, a, b)
			}
		}
		for r := range m.ScannedRanges() {
			check(pos, r.Start)
			pos = r.End()
		}
		check(pos, d.CapacityBytes)
	}
}
