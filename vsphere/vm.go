package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The VM-disk side of cbtscope: virtual machines, their disks and snapshot
// chains, and the changeIds the snapshots' disk backings carry. Queries of a
// VM disk go through the same Fetch as First Class Disks, with Query.VM set.

// VM is one virtual machine with CBT-relevant state.
type VM struct {
	Name       string
	Ref        types.ManagedObjectReference
	PowerState string // "poweredOn", "poweredOff" or "suspended"
	// CBTEnabled is config.changeTrackingEnabled.
	CBTEnabled bool
	Disks      []VMDisk
}

// VMDisk is one virtual disk of a VM.
type VMDisk struct {
	Key           int32
	Label         string
	CapacityBytes int64
	// File is the backing's file name, e.g. "[ds-prod-01] web-01/web-01.vmdk".
	File      string
	Datastore Datastore
	// ChangeID is the backing's changeId now ("" when it has none).
	ChangeID string
}

// VMSnapshot is one snapshot of a VM's tree, with the changeId each disk's
// backing had at it. A disk without an entry had none (CBT was off, or was
// on but not yet in effect: it takes a stun/unstun cycle).
type VMSnapshot struct {
	Name        string
	Description string
	Ref         types.ManagedObjectReference
	CreateTime  time.Time
	ChangeIDs   map[int32]string
}

// VMDiskRef names the disk of a VM a query is about.
type VMDiskRef struct {
	VM        types.ManagedObjectReference
	DeviceKey int32
}

// PoweredOn reports whether queries of the VM need a snapshot.
func (v VM) PoweredOn() bool { return v.PowerState == "poweredOn" }

// vmPageSize is how many objects one inventory reply may hold; the rest
// comes through ContinueRetrievePropertiesEx. Tests lower it.
var vmPageSize int32 = 500

// vmProperties are what VMs reads of each VM: no more, as a site may have
// thousands.
var vmProperties = []string{"name", "runtime.powerState", "config.template", "config.changeTrackingEnabled", "config.hardware.device"}

// VMs lists every virtual machine with its disks, through one ContainerView
// and one PropertyCollector retrieval (paged), never a call per VM.
// Templates are left out: they cannot be snapshotted.
func (c *Client) VMs(ctx context.Context) ([]VM, error) {
	// The datastores name the disks' backings; listed beside the VMs, not
	// before them.
	var dss []Datastore
	var dsErr error
	var wg sync.WaitGroup
	wg.Go(func() { dss, dsErr = c.Datastores(ctx) })
	vms, err := c.listVMs(ctx)
	wg.Wait()
	if dsErr != nil {
		return nil, dsErr
	}
	if err != nil {
		return nil, err
	}
	out := make([]VM, 0, len(vms))
	for _, vm := range vms {
		if vm.Config != nil && vm.Config.Template {
			continue
		}
		out = append(out, vmFromMO(vm, dss))
	}
	slices.SortFunc(out, func(a, b VM) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Ref.Value, b.Ref.Value))
	})
	return out, nil
}

func (c *Client) listVMs(ctx context.Context) ([]mo.VirtualMachine, error) {
	m := view.NewManager(c.vim)
	v, err := m.CreateContainerView(ctx, c.vim.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return nil, fmt.Errorf("listing VMs: %w", callError(err))
	}
	defer v.Destroy(context.WithoutCancel(ctx))
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj:  v.Reference(),
			Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{&types.TraversalSpec{
				Type: "ContainerView", Path: "view",
			}},
		}},
		PropSet: []types.PropertySpec{{Type: "VirtualMachine", PathSet: vmProperties}},
	}
	var vms []mo.VirtualMachine
	if err := c.retrieve(ctx, spec, &vms); err != nil {
		return nil, fmt.Errorf("listing VMs: %w", err)
	}
	return vms, nil
}

