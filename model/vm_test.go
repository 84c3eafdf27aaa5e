package model

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// openVMDisk goes from the first list to the explorer on a VM's disk, its
// newest snapshot against the default base.
func openVMDisk(t *testing.T, m *Model, vm, disk string) {
	t.Helper()
	pick(t, m, vm)
	pick(t, m, disk)
	press(t, m, "enter", "enter")
	if screenName(m) != "explorer" {
		t.Fatalf("not in the explorer:\n%s", m.Render())
	}
}

// A VM's disk maps as a First Class Disk does: from the first list, to the
// VM, its disk, its snapshots; the map equals the simulator's truth.
func TestVMDiskMap(t *testing.T) {
	s, _ := demoSim()
	m := started(t, 160, 45)
	contains(t, m.Render(), "virtual machine", simulator.DemoVMWeb, "ds-prod-01")
	vm, _ := s.VM(simulator.DemoVMWeb)
	d := vm.Disks[1]
	openVMDisk(t, m, simulator.DemoVMWeb, d.Label)
	sel := m.explorer.sel
	newest, prev := vm.Snapshots[len(vm.Snapshots)-1], vm.Snapshots[len(vm.Snapshots)-2]
	if sel.vm == nil || sel.target.ID != newest.Moref.Value || sel.base != prev.ChangeIDs[itoa32(d.Key)] {
		t.Fatalf("selection %+v, want %s since %s's changeId", sel, newest.Name, prev.Name)
	}
	want, err := s.VMGroundTruth(vm.Name, d.Key, newest.Moref.Value, sel.base)
	if err != nil {
		t.Fatal(err)
	}
	var got []simulator.Extent
	for e := range explorerMap(m).Extents(0, explorerMap(m).Capacity()) {
		got = append(got, simulator.Extent{Start: e.Start, Length: e.Length})
	}
	if !slices.Equal(got, want) || !explorerMap(m).Complete() {
		t.Fatalf("map has %d extents, truth %d", len(got), len(want))
	}
	contains(t, m.Render(), simulator.DemoVMWeb+" · "+d.Label, "Heatmap", "Statistics")

	// Its export names the VM and the disk, and opens as a VM disk's.
	press(t, m, "e", "enter")
	path := strings.TrimPrefix(statusText(m), "exported to ")
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("status %q: %v", statusText(m), err)
	}
	defer f.Close()
	x, cm, err := vsphere.ReadExport(f)
	if err != nil || x.VM == nil || x.VM.Name != vm.Name || x.Disk.Key != d.Key || cm.Len() != len(want) {
		t.Fatalf("export %+v vm %+v: %v", x, x.VM, err)
	}
	cfg := testConfig(t)
	cfg.Opened = &Opened{Export: x, Map: cm, Path: path}
	cfg.Where = filepath.Base(path)
	o := New(cfg)
	o.Update(tea_WindowSize(160, 45))
	contains(t, o.Render(), simulator.DemoVMWeb+" · "+d.Label, "offline")
}

// A VM with CBT off, and a VM disk whose CBT is not yet in effect at the
// chosen snapshot, are refused with the reason before any query.
func TestVMDisksThatCannotBeQueried(t *testing.T) {
	s, _ := demoSim()
	m := started(t, 160, 45)
	off, _ := s.VM(simulator.DemoVMCBTOff)
	pick(t, m, simulator.DemoVMCBTOff)
	pick(t, m, off.Disks[0].Label)
	if screenName(m) != "error" || !strings.Contains(m.Render(), "CBT is not enabled on this VM") {
		t.Fatalf("a CBT-off VM's disk led to %s:\n%s", screenName(m), m.Render())
	}
	press(t, m, "esc", "esc")
	stun, _ := s.VM(simulator.DemoVMNeedsStun)
	pick(t, m, simulator.DemoVMNeedsStun)
	pick(t, m, stun.Disks[0].Label)
	press(t, m, "enter") // the newest snapshot: taken before CBT took effect
	if screenName(m) != "error" || !strings.Contains(m.Render(), "not yet in effect") {
		t.Fatalf("a disk without a changeId at the target led to %s:\n%s", screenName(m), m.Render())
	}
}

// --vm opens a VM disk's map directly, the pickers one esc away.
func TestSelectVMFromTheCommandLine(t *testing.T) {
	s, _ := demoSim()
	vm, _ := s.VM(simulator.DemoVMSQL)
	d := vm.Disks[len(vm.Disks)-1]
	cfg := testConfig(t)
	cfg.Select = &Select{VM: vm.Name, Disk: itoa32(d.Key), Snapshot: vm.Snapshots[1].Name, BaseSnapshot: vm.Snapshots[0].Moref.Value}
	m := New(cfg)
	m.Update(tea_WindowSize(160, 45))
	Drive(m, m.Init(), patience)
	if screenName(m) != "explorer" {
		t.Fatalf("--vm did not open the map:\n%s", m.Render())
	}
	sel := m.explorer.sel
	if sel.vm == nil || sel.vm.disk.Key != d.Key || sel.target.ID != vm.Snapshots[1].Moref.Value || sel.base != vm.Snapshots[0].ChangeIDs[itoa32(d.Key)] {
		t.Fatalf("selection %+v", sel)
	}
	press(t, m, "esc")
	if screenName(m) != "base" {
		t.Fatalf("esc went to %s", screenName(m))
	}
	press(t, m, "esc", "esc")
	if screenName(m) != "vmdisks" || selectedChoice(m).Name != d.Label {
		t.Fatalf("back at %s on %q", screenName(m), selectedChoice(m).Name)
	}
}

func itoa32(k int32) string { return strconv.Itoa(int(k)) }
