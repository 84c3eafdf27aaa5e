package simulator

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vslm"
)

// inventoryReads is what cbtscope reads from a vCenter, every read a
// different vim25 method: a container view paged through
// RetrievePropertiesEx and ContinueRetrievePropertiesEx, then each
// datastore's disks (ListVStorageObject, RetrieveVStorageObject), their
// snapshots (RetrieveSnapshotInfo, RetrieveSnapshotDetails) and the
// properties of one VM.
type inventoryReads struct {
	Names     map[types.ManagedObjectReference]string
	Pages     int
	Disks     map[string]*types.VStorageObject
	Snapshots map[string]*types.VStorageObjectSnapshotInfo
	Details   map[string]types.VStorageObjectSnapshotDetails
	VM        mo.VirtualMachine
}

func readInventory(ctx context.Context, c *vim25.Client, s *Server) (inventoryReads, error) {
	out := inventoryReads{
		Names:     map[types.ManagedObjectReference]string{},
		Disks:     map[string]*types.VStorageObject{},
		Snapshots: map[string]*types.VStorageObjectSnapshotInfo{},
		Details:   map[string]types.VStorageObjectSnapshotDetails{},
	}
	v, err := view.NewManager(c).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"Datastore", "VirtualMachine"}, true)
	if err != nil {
		return out, fmt.Errorf("CreateContainerView: %w", err)
	}
	defer v.Destroy(ctx)
	spec := types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{Obj: v.Reference(), Skip: types.NewBool(true), SelectSet: []types.BaseSelectionSpec{
			&types.TraversalSpec{Type: "ContainerView", Path: "view"},
		}}},
		PropSet: []types.PropertySpec{{Type: "Datastore", PathSet: []string{"name"}}, {Type: "VirtualMachine", PathSet: []string{"name"}}},
	}
	pc := c.ServiceContent.PropertyCollector
	res, err := methods.RetrievePropertiesEx(ctx, c, &types.RetrievePropertiesEx{This: pc, SpecSet: []types.PropertyFilterSpec{spec}, Options: types.RetrieveOptions{MaxObjects: 2}})
	if err != nil {
		return out, fmt.Errorf("RetrievePropertiesEx: %w", err)
	}
	for r := res.Returnval; r != nil; {
		out.Pages++
		for _, oc := range r.Objects {
			out.Names[oc.Obj] = oc.PropSet[0].Val.(string)
		}
		if r.Token == "" {
			break
		}
		next, err := methods.ContinueRetrievePropertiesEx(ctx, c, &types.ContinueRetrievePropertiesEx{This: pc, Token: r.Token})
		if err != nil {
			return out, fmt.Errorf("ContinueRetrievePropertiesEx: %w", err)
		}
		r = &next.Returnval
	}

	m := vslm.NewObjectManager(c)
	for _, ds := range s.Describe().Datastores {
		if !ds.Accessible {
			continue
		}
		ids, err := m.List(ctx, ds.Moref)
		if err != nil {
			return out, fmt.Errorf("ListVStorageObject on %s: %w", ds.Name, err)
		}
		for _, id := range ids {
			if out.Disks[id.Id], err = m.Retrieve(ctx, ds.Moref, id.Id); err != nil {
				return out, fmt.Errorf("RetrieveVStorageObject %s: %w", id.Id, err)
			}
			info, err := m.RetrieveSnapshotInfo(ctx, ds.Moref, id.Id)
			if err != nil {
				return out, fmt.Errorf("RetrieveSnapshotInfo %s: %w", id.Id, err)
			}
			out.Snapshots[id.Id] = info
			for _, sn := range info.Snapshots {
				res, err := methods.RetrieveSnapshotDetails(ctx, c, &types.RetrieveSnapshotDetails{
					This: *c.ServiceContent.VStorageObjectManager, Id: id, Datastore: ds.Moref, SnapshotId: *sn.Id,
				})
				if err != nil {
					return out, fmt.Errorf("RetrieveSnapshotDetails %s/%s: %w", id.Id, sn.Id.Id, err)
				}
				out.Details[id.Id+"/"+sn.Id.Id] = res.Returnval
			}
		}
	}
	vm, _ := s.VM(DemoVMSQL)
	err = property.DefaultCollector(c).RetrieveOne(ctx, vm.Moref, []string{"name", "config.hardware.device", "config.changeTrackingEnabled", "snapshot", "runtime.powerState"}, &out.VM)
	if err != nil {
		return out, fmt.Errorf("RetrieveProperties %s: %w", vm.Name, err)
	}
	return out, nil
}

