package vsphere

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// vmOf finds a demo VM and its snapshots through the client.
func vmOf(t testing.TB, c *Client, name string) (VM, []VMSnapshot) {
	t.Helper()
	vm, err := c.FindVM(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := c.VMSnapshots(context.Background(), vm)
	if err != nil {
		t.Fatal(err)
	}
	return vm, snaps
}

// The inventory, read through one paged retrieval, is what the simulator
// holds: every VM, its power and CBT state, its disks; and each snapshot's
// changeIds are those stamped on its backings.
func TestVMsAndSnapshotsMatchTheSimulator(t *testing.T) {
	old := vmPageSize
	vmPageSize = 2 // several pages for the demo's seven VMs
	t.Cleanup(func() { vmPageSize = old })
	s, c := startSim(t, simulator.Options{})
	before := s.Stats().Calls
	vms, err := c.VMs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	after := s.Stats().Calls
	if n := after["RetrievePropertiesEx"] - before["RetrievePropertiesEx"]; n != 2 { // datastores, then VMs
		t.Errorf("VMs made %d RetrievePropertiesEx calls, want 2", n)
	}
	if n := after["ContinueRetrievePropertiesEx"] - before["ContinueRetrievePropertiesEx"]; n < 3 {
		t.Errorf("VMs made %d ContinueRetrievePropertiesEx calls with pages of 2 VMs, want at least 3", n)
	}
	if !slices.IsSortedFunc(vms, func(a, b VM) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("VMs not sorted by name")
	}
	want := s.VMs()
	if len(want) < 5 {
		t.Fatalf("demo has %d VMs with disks", len(want))
	}
	for _, w := range want {
		i := slices.IndexFunc(vms, func(v VM) bool { return v.Ref == w.Moref })
		if i < 0 {
			t.Fatalf("VM %s missing", w.Name)
		}
		vm := vms[i]
		if vm.Name != w.Name || vm.PowerState != w.PowerState || vm.CBTEnabled != w.CBTEnabled || len(vm.Disks) != len(w.Disks) {
			t.Fatalf("VM %+v, simulator says %+v", vm, w)
		}
		for k, d := range vm.Disks {
			wd := w.Disks[k]
			if d.Key != wd.Key || d.Label != wd.Label || d.CapacityBytes != wd.CapacityBytes || d.Datastore.Name != wd.Datastore || !strings.HasSuffix(d.File, ".vmdk") {
				t.Fatalf("VM %s disk %+v, simulator says %+v", vm.Name, d, wd)
			}
		}
		before := s.Stats().Calls["RetrievePropertiesEx"]
		snaps, err := c.VMSnapshots(t.Context(), vm)
		if err != nil {
			t.Fatal(err)
		}
		if n := s.Stats().Calls["RetrievePropertiesEx"] - before; n != 2 {
			t.Errorf("VMSnapshots of %s made %d retrievals, want 2 (the tree, then every snapshot at once)", vm.Name, n)
		}
		if len(snaps) != len(w.Snapshots) {
			t.Fatalf("VM %s: %d snapshots, simulator has %d", vm.Name, len(snaps), len(w.Snapshots))
		}
		for k, sn := range snaps {
			ws := w.Snapshots[k]
			if sn.Ref != ws.Moref || sn.Name != ws.Name || !sn.CreateTime.Equal(ws.CreateTime) || len(sn.ChangeIDs) != len(ws.ChangeIDs) {
				t.Fatalf("VM %s snapshot %d: %+v, simulator says %+v", vm.Name, k, sn, ws)
			}
			for key, id := range sn.ChangeIDs {
				if ws.ChangeIDs[strconv.Itoa(int(key))] != id {
					t.Fatalf("VM %s snapshot %s disk %d: changeId %q, simulator says %q", vm.Name, sn.Name, key, id, ws.ChangeIDs[strconv.Itoa(int(key))])
				}
			}
			if k > 0 && sn.CreateTime.Before(snaps[k-1].CreateTime) {
				t.Fatalf("VM %s: snapshots not oldest first", vm.Name)
			}
		}
	}
}

// Every demo VM disk, at every snapshot, against the previous snapshot's
// changeId and against "*", with one worker and with four: the map equals
// the journal's truth, or, where the truth is a fault, the fetch faults.
func TestVMFetchMatchesGroundTruth(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 700})
	vms, err := c.VMs(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, vm := range vms {
		if len(vm.Disks) == 0 {
			continue
		}
		snaps, err := c.VMSnapshots(t.Context(), vm)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range vm.Disks {
			for i, sn := range snaps {
				bases := []string{"*"}
				if i > 0 && snaps[i-1].ChangeIDs[d.Key] != "" {
					bases = append(bases, snaps[i-1].ChangeIDs[d.Key])
				}
				for _, base := range bases {
					want, truthErr := s.VMGroundTruth(vm.Name, d.Key, sn.Ref.Value, base)
					q, err := VMQuery(vm, d, &sn, base)
					if err != nil {
						t.Fatal(err)
					}
					for _, workers := range []int{1, 4} {
						name := fmt.Sprintf("%s disk %d at %s since %q, %d workers", vm.Name, d.Key, sn.Name, base, workers)
						m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: workers})
						if truthErr != nil {
							if done.Complete || len(faults) == 0 || faults[0].Fault == nil {
								t.Fatalf("%s: ground truth faults (%v), the fetch did not: %+v", name, truthErr, done)
							}
							continue
						}
						if !done.Complete || len(faults) > 0 {
							t.Fatalf("%s: done %+v, faults %v", name, done, faults)
						}
						if got := extentsOf(m); !slices.Equal(got, want) {
							t.Fatalf("%s: %d extents, ground truth has %d", name, len(got), len(want))
						}
						checked++
					}
				}
			}
		}
	}
	if n := c.FallbackDecodes(); n != 0 {
		t.Errorf("%d VM replies left to govmomi's decoder: the fast one should read them all", n)
	}
	t.Logf("%d complete maps checked", checked)
	if checked < 40 {
		t.Fatalf("only %d complete maps checked", checked)
	}
}

