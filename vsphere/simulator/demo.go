package simulator

import "fmt"

const (
	kib = int64(1) << 10
	mib = kib << 10
	gib = mib << 10
	tib = gib << 10
)

// Demo disk names, for tests and docs that need a particular behaviour.
const (
	DemoDatabase    = "sql-data-01"       // scattered 8–64 KiB page writes
	DemoLog         = "sql-log-01"        // sequential append, wrapping
	DemoFreshFS     = "web-fs-01"         // mkfs metadata at regular strides
	DemoBootStorm   = "vdi-boot-01"       // one hot region
	DemoSparse      = "archive-sparse-01" // 8 TiB, over a million extents in its "*" map
	DemoCBTOff      = "legacy-app-01"     // CBT off: InvalidState
	DemoCorruptCTK  = "erp-data-02"       // corrupt ctk: FileFault cannotGetChanges
	DemoEpochReset  = "file-srv-01"       // CBT reset after the 2nd snapshot: old changeIds fail
	DemoLateCBT     = "mail-store-01"     // CBT enabled after 2 snapshots: noEpoch / noTrack on those
	DemoOffline     = "backup-offline-01" // on an inaccessible datastore: InvalidDatastore
	DemoSparseCount = 1_200_000           // single-block writes laid down on DemoSparse at first
)

// Demo VM names, for tests and docs that need a particular behaviour.
const (
	DemoVMWeb        = "web-01"       // powered on; OS disk and a web filesystem
	DemoVMSQL        = "sql-01"       // powered on; OS, database and log disks
	DemoVMFileServer = "file-srv-02"  // powered off; CBT toggled after the 2nd snapshot: epoch mismatch
	DemoVMCBTOff     = "legacy-vm-01" // CBT off: noTrack
	DemoVMNeedsStun  = "mail-02"      // CBT enabled after the last snapshot: no changeId until a stun
	DemoVMCorrupt    = "erp-app-01"   // disk 2001's ctk file is corrupt: cannotGetChanges
)

