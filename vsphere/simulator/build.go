package simulator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vslm"
)

// build creates a small vCenter (one datacenter, a two-host cluster), the
// inventory's datastores, VMs and FCDs, and replays each disk's history
// into its journal. It talks to vcsim through vcsim's in-process client,
// so everything vcsim records (catalog, files, events) is as if a client
// had done it; only IDs, dates and snapshots are set directly.
func (s *Server) build(ctx context.Context) error {
	m := vcsim.VPX()
	m.Datastore = 0 // ours, named by the inventory
	m.Machine = 0
	m.Host = 0 // hosts live in the cluster only
	m.ClusterHost = 2
	m.Portgroup = 0
	m.Autostart = false
	// The service content names the release vimServiceVersions.xml
	// advertises, as a vCenter 8.0 U3 does (vcsim's own says 6.5).
	m.ServiceContent.About.ApiVersion = JSONRelease
	m.ServiceContent.About.Version = "8.0.3"
	if err := m.Create(); err != nil {
		return err
	}
	s.model = m
	s.reg = m.Map()
	s.vsom = s.reg.VStorageObjectManager()
	s.installHook()

	c, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return err
	}
	if s.dir, err = os.MkdirTemp("", "cbtscope-sim-"); err != nil {
		return err
	}
	if err := s.buildDatastores(ctx, c); err != nil {
		return err
	}
	if err := s.buildVMs(ctx, c); err != nil {
		return err
	}
	if err := s.buildDisks(ctx, c); err != nil {
		return err
	}
	if err := s.buildMachines(ctx, c); err != nil {
		return err
	}
	// Marked inaccessible only now: vcsim would refuse to create the disks.
	lctx := s.lockCtx()
	for _, ds := range s.dsOrder {
		if ds.accessible {
			continue
		}
		obj := s.reg.Get(ds.ref).(*vcsim.Datastore)
		lctx.WithLock(obj, func() { obj.Summary.Accessible = false })
	}
	return nil
}

func (s *Server) buildDatastores(ctx context.Context, c *vim25.Client) error {
	hosts := s.reg.All("HostSystem")
	for _, spec := range s.inv.Datastores {
		dir := filepath.Join(s.dir, spec.Name)
		if err := os.Mkdir(dir, 0o700); err != nil {
			return err
		}
		var ref types.ManagedObjectReference
		for _, h := range hosts {
			host := object.NewHostSystem(c, h.Reference())
			dss, err := host.ConfigManager().DatastoreSystem(ctx)
			if err != nil {
				return err
			}
			ds, err := dss.CreateLocalDatastore(ctx, spec.Name, dir)
			if err != nil {
				return fmt.Errorf("datastore %s: %w", spec.Name, err)
			}
			// vcsim answers an empty reference when it mounts an existing
			// datastore on another host; the first answer is the one.
			if ref.Value == "" {
				ref = ds.Reference()
			}
		}
		d := &datastore{name: spec.Name, ref: ref, accessible: !spec.Inaccessible}
		s.datastores[ref] = d
		s.dsOrder = append(s.dsOrder, d)
	}
	return nil
}

// placement is where new VMs go: the default datacenter's folders and its
// default resource pool.
func placement(ctx context.Context, c *vim25.Client) (*object.DatacenterFolders, *object.ResourcePool, error) {
	finder := find.NewFinder(c)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		return nil, nil, err
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, nil, err
	}
	pool, err := finder.DefaultResourcePool(ctx)
	if err != nil {
		return nil, nil, err
	}
	return folders, pool, nil
}

func (s *Server) buildVMs(ctx context.Context, c *vim25.Client) error {
	if len(s.inv.VMs) == 0 {
		return nil
	}
	folders, pool, err := placement(ctx, c)
	if err != nil {
		return err
	}
	var devices object.VirtualDeviceList
	scsi, err := devices.CreateSCSIController("pvscsi")
	if err != nil {
		return err
	}
	devices = append(devices, scsi)
	change, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
	if err != nil {
		return err
	}
	for _, name := range s.inv.VMs {
		spec := types.VirtualMachineConfigSpec{
			Name:         name,
			GuestId:      string(types.VirtualMachineGuestOsIdentifierOtherLinux64Guest),
			NumCPUs:      2,
			MemoryMB:     4096,
			Files:        &types.VirtualMachineFileInfo{VmPathName: "[" + s.inv.Datastores[0].Name + "]"},
			DeviceChange: change,
		}
		task, err := folders.VmFolder.CreateVM(ctx, spec, pool, nil)
		if err != nil {
			return err
		}
		if err := task.Wait(ctx); err != nil {
			return fmt.Errorf("vm %s: %w", name, err)
		}
	}
	return nil
}

