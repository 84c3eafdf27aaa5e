package simulator

import (
	"hash/fnv"
	"strings"
	"time"

	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

// This file keeps vcsim's FCD catalog and the journals in step. vcsim owns
// the catalog (create, delete, retrieve, attach); the journals own changes,
// snapshots' changeIds and CBT state. Lock order is always vcsim's manager
// lock first, then a journal's.

// locate finds the disk a request names and faults as vCenter does when it
// cannot: NotFound for an unknown ID, InvalidDatastore when the disk lives on
// another datastore or its datastore is inaccessible. A disk created over
// the wire (not in the inventory) gets an empty journal on first use.
func (s *Server) locate(ctx *vcsim.Context, id string, ds types.ManagedObjectReference) (*disk, *methodFault) {
	var (
		obj  *vcsim.VStorageObject
		onDS types.ManagedObjectReference
	)
	ctx.WithLock(s.vsom, func() {
		for ref, objs := range s.vsom.Catalog() {
			if o, ok := objs[types.ID{Id: id}]; ok {
				obj, onDS = o, ref
				break
			}
		}
	})
	if obj == nil {
		return nil, ptr(faultNotFoundDisk(id))
	}
	d := s.diskByID(id)
	if d == nil {
		d = s.adopt(ctx, id, onDS)
	}
	if onDS != ds {
		return nil, ptr(faultWrongDatastore(id, ds, d.ds))
	}
	if !d.ds.accessible {
		return nil, ptr(faultInaccessible(d.ds))
	}
	return d, nil
}

// adopt gives an FCD that a client created a journal of its own, reading
// capacity and CBT state from vcsim's catalog.
func (s *Server) adopt(ctx *vcsim.Context, id string, dsRef types.ManagedObjectReference) *disk {
	var (
		capacityMB int64
		cbt        bool
		name, path string
	)
	ctx.WithLock(s.vsom, func() {
		obj := s.vsom.Catalog()[dsRef][types.ID{Id: id}]
		capacityMB, name = obj.Config.CapacityInMB, obj.Config.Name
		cbt = obj.Config.ChangedBlockTrackingEnabled != nil && *obj.Config.ChangedBlockTrackingEnabled
		if b, ok := obj.Config.Backing.(*types.BaseConfigInfoDiskFileBackingInfo); ok {
			path = b.FilePath
		}
	})
	h := fnv.New64a()
	h.Write([]byte(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.disks[id]; d != nil {
		return d // adopted by a concurrent request
	}
	ds := s.datastores[dsRef]
	if ds == nil {
		ds = &datastore{name: dsRef.Value, ref: dsRef, accessible: true}
	}
	d := &disk{id: id, name: name, workload: "created by a client", ds: ds, backing: path,
		j: newJournal(capacityMB<<20, s.inv.BlockSize, h.Sum64())}
	d.j.falsePositives = s.opts.FalsePositives
	if cbt {
		d.j.setCBT(true)
	}
	s.disks[id] = d
	s.order = append(s.order, d)
	return d
}

// setCBT turns tracking on or off in the journal and in vcsim's catalog
// together, so RetrieveVStorageObject shows changedBlockTrackingEnabled as
// the CBT methods behave.
func (s *Server) setCBT(ctx *vcsim.Context, d *disk, on bool) {
	ctx.WithLock(s.vsom, func() {
		d.j.setCBT(on)
		if obj := s.vsom.Catalog()[d.ds.ref][types.ID{Id: d.id}]; obj != nil {
			obj.Config.ChangedBlockTrackingEnabled = types.NewBool(on)
		}
	})
}

// snapshot pins the journal and lists the snapshot in vcsim's catalog, where
// RetrieveSnapshotInfo finds it.
func (s *Server) snapshot(ctx *vcsim.Context, d *disk, desc string, created time.Time) *snapshot {
	var snap *snapshot
	ctx.WithLock(s.vsom, func() {
		snap = d.j.takeSnapshot(d.j.newID(), desc, created)
		if obj := s.vsom.Catalog()[d.ds.ref][types.ID{Id: d.id}]; obj != nil {
			obj.Snapshots = append(obj.Snapshots, types.VStorageObjectSnapshotInfoVStorageObjectSnapshot{
				Id:              &types.ID{Id: snap.id},
				BackingObjectId: snap.id,
				CreateTime:      created,
				Description:     desc,
			})
		}
	})
	return snap
}

func (s *Server) deleteSnapshot(ctx *vcsim.Context, d *disk, id string) bool {
	var ok bool
	ctx.WithLock(s.vsom, func() {
		ok = d.j.deleteSnapshot(id)
		if obj := s.vsom.Catalog()[d.ds.ref][types.ID{Id: d.id}]; obj != nil {
			for i, sn := range obj.Snapshots {
				if sn.Id != nil && sn.Id.Id == id {
					obj.Snapshots = append(obj.Snapshots[:i], obj.Snapshots[i+1:]...)
					break
				}
			}
		}
	})
	return ok
}

// snapshotPath is where a snapshot's delta disk would live.
func (d *disk) snapshotPath(snapID string) string {
	if len(snapID) > 8 {
		snapID = snapID[:8]
	}
	return strings.TrimSuffix(d.backing, ".vmdk") + "-" + snapID + ".vmdk"
}