// A powered-off VM's disk may be queried as it is now, without a snapshot.
func TestVMPoweredOffQueriedWithoutSnapshot(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	vm, snaps := vmOf(t, c, simulator.DemoVMFileServer)
	if vm.PoweredOn() {
		t.Fatalf("%s is %s", vm.Name, vm.PowerState)
	}
	d := vm.Disks[0]
	for _, base := range []string{"*", snaps[len(snaps)-1].ChangeIDs[d.Key]} {
		q, err := VMQuery(vm, d, nil, base)
		if err != nil {
			t.Fatal(err)
		}
		want, err := s.VMGroundTruth(vm.Name, d.Key, "", base)
		if err != nil {
			t.Fatal(err)
		}
		m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 2})
		if !done.Complete || len(faults) > 0 || !slices.Equal(extentsOf(m), want) {
			t.Fatalf("since %q: done %+v faults %v, %d extents, want %d", base, done, faults, m.Len(), len(want))
		}
		// Its export names the VM and the disk, and reads back whole.
		ev, ed := VMExportDisk(vm, d)
		e := NewExport(ed, "", base, m, nil)
		e.VM = ev
		var b bytes.Buffer
		if err := e.WriteJSON(&b); err != nil {
			t.Fatal(err)
		}
		back, bm, err := ReadExport(&b)
		if err != nil || back.VM.Moref != vm.Ref.Value || back.Disk.Key != d.Key || back.Disk.Label != d.Label || !slices.Equal(extentsOf(bm), want) {
			t.Fatalf("export read back: %+v, %v", back, err)
		}
	}
}

// A powered-on VM is refused before any call, with a usage error; asked
// anyway, the server refuses too, and the fault is diagnosed.
func TestVMPoweredOnWithoutSnapshotIsRefused(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	vm, _ := vmOf(t, c, simulator.DemoVMWeb)
	before := s.Stats().Calls["QueryChangedDiskAreas"]
	_, err := VMQuery(vm, vm.Disks[0], nil, "*")
	var ue *UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "a powered-on VM needs a snapshot to query") {
		t.Fatalf("VMQuery: %v", err)
	}
	if s.Stats().Calls["QueryChangedDiskAreas"] != before {
		t.Fatal("a call was made")
	}
	q := Query{VM: &VMDiskRef{VM: vm.Ref, DeviceKey: vm.Disks[0].Key}, Capacity: vm.Disks[0].CapacityBytes, ChangeID: "*"}
	_, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 1})
	if done.Complete || len(faults) != 1 || faults[0].Fault == nil {
		t.Fatalf("done %+v faults %+v", done, faults)
	}
	if f := faults[0].Fault; f.Type != "InvalidPowerState" || f.Diagnosis.Title != "A powered-on VM needs a snapshot" {
		t.Fatalf("fault %s, diagnosis %q", f.Type, f.Diagnosis.Title)
	}
}

// The VM query kind shares the engine's retries and relogin: dropped
// connections, HTTP 500s and expired sessions are survived, and the map
// still equals the journal's truth.
func TestVMTransientFailuresAreSurvived(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 300})
	vm, snaps := vmOf(t, c, simulator.DemoVMSQL)
	d := vm.Disks[1]
	target, base, err := PickVMSnapshots(snaps, d.Key, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.VMGroundTruth(vm.Name, d.Key, target.Ref.Value, base)
	if err != nil {
		t.Fatal(err)
	}
	q, err := VMQuery(vm, d, &target, base)
	if err != nil {
		t.Fatal(err)
	}
	for name, knobs := range map[string]simulator.Knobs{
		"dropped connection": {DropConnection: simulator.Trigger{Nth: 3, Every: 7}},
		"HTTP 500":           {HTTP500: simulator.Trigger{Nth: 2, Every: 5}},
		"session expiry":     {SessionExpiry: simulator.Trigger{Nth: 4, Every: 9}},
	} {
		for _, workers := range []int{1, 4} {
			s.SetKnobs(knobs)
			m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: workers, Retry: fastRetry})
			s.SetKnobs(simulator.Knobs{})
			if !done.Complete || len(faults) > 0 || done.Progress.Retries == 0 {
				t.Fatalf("%s, %d workers: done %+v, faults %+v", name, workers, done, faults)
			}
			if got := extentsOf(m); !slices.Equal(got, want) {
				t.Fatalf("%s, %d workers: %d extents, want %d", name, workers, len(got), len(want))
			}
		}
	}
}
