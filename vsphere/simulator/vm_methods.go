package simulator

import (
	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// vmQuery answers VirtualMachine.QueryChangedDiskAreas, which vcsim lacks.
// Like cbtManager it opts out of vcsim's object lock, so parallel queries of
// one VM do not queue behind each other; it reads vcsim's objects under
// their own locks, briefly.
type vmQuery struct {
	Self types.ManagedObjectReference
	s    *Server
	vm   *virtualMachine
}

func (q *vmQuery) Reference() types.ManagedObjectReference { return q.Self }
func (q *vmQuery) Lock()                                   {}
func (q *vmQuery) Unlock()                                 {}

// vmControl wraps the vcsim VM methods that change what CBT sees:
// snapshots (which stamp changeIds) and ReconfigVM_Task (which turns
// tracking on or off). It has the VM's moref and no Lock method, so vcsim
// holds the VM's own lock around each call, as for the real method.
type vmControl struct {
	Self types.ManagedObjectReference
	s    *Server
	vm   *virtualMachine
	real *vcsim.VirtualMachine
}

func (c *vmControl) Reference() types.ManagedObjectReference { return c.Self }

// vmRoutedMethods are the VirtualMachine methods the hook takes over.
var vmRoutedMethods = map[string]bool{
	"QueryChangedDiskAreas": true,
	"CreateSnapshotEx_Task": true,
	"CreateSnapshot_Task":   true,
	"ReconfigVM_Task":       true,
}

// vmHandler returns the object that answers m on a tracked VM, or nil.
func (s *Server) vmHandler(ctx *vcsim.Context, m *vcsim.Method) mo.Reference {
	if m.This.Type != "VirtualMachine" || !vmRoutedMethods[m.Name] {
		return nil
	}
	v := s.vmByRef(m.This)
	if v == nil {
		return nil
	}
	self := m.This
	var h mo.Reference
	if m.Name == "QueryChangedDiskAreas" {
		h = &vmQuery{Self: self, s: s, vm: v}
	} else {
		real, ok := ctx.Map.Get(self).(*vcsim.VirtualMachine)
		if !ok {
			return nil
		}
		h = &vmControl{Self: self, s: s, vm: v, real: real}
	}
	// vcsim looks m.This up again after the hook and would find the real
	// VM: a moref it does not know keeps the proxy. The proxy's Self stays
	// the VM's, which is what vcsim locks.
	m.This = types.ManagedObjectReference{Type: self.Type, Value: "cbtscope-" + self.Value}
	return h
}

func (c *vmControl) CreateSnapshotExTask(ctx *vcsim.Context, req *types.CreateSnapshotEx_Task) soap.HasFault {
	c.s.stampSnapshot(c.real, c.vm)
	c.vm.snapshotDirectory(c.real)
	return c.real.CreateSnapshotExTask(ctx, req)
}

func (c *vmControl) CreateSnapshotTask(ctx *vcsim.Context, req *types.CreateSnapshot_Task) soap.HasFault {
	c.s.stampSnapshot(c.real, c.vm)
	c.vm.snapshotDirectory(c.real)
	return c.real.CreateSnapshotTask(ctx, req)
}

// ReconfigVMTask turns tracking off at once (noTrack from now on); turning
// it on takes effect at the next stun/unstun, here the next snapshot, so
// until then the backings carry no changeId.
func (c *vmControl) ReconfigVMTask(ctx *vcsim.Context, req *types.ReconfigVM_Task) soap.HasFault {
	if on := req.Spec.ChangeTrackingEnabled; on != nil && !*on {
		c.s.stopTracking(c.real, c.vm)
	}
	return c.real.ReconfigVMTask(ctx, req)
}

func (q *vmQuery) QueryChangedDiskAreas(ctx *vcsim.Context, req *types.QueryChangedDiskAreas) soap.HasFault {
	s := q.s
	body := new(vmChangedAreasBody)
	inj := s.knobs.next()
	if inj != injectNone {
		s.stats.inject(inj)
	}
	switch inj {
	case injectDrop, injectHTTP500:
		panic(transportFault{inj}) // see transport.go
	case injectSessionExpiry:
		s.expireSession(ctx)
		f := faultNotAuthenticated(req.This)
		body.Fault_ = f.soap()
		return body
	}
	ext, d, f := s.vmChanges(ctx, q.vm, req.Snapshot, req.DeviceKey, req.ChangeId, req.StartOffset)
	if f != nil {
		body.Fault_ = f.soap()
		return body
	}
	info := s.changeInfo(ext, d.j, req.StartOffset, inj)
	return &vmChangedAreasBody{Res: &changedAreasResponse{Returnval: info}}
}

// vmChanges answers what changed on disk key of v at snapshot snap (nil:
// now) since changeID, checking in the order a host does: the disk, the
// snapshot, the offset (offset < 0 skips that check), the changeId, then
// the tracking data.
func (s *Server) vmChanges(ctx *vcsim.Context, v *virtualMachine, snap *types.ManagedObjectReference, key int32, changeID string, offset int64) ([]Extent, *vmDisk, *methodFault) {
	d := v.disk(key)
	if d == nil {
		return nil, nil, ptr(faultNotADisk(v, key))
	}
	vm, ok := ctx.Map.Get(v.ref).(*vcsim.VirtualMachine)
	if !ok {
		return nil, nil, ptr(faultVMNotFound(v))
	}
	var on bool
	var power types.VirtualMachinePowerState
	ctx.WithLock(vm, func() { on, power = cbtOn(vm), vm.Runtime.PowerState })

	target := d.j.current()
	targetID := "" // the changeId stamped on the target's backing
	if snap == nil {
		if power == types.VirtualMachinePowerStatePoweredOn {
			return nil, d, ptr(faultNeedsSnapshot(v))
		}
		if target.epoch != nil {
			targetID = currentChangeID(target)
		}
	} else {
		sn, ok := ctx.Map.Get(*snap).(*vcsim.VirtualMachineSnapshot)
		if !ok || sn.Vm != v.ref {
			return nil, d, ptr(faultVMSnapshotNotFound(v, *snap))
		}
		var has bool
		ctx.WithLock(sn, func() { targetID, has = backingChangeID(sn.Config.Hardware.Device, key) })
		if !has {
			return nil, d, ptr(faultNotADisk(v, key))
		}
		target = d.j.snapshot(targetID)
	}
	if offset >= 0 && offset >= d.j.capacity {
		return nil, d, ptr(faultStartOffset(offset, d.j.capacity))
	}
	base, err := parseChangeID(changeID)
	if err != nil {
		return nil, d, ptr(faultChangeID(changeID, err))
	}
	if !on {
		return nil, d, ptr(faultVMCBTFile(d, KeyCBTNoTrack, "change tracking is not enabled on the virtual machine", nil))
	}
	if targetID == "" {
		if base.star {
			return nil, d, ptr(faultVMCBTFile(d, KeyCBTNoEpoch, "no change tracking epoch at this point (changeId=*)", nil))
		}
		return nil, d, ptr(faultVMCBTFile(d, KeyCBTNoTrack, "change tracking was not in effect when this point was taken", nil))
	}
	ext, err := d.j.changesTo(base, target)
	if err != nil {
		return nil, d, ptr(faultForVMChanges(v, d, snap, changeID, err))
	}
	return ext, d, nil
}

func currentChangeID(sn *snapshot) string { return changeID{epoch: sn.epoch.id, seq: sn.seq}.String() }

// vmChangedAreasBody is methods.QueryChangedDiskAreasBody with the
// self-encoding response of reply.go: the same DiskChangeInfo under the VM
// method's response element.
type vmChangedAreasBody struct {
	Res    *changedAreasResponse `xml:"urn:vim25 QueryChangedDiskAreasResponse,omitempty"`
	Fault_ *soap.Fault           `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *vmChangedAreasBody) Fault() *soap.Fault { return b.Fault_ }
