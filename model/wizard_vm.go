package model

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// The wizard's virtual machines: they are listed beside the datastores; a
// VM opens to its disks, a disk to the VM's snapshots as that disk sees them
// (each with its backing's changeId), and from there on a VM disk is mapped,
// explored and exported as a First Class Disk is.

// vmSelection is the VM disk a selection maps, and the snapshot (nil: the
// disk as it is, of a powered-off VM).
type vmSelection struct {
	vm   vsphere.VM
	disk vsphere.VMDisk
	snap *vsphere.VMSnapshot
}

// vmSnapshot is the VM snapshot a target stands for; nil for the disk as it
// is.
func vmSnapshot(snaps []vsphere.VMSnapshot, target vsphere.Snapshot) *vsphere.VMSnapshot {
	for i := range snaps {
		if snaps[i].Ref.Value == target.ID && target.ID != "" {
			return &snaps[i]
		}
	}
	return nil
}

// exportIdentity is how an export names the selection's disk (and VM).
func (s selection) exportIdentity() (vsphere.ExportDisk, *vsphere.ExportVM) {
	if s.vm == nil {
		return vsphere.ExportDisk{ID: s.disk.ID, Name: s.disk.Name, Datastore: s.disk.Datastore.Name, CapacityBytes: s.disk.CapacityBytes}, nil
	}
	vm, vd := vsphere.VMExportDisk(s.vm.vm, s.vm.disk)
	return vd, vm
}

// noSnapshot is the target that stands for a powered-off VM's disk as it is.
const noSnapshotLabel = "the disk as it is now (no snapshot: the VM is powered off)"

func vmChoices(vms []vsphere.VM) []ui.Choice {
	var cs []ui.Choice
	for _, v := range vms {
		cbt := "CBT on"
		if !v.CBTEnabled {
			cbt = "CBT off: cannot be queried"
		}
		detail := fmt.Sprintf("virtual machine · %s · %s · %d disk", powerWord(v.PowerState), cbt, len(v.Disks))
		if len(v.Disks) != 1 {
			detail += "s"
		}
		cs = append(cs, ui.Choice{Name: oneLine(v.Name), Detail: oneLine(detail), Value: v})
	}
	return cs
}

func powerWord(state string) string {
	switch state {
	case "poweredOn":
		return "powered on"
	case "poweredOff":
		return "powered off"
	case "suspended":
		return "suspended"
	}
	return state
}

func vmDiskChoices(v vsphere.VM) []ui.Choice {
	var cs []ui.Choice
	for _, d := range v.Disks {
		detail := fmt.Sprintf("%s · key %d · %s", heatmap.FormatBytes(d.CapacityBytes), d.Key, d.File)
		cs = append(cs, ui.Choice{Name: oneLine(d.Label), Detail: oneLine(detail), Value: d})
	}
	return cs
}

// refuseVM says why a VM disk cannot be queried, before any snapshot list.
func refuseVM(v vsphere.VM, d vsphere.VMDisk) error {
	switch {
	case !v.CBTEnabled:
		return &refusedError{v.Name + " · " + d.Label, "FileFault noTrack", vsphere.VMCBTOff()}
	case d.Datastore.Name != "" && !d.Datastore.Accessible && d.Datastore.Ref.Value != "":
		return &refusedError{v.Name + " · " + d.Label, "InvalidDatastore", vsphere.Diagnose(&vsphere.Fault{Type: "InvalidDatastore"})}
	}
	return nil
}

// vmDiskAsDisk is what the rest of the wizard and the explorer need of a VM
// disk: a name, a capacity, a datastore and an id unique to the disk.
func vmDiskAsDisk(v vsphere.VM, d vsphere.VMDisk) vsphere.Disk {
	return vsphere.Disk{ID: fmt.Sprintf("%s:%d", v.Ref.Value, d.Key), Name: v.Name + " · " + d.Label,
		CapacityBytes: d.CapacityBytes, Datastore: d.Datastore, CBTEnabled: v.CBTEnabled}
}

func findVM(vms []vsphere.VM, moref string) (vsphere.VM, bool) {
	for _, v := range vms {
		if v.Ref.Value == moref {
			return v, true
		}
	}
	return vsphere.VM{}, false
}

// loadVMSnapshots lists a VM's snapshots as its disk sees them; a powered-off
// VM's disk can also be mapped as it is, without a snapshot.
func loadVMSnapshots(gen int, src Source, v vsphere.VM, d vsphere.VMDisk, limit time.Duration) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), limit)
		defer cancel()
		snaps, err := src.VMSnapshots(ctx, v)
		if err != nil {
			return snapshotsMsg{gen: gen, err: err}
		}
		list := vsphere.AsSnapshots(snaps, d.Key)
		if v.PowerState == "poweredOff" {
			list = append(list, vsphere.Snapshot{ID: "", Description: noSnapshotLabel, CreateTime: time.Now(), ChangeID: d.ChangeID})
		}
		return snapshotsMsg{gen: gen, list: list, vmSnaps: snaps}
	}
}

// autoSelectVM finds the VM disk a command line names.
func autoSelectVM(ctx context.Context, src Source, sel Select, out selectedMsg) selectedMsg {
	vm, err := src.FindVM(ctx, sel.VM)
	if err != nil {
		out.err = err
		return out
	}
	d, err := vm.FindDisk(sel.Disk)
	if err != nil {
		out.err = err
		return out
	}
	out.vm, out.vmDisk, out.disk = &vm, d, vmDiskAsDisk(vm, d)
	if out.err = refuseVM(vm, d); out.err != nil {
		return out
	}
	snaps, err := src.VMSnapshots(ctx, vm)
	if err != nil {
		out.err = err
		return out
	}
	target, base, err := vsphere.PickVMSnapshots(snaps, d.Key, sel.Snapshot, sel.BaseSnapshot, sel.ChangeID)
	if err != nil {
		out.err = err
		return out
	}
	if diag, ok := vsphere.CBTNotInEffect(vm, d, &target); ok {
		out.err = &refusedError{vm.Name + " · " + d.Label, "FileFault noTrack or noEpoch", diag}
		return out
	}
	out.snaps = vsphere.AsSnapshots(snaps, d.Key)
	out.vmSnaps = snaps
	out.target = vsphere.AsSnapshots([]vsphere.VMSnapshot{target}, d.Key)[0]
	out.base = base
	return out
}
