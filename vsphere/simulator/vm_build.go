package simulator

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/vmware/govmomi/object"
	vcsim "github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

// buildMachines creates the inventory's VMs with their disks (all creations
// first, then the waits, so they overlap), powers on those that run, and
// replays each history through the real methods: CreateSnapshotEx_Task and
// ReconfigVM_Task, as any client would call them.
func (s *Server) buildMachines(ctx context.Context, c *vim25.Client) error {
	if len(s.inv.Machines) == 0 {
		return nil
	}
	folders, pool, err := placement(ctx, c)
	if err != nil {
		return err
	}
	byName := make(map[string]*datastore)
	for _, ds := range s.dsOrder {
		byName[ds.name] = ds
	}
	tasks := make([]*object.Task, len(s.inv.Machines))
	for i, spec := range s.inv.Machines {
		ds := byName[spec.Datastore]
		if ds == nil {
			ds = s.dsOrder[0]
		}
		var devices object.VirtualDeviceList
		scsi, err := devices.CreateSCSIController("pvscsi")
		if err != nil {
			return err
		}
		scsi.(types.BaseVirtualController).GetVirtualController().Key = 1000
		devices = append(devices, scsi)
		for k, d := range spec.Disks {
			file := fmt.Sprintf("[%s] %s/%s.vmdk", ds.name, spec.Name, spec.Name)
			if k > 0 {
				file = fmt.Sprintf("[%s] %s/%s_%d.vmdk", ds.name, spec.Name, spec.Name, k)
			}
			disk := devices.CreateDisk(scsi.(types.BaseVirtualController), ds.ref, file)
			disk.Key = firstDiskKey + int32(k)
			disk.DeviceInfo = &types.Description{Label: fmt.Sprintf("Hard disk %d", k+1), Summary: fmt.Sprintf("%d KB", d.CapacityBytes>>10)}
			disk.CapacityInBytes = d.CapacityBytes
			disk.CapacityInKB = d.CapacityBytes >> 10
			devices = append(devices, disk)
		}
		change, err := devices.ConfigSpec(types.VirtualDeviceConfigSpecOperationAdd)
		if err != nil {
			return err
		}
		for _, ch := range change {
			if _, ok := ch.GetVirtualDeviceConfigSpec().Device.(*types.VirtualDisk); ok {
				ch.GetVirtualDeviceConfigSpec().FileOperation = types.VirtualDeviceConfigSpecFileOperationCreate
			}
		}
		t, err := folders.VmFolder.CreateVM(ctx, types.VirtualMachineConfigSpec{
			Name:         spec.Name,
			GuestId:      string(types.VirtualMachineGuestOsIdentifierOtherLinux64Guest),
			NumCPUs:      2,
			MemoryMB:     4096,
			Files:        &types.VirtualMachineFileInfo{VmPathName: "[" + ds.name + "]"},
			DeviceChange: change,
		}, pool, nil)
		if err != nil {
			return fmt.Errorf("vm %s: %w", spec.Name, err)
		}
		tasks[i] = t
	}
	// Every VM exists before any history starts: vcsim's CreateVM and
	// ReconfigVM touch the datastores without a common lock.
	tracked := make([]*virtualMachine, len(tasks))
	for i, spec := range s.inv.Machines {
		res, err := tasks[i].WaitForResult(ctx)
		if err != nil {
			return fmt.Errorf("vm %s: %w", spec.Name, err)
		}
		ref, ok := res.Result.(types.ManagedObjectReference)
		if !ok {
			return fmt.Errorf("vm %s: task result is %T, not a moref", spec.Name, res.Result)
		}
		if tracked[i], err = s.trackVM(spec, i, ref); err != nil {
			return err
		}
	}
	var pending []pendingTask
	for i, spec := range s.inv.Machines {
		v, ref := tracked[i], tracked[i].ref
		if spec.PoweredOn {
			t, err := object.NewVirtualMachine(c, ref).PowerOn(ctx)
			if err != nil {
				return fmt.Errorf("vm %s: power on: %w", spec.Name, err)
			}
			pending = append(pending, pendingTask{vm: v, task: t, what: "power on", snapshot: -1})
		}
		p, err := s.replayVM(ctx, c, v, spec, i)
		if err != nil {
			return fmt.Errorf("vm %s: %w", spec.Name, err)
		}
		pending = append(pending, p...)
	}
	// Waited for only now: one VM's tasks run in order anyway, as each
	// holds the VM's lock until it ends, and waiting on each in turn would
	// cost a round of polling apiece.
	for _, p := range pending {
		info, err := p.task.WaitForResult(ctx)
		if err != nil {
			return fmt.Errorf("vm %s: %s: %w", p.vm.name, p.what, err)
		}
		if ref, ok := info.Result.(types.ManagedObjectReference); ok && p.snapshot >= 0 {
			s.setSnapshotTime(p.vm, ref, s.inv.Start.AddDate(0, 0, p.snapshot))
		}
	}
	return nil
}

