package simulator

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Inventory describes what the simulator holds: datastores, and First Class
// Disks with a history of writes, snapshots and CBT changes. Demo() is the
// default; tests build small ones of their own.
type Inventory struct {
	// Seed makes IDs, changeIds and every pattern reproducible.
	Seed uint64
	// BlockSize is the CBT block size; 64 KiB when zero.
	BlockSize int64
	// Start is the createTime of each disk's first snapshot; later ones
	// follow a day apart, like nightly backups. A fixed date when zero, so
	// that screenshots and golden views do not move.
	Start      time.Time
	Datastores []DatastoreSpec
	Disks      []DiskSpec
	// VMs are created powered off on the first datastore, for attaching
	// disks to.
	VMs []string
	// Machines are virtual machines with disks of their own, whose
	// histories replay through the real snapshot and reconfigure methods.
	Machines []VMSpec
}

// VMSpec is one virtual machine with change-tracked disks. Its history is
// replayed when the server starts: writes go to the disks' journals,
// Snapshot calls CreateSnapshotEx_Task, EnableCBT and DisableCBT call
// ReconfigVM_Task. A VM starts with CBT off.
type VMSpec struct {
	Name string
	// Datastore holds the VM's files and disks; the first one when empty.
	Datastore string
	PoweredOn bool
	Workload  string
	// Disks get device keys 2000, 2001, … in this order.
	Disks   []VMDiskSpec
	History []Event
}

// VMDiskSpec is one virtual disk of a VM.
type VMDiskSpec struct {
	CapacityBytes int64
	Workload      string
}

// DatastoreSpec is one datastore. An inaccessible one still lists its disks
// but faults every CBT call with InvalidDatastore.
type DatastoreSpec struct {
	Name         string
	Inaccessible bool
}

// DiskSpec is one First Class Disk and its history, replayed in order when
// the server starts. A disk starts with CBT off: begin with EnableCBT().
type DiskSpec struct {
	Name          string
	Datastore     string
	CapacityBytes int64
	// Workload says what the disk shows (database, log, …, or the fault it
	// demonstrates); Describe reports it.
	Workload string
	History  []Event
}

// Event is one step of a disk's history.
type Event struct {
	kind    eventKind
	pattern Pattern
	desc    string
	disk    int // a VM's disk, by index, for writes and CorruptDiskCTK
}

type eventKind int

const (
	eventWrite eventKind = iota
	eventSnapshot
	eventEnableCBT
	eventDisableCBT
	eventResetCBT
	eventCorruptCTK
)

// Write records one journal write of the blocks p touches.
func Write(p Pattern) Event { return Event{kind: eventWrite, pattern: p} }

// WriteDisk records a write on a VM's disk number i (0 for the first).
func WriteDisk(i int, p Pattern) Event { return Event{kind: eventWrite, pattern: p, disk: i} }

// CorruptDiskCTK marks the change tracking file of a VM's disk number i
// corrupt.
func CorruptDiskCTK(i int) Event { return Event{kind: eventCorruptCTK, disk: i} }

// Snapshot takes a snapshot with this description.
func Snapshot(desc string) Event { return Event{kind: eventSnapshot, desc: desc} }

// EnableCBT turns change tracking on, starting a new epoch.
func EnableCBT() Event { return Event{kind: eventEnableCBT} }

// DisableCBT turns change tracking off; later snapshots have no changeId.
func DisableCBT() Event { return Event{kind: eventDisableCBT} }

// ResetCBT starts a new epoch, as extending or restoring a disk does: every
// earlier changeId then fails with cannotGetChanges.
func ResetCBT() Event { return Event{kind: eventResetCBT} }

// CorruptCTK marks the change tracking file corrupt: every query faults
// until CBT is reset.
func CorruptCTK() Event { return Event{kind: eventCorruptCTK} }

const defaultBlockSize = 64 << 10

// defaultStart is a fixed Monday night: demo dates must not move.
var defaultStart = time.Date(2026, time.January, 5, 1, 30, 0, 0, time.UTC)

func (inv *Inventory) withDefaults() Inventory {
	c := *inv
	if c.BlockSize <= 0 {
		c.BlockSize = defaultBlockSize
	}
	if c.Start.IsZero() {
		c.Start = defaultStart
	}
	return c
}

func (inv *Inventory) validate() error {
	ds := make(map[string]bool)
	for _, d := range inv.Datastores {
		if d.Name == "" || ds[d.Name] {
			return fmt.Errorf("datastore name %q is empty or repeated", d.Name)
		}
		ds[d.Name] = true
	}
	if len(inv.Datastores) == 0 {
		return fmt.Errorf("inventory has no datastore")
	}
	names := make(map[string]bool)
	for _, d := range inv.Disks {
		if d.Name == "" || names[d.Name] {
			return fmt.Errorf("disk name %q is empty or repeated", d.Name)
		}
		names[d.Name] = true
		if !ds[d.Datastore] {
			return fmt.Errorf("disk %q: no datastore %q", d.Name, d.Datastore)
		}
		if d.CapacityBytes < 1<<20 || d.CapacityBytes%(1<<20) != 0 {
			return fmt.Errorf("disk %q: capacity %d is not a positive whole number of MiB", d.Name, d.CapacityBytes)
		}
	}
	vms := make(map[string]bool)
	for _, name := range inv.VMs {
		vms[name] = true
	}
	for _, vm := range inv.Machines {
		if vm.Name == "" || vms[vm.Name] {
			return fmt.Errorf("VM name %q is empty or repeated", vm.Name)
		}
		vms[vm.Name] = true
		if vm.Datastore != "" && !ds[vm.Datastore] {
			return fmt.Errorf("VM %q: no datastore %q", vm.Name, vm.Datastore)
		}
		if len(vm.Disks) == 0 {
			return fmt.Errorf("VM %q has no disk", vm.Name)
		}
		for i, d := range vm.Disks {
			if d.CapacityBytes < 1<<20 || d.CapacityBytes%(1<<20) != 0 {
				return fmt.Errorf("VM %q disk %d: capacity %d is not a positive whole number of MiB", vm.Name, i, d.CapacityBytes)
			}
		}
		for _, ev := range vm.History {
			if ev.disk < 0 || ev.disk >= len(vm.Disks) {
				return fmt.Errorf("VM %q: history names disk %d of %d", vm.Name, ev.disk, len(vm.Disks))
			}
		}
	}
	return nil
}

// uuidFrom draws a UUID-shaped ID from rng, so FCD and snapshot IDs are
// stable across runs (vcsim would pick random ones).
func uuidFrom(rng *rand.Rand) string {
	a, b := rng.Uint64(), rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
}
