package vsphere

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cbtscope/cbtscope/heatmap"
)

// FlagKind names what looks wrong in a timeline.
type FlagKind string

// The kinds of flag, as the JSON output spells them.
const (
	// FlagCBTReset: the changeId's epoch differs between two consecutive
	// snapshots.
	FlagCBTReset FlagKind = "cbt-reset"
	// FlagSpike: an interval changed SpikeFactor times the chain's median
	// or more.
	FlagSpike FlagKind = "spike"
	// FlagWholeDisk: an interval's map is one extent covering nearly the
	// whole disk.
	FlagWholeDisk FlagKind = "whole-disk"
	// FlagOutsideAllocation: an interval changed bytes that the newer
	// snapshot's allocated areas ('*') do not hold.
	FlagOutsideAllocation FlagKind = "outside-allocation"
	// FlagFault: an interval's fetch faulted or failed.
	FlagFault FlagKind = "fault"
)

// Thresholds of the flags.
const (
	// SpikeFactor is how many times the median an interval must change to
	// be a spike.
	SpikeFactor = 5
	// spikeMinIntervals is the fewest measured intervals a median means
	// anything over.
	spikeMinIntervals = 3
	// wholeDiskPerMille is the share of the disk (in per mille) one extent
	// must cover to read as "the whole disk".
	wholeDiskPerMille = 990
)

// Flag is one thing in a timeline that looks wrong: what it most likely
// means, and the evidence it was read from.
type Flag struct {
	Kind FlagKind `json:"kind"`
	// Interval is the index of the interval flagged; -1 for the chain.
	Interval int    `json:"interval"`
	Likely   string `json:"likely"`
	Evidence string `json:"evidence"`
}

// Flags reads the timeline for what looks wrong; its allocated areas, when
// fetched completely, are the newest snapshot's.
func (tl *Timeline) Flags() []Flag {
	var alloc map[string]*heatmap.ChangeMap
	if a := tl.Allocated; a != nil && a.Queried() && a.Sweep.Failure() == nil {
		alloc = map[string]*heatmap.ChangeMap{a.To.ID: a.Sweep.Map}
	}
	return ChainFlags(tl.Intervals, alloc)
}

// ChainFlags reads a chain's intervals for what looks wrong, in interval
// order. allocated (may be nil) holds the allocated areas ('*') of
// snapshots by ID: an interval ending at one of them is checked against
// it when both maps are complete. It only reads the intervals.
func ChainFlags(ivs []*Interval, allocated map[string]*heatmap.ChangeMap) []Flag {
	var flags []Flag
	median, measured := medianChanged(ivs)
	for i, iv := range ivs {
		if f, ok := resetFlag(i, iv); ok {
			flags = append(flags, f)
		}
		if !iv.Queried() || iv.Sweep == nil {
			continue
		}
		s := iv.Sweep
		if f, ok := faultFlag(i, iv); ok {
			flags = append(flags, f)
		}
		if !s.Complete() {
			continue
		}
		changed := s.Map.ChangedBytes(0, s.Map.Capacity())
		if measured >= spikeMinIntervals && median > 0 && changed >= SpikeFactor*median {
			flags = append(flags, Flag{
				Kind: FlagSpike, Interval: i,
				Likely: fmt.Sprintf("spike: %s changed %s, %.1f× the chain's median; something rewrote far more than usual (an index rebuild, a defragmentation, a restore, a reinstalled application?)",
					iv.Name(), heatmap.FormatBytes(changed), float64(changed)/float64(median)),
				Evidence: fmt.Sprintf("changed bytes %d; median %d over %d measured intervals; a spike is %d× the median or more", changed, median, measured, SpikeFactor),
			})
		}
		if f, ok := wholeDiskFlag(i, iv); ok {
			flags = append(flags, f)
		}
		if a := allocated[iv.To.ID]; a != nil {
			if f, ok := outsideFlag(i, iv, a); ok {
				flags = append(flags, f)
			}
		}
	}
	return flags
}

// medianChanged is the median of the changed bytes of the intervals whose
// maps are complete, and how many there are.
func medianChanged(ivs []*Interval) (int64, int) {
	var sizes []int64
	for _, iv := range ivs {
		if iv.Queried() && iv.Sweep != nil && iv.Sweep.Complete() {
			sizes = append(sizes, iv.Sweep.Map.ChangedBytes(0, iv.Sweep.Map.Capacity()))
		}
	}
	if len(sizes) == 0 {
		return 0, 0
	}
	slices.Sort(sizes)
	n := len(sizes)
	if n%2 == 1 {
		return sizes[n/2], n
	}
	return (sizes[n/2-1] + sizes[n/2]) / 2, n
}

