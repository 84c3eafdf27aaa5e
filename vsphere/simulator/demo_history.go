package simulator

// The demo's history stories: disks whose snapshot chains answer the
// questions a timeline asks ("why was last night's incremental so large?",
// "does the same region change every night?", "was CBT reset somewhere in
// this chain?").
//
// Changes outside the allocated areas have no story here: a journal's '*'
// answer is the union of every write up to the snapshot, so an interval's
// changes always lie inside it. Real disks get there by unmapping (TRIM)
// written blocks; the journal has no unmap, and the flag is tested with
// constructed maps instead.

// Demo disk names of the history stories.
const (
	DemoNightly      = "orders-db-01" // 12 nightly snapshots: a spike night, a region changing every night
	DemoChainReset   = "hr-files-01"  // 8 nightly snapshots, CBT reset between the 4th and the 5th
	DemoNightlyCount = 12             // snapshots of DemoNightly
	// DemoSpikeNight is the index (0 = the first interval, between the 1st
	// and 2nd snapshots) of DemoNightly's index-rebuild night.
	DemoSpikeNight = 6
	// DemoResetNight is the index of DemoChainReset's interval across which
	// CBT was reset.
	DemoResetNight = 3
	// DemoNightlyExtents is about how many single-block writes land on
	// DemoNightly each night: its timeline holds over a million extents.
	DemoNightlyExtents = 100_000
)

// DemoHotRegion is the range of DemoNightly written every night (a
// staging table rebuilt by a nightly job).
var DemoHotRegion = Extent{Start: 100 * gib, Length: 512 * mib}

// DemoSpikeRegion is what DemoNightly's index rebuild rewrites.
var DemoSpikeRegion = Extent{Start: 600 * gib, Length: 64 * gib}

// historyDisks are the history stories' First Class Disks. They come after
// the other demo disks, so that every earlier disk keeps its ID.
func historyDisks(nightly func(int) Event) []DiskSpec {
	chain := func(prefix []Event, nights int, night func(n int) []Event) []Event {
		h := append([]Event(nil), prefix...)
		for n := range nights {
			h = append(h, night(n)...)
			h = append(h, nightly(n))
		}
		return h
	}
	return []DiskSpec{
		{
			Name: DemoNightly, Datastore: "ds-prod-01", CapacityBytes: 2 * tib,
			Workload: "history: 12 nightly snapshots; an index rebuild on one night, a staging region rewritten every night",
			History: chain([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: 900 * gib}})}, DemoNightlyCount, func(n int) []Event {
				ev := []Event{Write(Sparse{Count: DemoNightlyExtents}), Write(Extents{DemoHotRegion})}
				// Night n is written before snapshot n, so it is interval n-1.
				if n == DemoSpikeNight+1 {
					ev = append(ev, Write(Extents{DemoSpikeRegion}))
				}
				return ev
			}),
		},
		{
			Name: DemoChainReset, Datastore: "ds-prod-02", CapacityBytes: 160 * gib,
			Workload: "history: 8 nightly snapshots, CBT reset (disk extended) between the 4th and the 5th",
			History: chain([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: 40 * gib}})}, 8, func(n int) []Event {
				ev := []Event{Write(Scattered{Count: 600, MinBytes: 8 * kib, MaxBytes: 512 * kib}), Write(Extents{{Start: 8*gib + int64(n)*gib, Length: gib}})}
				if n == DemoResetNight+1 {
					ev = append([]Event{ResetCBT()}, ev...)
				}
				return ev
			}),
		},
	}
}