// retrieve runs one RetrievePropertiesEx and follows its token with
// ContinueRetrievePropertiesEx until the last page, loading every object
// into dst (a pointer to a slice of mo types).
func (c *Client) retrieve(ctx context.Context, spec types.PropertyFilterSpec, dst any) error {
	pc := c.vim.ServiceContent.PropertyCollector
	res, err := methods.RetrievePropertiesEx(ctx, c.vim, &types.RetrievePropertiesEx{
		This: pc, SpecSet: []types.PropertyFilterSpec{spec}, Options: types.RetrieveOptions{MaxObjects: vmPageSize},
	})
	if err != nil {
		return callError(err)
	}
	var content []types.ObjectContent
	for r := res.Returnval; r != nil; {
		content = append(content, r.Objects...)
		if r.Token == "" {
			break
		}
		next, err := methods.ContinueRetrievePropertiesEx(ctx, c.vim, &types.ContinueRetrievePropertiesEx{This: pc, Token: r.Token})
		if err != nil {
			return callError(err)
		}
		r = &next.Returnval
	}
	if err := mo.LoadObjectContent(content, dst); err != nil {
		return fmt.Errorf("reading the reply: %w", err)
	}
	return nil
}

func vmFromMO(vm mo.VirtualMachine, dss []Datastore) VM {
	out := VM{Name: vm.Name, Ref: vm.Reference(), PowerState: string(vm.Runtime.PowerState)}
	if vm.Config == nil {
		return out
	}
	out.CBTEnabled = vm.Config.ChangeTrackingEnabled != nil && *vm.Config.ChangeTrackingEnabled
	for _, dev := range vm.Config.Hardware.Device {
		vd, ok := dev.(*types.VirtualDisk)
		if !ok {
			continue
		}
		d := VMDisk{Key: vd.Key, CapacityBytes: vd.CapacityInBytes}
		if d.CapacityBytes == 0 {
			d.CapacityBytes = vd.CapacityInKB << 10
		}
		if info := vd.DeviceInfo; info != nil {
			d.Label = info.GetDescription().Label
		}
		if fb, ok := vd.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			b := fb.GetVirtualDeviceFileBackingInfo()
			d.File = b.FileName
			if b.Datastore != nil {
				d.Datastore = Datastore{Name: b.Datastore.Value, Ref: *b.Datastore}
				for _, ds := range dss {
					if ds.Ref == *b.Datastore {
						d.Datastore = ds
					}
				}
			}
		}
		d.ChangeID, _ = backingChangeID(vd.Backing)
		out.Disks = append(out.Disks, d)
	}
	slices.SortFunc(out.Disks, func(a, b VMDisk) int { return int(a.Key) - int(b.Key) })
	return out
}

// backingChangeID is the changeId of the backings that carry one: the five
// CBT works with. ok is false for any other backing.
func backingChangeID(b types.BaseVirtualDeviceBackingInfo) (id string, ok bool) {
	switch b := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		return b.ChangeId, true
	case *types.VirtualDiskSparseVer2BackingInfo:
		return b.ChangeId, true
	case *types.VirtualDiskSeSparseBackingInfo:
		return b.ChangeId, true
	case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
		return b.ChangeId, true
	case *types.VirtualDiskRawDiskVer2BackingInfo:
		return b.ChangeId, true
	}
	return "", false
}

// VMSnapshots is a VM's snapshot tree, flattened, oldest first, with each
// disk backing's changeId: the tree in one retrieval, then every
// snapshot's devices in one more, not a call per snapshot.
func (c *Client) VMSnapshots(ctx context.Context, vm VM) ([]VMSnapshot, error) {
	var vms []mo.VirtualMachine
	err := c.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: vm.Ref}},
		PropSet:   []types.PropertySpec{{Type: "VirtualMachine", PathSet: []string{"snapshot.rootSnapshotList"}}},
	}, &vms)
	if err != nil {
		return nil, fmt.Errorf("listing snapshots of VM %s: %w", vm.Name, err)
	}
	var tree *types.VirtualMachineSnapshotInfo
	if len(vms) == 1 {
		tree = vms[0].Snapshot
	}
	return c.vmSnapshots(ctx, vm, tree)
}