// Demo is the default inventory: ten disks on three datastores (one of
// them inaccessible), each with four nightly snapshots, two more with long
// chains for the timeline (demo_history.go), whose maps look like
// the workloads they are named after, plus disks that fault in each way a
// CBT query can. It is cheap to build: writes are expanded on first query.
func Demo() *Inventory {
	nightly := func(n int) Event {
		return Snapshot(fmt.Sprintf("nightly backup %s", defaultStart.AddDate(0, 0, n).Format("2006-01-02")))
	}
	// withNights interleaves per-night writes with snapshots.
	withNights := func(prefix []Event, night func(n int) []Event) []Event {
		h := append([]Event(nil), prefix...)
		for n := range 4 {
			h = append(h, night(n)...)
			h = append(h, nightly(n))
		}
		return h
	}
	dbPages := func(n int) []Event {
		return []Event{Write(Scattered{Start: 4 * gib, End: 120 * gib, Count: 3000 + 500*n, MinBytes: 8 * kib, MaxBytes: 64 * kib})}
	}
	logOffset := int64(0)
	logAppend := func(int) []Event {
		// A circular log: append 6 GiB a day over 40 GiB, header rewritten each time.
		var ext Extents
		for left := 6 * gib; left > 0; {
			n := min(left, 40*gib-logOffset)
			ext = append(ext, Extent{Start: gib + logOffset, Length: n})
			left -= n
			logOffset = (logOffset + n) % (40 * gib)
		}
		return []Event{Write(append(ext, Extent{Start: 0, Length: 64 * kib}))}
	}
	officeDay := func(n int) []Event {
		return []Event{Write(Scattered{Count: 400, MinBytes: 8 * kib, MaxBytes: 512 * kib}), Write(Extents{{Start: 2*gib + int64(n)*3*gib, Length: 2 * gib}})}
	}

	inv := &Inventory{
		Seed: 20260105,
		Datastores: []DatastoreSpec{
			{Name: "ds-prod-01"},
			{Name: "ds-prod-02"},
			{Name: "ds-archive", Inaccessible: true},
		},
		VMs:      []string{"backup-proxy-01"},
		Machines: demoMachines(nightly, dbPages, logAppend, officeDay),
		Disks: []DiskSpec{
			{
				Name: DemoDatabase, Datastore: "ds-prod-01", CapacityBytes: 200 * gib, Workload: "database: scattered 8-64 KiB page writes",
				History: withNights([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: 2 * gib}, {Start: 4 * gib, Length: 116 * gib}})}, dbPages),
			},
			{
				Name: DemoLog, Datastore: "ds-prod-01", CapacityBytes: 50 * gib, Workload: "log volume: sequential append",
				History: withNights([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: gib}})}, logAppend),
			},
			{
				Name: DemoFreshFS, Datastore: "ds-prod-02", CapacityBytes: 100 * gib, Workload: "freshly formatted filesystem: metadata at regular strides",
				History: withNights([]Event{EnableCBT()}, func(n int) []Event {
					if n == 0 { // mkfs: superblock, journal, then one group header per 128 MiB
						return []Event{Write(Extents{{Start: 0, Length: 4 * mib}, {Start: 32 * mib, Length: 128 * mib}}), Write(Strided{Stride: 128 * mib, Length: 256 * kib})}
					}
					// Files arrive: data grows from the front, bitmaps in every group change.
					return []Event{Write(Extents{{Start: 256*mib + int64(n-1)*4*gib, Length: 4 * gib}}), Write(Strided{Start: 64 * kib, Stride: 128 * mib, Length: 64 * kib})}
				}),
			},
			{
				Name: DemoBootStorm, Datastore: "ds-prod-02", CapacityBytes: 40 * gib, Workload: "boot storm: one hot region",
				History: withNights([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: 12 * gib}})}, func(int) []Event {
					return []Event{
						Write(Scattered{Start: 2 * gib, End: 3 * gib, Count: 6000, MinBytes: 8 * kib, MaxBytes: 64 * kib}),
						Write(Scattered{Count: 60, MinBytes: 8 * kib, MaxBytes: 64 * kib}),
					}
				}),
			},
			{
				Name: DemoSparse, Datastore: "ds-prod-02", CapacityBytes: 8 * tib, Workload: "sparse multi-TiB archive: over a million extents",
				History: withNights([]Event{EnableCBT(), Write(Sparse{Count: DemoSparseCount})}, func(n int) []Event {
					return []Event{Write(Sparse{Start: int64(n) * tib, End: int64(n+2) * tib, Count: 20000})}
				}),
			},
			{
				Name: DemoCBTOff, Datastore: "ds-prod-01", CapacityBytes: 30 * gib, Workload: "fault: CBT off (InvalidState)",
				History: withNights([]Event{Write(Extents{{Start: 0, Length: 10 * gib}})}, officeDay),
			},
			{
				Name: DemoCorruptCTK, Datastore: "ds-prod-01", CapacityBytes: 80 * gib, Workload: "fault: corrupt ctk file (FileFault cannotGetChanges)",
				History: append(withNights([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: 20 * gib}})}, officeDay), CorruptCTK()),
			},
			{
				Name: DemoEpochReset, Datastore: "ds-prod-02", CapacityBytes: 120 * gib, Workload: "fault: CBT reset after the 2nd snapshot (old changeIds: cannotGetChanges)",
				History: withNights([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: 30 * gib}})}, func(n int) []Event {
					ev := officeDay(n)
					if n == 2 { // the disk was extended: a new CBT epoch
						ev = append([]Event{ResetCBT()}, ev...)
					}
					return ev
				}),
			},
			{
				Name: DemoLateCBT, Datastore: "ds-prod-01", CapacityBytes: 60 * gib, Workload: "fault: CBT enabled after 2 snapshots (noEpoch, noTrack on those)",
				History: withNights([]Event{Write(Extents{{Start: 0, Length: 15 * gib}})}, func(n int) []Event {
					ev := officeDay(n)
					if n == 2 {
						ev = append([]Event{EnableCBT()}, ev...)
					}
					return ev
				}),
			},
			{
				Name: DemoOffline, Datastore: "ds-archive", CapacityBytes: 500 * gib, Workload: "fault: datastore inaccessible (InvalidDatastore)",
				History: withNights([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: 100 * gib}})}, officeDay),
			},
		},
	}
	inv.Disks = append(inv.Disks, historyDisks(nightly)...)
	return inv
}

