package vsphere

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/vmware/govmomi/object"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// Each way a VM disk's query fails arrives typed, with its faultMessage
// key, the request (VM, device key, snapshot moref) and its diagnosis.
func TestVMFaultsAreDiagnosed(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	newest := func(snaps []VMSnapshot) *VMSnapshot { return &snaps[len(snaps)-1] }
	cases := []struct {
		name, vm string
		key      int32
		query    func(vm VM, d VMDisk, snaps []VMSnapshot) Query
		wantType string
		wantProp string
		wantKey  string
		title    string
	}{
		{"CBT off", simulator.DemoVMCBTOff, 2000, func(vm VM, d VMDisk, snaps []VMSnapshot) Query {
			q, _ := VMQuery(vm, d, newest(snaps), "*")
			return q
		}, "FileFault", "", keyNoTrack, "CBT was off: no tracking data"},
		{"CBT on, not in effect, since *", simulator.DemoVMNeedsStun, 2001, func(vm VM, d VMDisk, snaps []VMSnapshot) Query {
			q, _ := VMQuery(vm, d, newest(snaps), "*")
			return q
		}, "FileFault", "", keyNoEpoch, "No CBT epoch for changeId=*"},
		{"corrupt ctk", simulator.DemoVMCorrupt, 2001, func(vm VM, d VMDisk, snaps []VMSnapshot) Query {
			q, _ := VMQuery(vm, d, newest(snaps), snaps[len(snaps)-2].ChangeIDs[d.Key])
			return q
		}, "FileFault", "", keyCannotGetChanges, "Change tracking file corrupt"},
		{"epoch mismatch", simulator.DemoVMFileServer, 2000, func(vm VM, d VMDisk, snaps []VMSnapshot) Query {
			q, _ := VMQuery(vm, d, newest(snaps), snaps[0].ChangeIDs[d.Key])
			return q
		}, "FileFault", "", keyCannotGetChanges, "changeId from another CBT epoch"},
		{"not a disk", simulator.DemoVMWeb, 2000, func(vm VM, d VMDisk, snaps []VMSnapshot) Query {
			q, _ := VMQuery(vm, d, newest(snaps), "*")
			q.VM.DeviceKey = 1000 // the SCSI controller
			return q
		}, "InvalidArgument", "deviceKey", "", "Not a disk"},
		{"startOffset past the end", simulator.DemoVMWeb, 2000, func(vm VM, d VMDisk, snaps []VMSnapshot) Query {
			q, _ := VMQuery(vm, d, newest(snaps), "*")
			q.Capacity *= 2 // the client believes the disk is larger: it pages past the end
			return q
		}, "InvalidArgument", "startOffset", "", "startOffset past the end of the disk"},
		{"malformed changeId", simulator.DemoVMSQL, 2001, func(vm VM, d VMDisk, snaps []VMSnapshot) Query {
			q, _ := VMQuery(vm, d, newest(snaps), "52 00/1")
			return q
		}, "InvalidArgument", "changeId", "", "Malformed changeId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			vm, snaps := vmOf(t, c, tc.vm)
			d, err := vm.FindDisk(strconv.Itoa(int(tc.key)))
			if err != nil {
				t.Fatal(err)
			}
			q := tc.query(vm, d, snaps)
			_, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 1})
			if done.Complete || len(faults) == 0 || faults[0].Fault == nil {
				t.Fatalf("done %+v faults %+v", done, faults)
			}
			f := faults[0].Fault
			if f.Type != tc.wantType || f.InvalidProperty != tc.wantProp || (tc.wantKey != "" && !f.HasKey(tc.wantKey)) || f.Diagnosis.Title != tc.title {
				t.Fatalf("fault %s (%s) keys %+v diagnosis %q", f.Type, f.InvalidProperty, f.Messages, f.Diagnosis.Title)
			}
			r := f.Request
			if r == nil || r.VM != vm.Ref.Value || r.DeviceKey != q.VM.DeviceKey || r.Snapshot != q.Snapshot || r.ChangeID != q.ChangeID {
				t.Fatalf("request %+v for query %+v", r, q)
			}
			wantText := "vm " + vm.Ref.Value + ", disk " + itoa(q.VM.DeviceKey) + ", snapshot " + q.Snapshot
			if !strings.Contains(f.Error(), wantText) || !strings.Contains(f.Report(""), "request: "+wantText) {
				t.Fatalf("error %q / report %q do not name %q", f.Error(), f.Report(""), wantText)
			}
		})
	}

	// A snapshot deleted after it was listed: NotFound.
	t.Run("snapshot gone", func(t *testing.T) {
		vm, snaps := vmOf(t, c, simulator.DemoVMSQL)
		sn := snaps[1]
		task, err := object.NewVirtualMachine(connectGovmomi(t, s), vm.Ref).RemoveSnapshot(context.Background(), sn.Ref.Value, false, nil)
		if err == nil {
			err = task.Wait(context.Background())
		}
		if err != nil {
			t.Fatal(err)
		}
		q, _ := VMQuery(vm, vm.Disks[0], &sn, "*")
		_, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 1})
		if done.Complete || len(faults) == 0 || faults[0].Fault == nil {
			t.Fatalf("done %+v faults %+v", done, faults)
		}
		if f := faults[0].Fault; f.Type != "NotFound" || f.Diagnosis.Title != "Disk or snapshot not found" || f.Request.Snapshot != sn.Ref.Value {
			t.Fatalf("fault %+v", f)
		}
	})
}

func itoa(k int32) string { return strconv.Itoa(int(k)) }

// CBT enabled but not yet in effect is told before any query; healthy
// disks and CBT that is simply off are not.
func TestCBTNotInEffect(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	for _, tc := range []struct {
		vm   string
		want bool
	}{{simulator.DemoVMNeedsStun, true}, {simulator.DemoVMWeb, false}, {simulator.DemoVMCBTOff, false}} {
		vm, snaps := vmOf(t, c, tc.vm)
		for _, d := range vm.Disks {
			diag, ok := CBTNotInEffect(vm, d, &snaps[len(snaps)-1])
			if ok != tc.want || (ok && (diag.Title != "CBT is on but not yet in effect" || !strings.Contains(diag.Remedy, "snapshot"))) {
				t.Fatalf("%s disk %d: %v %+v", vm.Name, d.Key, ok, diag)
			}
			if _, now := CBTNotInEffect(vm, d, nil); now != tc.want {
				t.Fatalf("%s disk %d now: %v (backing changeId %q)", vm.Name, d.Key, now, d.ChangeID)
			}
		}
	}
}