func resetFlag(i int, iv *Interval) (Flag, bool) {
	ef, okf := ChangeIDEpoch(iv.From.ChangeID)
	et, okt := ChangeIDEpoch(iv.To.ChangeID)
	if !okf || !okt || ef == et {
		return Flag{}, false
	}
	from, to := fmt.Sprintf("S%d", i+1), fmt.Sprintf("S%d", i+2)
	return Flag{
		Kind: FlagCBTReset, Interval: i,
		Likely: fmt.Sprintf("CBT was reset between %s and %s: the next incremental after it must be full (a disk extended, restored, migrated, or CBT toggled)",
			snapshotLabel(from, iv.From), snapshotLabel(to, iv.To)),
		Evidence: fmt.Sprintf("%s's changeId epoch %q differs from %s's %q", from, SafeText(ef, 100), to, SafeText(et, 100)),
	}, true
}

// snapshotLabel names a snapshot in a sentence: "S3 (nightly backup …)".
func snapshotLabel(short string, s Snapshot) string {
	if s.Description == "" {
		return short
	}
	return short + " (" + SafeText(s.Description, 80) + ")"
}

func faultFlag(i int, iv *Interval) (Flag, bool) {
	s := iv.Sweep
	switch {
	case s.Fault != nil:
		f := s.Fault
		d := f.Diagnosis
		if d.Title == "" {
			d = Diagnose(f)
		}
		ev := []string{f.Type}
		for _, m := range f.Messages {
			ev = append(ev, m.Key)
		}
		where := ""
		if f.Request != nil {
			where = fmt.Sprintf(" at startOffset %d", f.Request.StartOffset)
		}
		return Flag{
			Kind: FlagFault, Interval: i,
			Likely:   fmt.Sprintf("%s faulted: %s. %s Remedy: %s", iv.Name(), d.Title, d.Cause, d.Remedy),
			Evidence: SafeText(strings.Join(ev, " ")+where+": "+f.Message, 400),
		}, true
	case s.Err != nil:
		return Flag{
			Kind: FlagFault, Interval: i,
			Likely:   fmt.Sprintf("%s failed: the server's replies could not be used", iv.Name()),
			Evidence: OneLine(s.Err),
		}, true
	}
	return Flag{}, false
}

func wholeDiskFlag(i int, iv *Interval) (Flag, bool) {
	m := iv.Sweep.Map
	if m.Len() != 1 {
		return Flag{}, false
	}
	x := m.Extent(0)
	if x.Length*1000 < wholeDiskPerMille*m.Capacity() {
		return Flag{}, false
	}
	return Flag{
		Kind: FlagWholeDisk, Interval: i,
		Likely: fmt.Sprintf("CBT reported the whole disk for %s: reset, unsupported storage, or a first query", iv.Name()),
		Evidence: fmt.Sprintf("one extent %s covers %.1f%% of the disk's %s", x, 100*float64(x.Length)/float64(m.Capacity()),
			heatmap.FormatBytes(m.Capacity())),
	}, true
}

func outsideFlag(i int, iv *Interval, alloc *heatmap.ChangeMap) (Flag, bool) {
	m := iv.Sweep.Map
	if !alloc.Complete() || alloc.Capacity() != m.Capacity() {
		return Flag{}, false
	}
	var outside int64
	var extents int
	var first heatmap.Extent
	for x := range m.Extents(0, m.Capacity()) {
		if n := x.Length - alloc.ChangedBytes(x.Start, x.End()); n > 0 {
			if extents == 0 {
				first = x
			}
			outside += n
			extents++
		}
	}
	if outside == 0 {
		return Flag{}, false
	}
	return Flag{
		Kind: FlagOutsideAllocation, Interval: i,
		Likely: fmt.Sprintf("%s changed %s outside the areas allocated at S%d: blocks unmapped (TRIM/UNMAP) after they were written, or change tracking out of step with the disk",
			iv.Name(), heatmap.FormatBytes(outside), i+2),
		Evidence: fmt.Sprintf("%d bytes in %d extents lie outside '*' of S%d; the first such extent is %s", outside, extents, i+2, first),
	}, true
}
