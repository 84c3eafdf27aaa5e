package simulator

import (
	"time"

	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// cbtManager answers the CBT methods vcsim's VcenterVStorageObjectManager
// lacks, plus snapshot create/delete so the journal sees every snapshot. It
// is not registered in vcsim's inventory: a Registry.Handler hook hands it
// the calls addressed to the real manager. Replacing the real manager
// instead breaks vcsim (AttachDisk_Task panics), so vcsim keeps owning
// catalog, retrieve, list and attach.
type cbtManager struct {
	Self types.ManagedObjectReference
	s    *Server
}

func (m *cbtManager) Reference() types.ManagedObjectReference { return m.Self }

// Lock and Unlock opt out of vcsim's per-object lock, which would serialise
// every query from every client; the journal has its own locks. They also
// let a transport-fault panic (transport.go) unwind through vcsim's
// dispatch without leaving a lock held.
func (m *cbtManager) Lock()   {}
func (m *cbtManager) Unlock() {}

// routedMethods are the vim25 method names the hook sends to cbtManager.
var routedMethods = map[string]bool{
	"VstorageObjectVCenterQueryChangedDiskAreas": true,
	"RetrieveSnapshotDetails":                    true,
	"SetVStorageObjectControlFlags":              true,
	"ClearVStorageObjectControlFlags":            true,
	"VStorageObjectCreateSnapshot_Task":          true,
	"DeleteSnapshot_Task":                        true,
}

// installHook routes routedMethods on the real manager to cbtManager,
// counts every call, and leaves everything else to any earlier hook.
func (s *Server) installHook() {
	s.proxy = &cbtManager{
		Self: types.ManagedObjectReference{Type: "VcenterVStorageObjectManager", Value: "cbtscope-cbt"},
		s:    s,
	}
	prev := s.reg.Handler
	real := s.vsom.Self
	s.reg.Handler = func(ctx *vcsim.Context, m *vcsim.Method) (mo.Reference, types.BaseMethodFault) {
		s.stats.call(m.Name)
		if m.This == real && routedMethods[m.Name] {
			m.This = s.proxy.Self
			return s.proxy, nil
		}
		if h := s.vmHandler(ctx, m); h != nil {
			return h, nil
		}
		if prev != nil {
			return prev(ctx, m)
		}
		return nil, nil
	}
}

func (f *methodFault) soap() *soap.Fault { return vcsim.Fault(f.msg, f.fault) }

func (m *cbtManager) VstorageObjectVCenterQueryChangedDiskAreas(ctx *vcsim.Context, req *types.VstorageObjectVCenterQueryChangedDiskAreas) soap.HasFault {
	s := m.s
	body := new(changedAreasBody)
	inj := s.knobs.next()
	if inj != injectNone {
		s.stats.inject(inj)
	}
	switch inj {
	case injectDrop, injectHTTP500:
		// The middleware recovers this and does the damage at the HTTP
		// level, where it belongs (see transport.go). It comes before any
		// lock is taken.
		panic(transportFault{inj})
	case injectSessionExpiry:
		s.expireSession(ctx)
		f := faultNotAuthenticated(req.This)
		body.Fault_ = f.soap()
		return body
	}

	d, f := s.locate(ctx, req.Id.Id, req.Datastore)
	if f == nil && d.j.snapshot(req.SnapshotId.Id) == nil {
		f = ptr(faultNotFoundSnapshot(d.id, req.SnapshotId.Id))
	}
	if f == nil && (req.StartOffset < 0 || req.StartOffset >= d.j.capacity) {
		f = ptr(faultStartOffset(req.StartOffset, d.j.capacity))
	}
	var base changeID
	if f == nil {
		var err error
		if base, err = parseChangeID(req.ChangeId); err != nil {
			f = ptr(faultChangeID(req.ChangeId, err))
		}
	}
	var ext []Extent
	if f == nil {
		var err error
		if ext, err = d.j.changes(base, req.SnapshotId.Id); err != nil {
			f = ptr(faultForChanges(d, req.SnapshotId.Id, req.ChangeId, err))
		}
	}
	if f != nil {
		body.Fault_ = f.soap()
		return body
	}

	info := s.changeInfo(ext, d.j, req.StartOffset, inj)
	return changedAreasReply(info)
}

func ptr[T any](v T) *T { return &v }

func (s *Server) pageExtents() int { return s.opts.PageExtents }

// spoil breaks a good reply the way a knob asks. Each breakage violates one
// rule of the paging contract and nothing else, so a client test can tell
// exactly which check caught it.
func spoil(info *types.DiskChangeInfo, inj injection, blockSize int64) {
	end := info.StartOffset + info.Length
	switch inj {
	case injectZeroLength:
		info.Length = 0
		info.ChangedArea = nil
	case injectOutside:
		info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: end, Length: blockSize})
	case injectOverlap:
		if len(info.ChangedArea) == 0 {
			// Nothing to duplicate: two one-block extents sharing a block.
			a := types.DiskChangeExtent{Start: info.StartOffset, Length: min(2*blockSize, info.Length)}
			b := types.DiskChangeExtent{Start: info.StartOffset, Length: min(blockSize, info.Length)}
			info.ChangedArea = []types.DiskChangeExtent{a, b}
			return
		}
		first := info.ChangedArea[0]
		info.ChangedArea = append([]types.DiskChangeExtent{first, first}, info.ChangedArea[1:]...)
	}
}

