package vsphere

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vmware/govmomi/view"
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

// Datastores lists every datastore, by name.
func (c *Client) Datastores(ctx context.Context) ([]Datastore, error) {
	m := view.NewManager(c.vim)
	v, err := m.CreateContainerView(ctx, c.vim.ServiceContent.RootFolder, []string{"Datastore"}, true)
	if err != nil {
		return nil, fmt.Errorf("listing datastores: %w", callError(err))
	}
	defer v.Destroy(context.WithoutCancel(ctx))
	var dss []mo.Datastore
	if err := v.Retrieve(ctx, []string{"Datastore"}, []string{"name", "summary"}, &dss); err != nil {
		return nil, fmt.Errorf("listing datastores: %w", callError(err))
	}
	out := make([]Datastore, 0, len(dss))
	for _, ds := range dss {
		out = append(out, Datastore{Name: ds.Name, Ref: ds.Reference(), Accessible: ds.Summary.Accessible, Type: ds.Summary.Type})
	}
	slices.SortFunc(out, func(a, b Datastore) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// Disks lists the First Class Disks on a datastore, by name.
func (c *Client) Disks(ctx context.Context, ds Datastore) ([]Disk, error) {
	m := vslm.NewObjectManager(c.vim)
	ids, err := m.List(ctx, ds.Ref)
	if err != nil {
		return nil, fmt.Errorf("listing disks on %s: %w", ds.Name, callError(err))
	}
	out := make([]Disk, 0, len(ids))
	for _, id := range ids {
		d, err := c.disk(ctx, ds, id.Id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
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

// Snapshots lists a disk's snapshots, oldest first, each with its changeId.
func (c *Client) Snapshots(ctx context.Context, d Disk) ([]Snapshot, error) {
	info, err := vslm.NewObjectManager(c.vim).RetrieveSnapshotInfo(ctx, d.Datastore.Ref, d.ID)
	if err != nil {
		return nil, fmt.Errorf("listing snapshots of %s: %w", d.Name, callError(err))
	}
	out := make([]Snapshot, 0, len(info.Snapshots))
	for _, s := range info.Snapshots {
		if s.Id == nil {
			continue
		}
		res, err := methods.RetrieveSnapshotDetails(ctx, c.vim, &types.RetrieveSnapshotDetails{
			This: c.vsom, Id: types.ID{Id: d.ID}, Datastore: d.Datastore.Ref, SnapshotId: *s.Id,
		})
		if err != nil {
			return nil, fmt.Errorf("reading snapshot %s of %s: %w", s.Id.Id, d.Name, callError(err))
		}
		out = append(out, Snapshot{
			ID: s.Id.Id, Description: s.Description, CreateTime: s.CreateTime,
			ChangeID: res.Returnval.ChangedBlockTrackingId,
		})
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
func (c *Client) FindDisk(ctx context.Context, datastore, disk string) (Disk, error) {
	dss, err := c.Datastores(ctx)
	if err != nil {
		return Disk{}, err
	}
	if datastore != "" {
		dss = slices.DeleteFunc(dss, func(ds Datastore) bool { return ds.Name != datastore && ds.Ref.Value != datastore })
		if len(dss) == 0 {
			return Disk{}, &UsageError{fmt.Sprintf("no datastore named %q", datastore)}
		}
	}
	var matches []Disk
	var listErr error // the first datastore that could not be listed
	for _, ds := range dss {
		if !ds.Accessible && datastore == "" {
			continue // its disks cannot be listed; name it to reach them
		}
		disks, err := c.Disks(ctx, ds)
		if err != nil {
			if datastore == "" {
				listErr = cmp.Or(listErr, err)
				continue
			}
			return Disk{}, err
		}
		for _, d := range disks {
			if d.ID == disk {
				return d, nil
			}
			if d.Name == disk {
				matches = append(matches, d)
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
