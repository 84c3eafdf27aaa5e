package vsphere

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// fcdTimeline plans and runs the timeline of a demo First Class Disk.
func fcdTimeline(t testing.TB, c *Client, name string, allocated bool, opts TimelineOptions) *Timeline {
	t.Helper()
	d, snaps := findDisk(t, c, name)
	spec := FCDTimeline(d, snaps)
	spec.Allocated = allocated
	tl, err := PlanTimeline(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tl.Run(ctx, c, opts, nil)
	return tl
}

func vmTimeline(t testing.TB, c *Client, vmName string, key int32) *Timeline {
	t.Helper()
	ctx := context.Background()
	vm, err := c.FindVM(ctx, vmName)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := vm.FindDisk(strconv.Itoa(int(key)))
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := c.VMSnapshots(ctx, vm)
	if err != nil {
		t.Fatal(err)
	}
	tl, err := PlanTimeline(VMTimeline(vm, disk, snaps))
	if err != nil {
		t.Fatal(err)
	}
	tl.Run(ctx, c, TimelineOptions{}, nil)
	return tl
}

// Every queried interval's map is the simulator's ground truth for its
// pair of snapshots, for First Class Disks and VM disks alike.
func TestTimelineMatchesGroundTruth(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	for _, name := range []string{simulator.DemoChainReset, simulator.DemoLog, simulator.DemoEpochReset} {
		tl := fcdTimeline(t, c, name, false, TimelineOptions{Parallel: 2, Fetch: FetchOptions{Workers: 3}})
		d, snaps := findDisk(t, c, name)
		if len(tl.Intervals) != len(snaps)-1 {
			t.Fatalf("%s: %d intervals for %d snapshots", name, len(tl.Intervals), len(snaps))
		}
		for i, iv := range tl.Intervals {
			if iv.From.ID != snaps[i].ID || iv.To.ID != snaps[i+1].ID {
				t.Fatalf("%s interval %d: %s → %s, want %s → %s", name, i, iv.From.ID, iv.To.ID, snaps[i].ID, snaps[i+1].ID)
			}
			if !iv.Queried() {
				continue
			}
			want, err := s.GroundTruth(d.ID, iv.To.ID, iv.From.ChangeID)
			if err != nil {
				t.Fatal(err)
			}
			if err := iv.Sweep.Failure(); err != nil {
				t.Fatalf("%s %s: %v", name, iv.Name(), err)
			}
			if got := extentsOf(iv.Sweep.Map); !slices.Equal(got, want) {
				t.Fatalf("%s %s: %d extents, ground truth has %d", name, iv.Name(), len(got), len(want))
			}
		}
	}
}

// The reset interval is reported as not queryable, with the reason, and
// never sent: a query across epochs can only fault.
func TestTimelineDoesNotQueryAcrossAReset(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	const method = "VstorageObjectVCenterQueryChangedDiskAreas"
	before := s.Stats().Calls[method]
	tl := fcdTimeline(t, c, simulator.DemoChainReset, false, TimelineOptions{})
	calls := s.Stats().Calls[method] - before
	for i, iv := range tl.Intervals {
		if (i == simulator.DemoResetNight) == iv.Queried() {
			t.Fatalf("interval %d queried %v: %q", i, iv.Queried(), iv.NotQueryable)
		}
	}
	iv := tl.Intervals[simulator.DemoResetNight]
	if !strings.Contains(iv.NotQueryable, "CBT was reset between S4 and S5") || iv.Started || iv.Sweep.Map.ScannedBytes(0, tl.Capacity) != 0 {
		t.Fatalf("reset interval: %q, started %v", iv.NotQueryable, iv.Started)
	}
	var queried int64
	for _, iv := range tl.Intervals {
		queried += iv.Sweep.Progress.Calls
	}
	if calls != queried {
		t.Fatalf("server saw %d calls, the queried intervals made %d", calls, queried)
	}
	if err := tl.Failure(); err == nil || !strings.Contains(err.Error(), "S4 → S5 not queried") {
		t.Fatalf("Failure() = %v", err)
	}
}

// Each demo story raises exactly its flag; clean chains raise none, even
// against their allocated areas. The spike night's story, the heaviest, is
// TestTimelineNightlyStory.
func TestTimelineFlagsPerStory(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	type want struct {
		kind     FlagKind
		interval int
	}
	cases := []struct {
		name string
		tl   func() *Timeline
		want []want
	}{
		{"reset in the chain", func() *Timeline { return fcdTimeline(t, c, simulator.DemoChainReset, true, TimelineOptions{}) },
			[]want{{FlagCBTReset, simulator.DemoResetNight}}},
		{"reset after the 2nd snapshot", func() *Timeline { return fcdTimeline(t, c, simulator.DemoEpochReset, true, TimelineOptions{}) },
			[]want{{FlagCBTReset, 1}}},
		{"VM reset after the 2nd snapshot", func() *Timeline { return vmTimeline(t, c, simulator.DemoVMFileServer, 2000) },
			[]want{{FlagCBTReset, 1}}},
		{"corrupt ctk", func() *Timeline { return fcdTimeline(t, c, simulator.DemoCorruptCTK, false, TimelineOptions{}) },
			[]want{{FlagFault, 0}, {FlagFault, 1}, {FlagFault, 2}}},
		{"clean: database", func() *Timeline { return fcdTimeline(t, c, simulator.DemoDatabase, true, TimelineOptions{}) }, nil},
		{"clean: log", func() *Timeline { return fcdTimeline(t, c, simulator.DemoLog, true, TimelineOptions{}) }, nil},
		{"clean: fresh filesystem", func() *Timeline { return fcdTimeline(t, c, simulator.DemoFreshFS, true, TimelineOptions{}) }, nil},
		{"clean: boot storm", func() *Timeline { return fcdTimeline(t, c, simulator.DemoBootStorm, true, TimelineOptions{}) }, nil},
		{"clean: VM database disk", func() *Timeline { return vmTimeline(t, c, simulator.DemoVMSQL, 2001) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tl := tc.tl()
			var got []want
			for _, f := range tl.Flags() {
				got = append(got, want{f.Kind, f.Interval})
				if f.Likely == "" || f.Evidence == "" {
					t.Errorf("flag without its sentence or evidence: %+v", f)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("flags %+v, want %v", tl.Flags(), tc.want)
			}
		})
	}
}

// The faulted intervals carry the fault's diagnosis in their flag.
func TestTimelineFaultFlagCarriesDiagnosis(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	tl := fcdTimeline(t, c, simulator.DemoCorruptCTK, false, TimelineOptions{})
	flags := tl.Flags()
	if len(flags) == 0 {
		t.Fatal("no flags")
	}
	for _, f := range flags {
		if !strings.Contains(f.Likely, "corrupt") || !strings.Contains(f.Evidence, "FileFault") || !strings.Contains(f.Evidence, "cannotGetChanges") {
			t.Fatalf("flag %+v", f)
		}
	}
	var fe *Fault
	if !errors.As(tl.Failure(), &fe) || fe.Type != "FileFault" {
		t.Fatalf("Failure() = %v, want the FileFault", tl.Failure())
	}
}

// The story of DemoNightly: one spike flag, on the night of the index
// rebuild, and a hot region that changes in every interval.
func TestTimelineNightlyStory(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	tl := fcdTimeline(t, c, simulator.DemoNightly, false, TimelineOptions{})
	if len(tl.Intervals) != simulator.DemoNightlyCount-1 {
		t.Fatalf("%d intervals", len(tl.Intervals))
	}
	var total int
	hot, spike := simulator.DemoHotRegion, simulator.DemoSpikeRegion
	for i, iv := range tl.Intervals {
		m := iv.Sweep.Map
		if err := iv.Sweep.Failure(); err != nil {
			t.Fatalf("%s: %v", iv.Name(), err)
		}
		total += m.Len()
		if got := m.ChangedBytes(hot.Start, hot.End()); got != hot.Length {
			t.Fatalf("%s: %d bytes of the hot region changed, want all %d", iv.Name(), got, hot.Length)
		}
		rebuilt := m.ChangedBytes(spike.Start, spike.End()) == spike.Length
		if rebuilt != (i == simulator.DemoSpikeNight) {
			t.Fatalf("%s: index region rewritten %v", iv.Name(), rebuilt)
		}
	}
	if total < 1_000_000 {
		t.Fatalf("%d extents over the timeline, want over a million", total)
	}
	flags := tl.Flags()
	if len(flags) != 1 || flags[0].Kind != FlagSpike || flags[0].Interval != simulator.DemoSpikeNight {
		t.Fatalf("flags %+v, want one spike on interval %d", flags, simulator.DemoSpikeNight)
	}
}

// Cancelling stops the timeline promptly: the channel closes, intervals not
// started never start, and every unfinished one reads as interrupted.
func TestTimelineCancel(t *testing.T) {
	_, c := startSim(t, simulator.Options{Latency: 20 * time.Millisecond})
	d, snaps := findDisk(t, c, simulator.DemoChainReset)
	tl, err := PlanTimeline(FCDTimeline(d, snaps))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tl.Run(ctx, c, TimelineOptions{Parallel: 1, Fetch: FetchOptions{Workers: 1}}, func(ev TimelineEvent) {
		if ev.Started && ev.Interval == 1 {
			cancel()
		}
	})
	if tl.Intervals[2].Started {
		t.Fatal("interval 3 started after the cancel")
	}
	for _, iv := range tl.Intervals[1:] {
		if iv.Queried() && (!iv.Sweep.Canceled || iv.Sweep.Complete()) {
			t.Fatalf("%s: canceled %v complete %v", iv.Name(), iv.Sweep.Canceled, iv.Sweep.Complete())
		}
	}
	if err := tl.Failure(); err == nil {
		t.Fatal("a cancelled timeline reports no failure")
	}
}

// At most Parallel intervals are fetched at a time, each with its own
// workers, and every interval's events come after its start.
func TestTimelineBoundsConcurrency(t *testing.T) {
	_, c := startSim(t, simulator.Options{Latency: 5 * time.Millisecond})
	d, snaps := findDisk(t, c, simulator.DemoChainReset)
	for _, parallel := range []int{1, 2} {
		tl, err := PlanTimeline(FCDTimeline(d, snaps))
		if err != nil {
			t.Fatal(err)
		}
		cf := &countingFetcher{f: c}
		started := map[int]bool{}
		tl.Run(context.Background(), cf, TimelineOptions{Parallel: parallel}, func(ev TimelineEvent) {
			if ev.Started {
				started[ev.Interval] = true
			} else if !started[ev.Interval] {
				t.Fatalf("event of interval %d before its start", ev.Interval)
			}
		})
		if err := tl.Intervals[0].Sweep.Failure(); err != nil {
			t.Fatal(err)
		}
		if got := cf.most.Load(); got > int64(parallel) || got < 1 {
			t.Fatalf("parallel %d: %d intervals at once", parallel, got)
		}
	}
}

// countingFetcher passes fetches to the real client and records how many
// ran at once.
type countingFetcher struct {
	f         Fetcher
	now, most atomic.Int64
}

func (cf *countingFetcher) Fetch(ctx context.Context, q Query, opts FetchOptions) <-chan Event {
	n := cf.now.Add(1)
	for {
		m := cf.most.Load()
		if n <= m || cf.most.CompareAndSwap(m, n) {
			break
		}
	}
	out := make(chan Event)
	go func() {
		defer close(out)
		defer cf.now.Add(-1)
		for ev := range cf.f.Fetch(ctx, q, opts) {
			out <- ev
		}
	}()
	return out
}

func TestPlanTimelineNeedsTwoSnapshots(t *testing.T) {
	for n := range 2 {
		snaps := make([]Snapshot, n)
		_, err := PlanTimeline(FCDTimeline(Disk{ID: "d", CapacityBytes: 1 << 20}, snaps))
		var ue *UsageError
		if !errors.As(err, &ue) {
			t.Fatalf("%d snapshots: %v, want a usage error", n, err)
		}
	}
}
