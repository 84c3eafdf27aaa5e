package vsphere

import (
	"context"
	"slices"
	"testing"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// connectGovmomi logs a plain govmomi client in, trusting the simulator by
// thumbprint: a client that shares no code with ours.
func connectGovmomi(t testing.TB, s *simulator.Server) *vim25.Client {
	t.Helper()
	ctx := context.Background()
	u := s.URL()
	sc := soap.NewClient(u, false)
	sc.SetThumbprint(u.Host, s.Thumbprint())
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := session.NewManager(c).Login(ctx, u.User); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = session.NewManager(c).Logout(context.Background()) })
	return c
}

// govmomi's own QueryChangedDiskAreas, which reads the base changeId from
// the base snapshot's backing itself, pages to the same map as our Fetch
// for every consecutive pair of snapshots of the healthy demo VMs; and a
// plain property retrieval reads the same changeIds as VMSnapshots.
func TestIndependentClientAgreesOnVMDisks(t *testing.T) {
	s, c := startSim(t, simulator.Options{PageExtents: 900})
	gc := connectGovmomi(t, s)
	ctx := context.Background()
	pc := property.DefaultCollector(gc)
	pairs := 0
	for _, name := range []string{simulator.DemoVMWeb, simulator.DemoVMSQL} {
		vm, snaps := vmOf(t, c, name)
		var devices []types.BaseVirtualDevice
		for _, sn := range snaps {
			var mosnap mo.VirtualMachineSnapshot
			if err := pc.RetrieveOne(ctx, sn.Ref, []string{"config.hardware.device"}, &mosnap); err != nil {
				t.Fatal(err)
			}
			devices = mosnap.Config.Hardware.Device
			for _, dev := range devices {
				vd, ok := dev.(*types.VirtualDisk)
				if !ok {
					continue
				}
				if b := vd.Backing.(*types.VirtualDiskFlatVer2BackingInfo); b.ChangeId != sn.ChangeIDs[vd.Key] {
					t.Fatalf("%s %s disk %d: property read %q, VMSnapshots %q", name, sn.Name, vd.Key, b.ChangeId, sn.ChangeIDs[vd.Key])
				}
			}
		}
		gvm := object.NewVirtualMachine(gc, vm.Ref)
		for i := 1; i < len(snaps); i++ {
			base, cur := snaps[i-1], snaps[i]
			for _, d := range vm.Disks {
				var disk *types.VirtualDisk
				for _, dev := range devices {
					if vd, ok := dev.(*types.VirtualDisk); ok && vd.Key == d.Key {
						disk = vd
					}
				}
				theirs, err := heatmap.NewChangeMap(d.CapacityBytes)
				if err != nil {
					t.Fatal(err)
				}
				for off := int64(0); off < d.CapacityBytes; {
					info, err := gvm.QueryChangedDiskAreas(ctx, &base.Ref, &cur.Ref, disk, off)
					if err != nil {
						t.Fatalf("%s disk %d %s→%s at %d: %v", name, d.Key, base.Name, cur.Name, off, err)
					}
					p := heatmap.Page{Start: info.StartOffset, Length: info.Length}
					for _, a := range info.ChangedArea {
						p.Extents = append(p.Extents, heatmap.Extent{Start: a.Start, Length: a.Length})
					}
					if err := theirs.Absorb(p); err != nil {
						t.Fatal(err)
					}
					off += info.Length
				}
				q, err := VMQuery(vm, d, &cur, base.ChangeIDs[d.Key])
				if err != nil {
					t.Fatal(err)
				}
				ours, done, _ := fetchMap(t, c, q, FetchOptions{Workers: 4})
				if !done.Complete || !slices.Equal(extentsOf(ours), extentsOf(theirs)) || theirs.Len() == 0 {
					t.Fatalf("%s disk %d %s→%s: ours %d extents (complete %v), govmomi's %d", name, d.Key, base.Name, cur.Name, ours.Len(), done.Complete, theirs.Len())
				}
				pairs++
			}
		}
	}
	if pairs < 10 {
		t.Fatalf("only %d snapshot pairs compared", pairs)
	}
}
