package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vslm"
)

// Datastore is one datastore of the inventory.
type Datastore struct {
	Name       string
	Ref        types.ManagedObjectReference
	Accessible bool
	Type       string
}

// Disk is one First Class Disk.
type Disk struct {
	ID            string
	Name          string
	Datastore     Datastore
	CapacityBytes int64
	CBTEnabled    bool
}

// Ref is what queries take.
func (d Disk) Ref() DiskRef { return DiskRef{ID: d.ID, Datastore: d.Datastore.Ref} }

// Snapshot is one snapshot of a disk; ChangeID is empty when the snapshot
// carries none (taken with CBT off).
type Snapshot struct {
	ID          string
	Description string
	CreateTime  time.Time
	ChangeID    string
}

// Datastores lists every datastore, by name, in one retrieval.
func (c *Client) Datastores(ctx context.Context) ([]Datastore, error) {
	var dss []mo.Datastore
	if err := c.retrieve(ctx, datastoreSpec(c.vim.ServiceContent.RootFolder), &dss); err != nil {
		return nil, fmt.Errorf("listing datastores: %w", err)
	}
	out := make([]Datastore, 0, len(dss))
	for _, ds := range dss {
		out = append(out, Datastore{Name: ds.Name, Ref: ds.Reference(), Accessible: ds.Summary.Accessible, Type: ds.Summary.Type})
	}
	slices.SortFunc(out, func(a, b Datastore) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// datastoreSpec reaches every datastore from the root folder: down the
// folders to each datacenter, then its datastores. One retrieval, where a
// ContainerView costs three calls in a row (create, read, destroy).
func datastoreSpec(root types.ManagedObjectReference) types.PropertyFilterSpec {
	return types.PropertyFilterSpec{
		ObjectSet: []types.ObjectSpec{{
			Obj:  root,
			Skip: types.NewBool(true),
			SelectSet: []types.BaseSelectionSpec{
				&types.TraversalSpec{
					SelectionSpec: types.SelectionSpec{Name: "folders"},
					Type:          "Folder", Path: "childEntity", Skip: types.NewBool(true),
					SelectSet: []types.BaseSelectionSpec{&types.SelectionSpec{Name: "folders"}, &types.SelectionSpec{Name: "datastores"}},
				},
				&types.TraversalSpec{
					SelectionSpec: types.SelectionSpec{Name: "datastores"},
					Type:          "Datacenter", Path: "datastore", Skip: types.NewBool(false),
				},
			},
		}},
		PropSet: []types.PropertySpec{{Type: "Datastore", PathSet: []string{"name", "summary"}}},
	}
}

// Disks lists the First Class Disks on a datastore, by name.
func (c *Client) Disks(ctx context.Context, ds Datastore) ([]Disk, error) {
	ids, err := c.diskIDs(ctx, ds)
	if err != nil {
		return nil, err
	}
	return c.disks(ctx, ds, ids)
}

func (c *Client) diskIDs(ctx context.Context, ds Datastore) ([]string, error) {
	ids, err := vslm.NewObjectManager(c.vim).List(ctx, ds.Ref)
	if err != nil {
		return nil, fmt.Errorf("listing disks on %s: %w", ds.Name, callError(err))
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id.Id
	}
	return out, nil
}

// disks reads the disks of ids on ds, a few at a time, sorted by name.
func (c *Client) disks(ctx context.Context, ds Datastore, ids []string) ([]Disk, error) {
	out := make([]Disk, len(ids))
	err := each(ctx, len(ids), setupParallel, func(ctx context.Context, i int) (err error) {
		out[i], err = c.disk(ctx, ds, ids[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b Disk) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func (c *Client) disk(ctx context.Context, ds Datastore, id string) (Disk, error) {
	obj, err := vslm.NewObjectManager(c.vim).Retrieve(ctx, ds.Ref, id)
	if err != nil {
		return Disk{}, fmt.Errorf("reading disk %s on %s: %w", id, ds.Name, callError(err))
	}
	return Disk{
		ID:            obj.Config.Id.Id,
		Name:          obj.Config.Name,
		Datastore:     ds,
		CapacityBytes: obj.Config.CapacityInMB << 20,
		CBTEnabled:    obj.Config.ChangedBlockTrackingEnabled != nil && *obj.Config.ChangedBlockTrackingEnabled,
	}, nil
}

// Snapshots lists a disk's snapshots, oldest first, each with its changeId:
// the list, then every snapshot's details at once.
func (c *Client) Snapshots(ctx context.Context, d Disk) ([]Snapshot, error) {
	info, err := vslm.NewObjectManager(c.vim).RetrieveSnapshotInfo(ctx, d.Datastore.Ref, d.ID)
	if err != nil {
		return nil, fmt.Errorf("listing snapshots of %s: %w", d.Name, callError(err))
	}
	var listed []types.VStorageObjectSnapshotInfoVStorageObjectSnapshot
	for _, s := range info.Snapshots {
		if s.Id != nil {
			listed = append(listed, s)
		}
	}
	out := make([]Snapshot, len(listed))
	err = each(ctx, len(listed), setupParallel, func(ctx context.Context, i int) error {
		s := listed[i]
		res, err := methods.RetrieveSnapshotDetails(ctx, c.vim, &types.RetrieveSnapshotDetails{
			This: c.vsom, Id: types.ID{Id: d.ID}, Datastore: d.Datastore.Ref, SnapshotId: *s.Id,
		})
		if err != nil {
			return fmt.Errorf("reading snapshot %s of %s: %w", s.Id.Id, d.Name, callError(err))
		}
		out[i] = Snapshot{
			ID: s.Id.Id, Description: s.Description, CreateTime: s.CreateTime,
			ChangeID: res.Returnval.ChangedBlockTrackingId,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b Snapshot) int { return a.CreateTime.Compare(b.CreateTime) })
	return out, nil
}

// UsageError is a mistake in what the user asked for (an unknown or
// ambiguous disk, a missing snapshot), as opposed to a server failure.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// FindDisk finds a disk by id or name, on the named datastore (name or
// moref value) or, when datastore is empty, on any datastore. A name that
// matches several disks is an error listing them.
//
// It lists the datastores' disks all at once and reads only the one whose
// id matches, or, for a name, every disk a few at a time; given a datastore
// and an id, it reads that disk straight away.
func (c *Client) FindDisk(ctx context.Context, datastore, disk string) (Disk, error) {
	dss, err := c.datastoresNamed(ctx, datastore)
	if err != nil {
		return Disk{}, err
	}
	if len(dss) == 1 && datastore != "" {
		if d, err := c.disk(ctx, dss[0], disk); err == nil {
			return d, nil
		}
		// Not an id there (or the datastore failed): look it up as a
		// name, which reports what is wrong.
	}
	return c.findDisk(ctx, dss, datastore, disk)
}

// FindDiskSnapshots is FindDisk and then Snapshots of the disk found; given
// a datastore and an id, it reads the disk and lists its snapshots at once.
func (c *Client) FindDiskSnapshots(ctx context.Context, datastore, disk string) (Disk, []Snapshot, error) {
	dss, err := c.datastoresNamed(ctx, datastore)
	if err != nil {
		return Disk{}, nil, err
	}
	if len(dss) == 1 && datastore != "" {
		var d Disk
		var snaps []Snapshot
		var diskErr, snapErr error
		var wg sync.WaitGroup
		wg.Go(func() { d, diskErr = c.disk(ctx, dss[0], disk) })
		wg.Go(func() { snaps, snapErr = c.Snapshots(ctx, Disk{ID: disk, Name: disk, Datastore: dss[0]}) })
		wg.Wait()
		switch {
		case diskErr == nil && snapErr == nil:
			return d, snaps, nil
		case diskErr == nil:
			// Ask again under the disk's name, so the error names it.
			snaps, err := c.Snapshots(ctx, d)
			return d, snaps, err
		}
	}
	d, err := c.findDisk(ctx, dss, datastore, disk)
	if err != nil {
		return Disk{}, nil, err
	}
	snaps, err := c.Snapshots(ctx, d)
	if err != nil {
		return Disk{}, nil, err
	}
	return d, snaps, nil
}

// datastoresNamed lists the datastores, only those named datastore (name
// or moref value) when it is not empty.
func (c *Client) datastoresNamed(ctx context.Context, datastore string) ([]Datastore, error) {
	dss, err := c.Datastores(ctx)
	if err != nil {
		return nil, err
	}
	if datastore != "" {
		dss = slices.DeleteFunc(dss, func(ds Datastore) bool { return ds.Name != datastore && ds.Ref.Value != datastore })
		if len(dss) == 0 {
			return nil, &UsageError{fmt.Sprintf("no datastore named %q", datastore)}
		}
	}
	return dss, nil
}

// findDisk looks disk up by id or name on dss.
func (c *Client) findDisk(ctx context.Context, dss []Datastore, datastore, disk string) (Disk, error) {
	if datastore == "" {
		// Inaccessible datastores' disks cannot be listed; name the
		// datastore to reach them.
		dss = slices.DeleteFunc(slices.Clone(dss), func(ds Datastore) bool { return !ds.Accessible })
	}
	ids := make([][]string, len(dss))
	listErrs := make([]error, len(dss))
	_ = each(ctx, len(dss), setupParallel, func(ctx context.Context, i int) error {
		ids[i], listErrs[i] = c.diskIDs(ctx, dss[i])
		return nil
	})
	var listErr error // the first datastore that could not be listed
	for i := range dss {
		if listErrs[i] != nil {
			if datastore != "" {
				return Disk{}, listErrs[i]
			}
			listErr = cmp.Or(listErr, listErrs[i])
			continue
		}
		if slices.Contains(ids[i], disk) {
			return c.disk(ctx, dss[i], disk)
		}
	}
	// Not an id: read every disk for its name, setupParallel at a time
	// across all datastores (one loop per datastore, each with its own
	// limit, would multiply it).
	type ref struct {
		ds int
		id string
	}
	var refs []ref
	for i := range dss {
		if listErrs[i] == nil {
			for _, id := range ids[i] {
				refs = append(refs, ref{i, id})
			}
		}
	}
	read := make([]Disk, len(refs))
	errs := make([]error, len(refs))
	_ = each(ctx, len(refs), setupParallel, func(ctx context.Context, k int) error {
		read[k], errs[k] = c.disk(ctx, dss[refs[k].ds], refs[k].id)
		return nil
	})
	readErrs := make([]error, len(dss)) // each datastore's first failed read
	for k, err := range errs {
		readErrs[refs[k].ds] = cmp.Or(readErrs[refs[k].ds], err)
	}
	var matches []Disk
	for i := range dss {
		if readErrs[i] != nil {
			if datastore != "" {
				return Disk{}, readErrs[i]
			}
			listErr = cmp.Or(listErr, readErrs[i])
			continue
		}
		for k, r := range refs {
			if r.ds == i && read[k].Name == disk {
				matches = append(matches, read[k])
			}
		}
	}
	switch len(matches) {
	case 0:
		if listErr != nil {
			// Not finding the disk may be the server's failure, not the
			// user's mistake.
			return Disk{}, listErr
		}
		where := "any accessible datastore"
		if datastore != "" {
			where = "datastore " + datastore
		}
		return Disk{}, &UsageError{fmt.Sprintf("no disk with id or name %q on %s", disk, where)}
	case 1:
		return matches[0], nil
	}
	var names []string
	for _, d := range matches {
		names = append(names, fmt.Sprintf("%s (%s)", d.ID, d.Datastore.Name))
	}
	return Disk{}, &UsageError{fmt.Sprintf("disk name %q is ambiguous: %s; give its id or --datastore", disk, strings.Join(names, ", "))}
}
