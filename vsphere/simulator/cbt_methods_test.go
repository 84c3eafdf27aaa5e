package simulator

import (
	"context"
	"sync"
	"testing"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vslm"
)

func cbtEnabled(t *testing.T, c *vim25.Client, ds types.ManagedObjectReference, id string) bool {
	t.Helper()
	obj, err := vslm.NewObjectManager(c).Retrieve(context.Background(), ds, id)
	if err != nil {
		t.Fatal(err)
	}
	return obj.Config.ChangedBlockTrackingEnabled != nil && *obj.Config.ChangedBlockTrackingEnabled
}

func TestControlFlagsToggleCBT(t *testing.T) {
	s := start(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	d, ds := lookup(t, s, DemoCBTOff)
	flags := []string{string(types.VslmVStorageObjectControlFlagEnableChangedBlockTracking)}
	this := *c.ServiceContent.VStorageObjectManager

	if cbtEnabled(t, c, ds, d.ID) {
		t.Fatal("CBT-off demo disk reports changedBlockTrackingEnabled")
	}
	if _, err := methods.SetVStorageObjectControlFlags(ctx, c, &types.SetVStorageObjectControlFlags{This: this, Id: types.ID{Id: d.ID}, Datastore: ds, ControlFlags: flags}); err != nil {
		t.Fatal(err)
	}
	if !cbtEnabled(t, c, ds, d.ID) {
		t.Error("after SetVStorageObjectControlFlags, changedBlockTrackingEnabled is false")
	}
	// Snapshots from before CBT have no epoch; a new one does, and the
	// write after it shows up in the next incremental.
	q := target{ds: ds, disk: d, snapshot: d.Snapshots[0].ID, changeID: "*"}
	_, err := query(ctx, c, q, 0)
	wantFault(t, err, &types.FileFault{}, KeyCBTNoEpoch)
	first, err := s.TakeSnapshot(d.ID, "after enabling CBT")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(d.ID, Extent{Start: 5 << 20, Length: 100 << 10}); err != nil {
		t.Fatal(err)
	}
	second, _ := s.TakeSnapshot(d.ID, "next")
	got, _, err := sweep(ctx, c, target{ds: ds, disk: d, snapshot: second.ID, changeID: first.ChangeID}, defaultPageExtents)
	if err != nil {
		t.Fatal(err)
	}
	// 100 KiB at 5 MiB touches blocks 80 and 81 of 64 KiB.
	if err := equalExtents(got, []Extent{{Start: 80 << 16, Length: 2 << 16}}); err != nil {
		t.Error(err)
	}

	if _, err := methods.ClearVStorageObjectControlFlags(ctx, c, &types.ClearVStorageObjectControlFlags{This: this, Id: types.ID{Id: d.ID}, Datastore: ds, ControlFlags: flags}); err != nil {
		t.Fatal(err)
	}
	if cbtEnabled(t, c, ds, d.ID) {
		t.Error("after ClearVStorageObjectControlFlags, changedBlockTrackingEnabled is true")
	}
	_, err = query(ctx, c, target{ds: ds, disk: d, snapshot: second.ID, changeID: first.ChangeID}, 0)
	wantFault(t, err, &types.InvalidState{}, KeyCBTNotEnabled)

	// Toggling is a reset: the old changeId belongs to a dead epoch.
	if _, err := methods.SetVStorageObjectControlFlags(ctx, c, &types.SetVStorageObjectControlFlags{This: this, Id: types.ID{Id: d.ID}, Datastore: ds, ControlFlags: flags}); err != nil {
		t.Fatal(err)
	}
	third, _ := s.TakeSnapshot(d.ID, "after toggling")
	_, err = query(ctx, c, target{ds: ds, disk: d, snapshot: third.ID, changeID: first.ChangeID}, 0)
	wantFault(t, err, &types.FileFault{}, KeyCBTCannotGetChanges)

	_, err = methods.SetVStorageObjectControlFlags(ctx, c, &types.SetVStorageObjectControlFlags{This: this, Id: types.ID{Id: d.ID}, Datastore: ds, ControlFlags: []string{"bogus"}})
	wantFault(t, err, &types.InvalidArgument{}, KeyInvalidControlFlag)
}

func TestResetCBTMakesOldChangeIDsFail(t *testing.T) {
	s := start(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	d, ds := lookup(t, s, DemoDatabase)
	old := d.Snapshots[0].ChangeID
	if err := s.ResetCBT(d.ID); err != nil {
		t.Fatal(err)
	}
	snap, _ := s.TakeSnapshot(d.ID, "after extending the disk")
	_, err := query(ctx, c, target{ds: ds, disk: d, snapshot: snap.ID, changeID: old}, 0)
	f := wantFault(t, err, &types.FileFault{}, KeyCBTCannotGetChanges)
	if f.GetMethodFault().FaultCause == nil {
		t.Error("epoch mismatch has no faultCause")
	}
	if _, err := query(ctx, c, target{ds: ds, disk: d, snapshot: snap.ID, changeID: "*"}, 0); err != nil {
		t.Errorf("* after a reset: %v", err)
	}
}

func TestRetrieveSnapshotDetailsReturnsChangeIDs(t *testing.T) {
	s := start(t, Options{TLS: true})
	c := connect(t, s)
	ctx := context.Background()
	this := *c.ServiceContent.VStorageObjectManager
	for _, name := range []string{DemoDatabase, DemoLateCBT, DemoEpochReset} {
		d, ds := lookup(t, s, name)
		for _, sn := range d.Snapshots {
			res, err := methods.RetrieveSnapshotDetails(ctx, c, &types.RetrieveSnapshotDetails{This: this, Id: types.ID{Id: d.ID}, Datastore: ds, SnapshotId: types.ID{Id: sn.ID}})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Returnval.ChangedBlockTrackingId; got != sn.ChangeID {
				t.Errorf("%s/%s: changedBlockTrackingId %q, want %q", name, sn.ID, got, sn.ChangeID)
			}
			if res.Returnval.Path == "" {
				t.Errorf("%s/%s: no path", name, sn.ID)
			}
		}
	}
	d, ds := lookup(t, s, DemoDatabase)
	_, err := methods.RetrieveSnapshotDetails(ctx, c, &types.RetrieveSnapshotDetails{This: this, Id: types.ID{Id: d.ID}, Datastore: ds, SnapshotId: types.ID{Id: "nope"}})
	wantFault(t, err, &types.NotFound{}, KeySnapshotNotFound)
}

// Several clients page the same and different queries while another takes
// snapshots over the wire: every sweep must still equal its ground truth,
// and -race must stay quiet.
func TestConcurrentPagingWhileSnapshotting(t *testing.T) {
	s := start(t, Options{PageExtents: 500})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	names := []string{DemoDatabase, DemoBootStorm, DemoDatabase, DemoFreshFS}
	for _, name := range names {
		c := connect(t, s)
		d, ds := lookup(t, s, name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range pairs(d) {
				want, err := s.GroundTruth(d.ID, p[0], p[1])
				if err != nil {
					errs <- err
					return
				}
				got, _, err := sweep(ctx, c, target{ds: ds, disk: d, snapshot: p[0], changeID: p[1]}, 500)
				if err == nil {
					err = equalExtents(got, want)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	snapper := connect(t, s)
	om := vslm.NewObjectManager(snapper)
	for i, name := range []string{DemoDatabase, DemoBootStorm, DemoDatabase} {
		d, ds := lookup(t, s, name)
		if err := s.Write(d.ID, Extent{Start: int64(i) << 30, Length: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		task, err := om.CreateSnapshot(ctx, object.NewDatastore(snapper, ds), d.ID, "during paging")
		if err != nil {
			t.Fatal(err)
		}
		res, err := task.WaitForResult(ctx)
		if err != nil {
			t.Fatal(err)
		}
		id := res.Result.(types.ID).Id
		after, _ := s.Disk(d.ID)
		if sn := after.Snapshots[len(after.Snapshots)-1]; sn.ID != id || sn.ChangeID == "" {
			t.Errorf("snapshot %s taken over the wire is not the newest in the journal: %+v", id, sn)
		}
		info, err := om.RetrieveSnapshotInfo(ctx, object.NewDatastore(snapper, ds), d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(info.Snapshots); n != len(after.Snapshots) {
			t.Errorf("vcsim lists %d snapshots, journal %d", n, len(after.Snapshots))
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestAttachDiskToVMStillWorks(t *testing.T) {
	s := start(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	finder := find.NewFinder(c)
	vm, err := finder.VirtualMachine(ctx, "backup-proxy-01")
	if err != nil {
		t.Fatal(err)
	}
	d, ds := lookup(t, s, DemoDatabase)
	if err := vm.AttachDisk(ctx, d.ID, object.NewDatastore(c, ds), 0, nil); err != nil {
		t.Fatal(err)
	}
	obj, err := vslm.NewObjectManager(c).Retrieve(ctx, ds, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(obj.Config.ConsumerId) == 0 {
		t.Error("attached disk has no consumer")
	}
	// And CBT still answers for the attached disk.
	if _, err := query(ctx, c, target{ds: ds, disk: d, snapshot: d.Snapshots[0].ID, changeID: "*"}, 0); err != nil {
		t.Error(err)
	}
}
