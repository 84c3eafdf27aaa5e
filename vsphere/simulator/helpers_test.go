package simulator

import (
	"context"
	"fmt"
	"testing"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// start runs a server for one test and closes it after.
func start(t testing.TB, opts Options) *Server {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// connect logs a govmomi client in over the server's real listener. Over
// TLS it verifies the server by thumbprint, as `--thumbprint` would.
func connect(t testing.TB, s *Server) *vim25.Client {
	t.Helper()
	ctx := context.Background()
	u := s.URL()
	sc := soap.NewClient(u, false)
	if s.Certificate() != nil {
		sc.SetThumbprint(u.Host, s.Thumbprint())
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := session.NewManager(c).Login(ctx, u.User); err != nil {
		t.Fatal(err)
	}
	return c
}

// target is one query: a disk on its datastore, a snapshot and a base.
type target struct {
	ds       types.ManagedObjectReference
	disk     DiskInfo
	snapshot string
	changeID string
}

func (q target) String() string {
	return fmt.Sprintf("%s@%s/%s since %q", q.disk.Name, q.disk.Datastore, q.snapshot, q.changeID)
}

func lookup(t testing.TB, s *Server, name string) (DiskInfo, types.ManagedObjectReference) {
	t.Helper()
	d, ok := s.Disk(name)
	if !ok {
		t.Fatalf("no disk %s", name)
	}
	for _, ds := range s.Describe().Datastores {
		if ds.Name == d.Datastore {
			return d, ds.Moref
		}
	}
	t.Fatalf("no datastore %s", d.Datastore)
	return d, types.ManagedObjectReference{}
}

func query(ctx context.Context, c *vim25.Client, q target, off int64) (types.DiskChangeInfo, error) {
	res, err := methods.VstorageObjectVCenterQueryChangedDiskAreas(ctx, c, &types.VstorageObjectVCenterQueryChangedDiskAreas{
		This:        *c.ServiceContent.VStorageObjectManager,
		Id:          types.ID{Id: q.disk.ID},
		Datastore:   q.ds,
		SnapshotId:  types.ID{Id: q.snapshot},
		StartOffset: off,
		ChangeId:    q.changeID,
	})
	if err != nil {
		return types.DiskChangeInfo{}, err
	}
	return res.Returnval, nil
}

// checkPage enforces the paging contract design.md states for clients: a
// reply starts where asked, covers length > 0 inside the disk, and every
// extent lies inside it, sorted, with positive length.
func checkPage(info types.DiskChangeInfo, off, capacity int64, maxExtents int) error {
	end := info.StartOffset + info.Length
	switch {
	case info.StartOffset != off:
		return fmt.Errorf("reply starts at %d, asked %d", info.StartOffset, off)
	case info.Length <= 0:
		return fmt.Errorf("reply at %d has length %d", off, info.Length)
	case end > capacity:
		return fmt.Errorf("reply [%d, %d) leaves the disk of %d", off, end, capacity)
	case len(info.ChangedArea) > maxExtents:
		return fmt.Errorf("reply at %d has %d extents, over %d", off, len(info.ChangedArea), maxExtents)
	}
	prev := off
	for i, e := range info.ChangedArea {
		if e.Length <= 0 || e.Start < prev || e.Start+e.Length > end {
			return fmt.Errorf("reply at %d: extent %d [%d, +%d) is empty, unsorted or outside [%d, %d)", off, i, e.Start, e.Length, off, end)
		}
		prev = e.Start + e.Length
	}
	return nil
}

// sweep pages a query from 0 to the end of the disk the way a backup tool
// does and returns every extent in order, and the number of pages.
func sweep(ctx context.Context, c *vim25.Client, q target, maxExtents int) ([]Extent, int, error) {
	ext, pages, _, err := sweepPages(ctx, c, q, maxExtents, 0)
	return ext, pages, err
}

// sweepPages is sweep stopped after maxPages pages (0: no limit); it also
// returns the offset where it stopped.
func sweepPages(ctx context.Context, c *vim25.Client, q target, maxExtents, maxPages int) ([]Extent, int, int64, error) {
	var out []Extent
	pages := 0
	off := int64(0)
	for ; off < q.disk.CapacityBytes && (maxPages == 0 || pages < maxPages); pages++ {
		info, err := query(ctx, c, q, off)
		if err != nil {
			return nil, pages, off, fmt.Errorf("%v at offset %d: %w", q, off, err)
		}
		if err := checkPage(info, off, q.disk.CapacityBytes, maxExtents); err != nil {
			return nil, pages, off, fmt.Errorf("%v: %w", q, err)
		}
		for _, e := range info.ChangedArea {
			out = append(out, Extent{Start: e.Start, Length: e.Length})
		}
		off += info.Length
	}
	return out, pages, off, nil
}

// equalExtents reports the first difference between two extent lists.
func equalExtents(got, want []Extent) error {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Errorf("extent %d: got %v, want %v", i, got[i], want[i])
		}
	}
	if len(got) != len(want) {
		return fmt.Errorf("got %d extents, want %d", len(got), len(want))
	}
	return nil
}
