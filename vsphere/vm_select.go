package vsphere

import "github.com/vmware/govmomi/vim25/types"

// AsSnapshots are a VM's snapshots as one disk sees them: a Snapshot each,
// its ID the snapshot's moref value, its ChangeID the disk backing's. The
// snapshot pickers and PickSnapshots then serve VM disks as they do First
// Class Disks.
func AsSnapshots(snaps []VMSnapshot, key int32) []Snapshot {
	out := make([]Snapshot, len(snaps))
	for i, s := range snaps {
		desc := s.Name
		if s.Description != "" && s.Description != s.Name {
			desc = s.Name + " (" + s.Description + ")"
		}
		out[i] = Snapshot{ID: s.Ref.Value, Description: desc, CreateTime: s.CreateTime, ChangeID: s.ChangeIDs[key]}
	}
	return out
}

// VMCBTOff is why a VM whose config.changeTrackingEnabled is false has no
// changes to report, and what to do.
func VMCBTOff() Diagnosis {
	return Diagnosis{
		Title:  "CBT is not enabled on this VM",
		Cause:  "The VM's changeTrackingEnabled setting is off, so its disks keep no change tracking data (queries fail with FileFault noTrack).",
		Remedy: "Enable it (ReconfigVM_Task with changeTrackingEnabled = true). It takes effect after a stun/unstun cycle (power cycle, snapshot create/delete, vMotion), and the next backup must be full.",
	}
}

// VMDiskOf is the VM and disk an export of a VM disk names; false for a
// First Class Disk's export.
func (e *Export) VMDiskOf() (VM, VMDisk, bool) {
	if e.VM == nil {
		return VM{}, VMDisk{}, false
	}
	vm := VM{Name: e.VM.Name, Ref: types.ManagedObjectReference{Type: "VirtualMachine", Value: e.VM.Moref}}
	disk := VMDisk{Key: e.Disk.Key, Label: e.Disk.Label, CapacityBytes: e.Disk.CapacityBytes, File: e.Disk.ID,
		Datastore: Datastore{Name: e.Disk.Datastore}}
	return vm, disk, true
}
