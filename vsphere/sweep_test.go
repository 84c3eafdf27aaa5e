package vsphere

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

func runSweep(t *testing.T, f Fetcher, capacity int64, events func(ctx context.Context) <-chan Event) *Sweep {
	t.Helper()
	s, err := NewSweep(capacity)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s.Run(events(ctx), nil)
	if !s.Done {
		t.Fatal("the sweep ended without its DoneEvent")
	}
	return s
}

// A healthy disk sweeps to the journal's ground truth with no failure; a
// faulting one fails with the fault itself, diagnosed.
func TestSweepOutcome(t *testing.T) {
	sim, c := startSim(t, simulator.Options{})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	newest := snaps[len(snaps)-1]
	base := snaps[len(snaps)-2].ChangeID
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: base}
	s := runSweep(t, c, d.CapacityBytes, func(ctx context.Context) <-chan Event { return c.Fetch(ctx, q, FetchOptions{Workers: 4}) })
	want, err := sim.GroundTruth(d.ID, newest.ID, base)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Failure(); err != nil || !s.Complete() || !slices.Equal(extentsOf(s.Map), want) {
		t.Fatalf("failure %v, complete %v, %d extents (ground truth %d)", err, s.Complete(), s.Map.Len(), len(want))
	}

	off, offSnaps := findDisk(t, c, simulator.DemoCBTOff)
	q = Query{Disk: off.Ref(), Capacity: off.CapacityBytes, Snapshot: offSnaps[len(offSnaps)-1].ID, ChangeID: "*"}
	s = runSweep(t, c, off.CapacityBytes, func(ctx context.Context) <-chan Event { return c.Fetch(ctx, q, FetchOptions{Workers: 4}) })
	var f *Fault
	if err := s.Failure(); !errors.As(err, &f) || f.Type != "InvalidState" || s.Complete() || s.Faults != 4 {
		t.Fatalf("failure %v, complete %v, %d faults", err, s.Complete(), s.Faults)
	}
	if f.Request == nil || f.Request.StartOffset != 0 {
		t.Fatalf("kept the fault at %+v; the one nearest the start is at 0", f.Request)
	}
	if got := s.Map.FaultedBytes(0, off.CapacityBytes); got != off.CapacityBytes {
		t.Fatalf("%d of %d bytes marked faulted", got, off.CapacityBytes)
	}
}

// The faulted ranges of a sweep, fetched again, complete the same map: the
// retry asks for exactly what is missing.
func TestSweepRetryCompletesTheMap(t *testing.T) {
	// Small pages, so the first sweep's last page stops short of the end.
	sim, c := startSim(t, simulator.Options{PageExtents: 20})
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	newest := snaps[len(snaps)-1]
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: snaps[len(snaps)-2].ChangeID}
	// A first sweep of a third of the disk, and a fault on the rest.
	cut := d.CapacityBytes / 3 / (1 << 20) * (1 << 20)
	first := q
	first.End = cut
	s := runSweep(t, c, d.CapacityBytes, func(ctx context.Context) <-chan Event { return c.Fetch(ctx, first, FetchOptions{Workers: 2}) })
	s.Apply(&FaultEvent{Err: errors.New("connection dropped"), Unscanned: heatmap.Window{Start: cut, End: d.CapacityBytes}})
	if s.Complete() || s.Failure() == nil {
		t.Fatalf("a sweep with a faulted range passes as complete: %+v, %d extents, scanned %d of %d", s.Progress, s.Map.Len(), s.Map.ScannedBytes(0, d.CapacityBytes), d.CapacityBytes)
	}
	var gaps []heatmap.Extent
	for r := range s.Map.FaultedRanges() {
		gaps = append(gaps, r)
	}
	retry := s.Retry(q)
	if len(gaps) != 1 || len(retry) != 1 || retry[0].Start != gaps[0].Start || retry[0].End != d.CapacityBytes || retry[0].Start < cut {
		t.Fatalf("faulted %v, retry queries %+v", gaps, retry)
	}
	if s.Failure() == nil {
		t.Fatal("the map is still incomplete, yet the sweep reports no failure")
	}
	s.Run(FetchEach(context.Background(), c, retry, FetchOptions{Workers: 3}), nil)
	want, err := sim.GroundTruth(d.ID, newest.ID, q.ChangeID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Failure(); err != nil || !slices.Equal(extentsOf(s.Map), want) {
		t.Fatalf("after the retry: failure %v, %d extents, ground truth %d", err, s.Map.Len(), len(want))
	}
	if s.Progress.Total != d.CapacityBytes-retry[0].Start || s.Progress.Scanned != s.Progress.Total {
		t.Fatalf("retry progress %+v", s.Progress)
	}
}

