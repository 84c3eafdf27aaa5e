package simulator

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// backingIDs reads the changeId of each disk of a VM or snapshot with a
// plain property retrieval, as any client would.
func backingIDs(t *testing.T, c *vim25.Client, ref types.ManagedObjectReference) map[int32]string {
	t.Helper()
	var devices []types.BaseVirtualDevice
	pc := property.DefaultCollector(c)
	if ref.Type == "VirtualMachine" {
		var vm mo.VirtualMachine
		if err := pc.RetrieveOne(context.Background(), ref, []string{"config.hardware.device"}, &vm); err != nil {
			t.Fatal(err)
		}
		devices = vm.Config.Hardware.Device
	} else {
		var sn mo.VirtualMachineSnapshot
		if err := pc.RetrieveOne(context.Background(), ref, []string{"config.hardware.device"}, &sn); err != nil {
			t.Fatal(err)
		}
		devices = sn.Config.Hardware.Device
	}
	out := map[int32]string{}
	for _, dev := range devices {
		if vd, ok := dev.(*types.VirtualDisk); ok {
			out[vd.Key] = vd.Backing.(*types.VirtualDiskFlatVer2BackingInfo).ChangeId
		}
	}
	return out
}

func snapshotOf(t *testing.T, vm *object.VirtualMachine, name string) types.ManagedObjectReference {
	t.Helper()
	task, err := vm.CreateSnapshot(context.Background(), name, "", false, false)
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.Result.(types.ManagedObjectReference)
}

func reconfigureCBT(t *testing.T, vm *object.VirtualMachine, on bool) {
	t.Helper()
	task, err := vm.Reconfigure(context.Background(), types.VirtualMachineConfigSpec{ChangeTrackingEnabled: types.NewBool(on)})
	if err == nil {
		err = task.Wait(context.Background())
	}
	if err != nil {
		t.Fatal(err)
	}
}

// A snapshot taken by any client stamps a changeId on each disk's backing,
// in the snapshot's config and in the VM's; the query between two such
// snapshots returns exactly what was written between them.
func TestSnapshotsStampChangeIDs(t *testing.T) {
	s := start(t, Options{TLS: true})
	c := connect(t, s)
	info, _ := s.VM(DemoVMWeb)
	vm := object.NewVirtualMachine(c, info.Moref)

	a := snapshotOf(t, vm, "before")
	written := []Extent{{Start: 3 * mib, Length: 2 * mib}, {Start: 10 * gib, Length: 64 * kib}}
	if err := s.WriteVMDisk(DemoVMWeb, 2001, written...); err != nil {
		t.Fatal(err)
	}
	b := snapshotOf(t, vm, "after")
	idsA, idsB, now := backingIDs(t, c, a), backingIDs(t, c, b), backingIDs(t, c, info.Moref)
	if idsB[2001] == "" || idsB[2001] == idsA[2001] || !maps.Equal(idsB, now) {
		t.Fatalf("changeIds: before %v, after %v, VM now %v", idsA, idsB, now)
	}
	if idsB[2000] != idsA[2000] {
		t.Fatalf("disk 2000 was not written, yet its changeId moved: %q → %q", idsA[2000], idsB[2000])
	}
	got, err := s.VMGroundTruth(DemoVMWeb, 2001, b.Value, idsA[2001])
	if err != nil || !slices.Equal(got, written) {
		t.Fatalf("changes between the snapshots: %v, %v; want %v", got, err, written)
	}
}

// ReconfigVM_Task turning CBT off ends tracking at once (noTrack, and no
// changeIds on later snapshots); turning it on again takes effect at the
// next snapshot, in a new epoch.
func TestReconfigureSwitchesCBT(t *testing.T) {
	s := start(t, Options{})
	c := connect(t, s)
	info, _ := s.VM(DemoVMSQL)
	vm := object.NewVirtualMachine(c, info.Moref)
	last := info.Snapshots[len(info.Snapshots)-1]
	old := last.ChangeIDs["2001"]

	reconfigureCBT(t, vm, false)
	if _, err := s.VMGroundTruth(DemoVMSQL, 2001, last.Moref.Value, "*"); err == nil || !strings.Contains(err.Error(), "not enabled") {
		t.Fatalf("CBT off: %v", err)
	}
	off := snapshotOf(t, vm, "with CBT off")
	if ids := backingIDs(t, c, off); ids[2001] != "" {
		t.Fatalf("snapshot with CBT off has changeIds %v", ids)
	}

	reconfigureCBT(t, vm, true)
	if ids := backingIDs(t, c, info.Moref); ids[2001] != "" {
		t.Fatalf("CBT just enabled: the backing has changeId %q before any stun", ids[2001])
	}
	if _, err := s.VMGroundTruth(DemoVMSQL, 2001, off.Value, "*"); err == nil {
		t.Fatal("a snapshot taken with CBT off answered")
	}
	on := snapshotOf(t, vm, "after a stun")
	ids := backingIDs(t, c, on)
	if ids[2001] == "" || ids[2001][:47] == old[:47] {
		t.Fatalf("after the stun: changeId %q, before the reset %q: want one in a new epoch", ids[2001], old)
	}
	if _, err := s.VMGroundTruth(DemoVMSQL, 2001, on.Value, old); err == nil || !strings.Contains(err.Error(), "epoch") {
		t.Fatalf("changeId from the old epoch: %v", err)
	}
	if ext, err := s.VMGroundTruth(DemoVMSQL, 2001, on.Value, "*"); err != nil || len(ext) == 0 {
		t.Fatalf("allocated areas after the reset: %d extents, %v", len(ext), err)
	}
}

// The demo has what the explorer and the tests need: at least five VMs
// with one to three disks keyed from 2000, chains of three or more
// snapshots, and one VM for each CBT condition.
func TestDemoVMs(t *testing.T) {
	s := start(t, Options{})
	vms := s.VMs()
	if len(vms) < 5 {
		t.Fatalf("%d VMs", len(vms))
	}
	poweredOff := false
	for _, vm := range vms {
		if len(vm.Disks) < 1 || len(vm.Disks) > 3 || len(vm.Snapshots) < 3 {
			t.Fatalf("%s: %d disks, %d snapshots", vm.Name, len(vm.Disks), len(vm.Snapshots))
		}
		for i, d := range vm.Disks {
			if d.Key != int32(2000+i) || d.Label == "" {
				t.Fatalf("%s disk %d: %+v", vm.Name, i, d)
			}
		}
		poweredOff = poweredOff || vm.PowerState == "poweredOff"
	}
	cbtOff, _ := s.VM(DemoVMCBTOff)
	stun, _ := s.VM(DemoVMNeedsStun)
	if !poweredOff || cbtOff.CBTEnabled || len(cbtOff.Snapshots[0].ChangeIDs) != 0 || !stun.CBTEnabled || len(stun.Snapshots[len(stun.Snapshots)-1].ChangeIDs) != 0 {
		t.Fatalf("powered off %v; CBT off %+v; needs a stun %+v", poweredOff, cbtOff, stun)
	}
	corrupt, _ := s.VM(DemoVMCorrupt)
	last := corrupt.Snapshots[len(corrupt.Snapshots)-1]
	if _, err := s.VMGroundTruth(DemoVMCorrupt, 2001, last.Moref.Value, "*"); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("corrupt ctk: %v", err)
	}
	if _, err := s.VMGroundTruth(DemoVMCorrupt, 2000, last.Moref.Value, "*"); err != nil {
		t.Fatalf("the other disk of the corrupt VM: %v", err)
	}
}