// vmSnapshots flattens a VM's snapshot tree and reads the changeIds of
// every snapshot's disks in one retrieval.
func (c *Client) vmSnapshots(ctx context.Context, vm VM, tree *types.VirtualMachineSnapshotInfo) ([]VMSnapshot, error) {
	var out []VMSnapshot
	if tree != nil {
		var walk func([]types.VirtualMachineSnapshotTree)
		walk = func(l []types.VirtualMachineSnapshotTree) {
			for _, t := range l {
				out = append(out, VMSnapshot{Name: t.Name, Description: t.Description, Ref: t.Snapshot, CreateTime: t.CreateTime, ChangeIDs: map[int32]string{}})
				walk(t.ChildSnapshotList)
			}
		}
		walk(tree.RootSnapshotList)
	}
	if len(out) == 0 {
		return out, nil
	}
	spec := types.PropertyFilterSpec{PropSet: []types.PropertySpec{{Type: "VirtualMachineSnapshot", PathSet: []string{"config.hardware.device"}}}}
	for _, s := range out {
		spec.ObjectSet = append(spec.ObjectSet, types.ObjectSpec{Obj: s.Ref})
	}
	var snaps []mo.VirtualMachineSnapshot
	if err := c.retrieve(ctx, spec, &snaps); err != nil {
		return nil, fmt.Errorf("reading the snapshots of VM %s: %w", vm.Name, err)
	}
	byRef := make(map[types.ManagedObjectReference]*VMSnapshot, len(out))
	for i := range out {
		byRef[out[i].Ref] = &out[i]
	}
	for _, sn := range snaps {
		s := byRef[sn.Reference()]
		if s == nil {
			continue
		}
		for _, dev := range sn.Config.Hardware.Device {
			if vd, ok := dev.(*types.VirtualDisk); ok {
				if id, _ := backingChangeID(vd.Backing); id != "" {
					s.ChangeIDs[vd.Key] = id
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b VMSnapshot) int { return a.CreateTime.Compare(b.CreateTime) })
	return out, nil
}

// FindVMSnapshots is FindVM, then VMSnapshots. Given a moref, it reads the
// VM and its snapshot tree in one retrieval, beside the datastore list,
// instead of listing every VM first.
func (c *Client) FindVMSnapshots(ctx context.Context, nameOrMoref string) (VM, []VMSnapshot, error) {
	if strings.HasPrefix(nameOrMoref, "vm-") {
		if vm, tree, ok := c.vmByMoref(ctx, nameOrMoref); ok {
			snaps, err := c.vmSnapshots(ctx, vm, tree)
			if err != nil {
				return VM{}, nil, err
			}
			return vm, snaps, nil
		}
		// Not a moref after all (or the read failed): look it up by
		// name, which says what is wrong.
	}
	vm, err := c.FindVM(ctx, nameOrMoref)
	if err != nil {
		return VM{}, nil, err
	}
	snaps, err := c.VMSnapshots(ctx, vm)
	if err != nil {
		return VM{}, nil, err
	}
	return vm, snaps, nil
}

// vmByMoref reads the VM with moref value ref and its snapshot tree; ok is
// false when there is no such VM (or it is a template) or the read failed.
func (c *Client) vmByMoref(ctx context.Context, ref string) (VM, *types.VirtualMachineSnapshotInfo, bool) {
	var dss []Datastore
	var dsErr error
	var wg sync.WaitGroup
	wg.Go(func() { dss, dsErr = c.Datastores(ctx) })
	var vms []mo.VirtualMachine
	err := c.retrieve(ctx, types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: types.ManagedObjectReference{Type: "VirtualMachine", Value: ref}}},
		PropSet:   []types.PropertySpec{{Type: "VirtualMachine", PathSet: append(slices.Clip(vmProperties), "snapshot.rootSnapshotList")}},
	}, &vms)
	wg.Wait()
	if err != nil || dsErr != nil || len(vms) != 1 || (vms[0].Config != nil && vms[0].Config.Template) {
		return VM{}, nil, false
	}
	return vmFromMO(vms[0], dss), vms[0].Snapshot, true
}

