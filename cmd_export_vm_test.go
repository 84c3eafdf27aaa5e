package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// export --vm writes a VM disk's map, equal to the simulator's truth, named
// as a VM disk, for every disk of a healthy VM, by label or key, by
// snapshot name or moref.
func TestExportVMDisk(t *testing.T) {
	s, _ := exportSim()
	for _, name := range []string{simulator.DemoVMWeb, simulator.DemoVMSQL} {
		vm, ok := s.VM(name)
		if !ok {
			t.Fatalf("no demo VM %s", name)
		}
		newest, prev := vm.Snapshots[len(vm.Snapshots)-1], vm.Snapshots[len(vm.Snapshots)-2]
		for i, d := range vm.Disks {
			key := strconv.Itoa(int(d.Key))
			base := prev.ChangeIDs[key]
			want, err := s.VMGroundTruth(name, d.Key, newest.Moref.Value, base)
			if err != nil {
				t.Fatal(err)
			}
			diskArg, snapArg := d.Label, newest.Name
			if i%2 == 1 {
				diskArg, snapArg = key, newest.Moref.Value
			}
			code, out, errs := runCLI(t, exportArgs(t, "--vm", name, "--disk", diskArg, "--snapshot", snapArg)...)
			if code != exitOK {
				t.Fatalf("%s %s: exit %d: %s", name, diskArg, code, errs)
			}
			e := readJSONExport(t, out)
			if e.VM == nil || e.VM.Name != name || e.VM.Moref != vm.Moref.Value || e.Disk.Key != d.Key || e.Disk.Label != d.Label ||
				e.SnapshotID != newest.Moref.Value || e.ChangeID != base || !e.Complete {
				t.Fatalf("%s %s: export names vm %+v disk %+v snapshot %s changeId %s", name, diskArg, e.VM, e.Disk, e.SnapshotID, e.ChangeID)
			}
			if got := toSim(e.ChangedArea); !slices.Equal(got, want) {
				t.Fatalf("%s %s: %d extents, truth %d", name, diskArg, len(got), len(want))
			}
		}
	}
}

// VM mistakes are usage errors (exit 2) naming what there is; a disk whose
// CBT is not yet in effect is refused before any query with the remedy; a
// VM fault is diagnosed (exit 1).
func TestExportVMErrors(t *testing.T) {
	s, _ := exportSim()
	web, _ := s.VM(simulator.DemoVMWeb)
	stun, _ := s.VM(simulator.DemoVMNeedsStun)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown VM", []string{"--vm", "no-such-vm", "--disk", "2000"}, exitUsage, "no-such-vm"},
		{"unknown disk", []string{"--vm", simulator.DemoVMWeb, "--disk", "Hard disk 9"}, exitUsage, web.Disks[0].Label},
		{"unknown snapshot", []string{"--vm", simulator.DemoVMWeb, "--disk", "2000", "--snapshot", "nope"}, exitUsage, "nope"},
		{"base after target", []string{"--vm", simulator.DemoVMWeb, "--disk", "2000", "--snapshot", web.Snapshots[0].Name, "--base-snapshot", web.Snapshots[1].Name}, exitUsage, "not older"},
		{"datastore with vm", []string{"--vm", simulator.DemoVMWeb, "--disk", "2000", "--datastore", "ds-prod-01"}, exitUsage, "--datastore"},
		{"CBT not yet in effect", []string{"--vm", stun.Name, "--disk", strconv.Itoa(int(stun.Disks[0].Key))}, exitUsage, "not yet in effect"},
		{"CBT off", []string{"--vm", simulator.DemoVMCBTOff, "--disk", "2000", "--change-id", "*"}, exitFault, "noTrack"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runCLI(t, exportArgs(t, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d (want %d), stderr:\n%s", code, tc.code, errs)
			}
			if tc.code == exitUsage && strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Fatalf("a usage error of more than one line:\n%s", errs)
			}
		})
	}
}