// buildDisks creates every FCD through vcsim (all tasks first, then one
// wait each, so the waits overlap), then gives each a stable ID and its
// journal.
func (s *Server) buildDisks(ctx context.Context, c *vim25.Client) error {
	om := vslm.NewObjectManager(c)
	byName := make(map[string]*datastore)
	for _, ds := range s.dsOrder {
		byName[ds.name] = ds
	}
	tasks := make([]*object.Task, len(s.inv.Disks))
	for i, spec := range s.inv.Disks {
		t, err := om.CreateDisk(ctx, types.VslmCreateSpec{
			Name:              spec.Name,
			CapacityInMB:      spec.CapacityBytes >> 20,
			KeepAfterDeleteVm: types.NewBool(true),
			BackingSpec: &types.VslmCreateSpecDiskFileBackingSpec{
				VslmCreateSpecBackingSpec: types.VslmCreateSpecBackingSpec{Datastore: byName[spec.Datastore].ref},
				ProvisioningType:          string(types.BaseConfigInfoDiskFileBackingInfoProvisioningTypeThin),
			},
		})
		if err != nil {
			return fmt.Errorf("disk %s: %w", spec.Name, err)
		}
		tasks[i] = t
	}
	lctx := s.lockCtx()
	for i, spec := range s.inv.Disks {
		res, err := tasks[i].WaitForResult(ctx)
		if err != nil {
			return fmt.Errorf("disk %s: %w", spec.Name, err)
		}
		// vcsim hands the task result over as a value or, depending on
		// timing, as a pointer: accept both.
		var obj types.VStorageObject
		switch r := res.Result.(type) {
		case types.VStorageObject:
			obj = r
		case *types.VStorageObject:
			obj = *r
		default:
			return fmt.Errorf("disk %s: task result is %T, not a VStorageObject", spec.Name, res.Result)
		}
		rng := rand.New(rand.NewPCG(s.inv.Seed, uint64(i)+1))
		d := &disk{
			id:       uuidFrom(rng),
			name:     spec.Name,
			workload: spec.Workload,
			ds:       byName[spec.Datastore],
			backing:  obj.Config.Backing.(*types.BaseConfigInfoDiskFileBackingInfo).FilePath,
			j:        newJournal(spec.CapacityBytes, s.inv.BlockSize, rng.Uint64()),
		}
		d.j.falsePositives = s.opts.FalsePositives
		lctx.WithLock(s.vsom, func() {
			objs := s.vsom.Catalog()[d.ds.ref]
			o := objs[obj.Config.Id]
			delete(objs, obj.Config.Id)
			o.Config.Id = types.ID{Id: d.id}
			o.Config.CreateTime = s.inv.Start.AddDate(0, -1, 0)
			objs[o.Config.Id] = o
		})
		s.mu.Lock()
		s.disks[d.id] = d
		s.order = append(s.order, d)
		s.mu.Unlock()
		s.replay(lctx, d, spec.History, rng.Uint64())
	}
	return nil
}

// replay applies a disk's history. Writes are recorded as generators seeded
// per write, so nothing is expanded until the disk is first queried.
func (s *Server) replay(lctx *vcsim.Context, d *disk, history []Event, seed uint64) {
	snaps := 0
	for i, ev := range history {
		switch ev.kind {
		case eventWrite:
			p, capacity, bs := ev.pattern, d.j.capacity, d.j.blockSize
			wseed := seed + uint64(i)
			d.j.record(func() []blockRun {
				return p.blocks(capacity, bs, rand.New(rand.NewPCG(wseed, 0xb10c)))
			})
		case eventSnapshot:
			s.snapshot(lctx, d, ev.desc, s.inv.Start.AddDate(0, 0, snaps))
			snaps++
		case eventEnableCBT:
			s.setCBT(lctx, d, true)
		case eventDisableCBT:
			s.setCBT(lctx, d, false)
		case eventResetCBT:
			lctx.WithLock(s.vsom, d.j.reset)
		case eventCorruptCTK:
			d.j.setCorrupt()
		}
	}
}