// FindVM finds a VM by name or moref value; an ambiguous name is a
// *UsageError listing the candidates.
func (c *Client) FindVM(ctx context.Context, nameOrMoref string) (VM, error) {
	vms, err := c.VMs(ctx)
	if err != nil {
		return VM{}, err
	}
	var matches []VM
	for _, vm := range vms {
		if vm.Ref.Value == nameOrMoref {
			return vm, nil
		}
		if vm.Name == nameOrMoref {
			matches = append(matches, vm)
		}
	}
	switch len(matches) {
	case 0:
		return VM{}, &UsageError{fmt.Sprintf("no VM with name or moref %q", nameOrMoref)}
	case 1:
		return matches[0], nil
	}
	var refs []string
	for _, vm := range matches {
		refs = append(refs, vm.Ref.Value)
	}
	return VM{}, &UsageError{fmt.Sprintf("VM name %q is ambiguous: %s; give its moref", nameOrMoref, strings.Join(refs, ", "))}
}

// FindDisk finds a disk of the VM by label or device key.
func (v VM) FindDisk(labelOrKey string) (VMDisk, error) {
	for _, d := range v.Disks {
		if d.Label == labelOrKey || fmt.Sprint(d.Key) == labelOrKey {
			return d, nil
		}
	}
	var have []string
	for _, d := range v.Disks {
		have = append(have, fmt.Sprintf("%d (%s)", d.Key, d.Label))
	}
	if len(have) == 0 {
		return VMDisk{}, &UsageError{fmt.Sprintf("VM %s has no virtual disks", v.Name)}
	}
	return VMDisk{}, &UsageError{fmt.Sprintf("VM %s has no disk %q; it has %s", v.Name, labelOrKey, strings.Join(have, ", "))}
}

// VMQuery sets up the query of a VM disk at snapshot snap (nil: the disk as
// it is now) since changeID. A powered-on VM's disk is in use, so vSphere
// answers for it only at a snapshot: that is refused here, before any call.
func VMQuery(vm VM, disk VMDisk, snap *VMSnapshot, changeID string) (Query, error) {
	q := Query{
		VM:       &VMDiskRef{VM: vm.Ref, DeviceKey: disk.Key},
		Disk:     DiskRef{Datastore: disk.Datastore.Ref},
		Capacity: disk.CapacityBytes,
		ChangeID: changeID,
	}
	if snap != nil {
		q.Snapshot = snap.Ref.Value
	} else if vm.PoweredOn() {
		return Query{}, &UsageError{fmt.Sprintf("VM %s is powered on: a powered-on VM needs a snapshot to query", vm.Name)}
	}
	if changeID == "" {
		return Query{}, &UsageError{"a query needs a base changeId, or * for all allocated areas"}
	}
	if disk.CapacityBytes <= 0 {
		return Query{}, &UsageError{fmt.Sprintf("disk %d of VM %s reports no capacity", disk.Key, vm.Name)}
	}
	return q, nil
}

// VMExportDisk is how an export names a VM's disk: the VM, and the disk by
// key and label on its datastore.
func VMExportDisk(vm VM, d VMDisk) (*ExportVM, ExportDisk) {
	return &ExportVM{Name: vm.Name, Moref: vm.Ref.Value},
		ExportDisk{ID: d.File, Name: d.Label, Key: d.Key, Label: d.Label, Datastore: d.Datastore.Name, CapacityBytes: d.CapacityBytes}
}