// FetchEach runs several ranges as one fetch: together they give the map
// one fetch of the whole disk gives.
func TestFetchEachIsOneFetch(t *testing.T) {
	sim, c := startSim(t, simulator.Options{})
	d, snaps := findDisk(t, c, simulator.DemoLog)
	newest := snaps[len(snaps)-1]
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: snaps[0].ChangeID}
	third := d.CapacityBytes / 3
	var qs []Query
	for _, r := range [][2]int64{{0, third}, {third, 2 * third}, {2 * third, d.CapacityBytes}} {
		p := q
		p.Start, p.End = r[0], r[1]
		qs = append(qs, p)
	}
	s := runSweep(t, c, d.CapacityBytes, func(ctx context.Context) <-chan Event { return FetchEach(ctx, c, qs, FetchOptions{Workers: 2}) })
	want, err := sim.GroundTruth(d.ID, newest.ID, q.ChangeID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Failure(); err != nil || !slices.Equal(extentsOf(s.Map), want) {
		t.Fatalf("failure %v, %d extents, ground truth %d", err, s.Map.Len(), len(want))
	}
	if s.Progress.Scanned != d.CapacityBytes || s.Progress.Total != d.CapacityBytes {
		t.Fatalf("progress %+v", s.Progress)
	}
}

// A sweep cancelled part way says so, and FetchEach closes promptly.
func TestFetchEachCancelled(t *testing.T) {
	_, c := startSim(t, simulator.Options{Latency: 20 * time.Millisecond})
	d, snaps := findDisk(t, c, simulator.DemoSparse)
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: "*"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := NewSweep(d.CapacityBytes)
	events := FetchEach(ctx, c, []Query{q, q}, FetchOptions{Workers: 2})
	for ev := range events {
		s.Apply(ev)
		if _, ok := ev.(*PageEvent); ok {
			cancel()
		}
	}
	if !errors.Is(s.Failure(), ErrInterrupted) || s.Complete() {
		t.Fatalf("a cancelled sweep: failure %v, done %v", s.Failure(), s.Done)
	}
}

// The export a sweep writes is one open accepts, whatever happened: a
// fault on a range other pages covered leaves a complete map and no
// recorded fault; a faulted map is incomplete and records its fault.
func TestSweepExportsOpen(t *testing.T) {
	flt := &Fault{Type: "FileFault", Message: "cannot get changes", Request: &Request{StartOffset: 600}}
	for _, tc := range []struct {
		name     string
		covered  bool
		complete bool
	}{{"fault covered by other pages", true, true}, {"fault left a gap", false, false}} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := NewSweep(1000)
			s.Apply(&PageEvent{Page: heatmap.Page{Start: 0, Length: 600, Extents: []heatmap.Extent{{Start: 10, Length: 5}}}})
			s.Apply(&FaultEvent{Err: flt, Fault: flt, Unscanned: heatmap.Window{Start: 600, End: 1000}})
			if tc.covered {
				s.Apply(&PageEvent{Page: heatmap.Page{Start: 500, Length: 500}})
			}
			s.Apply(&DoneEvent{Err: flt})
			if s.Complete() != tc.complete || s.CoveredFailure() != tc.covered || s.Failure() == nil {
				t.Fatalf("complete %v, covered %v, failure %v", s.Complete(), s.CoveredFailure(), s.Failure())
			}
			for _, format := range []string{"json", "csv"} {
				var b bytes.Buffer
				e := s.Export(ExportDisk{ID: "d", Name: "n", Datastore: "ds", CapacityBytes: 1000}, "snap", "*")
				if err := e.Write(&b, format); err != nil {
					t.Fatal(err)
				}
				if format == "csv" {
					if head := strings.HasPrefix(b.String(), "# "); head == tc.complete {
						t.Fatalf("complete %v, CSV begins %q", tc.complete, strings.SplitN(b.String(), "\n", 2)[0])
					}
					continue
				}
				got, m, err := ReadExport(&b)
				if err != nil {
					t.Fatalf("open refuses the export: %v", err)
				}
				if got.Complete != tc.complete || (got.Fault != nil) == tc.complete || m.Len() != 1 {
					t.Fatalf("read back complete %v fault %v, %d extents", got.Complete, got.Fault, m.Len())
				}
			}
		})
	}
}
