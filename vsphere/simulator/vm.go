package simulator

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// This file ties vcsim's virtual machines to change journals. vcsim owns
// the VMs (config, power state, snapshot tree, files); each tracked disk
// keeps a journal. A VM snapshot finds its point in a disk's journal
// through the changeId stamped on that disk's backing when the snapshot
// was taken, so whatever a client reads from the snapshot's config is
// exactly what the query method answers for.

// firstDiskKey is the device key of a VM's first disk, as vSphere numbers
// them.
const firstDiskKey = 2000

// vmDisk is one virtual disk of a VM and its journal.
type vmDisk struct {
	key      int32
	label    string
	workload string
	file     string // backing file name, "[ds] vm/vm.vmdk"
	ds       *datastore
	j        *journal
}

// ctkPath is the disk's change tracking file, which hostd names in faults.
func (d *vmDisk) ctkPath() string { return strings.TrimSuffix(d.file, ".vmdk") + "-ctk.vmdk" }

// virtualMachine is a VM whose disks the simulator tracks.
type virtualMachine struct {
	name     string
	ref      types.ManagedObjectReference
	workload string
	disks    []*vmDisk // ascending key; fixed once built
	snaps    atomic.Int64
}

// snapshotDirectory gives each snapshot's files a directory of their own
// (the VM's lock is held). vcsim names a snapshot's file after the first
// free index and logs every taken one it tries on the way; in a directory
// of its own the first is free, and nothing is logged over the explorer.
func (v *virtualMachine) snapshotDirectory(vm *vcsim.VirtualMachine) {
	dir, _, _ := strings.Cut(vm.Config.Files.VmPathName, "/")
	vm.Config.Files.SnapshotDirectory = fmt.Sprintf("%s/snapshot-%d", dir, v.snaps.Add(1))
}

func (v *virtualMachine) disk(key int32) *vmDisk {
	for _, d := range v.disks {
		if d.key == key {
			return d
		}
	}
	return nil
}

func (s *Server) vmByRef(ref types.ManagedObjectReference) *virtualMachine {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.vms[ref]
}

func (s *Server) vmByName(name string) (*virtualMachine, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.vmOrder {
		if v.name == name || v.ref.Value == name {
			return v, nil
		}
	}
	return nil, fmt.Errorf("no VM %q", name)
}

// cbtBacking returns the changeId field of a disk backing that carries
// one: the five backings change tracking works with.
func cbtBacking(b types.BaseVirtualDeviceBackingInfo) (*string, bool) {
	switch b := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		return &b.ChangeId, true
	case *types.VirtualDiskSparseVer2BackingInfo:
		return &b.ChangeId, true
	case *types.VirtualDiskSeSparseBackingInfo:
		return &b.ChangeId, true
	case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
		return &b.ChangeId, true
	case *types.VirtualDiskRawDiskVer2BackingInfo:
		return &b.ChangeId, true
	}
	return nil, false
}

// backingChangeID reads the changeId of disk key in a device list; ok is
// false when the list has no such disk.
func backingChangeID(devices []types.BaseVirtualDevice, key int32) (id string, ok bool) {
	for _, dev := range devices {
		vd, isDisk := dev.(*types.VirtualDisk)
		if !isDisk || vd.Key != key {
			continue
		}
		if p, has := cbtBacking(vd.Backing); has {
			return *p, true
		}
		return "", true
	}
	return "", false
}

func cbtOn(vm *vcsim.VirtualMachine) bool {
	return vm.Config.ChangeTrackingEnabled != nil && *vm.Config.ChangeTrackingEnabled
}

// stampSnapshot runs as a snapshot is about to be taken, with the VM's lock
// held: a snapshot is a stun/unstun cycle, so CBT enabled since the last
// one takes effect now (a new epoch), and each tracked disk's backing gets
// the changeId of this point. vcsim then copies the config, stamps and all,
// into the snapshot.
func (s *Server) stampSnapshot(vm *vcsim.VirtualMachine, v *virtualMachine) {
	on := cbtOn(vm)
	for _, dev := range vm.Config.Hardware.Device {
		vd, ok := dev.(*types.VirtualDisk)
		if !ok {
			continue
		}
		d := v.disk(vd.Key)
		p, has := cbtBacking(vd.Backing)
		if d == nil || !has {
			continue
		}
		id := ""
		if on {
			d.j.setCBT(true)
			id = d.j.pin(time.Now())
		}
		*p = id
	}
}

// stopTracking is ReconfigVM_Task turning CBT off: the epoch ends and the
// backings lose their changeIds (the VM's lock is held).
func (s *Server) stopTracking(vm *vcsim.VirtualMachine, v *virtualMachine) {
	for _, d := range v.disks {
		d.j.setCBT(false)
	}
	for _, dev := range vm.Config.Hardware.Device {
		if vd, ok := dev.(*types.VirtualDisk); ok && v.disk(vd.Key) != nil {
			if p, has := cbtBacking(vd.Backing); has {
				*p = ""
			}
		}
	}
}
