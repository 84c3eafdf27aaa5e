package vsphere

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// each returns the error a loop in order would have met first, whatever
// the order the calls end in, and never runs more than its limit at once.
func TestEachReportsTheFirstErrorInOrder(t *testing.T) {
	var running, peak atomic.Int64
	release := make(chan struct{})
	var started atomic.Int64
	err := each(context.Background(), 12, 3, func(_ context.Context, i int) error {
		n := running.Add(1)
		defer running.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if started.Add(1) == 3 {
			close(release) // the first three are in: let them all go
		}
		<-release
		if i == 4 || i == 9 {
			return fmt.Errorf("call %d: %w", i, errors.ErrUnsupported)
		}
		return nil
	})
	if err == nil || err.Error() != "call 4: "+errors.ErrUnsupported.Error() || !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("got %v, want call 4's error", err)
	}
	if p := peak.Load(); p > 3 {
		t.Fatalf("%d calls ran at once under a limit of 3", p)
	}
}

// Given a datastore and an id, FindDiskSnapshots reads the disk and its
// snapshots at once; by name, or on a wrong datastore, it finds what
// FindDisk and Snapshots find one after the other, errors included.
func TestFindDiskSnapshotsAgreesWithFindDiskThenSnapshots(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	info, ok := s.Disk(simulator.DemoDatabase)
	if !ok {
		t.Fatal("no database demo disk")
	}
	ctx := t.Context()
	cases := []struct{ datastore, disk string }{
		{info.Datastore, info.ID},
		{info.Datastore, info.Name},
		{"", info.ID},
		{"", info.Name},
		{"no-such-datastore", info.ID},
		{info.Datastore, "no-such-disk"},
		{"ds-archive", simulator.DemoOffline},
	}
	for _, tc := range cases {
		d, snaps, err := c.FindDiskSnapshots(ctx, tc.datastore, tc.disk)
		wd, werr := c.FindDisk(ctx, tc.datastore, tc.disk)
		var wsnaps []Snapshot
		if werr == nil {
			wsnaps, werr = c.Snapshots(ctx, wd)
		}
		if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("%q on %q: error %v, one after the other %v", tc.disk, tc.datastore, err, werr)
		}
		if err == nil && (d != wd || !slices.Equal(snaps, wsnaps) || len(snaps) == 0) {
			t.Fatalf("%q on %q: %+v with %d snapshots, one after the other %+v with %d", tc.disk, tc.datastore, d, len(snaps), wd, len(wsnaps))
		}
	}
}

// FindVMSnapshots finds what FindVM and VMSnapshots find one after the
// other, by moref (one retrieval) or by name, errors included.
func TestFindVMSnapshotsAgreesWithFindVMThenVMSnapshots(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	ctx := t.Context()
	vms, err := c.VMs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var sql VM
	for _, vm := range vms {
		if vm.Name == simulator.DemoVMSQL {
			sql = vm
		}
	}
	if sql.Ref.Value == "" {
		t.Fatalf("no VM %s", simulator.DemoVMSQL)
	}
	for _, name := range []string{sql.Ref.Value, sql.Name, "vm-999999", "no-such-vm", simulator.DemoVMFileServer} {
		vm, snaps, err := c.FindVMSnapshots(ctx, name)
		wvm, werr := c.FindVM(ctx, name)
		var wsnaps []VMSnapshot
		if werr == nil {
			wsnaps, werr = c.VMSnapshots(ctx, wvm)
		}
		if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
			t.Fatalf("%q: error %v, one after the other %v", name, err, werr)
		}
		if err != nil {
			continue
		}
		if !reflect.DeepEqual(vm, wvm) || !reflect.DeepEqual(snaps, wsnaps) {
			t.Fatalf("%q: %+v with %d snapshots, one after the other %+v with %d", name, vm, len(snaps), wvm, len(wsnaps))
		}
		if name == sql.Ref.Value && len(snaps) == 0 {
			t.Fatalf("%s has no snapshots: the test compares nothing", name)
		}
	}
}

// Looking a disk up by name reads every disk of every datastore side by
// side, but never more than setupParallel calls at once in all: the limit
// is the client's, not each datastore's.
func TestFindDiskByNamePressesTheServerWithinTheLimit(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	s.SetKnobs(simulator.Knobs{Latency: 20 * time.Millisecond})
	d, err := c.FindDisk(t.Context(), "", simulator.DemoSparse)
	if err != nil || d.Name != simulator.DemoSparse {
		t.Fatalf("found %+v, %v", d, err)
	}
	if p := s.Stats().PeakConcurrent; p > setupParallel {
		t.Fatalf("%d calls at once, over the limit of %d", p, setupParallel)
	}
}
