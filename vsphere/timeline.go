package vsphere

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// A timeline is a disk's history: the changes of every consecutive interval
// of its snapshot chain, S(k-1) → S(k), each fetched as S(k-1)'s changeId
// against S(k) by the one sweep engine. Front ends plan one (PlanTimeline),
// start it (RunTimeline) and fold its events into the plan (Apply): a
// command runs it to the end (Run), a TUI applies events as they arrive.

// TimelineSpec is the chain a timeline covers.
type TimelineSpec struct {
	// Capacity is the disk's size in bytes.
	Capacity int64
	// Snapshots is the chain; PlanTimeline orders it oldest first. For a VM
	// disk, AsSnapshots gives this disk's view of the VM's snapshots.
	Snapshots []Snapshot
	// Query is the query of the disk at Snapshots[to] since changeID: the
	// place where First Class Disks and VM disks differ. A *UsageError
	// marks the interval as not queryable, with that reason.
	Query func(to Snapshot, changeID string) (Query, error)
	// Allocated asks for '*' (the allocated areas) of the newest snapshot
	// too, so changes outside them can be flagged.
	Allocated bool
}

// FCDTimeline is the spec of a First Class Disk's chain.
func FCDTimeline(d Disk, snaps []Snapshot) TimelineSpec {
	return TimelineSpec{
		Capacity:  d.CapacityBytes,
		Snapshots: snaps,
		Query: func(to Snapshot, changeID string) (Query, error) {
			return Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: to.ID, ChangeID: changeID}, nil
		},
	}
}

// VMTimeline is the spec of disk's chain in a VM: the VM's snapshots as the
// disk sees them, each queried with VMQuery. A snapshot at which the disk's
// CBT is not in effect is not queryable, with the diagnosis as the reason.
func VMTimeline(vm VM, disk VMDisk, snaps []VMSnapshot) TimelineSpec {
	byRef := make(map[string]*VMSnapshot, len(snaps))
	for i := range snaps {
		byRef[snaps[i].Ref.Value] = &snaps[i]
	}
	return TimelineSpec{
		Capacity:  disk.CapacityBytes,
		Snapshots: AsSnapshots(snaps, disk.Key),
		Query: func(to Snapshot, changeID string) (Query, error) {
			s := byRef[to.ID]
			if s == nil {
				return Query{}, &UsageError{fmt.Sprintf("VM %s has no snapshot %s", vm.Name, to.ID)}
			}
			if d, ok := CBTNotInEffect(vm, disk, s); ok {
				return Query{}, &UsageError{d.Title + ": " + d.Cause}
			}
			return VMQuery(vm, disk, s, changeID)
		},
	}
}

// Timeline is a planned chain and, as events are applied, its maps.
type Timeline struct {
	Capacity  int64
	Snapshots []Snapshot // oldest first
	Intervals []*Interval
	// Allocated is '*' of the newest snapshot, when the spec asked for it.
	Allocated *Interval
}

// Interval is one step of the chain: the changes from From to To.
type Interval struct {
	// Index is the interval's place in the chain: 0 for S1 → S2.
	Index    int
	From, To Snapshot
	// Query is what is fetched; meaningless when NotQueryable is set.
	Query Query
	// NotQueryable says why the interval is not fetched: From has no
	// changeId, To has none, or CBT was reset between them (a query
	// could only fault). Its map stays unscanned.
	NotQueryable string
	// Sweep is the interval's map, filled by Apply.
	Sweep *Sweep
	// Started is set when its fetch began.
	Started bool
}

// Queried reports whether the interval is fetched.
func (iv *Interval) Queried() bool { return iv.NotQueryable == "" }

// Name is how messages name the interval: "S3 → S4".
func (iv *Interval) Name() string {
	if iv.Allocated() {
		return "allocated areas ('*') of the newest snapshot"
	}
	return fmt.Sprintf("S%d → S%d", iv.Index+1, iv.Index+2)
}

