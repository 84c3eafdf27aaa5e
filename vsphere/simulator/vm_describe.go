package simulator

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// VMInfo is one virtual machine as `cbtscope sim` describes it.
type VMInfo struct {
	Name       string                       `json:"name"`
	Moref      types.ManagedObjectReference `json:"moref"`
	PowerState string                       `json:"powerState"`
	CBTEnabled bool                         `json:"cbtEnabled"`
	Workload   string                       `json:"workload,omitempty"`
	Disks      []VMDiskInfo                 `json:"disks"`
	// Snapshots are oldest first.
	Snapshots []VMSnapshotInfo `json:"snapshots"`
}

// VMDiskInfo is one virtual disk of a VM.
type VMDiskInfo struct {
	Key           int32  `json:"key"`
	Label         string `json:"label"`
	CapacityBytes int64  `json:"capacityBytes"`
	Datastore     string `json:"datastore"`
	Workload      string `json:"workload,omitempty"`
}

// VMSnapshotInfo is one snapshot of a VM; ChangeIDs holds the changeId
// stamped on each disk's backing, by device key, and has no entry for a
// disk whose backing had none.
type VMSnapshotInfo struct {
	Name       string                       `json:"name"`
	Moref      types.ManagedObjectReference `json:"moref"`
	CreateTime time.Time                    `json:"createTime"`
	ChangeIDs  map[string]string            `json:"changeIds"`
}

// VMs describes the tracked VMs as they are now, read from vcsim's own
// objects: what any client would read.
func (s *Server) VMs() []VMInfo {
	s.mu.RLock()
	vms := slices.Clone(s.vmOrder)
	s.mu.RUnlock()
	out := make([]VMInfo, 0, len(vms))
	for _, v := range vms {
		out = append(out, s.vmInfo(v))
	}
	return out
}

// VM describes the VM with this name or moref value.
func (s *Server) VM(nameOrMoref string) (VMInfo, bool) {
	v, err := s.vmByName(nameOrMoref)
	if err != nil {
		return VMInfo{}, false
	}
	return s.vmInfo(v), true
}

func (s *Server) vmInfo(v *virtualMachine) VMInfo {
	info := VMInfo{Name: v.name, Moref: v.ref, Workload: v.workload, Disks: []VMDiskInfo{}, Snapshots: []VMSnapshotInfo{}}
	for _, d := range v.disks {
		di := VMDiskInfo{Key: d.key, Label: d.label, CapacityBytes: d.j.capacity, Workload: d.workload}
		if d.ds != nil {
			di.Datastore = d.ds.name
		}
		info.Disks = append(info.Disks, di)
	}
	vm, ok := s.reg.Get(v.ref).(*vcsim.VirtualMachine)
	if !ok {
		return info
	}
	lctx := s.lockCtx()
	var tree []types.VirtualMachineSnapshotTree
	lctx.WithLock(vm, func() {
		info.PowerState, info.CBTEnabled = string(vm.Runtime.PowerState), cbtOn(vm)
		if vm.Snapshot != nil {
			tree = flattenSnapshots(vm.Snapshot.RootSnapshotList)
		}
	})
	for _, t := range tree {
		si := VMSnapshotInfo{Name: t.Name, Moref: t.Snapshot, CreateTime: t.CreateTime, ChangeIDs: map[string]string{}}
		if sn, ok := s.reg.Get(t.Snapshot).(*vcsim.VirtualMachineSnapshot); ok {
			lctx.WithLock(sn, func() {
				for _, d := range v.disks {
					if id, _ := backingChangeID(sn.Config.Hardware.Device, d.key); id != "" {
						si.ChangeIDs[strconv.Itoa(int(d.key))] = id
					}
				}
			})
		}
		info.Snapshots = append(info.Snapshots, si)
	}
	return info
}

// flattenSnapshots lists a snapshot tree oldest first.
func flattenSnapshots(roots []types.VirtualMachineSnapshotTree) []types.VirtualMachineSnapshotTree {
	var out []types.VirtualMachineSnapshotTree
	var walk func([]types.VirtualMachineSnapshotTree)
	walk = func(l []types.VirtualMachineSnapshotTree) {
		for _, t := range l {
			c := t
			c.ChildSnapshotList = nil
			out = append(out, c)
			walk(t.ChildSnapshotList)
		}
	}
	walk(roots)
	slices.SortStableFunc(out, func(a, b types.VirtualMachineSnapshotTree) int { return a.CreateTime.Compare(b.CreateTime) })
	return out
}

// VMGroundTruth returns the sorted, merged extents a full sweep of
// QueryChangedDiskAreas(vm, snapshot, deviceKey, changeID) from offset 0
// must produce, or the fault's message when it faults. snapshotMoref ""
// queries the disk as it is now (a powered-off VM's).
func (s *Server) VMGroundTruth(vmName string, deviceKey int32, snapshotMoref, changeID string) ([]Extent, error) {
	v, err := s.vmByName(vmName)
	if err != nil {
		return nil, fmt.Errorf("ground truth: %w", err)
	}
	var snap *types.ManagedObjectReference
	if snapshotMoref != "" {
		snap = &types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: snapshotMoref}
	}
	ext, _, f := s.vmChanges(s.lockCtx(), v, snap, deviceKey, changeID, -1)
	if f != nil {
		return nil, fmt.Errorf("ground truth for VM %s disk %d snapshot %s changeId %s: %s", vmName, deviceKey, snapshotMoref, changeID, f.msg)
	}
	return slices.Clone(ext), nil
}
