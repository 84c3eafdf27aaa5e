package vsphere

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// FindVM takes a name or a moref; a name two VMs share is a usage error
// listing both morefs, an unknown one a usage error; templates are not
// listed at all.
func TestFindVMAndTemplates(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	ctx := context.Background()
	gc := connectGovmomi(t, s)
	finder := find.NewFinder(gc)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := finder.DefaultResourcePool(ctx)
	if err != nil {
		t.Fatal(err)
	}
	other, err := folders.VmFolder.CreateFolder(ctx, "restored")
	if err != nil {
		t.Fatal(err)
	}
	task, err := other.CreateVM(ctx, types.VirtualMachineConfigSpec{
		Name: simulator.DemoVMWeb, GuestId: "otherLinux64Guest",
		Files: &types.VirtualMachineFileInfo{VmPathName: "[ds-prod-01] restored-web"},
	}, pool, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := task.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	var ue *UsageError
	_, err = c.FindVM(ctx, simulator.DemoVMWeb)
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "ambiguous") || strings.Count(err.Error(), "vm-") != 2 {
		t.Fatalf("ambiguous name: %v", err)
	}
	want, _ := s.VM(simulator.DemoVMWeb)
	vm, err := c.FindVM(ctx, want.Moref.Value)
	if err != nil || vm.Ref != want.Moref || vm.Name != simulator.DemoVMWeb {
		t.Fatalf("by moref: %+v, %v", vm, err)
	}
	if _, err := c.FindVM(ctx, "no-such-vm"); !errors.As(err, &ue) {
		t.Fatalf("unknown VM: %v", err)
	}
	if _, err := vm.FindDisk("Hard disk 9"); !errors.As(err, &ue) || !strings.Contains(err.Error(), "2000 (Hard disk 1)") {
		t.Fatalf("unknown disk: %v", err)
	}
	if d, err := vm.FindDisk("Hard disk 2"); err != nil || d.Key != 2001 {
		t.Fatalf("disk by label: %+v, %v", d, err)
	}

	off, _ := s.VM(simulator.DemoVMFileServer)
	if err := object.NewVirtualMachine(gc, off.Moref).MarkAsTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	vms, err := c.VMs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vms {
		if v.Ref == off.Moref {
			t.Fatalf("template %s listed", v.Name)
		}
	}
}