// PlanTimeline lays out the chain's intervals and their queries, without
// any call to the server. A chain of fewer than two snapshots has no
// interval: that is a *UsageError.
func PlanTimeline(spec TimelineSpec) (*Timeline, error) {
	if spec.Query == nil {
		return nil, fmt.Errorf("timeline: no query for the disk")
	}
	snaps := slices.Clone(spec.Snapshots)
	slices.SortStableFunc(snaps, func(a, b Snapshot) int { return a.CreateTime.Compare(b.CreateTime) })
	if len(snaps) < 2 {
		return nil, &UsageError{fmt.Sprintf("the disk has %d snapshot(s): a timeline needs at least two", len(snaps))}
	}
	tl := &Timeline{Capacity: spec.Capacity, Snapshots: snaps}
	for k := 1; k < len(snaps); k++ {
		iv := &Interval{Index: k - 1, From: snaps[k-1], To: snaps[k]}
		if iv.NotQueryable = unqueryable(iv); iv.Queried() {
			q, err := spec.Query(iv.To, iv.From.ChangeID)
			if err != nil {
				if !asUsage(err) {
					return nil, fmt.Errorf("timeline: interval %s: %w", iv.Name(), err)
				}
				iv.NotQueryable = err.Error()
			}
			iv.Query = q
		}
		s, err := NewSweep(spec.Capacity)
		if err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		iv.Sweep = s
		tl.Intervals = append(tl.Intervals, iv)
	}
	if spec.Allocated {
		newest := snaps[len(snaps)-1]
		iv := &Interval{Index: -1, To: newest}
		q, err := spec.Query(newest, "*")
		switch {
		case err != nil && !asUsage(err):
			return nil, fmt.Errorf("timeline: allocated areas of %s: %w", newest.ID, err)
		case err != nil:
			iv.NotQueryable = err.Error()
		case newest.ChangeID == "":
			iv.NotQueryable = "the newest snapshot has no changeId: CBT was off when it was taken"
		}
		iv.Query = q
		if iv.Sweep, err = NewSweep(spec.Capacity); err != nil {
			return nil, fmt.Errorf("timeline: %w", err)
		}
		tl.Allocated = iv
	}
	return tl, nil
}

func asUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue)
}

// unqueryable is why an interval cannot be asked for, before asking.
func unqueryable(iv *Interval) string {
	from, to := iv.From.ChangeID, iv.To.ChangeID
	switch {
	case from == "":
		return fmt.Sprintf("S%d has no changeId: CBT was off (or not yet in effect) when it was taken", iv.Index+1)
	case to == "":
		return fmt.Sprintf("S%d has no changeId: CBT was off (or not yet in effect) when it was taken", iv.Index+2)
	}
	ef, okf := ChangeIDEpoch(from)
	et, okt := ChangeIDEpoch(to)
	if okf && okt && ef != et {
		return fmt.Sprintf("CBT was reset between S%d and S%d: S%d's changeId is from an earlier CBT epoch, so the query could only fail", iv.Index+1, iv.Index+2, iv.Index+1)
	}
	return ""
}

// ChangeIDEpoch is the CBT epoch part of a changeId, the UUID before '/':
// "52 05 a2 … 73 6d" of "52 05 a2 … 73 6d/5". False for '*' or a changeId
// without the separator.
func ChangeIDEpoch(id string) (string, bool) {
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return "", false
	}
	return id[:i], true
}

// TimelineOptions tune a timeline's fetch.
type TimelineOptions struct {
	// Parallel is how many intervals are fetched at a time; 3 when zero.
	Parallel int
	// Fetch tunes each interval's own fetch (its workers, retries). Zero
	// workers means TimelineWorkers, not an adaptive count: intervals run
	// side by side, and adaptive pools in each would together exceed the
	// connections kept open to the host.
	Fetch FetchOptions
}

// TimelineWorkers is each interval's worker count when none is given.
const TimelineWorkers = 4

// TimelineEvent is one step of a running timeline: an interval's fetch
// started (Event nil), or one event of it; its *DoneEvent is its last.
type TimelineEvent struct {
	// Interval is the index in Timeline.Intervals; ignored when Allocated.
	Interval int
	// Allocated marks events of the '*' map of the newest snapshot.
	Allocated bool
	Started   bool
	Event     Event
}