func TestJSONInventoryEqualsSOAP(t *testing.T) {
	s := start(t, Options{})
	ctx := context.Background()
	viaSOAP, err := readInventory(ctx, connect(t, s), s)
	if err != nil {
		t.Fatal(err)
	}
	viaJSON, err := readInventory(ctx, connectJSON(t, s), s)
	if err != nil {
		t.Fatalf("over VI/JSON: %v", err)
	}
	if viaSOAP.Pages < 3 || len(viaSOAP.Disks) < 8 || len(viaSOAP.Details) < 20 || len(viaSOAP.VM.Config.Hardware.Device) == 0 {
		t.Fatalf("read too little to compare: %d pages, %d disks, %d snapshots", viaSOAP.Pages, len(viaSOAP.Disks), len(viaSOAP.Details))
	}
	if !reflect.DeepEqual(viaJSON, viaSOAP) {
		t.Errorf("inventory over VI/JSON differs from SOAP:\n%+v\n%+v", viaJSON, viaSOAP)
	}
}

// Every fault a CBT query can raise arrives over VI/JSON as over SOAP: the
// same type, fields, faultMessage, faultCause and faultstring.
func TestJSONFaultsEqualSOAP(t *testing.T) {
	s := start(t, Options{})
	soapC, jsonC := connect(t, s), connectJSON(t, s)
	ctx := context.Background()
	last := func(name string) target {
		d, ds := lookup(t, s, name)
		return target{ds: ds, disk: d, snapshot: d.Snapshots[len(d.Snapshots)-1].ID, changeID: "*"}
	}
	type fcase struct {
		name string
		q    target
		off  int64
	}
	var cases []fcase
	cases = append(cases, fcase{"CBT off", last(DemoCBTOff), 0})
	q := last(DemoCorruptCTK)
	q.changeID = q.disk.Snapshots[0].ChangeID
	cases = append(cases, fcase{"corrupt ctk", q, 0})
	q = last(DemoEpochReset)
	q.changeID = q.disk.Snapshots[0].ChangeID
	cases = append(cases, fcase{"epoch reset", q, 0})
	q = last(DemoLateCBT)
	q.snapshot = q.disk.Snapshots[0].ID
	cases = append(cases, fcase{"no epoch", q, 0})
	cases = append(cases, fcase{"inaccessible datastore", last(DemoOffline), 0})
	q = last(DemoDatabase)
	cases = append(cases, fcase{"offset at the end", q, q.disk.CapacityBytes})
	q.changeID = "52 05 zz"
	cases = append(cases, fcase{"malformed changeId", q, 0})
	q = last(DemoDatabase)
	q.snapshot = "no-such-snapshot"
	cases = append(cases, fcase{"unknown snapshot", q, 0})
	q = last(DemoDatabase)
	q.disk.ID = "no-such-disk"
	cases = append(cases, fcase{"unknown disk", q, 0})
	q = last(DemoDatabase)
	q.ds = last(DemoOffline).ds
	cases = append(cases, fcase{"wrong datastore", q, 0})

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, soapErr := query(ctx, soapC, tc.q, tc.off)
			_, jsonErr := query(ctx, jsonC, tc.q, tc.off)
			if !soap.IsSoapFault(soapErr) || !soap.IsSoapFault(jsonErr) {
				t.Fatalf("SOAP: %v; JSON: %v; want faults", soapErr, jsonErr)
			}
			sf, jf := soap.ToSoapFault(soapErr), soap.ToSoapFault(jsonErr)
			if !reflect.DeepEqual(jf.VimFault(), sf.VimFault()) {
				t.Errorf("fault over VI/JSON %#v\nover SOAP %#v", jf.VimFault(), sf.VimFault())
			}
			if jf.String != sf.String || jf.String == "" {
				t.Errorf("faultstring over VI/JSON %q, over SOAP %q", jf.String, sf.String)
			}
		})
	}
}