// demoMachines are the demo's virtual machines: workloads like the FCDs',
// each VM with a chain of nightly snapshots, and one VM for each way a VM
// disk's CBT query can fail.
func demoMachines(nightly func(int) Event, dbPages, logAppend, officeDay func(int) []Event) []VMSpec {
	// nights interleaves per-night writes on several disks with snapshots.
	nights := func(prefix []Event, n int, night func(n int) []Event) []Event {
		h := append([]Event(nil), prefix...)
		for i := range n {
			h = append(h, night(i)...)
			h = append(h, nightly(i))
		}
		return h
	}
	on := func(i int, ev []Event) []Event {
		out := make([]Event, len(ev))
		for k, e := range ev {
			e.disk = i
			out[k] = e
		}
		return out
	}
	osDay := func(int) []Event {
		return []Event{WriteDisk(0, Scattered{Start: 0, End: 4 * gib, Count: 800, MinBytes: 4 * kib, MaxBytes: 256 * kib})}
	}
	return []VMSpec{
		{
			Name: DemoVMWeb, Datastore: "ds-prod-01", PoweredOn: true, Workload: "web server: OS disk, freshly formatted web filesystem",
			Disks: []VMDiskSpec{{CapacityBytes: 40 * gib, Workload: "OS: scattered updates in the first 4 GiB"}, {CapacityBytes: 100 * gib, Workload: "web filesystem: metadata at strides, data growing"}},
			History: nights([]Event{EnableCBT(), WriteDisk(0, Extents{{Start: 0, Length: 6 * gib}})}, 4, func(n int) []Event {
				ev := osDay(n)
				if n == 0 {
					return append(ev, WriteDisk(1, Extents{{Start: 0, Length: 4 * mib}}), WriteDisk(1, Strided{Stride: 128 * mib, Length: 256 * kib}))
				}
				return append(ev, WriteDisk(1, Extents{{Start: 256*mib + int64(n-1)*4*gib, Length: 4 * gib}}), WriteDisk(1, Strided{Start: 64 * kib, Stride: 128 * mib, Length: 64 * kib}))
			}),
		},
		{
			Name: DemoVMSQL, Datastore: "ds-prod-02", PoweredOn: true, Workload: "database server: OS, data and log disks",
			Disks: []VMDiskSpec{{CapacityBytes: 60 * gib, Workload: "OS"}, {CapacityBytes: 200 * gib, Workload: "database: scattered 8-64 KiB page writes"}, {CapacityBytes: 50 * gib, Workload: "log: sequential append"}},
			History: nights([]Event{EnableCBT(), WriteDisk(0, Extents{{Start: 0, Length: 8 * gib}}), WriteDisk(1, Extents{{Start: 0, Length: 2 * gib}, {Start: 4 * gib, Length: 116 * gib}}), WriteDisk(2, Extents{{Start: 0, Length: gib}})}, 4, func(n int) []Event {
				return append(append(osDay(n), on(1, dbPages(n))...), on(2, logAppend(n))...)
			}),
		},
		{
			Name: DemoVMFileServer, Datastore: "ds-prod-02", Workload: "file server, powered off: CBT reset after the 2nd snapshot (older changeIds: cannotGetChanges)",
			Disks: []VMDiskSpec{{CapacityBytes: 120 * gib, Workload: "office files"}},
			History: nights([]Event{EnableCBT(), Write(Extents{{Start: 0, Length: 30 * gib}})}, 4, func(n int) []Event {
				if n == 2 {
					return append([]Event{ResetCBT()}, officeDay(n)...)
				}
				return officeDay(n)
			}),
		},
		{
			Name: DemoVMCBTOff, Datastore: "ds-prod-01", PoweredOn: true, Workload: "fault: CBT off (FileFault noTrack)",
			Disks:   []VMDiskSpec{{CapacityBytes: 30 * gib, Workload: "office files"}},
			History: nights([]Event{Write(Extents{{Start: 0, Length: 10 * gib}})}, 3, officeDay),
		},
		{
			Name: DemoVMNeedsStun, Datastore: "ds-prod-01", PoweredOn: true, Workload: "fault: CBT enabled after the last snapshot: no changeId until a stun/unstun",
			Disks: []VMDiskSpec{{CapacityBytes: 60 * gib, Workload: "mail store"}, {CapacityBytes: 20 * gib, Workload: "mail queue"}},
			History: append(nights([]Event{Write(Extents{{Start: 0, Length: 15 * gib}})}, 3, func(n int) []Event {
				return append(officeDay(n), WriteDisk(1, Extents{{Start: int64(n) * gib, Length: gib}}))
			}), EnableCBT()),
		},
		{
			Name: DemoVMCorrupt, Datastore: "ds-prod-01", PoweredOn: true, Workload: "fault: disk 2001's ctk file is corrupt (cannotGetChanges)",
			Disks: []VMDiskSpec{{CapacityBytes: 40 * gib, Workload: "OS"}, {CapacityBytes: 80 * gib, Workload: "ERP data, corrupt ctk"}},
			History: append(nights([]Event{EnableCBT(), WriteDisk(0, Extents{{Start: 0, Length: 6 * gib}}), WriteDisk(1, Extents{{Start: 0, Length: 20 * gib}})}, 3, func(n int) []Event {
				return append(osDay(n), on(1, officeDay(n))...)
			}), CorruptDiskCTK(1)),
		},
	}
}