// pendingTask is a task of a VM's history not waited for yet; snapshot is
// the snapshot's place in the VM's chain, or -1.
type pendingTask struct {
	vm       *virtualMachine
	task     *object.Task
	what     string
	snapshot int
}

// trackVM reads the disks vcsim created for a VM and gives each a journal.
func (s *Server) trackVM(spec VMSpec, index int, ref types.ManagedObjectReference) (*virtualMachine, error) {
	v := &virtualMachine{name: spec.Name, ref: ref, workload: spec.Workload}
	vm, ok := s.reg.Get(ref).(*vcsim.VirtualMachine)
	if !ok {
		return nil, fmt.Errorf("vm %s: not in the registry", spec.Name)
	}
	rng := rand.New(rand.NewPCG(s.inv.Seed, 0x7600+uint64(index)))
	s.lockCtx().WithLock(vm, func() {
		for _, dev := range vm.Config.Hardware.Device {
			vd, ok := dev.(*types.VirtualDisk)
			if !ok {
				continue
			}
			k := int(vd.Key - firstDiskKey)
			if k < 0 || k >= len(spec.Disks) {
				continue
			}
			d := &vmDisk{key: vd.Key, workload: spec.Disks[k].Workload, j: newJournal(spec.Disks[k].CapacityBytes, s.inv.BlockSize, rng.Uint64())}
			d.j.falsePositives = s.opts.FalsePositives
			if info := vd.DeviceInfo.GetDescription(); info != nil {
				d.label = info.Label
			}
			if b, ok := vd.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
				fb := b.GetVirtualDeviceFileBackingInfo()
				d.file = fb.FileName
				if fb.Datastore != nil {
					d.ds = s.datastores[*fb.Datastore]
				}
			}
			v.disks = append(v.disks, d)
		}
	})
	if len(v.disks) != len(spec.Disks) {
		return nil, fmt.Errorf("vm %s: vcsim created %d of its %d disks", spec.Name, len(v.disks), len(spec.Disks))
	}
	slices.SortFunc(v.disks, func(a, b *vmDisk) int { return int(a.key - b.key) })
	s.mu.Lock()
	s.vms[ref] = v
	s.vmOrder = append(s.vmOrder, v)
	s.mu.Unlock()
	return v, nil
}

// replayVM applies a VM's history and returns the tasks it started.
// Snapshots get the demo's fixed nightly dates once done, so descriptions
// and screenshots do not move.
func (s *Server) replayVM(ctx context.Context, c *vim25.Client, v *virtualMachine, spec VMSpec, index int) ([]pendingTask, error) {
	seed := rand.New(rand.NewPCG(s.inv.Seed, 0x7700+uint64(index))).Uint64()
	vm := object.NewVirtualMachine(c, v.ref)
	var pending []pendingTask
	snaps := 0
	reconfig := func(on bool) error {
		t, err := vm.Reconfigure(ctx, types.VirtualMachineConfigSpec{ChangeTrackingEnabled: types.NewBool(on)})
		if err != nil {
			return err
		}
		pending = append(pending, pendingTask{vm: v, task: t, what: "reconfigure", snapshot: -1})
		return nil
	}
	for i, ev := range spec.History {
		var err error
		switch ev.kind {
		case eventWrite:
			d := v.disks[ev.disk]
			p, capacity, bs := ev.pattern, d.j.capacity, d.j.blockSize
			wseed := seed + uint64(i)
			d.j.record(func() []blockRun {
				return p.blocks(capacity, bs, rand.New(rand.NewPCG(wseed, 0xb10c)))
			})
		case eventSnapshot:
			var res *types.CreateSnapshotEx_TaskResponse
			res, err = methods.CreateSnapshotEx_Task(ctx, c, &types.CreateSnapshotEx_Task{This: v.ref, Name: ev.desc})
			if err == nil {
				pending = append(pending, pendingTask{vm: v, task: object.NewTask(c, res.Returnval), what: "snapshot " + ev.desc, snapshot: snaps})
				snaps++
			}
		case eventEnableCBT:
			err = reconfig(true)
		case eventDisableCBT:
			err = reconfig(false)
		case eventResetCBT:
			if err = reconfig(false); err == nil {
				err = reconfig(true)
			}
		case eventCorruptCTK:
			v.disks[ev.disk].j.setCorrupt()
		}
		if err != nil {
			return nil, err
		}
	}
	return pending, nil
}

// setSnapshotTime dates a snapshot in the VM's snapshot tree.
func (s *Server) setSnapshotTime(v *virtualMachine, snap types.ManagedObjectReference, t time.Time) {
	vm := s.reg.Get(v.ref).(*vcsim.VirtualMachine)
	s.lockCtx().WithLock(vm, func() {
		if vm.Snapshot == nil {
			return
		}
		var walk func([]types.VirtualMachineSnapshotTree) bool
		walk = func(l []types.VirtualMachineSnapshotTree) bool {
			for i := range l {
				if l[i].Snapshot == snap {
					l[i].CreateTime = t
					return true
				}
				if walk(l[i].ChildSnapshotList) {
					return true
				}
			}
			return false
		}
		walk(vm.Snapshot.RootSnapshotList)
	})
}