// changeInfo is the page of changes ext starting at offset, as both query
// methods answer it, spoiled as the knobs ask and counted.
func (s *Server) changeInfo(ext []Extent, j *journal, offset int64, inj injection) types.DiskChangeInfo {
	length, out := page(ext, j.capacity, offset, s.pageExtents())
	info := types.DiskChangeInfo{StartOffset: offset, Length: length}
	info.ChangedArea = make([]types.DiskChangeExtent, len(out))
	for i, e := range out {
		info.ChangedArea[i] = types.DiskChangeExtent{Start: e.Start, Length: e.Length}
	}
	spoil(&info, inj, j.blockSize)
	s.stats.page(len(info.ChangedArea))
	return info
}

// expireSession logs the caller's session out, so the NotAuthenticated
// that follows is the truth: retrying without logging in fails again.
func (s *Server) expireSession(ctx *vcsim.Context) {
	sm := ctx.Map.SessionManager()
	ctx.WithLock(sm, func() {
		sm.Logout(ctx, &types.Logout{This: sm.Self})
	})
}

func (m *cbtManager) RetrieveSnapshotDetails(ctx *vcsim.Context, req *types.RetrieveSnapshotDetails) soap.HasFault {
	body := new(methods.RetrieveSnapshotDetailsBody)
	d, f := m.s.locate(ctx, req.Id.Id, req.Datastore)
	var snap *snapshot
	if f == nil {
		if snap = d.j.snapshot(req.SnapshotId.Id); snap == nil {
			f = ptr(faultNotFoundSnapshot(d.id, req.SnapshotId.Id))
		}
	}
	if f != nil {
		body.Fault_ = f.soap()
		return body
	}
	body.Res = &types.RetrieveSnapshotDetailsResponse{Returnval: types.VStorageObjectSnapshotDetails{
		Path:                   d.snapshotPath(snap.id),
		ChangedBlockTrackingId: snap.changeID(),
	}}
	return body
}

func (m *cbtManager) SetVStorageObjectControlFlags(ctx *vcsim.Context, req *types.SetVStorageObjectControlFlags) soap.HasFault {
	body := new(methods.SetVStorageObjectControlFlagsBody)
	if f := m.s.controlFlags(ctx, req.Id.Id, req.Datastore, req.ControlFlags, true); f != nil {
		body.Fault_ = f.soap()
		return body
	}
	body.Res = new(types.SetVStorageObjectControlFlagsResponse)
	return body
}

func (m *cbtManager) ClearVStorageObjectControlFlags(ctx *vcsim.Context, req *types.ClearVStorageObjectControlFlags) soap.HasFault {
	body := new(methods.ClearVStorageObjectControlFlagsBody)
	if f := m.s.controlFlags(ctx, req.Id.Id, req.Datastore, req.ControlFlags, false); f != nil {
		body.Fault_ = f.soap()
		return body
	}
	body.Res = new(types.ClearVStorageObjectControlFlagsResponse)
	return body
}

func (s *Server) controlFlags(ctx *vcsim.Context, id string, ds types.ManagedObjectReference, flags []string, on bool) *methodFault {
	d, f := s.locate(ctx, id, ds)
	if f != nil {
		return f
	}
	for _, flag := range flags {
		if flag != string(types.VslmVStorageObjectControlFlagEnableChangedBlockTracking) {
			return ptr(faultControlFlag(flag))
		}
	}
	if len(flags) > 0 {
		s.setCBT(ctx, d, on)
	}
	return nil
}

func (m *cbtManager) VStorageObjectCreateSnapshotTask(ctx *vcsim.Context, req *types.VStorageObjectCreateSnapshot_Task) soap.HasFault {
	var (
		result types.AnyType
		fault  types.BaseMethodFault
	)
	if d, f := m.s.locate(ctx, req.Id.Id, req.Datastore); f != nil {
		fault = f.fault
	} else {
		snap := m.s.snapshot(ctx, d, req.Description, time.Now())
		result = &types.ID{Id: snap.id}
	}
	// The snapshot is taken before the task starts, so a client that sees
	// the task succeed can query it at once.
	task := vcsim.CreateTask(m.s.vsom, "createSnapshot", func(*vcsim.Task) (types.AnyType, types.BaseMethodFault) {
		return result, fault
	})
	return &methods.VStorageObjectCreateSnapshot_TaskBody{
		Res: &types.VStorageObjectCreateSnapshot_TaskResponse{Returnval: task.Run(ctx)},
	}
}

func (m *cbtManager) DeleteSnapshotTask(ctx *vcsim.Context, req *types.DeleteSnapshot_Task) soap.HasFault {
	var fault types.BaseMethodFault
	if d, f := m.s.locate(ctx, req.Id.Id, req.Datastore); f != nil {
		fault = f.fault
	} else if !m.s.deleteSnapshot(ctx, d, req.SnapshotId.Id) {
		fault = faultNotFoundSnapshot(d.id, req.SnapshotId.Id).fault
	}
	task := vcsim.CreateTask(m.s.vsom, "deleteSnapshot", func(*vcsim.Task) (types.AnyType, types.BaseMethodFault) {
		return nil, fault
	})
	return &methods.DeleteSnapshot_TaskBody{
		Res: &types.DeleteSnapshot_TaskResponse{Returnval: task.Run(ctx)},
	}
}