// A VM disk's changed areas (VirtualMachine.QueryChangedDiskAreas) over
// VI/JSON equal those over SOAP, page by page.
func TestJSONVMChangedAreasEqualSOAP(t *testing.T) {
	s := start(t, Options{PageExtents: 200})
	soapC, jsonC := connect(t, s), connectJSON(t, s)
	ctx := context.Background()
	info, _ := s.VM(DemoVMSQL)
	cur := info.Snapshots[2].Moref
	pages := func(c *vim25.Client, d VMDiskInfo) ([]types.DiskChangeInfo, error) {
		var out []types.DiskChangeInfo
		for off := int64(0); off < d.CapacityBytes; {
			res, err := methods.QueryChangedDiskAreas(ctx, c, &types.QueryChangedDiskAreas{
				This: info.Moref, Snapshot: &cur, DeviceKey: d.Key, StartOffset: off, ChangeId: info.Snapshots[1].ChangeIDs[fmt.Sprint(d.Key)],
			})
			if err != nil {
				return nil, err
			}
			out = append(out, res.Returnval)
			off += max(res.Returnval.Length, 1)
		}
		return out, nil
	}
	total := 0
	for _, d := range info.Disks {
		viaSOAP, err := pages(soapC, d)
		if err != nil {
			t.Fatal(err)
		}
		viaJSON, err := pages(jsonC, d)
		if err != nil {
			t.Fatalf("over VI/JSON: %v", err)
		}
		if !reflect.DeepEqual(viaJSON, viaSOAP) {
			t.Errorf("disk %d: %d pages over VI/JSON, %d over SOAP, and they differ", d.Key, len(viaJSON), len(viaSOAP))
		}
		total += len(viaSOAP)
	}
	if total <= len(info.Disks) {
		t.Errorf("%d pages over %d disks: too few to compare paging", total, len(info.Disks))
	}
}

// Methods that change state work over VI/JSON: a task
// (VStorageObjectCreateSnapshot_Task, followed through the property
// collector as govmomi does) and void methods (the CBT control flags).
func TestJSONChangesState(t *testing.T) {
	s := start(t, Options{})
	c := connectJSON(t, s)
	ctx := context.Background()
	d, ds := lookup(t, s, DemoDatabase)
	m := vslm.NewObjectManager(c)

	task, err := m.CreateSnapshot(ctx, ds, d.ID, "over json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := task.WaitForResult(ctx)
	if err != nil {
		t.Fatalf("snapshot task over VI/JSON: %v", err)
	}
	id := res.Result.(types.ID).Id
	after, _ := s.Disk(DemoDatabase)
	i := slices.IndexFunc(after.Snapshots, func(sn SnapshotInfo) bool { return sn.ID == id })
	if i < 0 || after.Snapshots[i].Description != "over json" || after.Snapshots[i].ChangeID == "" {
		t.Fatalf("new snapshot %s not in %+v", id, after.Snapshots)
	}

	this := *c.ServiceContent.VStorageObjectManager
	_, err = methods.ClearVStorageObjectControlFlags(ctx, c, &types.ClearVStorageObjectControlFlags{
		This: this, Id: types.ID{Id: d.ID}, Datastore: ds, ControlFlags: []string{"enableChangedBlockTracking"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if off, _ := s.Disk(DemoDatabase); off.CBTEnabled {
		t.Fatal("CBT still on after ClearVStorageObjectControlFlags over VI/JSON")
	}
	_, err = methods.SetVStorageObjectControlFlags(ctx, c, &types.SetVStorageObjectControlFlags{
		This: this, Id: types.ID{Id: d.ID}, Datastore: ds, ControlFlags: []string{"enableChangedBlockTracking"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if on, _ := s.Disk(DemoDatabase); !on.CBTEnabled {
		t.Fatal("CBT off after SetVStorageObjectControlFlags over VI/JSON")
	}
}