// RunTimeline fetches every queryable interval of tl (and its allocated
// areas, when planned) through f, Parallel intervals at a time, oldest
// first, and reports their events tagged with the interval. The channel
// closes when all are done. Cancel ctx to stop: intervals not started then
// never start, and the channel closes promptly.
//
// It reads the plan before returning and never touches tl afterwards, so
// the caller may Apply events to tl as they arrive.
func RunTimeline(ctx context.Context, f Fetcher, tl *Timeline, opts TimelineOptions) <-chan TimelineEvent {
	type job struct {
		ev TimelineEvent
		q  Query
	}
	var jobs []job
	for i, iv := range tl.Intervals {
		if iv.Queried() {
			jobs = append(jobs, job{TimelineEvent{Interval: i}, iv.Query})
		}
	}
	if a := tl.Allocated; a != nil && a.Queried() {
		jobs = append(jobs, job{TimelineEvent{Interval: -1, Allocated: true}, a.Query})
	}
	parallel := cmp.Or(opts.Parallel, 3)
	opts.Fetch.Workers = cmp.Or(opts.Fetch.Workers, TimelineWorkers)
	out := make(chan TimelineEvent, 64)
	send := func(ev TimelineEvent) {
		select {
		case out <- ev:
		case <-ctx.Done():
			// Best effort: a done event still tells the reader how far
			// the interval got, if there is room for it.
			if _, done := ev.Event.(*DoneEvent); done {
				select {
				case out <- ev:
				default:
				}
			}
		}
	}
	go func() {
		defer close(out)
		slots := make(chan struct{}, parallel)
		var wg sync.WaitGroup
		for _, j := range jobs {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
			}
			if ctx.Err() != nil {
				break
			}
			wg.Add(1)
			go func() {
				defer func() { <-slots; wg.Done() }()
				started := j.ev
				started.Started = true
				send(started)
				for ev := range f.Fetch(ctx, j.q, opts.Fetch) {
					tagged := j.ev
					tagged.Event = ev
					send(tagged)
				}
			}()
		}
		wg.Wait()
	}()
	return out
}

// interval is the interval an event is about; nil when it names none.
func (tl *Timeline) interval(ev TimelineEvent) *Interval {
	if ev.Allocated {
		return tl.Allocated
	}
	if ev.Interval < 0 || ev.Interval >= len(tl.Intervals) {
		return nil
	}
	return tl.Intervals[ev.Interval]
}

// Apply folds one event of RunTimeline into the plan. Like Sweep.Apply, it
// is for one goroutine.
func (tl *Timeline) Apply(ev TimelineEvent) {
	iv := tl.interval(ev)
	if iv == nil {
		return
	}
	if ev.Started {
		iv.Started = true
	}
	if ev.Event != nil {
		iv.Sweep.Apply(ev.Event)
	}
}

// Run fetches the whole timeline and applies its events, calling observe
// (when not nil) after each. When ctx is cancelled, every queryable
// interval that did not finish is marked cancelled.
func (tl *Timeline) Run(ctx context.Context, f Fetcher, opts TimelineOptions, observe func(TimelineEvent)) {
	for ev := range RunTimeline(ctx, f, tl, opts) {
		tl.Apply(ev)
		if observe != nil {
			observe(ev)
		}
	}
	for _, iv := range tl.all() {
		if iv.Queried() && !iv.Sweep.Done {
			iv.Sweep.Done, iv.Sweep.Canceled = true, true
		}
	}
}

// all is every interval, the allocated one last.
func (tl *Timeline) all() []*Interval {
	if tl.Allocated == nil {
		return tl.Intervals
	}
	return append(slices.Clip(tl.Intervals), tl.Allocated)
}

// Sweeps are the intervals' maps, one per interval, oldest first.
func (tl *Timeline) Sweeps() []*Sweep {
	out := make([]*Sweep, len(tl.Intervals))
	for i, iv := range tl.Intervals {
		out[i] = iv.Sweep
	}
	return out
}

// Failure says why the timeline is not whole: nil when every interval was
// fetched completely and cleanly (and the allocated areas, when asked for).
func (tl *Timeline) Failure() error {
	for _, iv := range tl.all() {
		name := iv.Name()
		if !iv.Queried() {
			return fmt.Errorf("%s not queried: %s", name, iv.NotQueryable)
		}
		if err := iv.Sweep.Failure(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// Allocated reports whether this is the '*' map of the newest snapshot
// rather than an interval of the chain.
func (iv *Interval) Allocated() bool { return iv.Index < 0 }
