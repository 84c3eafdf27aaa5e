package simulator

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// wantFault checks that err is a SOAP fault whose detail decoded, on the
// client, to exactly the type of want (govmomi decodes fault details as
// values), that fault.As finds it, and that it carries a faultMessage with
// key. It returns the fault as fault.As filled it in.
func wantFault(t *testing.T, err error, want types.BaseMethodFault, key string) types.BaseMethodFault {
	t.Helper()
	if err == nil {
		t.Fatalf("no fault, want %T", want)
	}
	if !soap.IsSoapFault(err) {
		t.Fatalf("error %v is not a SOAP fault", err)
	}
	detail := soap.ToSoapFault(err).VimFault()
	if reflect.TypeOf(detail) != reflect.TypeOf(want).Elem() {
		t.Fatalf("fault %T (%v), want %T", detail, err, want)
	}
	target := reflect.New(reflect.TypeOf(want))
	if _, ok := fault.As(err, target.Interface()); !ok {
		t.Fatalf("fault.As(%T) does not match %v", want, err)
	}
	got := target.Elem().Interface().(types.BaseMethodFault)
	var keys []string
	for _, m := range got.GetMethodFault().FaultMessage {
		keys = append(keys, m.Key)
		if m.Key == key && m.Message == "" {
			t.Errorf("faultMessage %s has no message", key)
		}
	}
	if !slices.Contains(keys, key) {
		t.Errorf("faultMessage keys %v, want %s", keys, key)
	}
	return got
}

func TestFaultsArriveTyped(t *testing.T) {
	s := start(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	q := func(name string) (target, DiskInfo) {
		d, ds := lookup(t, s, name)
		n := len(d.Snapshots)
		return target{ds: ds, disk: d, snapshot: d.Snapshots[n-1].ID, changeID: "*"}, d
	}
	run := func(tq target, off int64) error {
		_, err := query(ctx, c, tq, off)
		return err
	}

	t.Run("CBT off is InvalidState", func(t *testing.T) {
		tq, _ := q(DemoCBTOff)
		wantFault(t, run(tq, 0), &types.InvalidState{}, KeyCBTNotEnabled)
	})
	t.Run("corrupt ctk is FileFault cannotGetChanges saying corrupt", func(t *testing.T) {
		tq, d := q(DemoCorruptCTK)
		tq.changeID = d.Snapshots[0].ChangeID
		f := wantFault(t, run(tq, 0), &types.FileFault{}, KeyCBTCannotGetChanges)
		mf := f.GetMethodFault()
		if !strings.Contains(mf.FaultMessage[0].Message, "corrupt") {
			t.Errorf("message %q does not say corrupt", mf.FaultMessage[0].Message)
		}
		if mf.FaultCause == nil || mf.FaultCause.Fault == nil {
			t.Error("no faultCause")
		}
		if file := f.(*types.FileFault).File; !strings.HasSuffix(file, "-ctk.vmdk") {
			t.Errorf("file %q is not a ctk file", file)
		}
	})
	t.Run("changeId from before a CBT reset is cannotGetChanges, not corrupt", func(t *testing.T) {
		tq, d := q(DemoEpochReset)
		tq.changeID = d.Snapshots[0].ChangeID
		f := wantFault(t, run(tq, 0), &types.FileFault{}, KeyCBTCannotGetChanges)
		if strings.Contains(f.GetMethodFault().FaultMessage[0].Message, "corrupt") {
			t.Errorf("epoch mismatch says corrupt: %q", f.GetMethodFault().FaultMessage[0].Message)
		}
		tq.changeID = d.Snapshots[2].ChangeID // after the reset: fine
		if err := run(tq, 0); err != nil {
			t.Errorf("changeId from the current epoch: %v", err)
		}
	})
	t.Run("* on a snapshot taken before CBT is noEpoch", func(t *testing.T) {
		tq, d := q(DemoLateCBT)
		tq.snapshot = d.Snapshots[0].ID
		wantFault(t, run(tq, 0), &types.FileFault{}, KeyCBTNoEpoch)
	})
	t.Run("a changeId on a snapshot taken before CBT is noTrack", func(t *testing.T) {
		tq, d := q(DemoLateCBT)
		tq.snapshot, tq.changeID = d.Snapshots[1].ID, d.Snapshots[2].ChangeID
		wantFault(t, run(tq, 0), &types.FileFault{}, KeyCBTNoTrack)
	})
	t.Run("startOffset at the end is InvalidArgument startOffset", func(t *testing.T) {
		tq, d := q(DemoDatabase)
		for _, off := range []int64{d.CapacityBytes, d.CapacityBytes + 1<<20, -1} {
			f := wantFault(t, run(tq, off), &types.InvalidArgument{}, KeyInvalidStartOffset)
			if p := f.(*types.InvalidArgument).InvalidProperty; p != "startOffset" {
				t.Errorf("offset %d: invalidProperty %q", off, p)
			}
		}
	})
	t.Run("malformed changeId is InvalidArgument changeId", func(t *testing.T) {
		tq, d := q(DemoDatabase)
		good := d.Snapshots[0].ChangeID
		for _, bad := range []string{"", "bad", strings.ReplaceAll(good, " ", ""), good[:47], good[:47] + "/x", "'" + good + "'"} {
			tq.changeID = bad
			f := wantFault(t, run(tq, 0), &types.InvalidArgument{}, KeyInvalidChangeID)
			if p := f.(*types.InvalidArgument).InvalidProperty; p != "changeId" {
				t.Errorf("changeId %q: invalidProperty %q", bad, p)
			}
		}
	})
	t.Run("unknown disk or snapshot is NotFound", func(t *testing.T) {
		tq, _ := q(DemoDatabase)
		tq.snapshot = "00000000-0000-4000-8000-000000000000"
		wantFault(t, run(tq, 0), &types.NotFound{}, KeySnapshotNotFound)
		tq, _ = q(DemoDatabase)
		tq.disk.ID = "00000000-0000-4000-8000-000000000000"
		wantFault(t, run(tq, 0), &types.NotFound{}, KeyObjectNotFound)
	})
	t.Run("inaccessible datastore is InvalidDatastore", func(t *testing.T) {
		tq, _ := q(DemoOffline)
		f := wantFault(t, run(tq, 0), &types.InvalidDatastore{}, KeyDatastoreInaccess)
		cause := f.GetMethodFault().FaultCause
		if cause == nil {
			t.Fatal("no faultCause")
		}
		if _, ok := cause.Fault.(*types.InaccessibleDatastore); !ok {
			t.Errorf("faultCause %T, want InaccessibleDatastore", cause.Fault)
		}
	})
	t.Run("the wrong datastore is InvalidDatastore", func(t *testing.T) {
		tq, _ := q(DemoDatabase)
		other, _ := q(DemoFreshFS)
		tq.ds = other.ds
		wantFault(t, run(tq, 0), &types.InvalidDatastore{}, KeyWrongDatastore)
	})
}
