package vsphere

import (
	"context"
	"errors"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// The VM-disk side of cbtscope: virtual machines, their disks and snapshot
// chains, and the changeIds the snapshots' disk backings carry. Queries of a
// VM disk go through the same Fetch as First Class Disks, with Query.VM set.

// VM is one virtual machine with CBT-relevant state.
type VM struct {
	Name       string
	Ref        types.ManagedObjectReference
	PowerState string // "poweredOn", "poweredOff" or "suspended"
	// CBTEnabled is config.changeTrackingEnabled.
	CBTEnabled bool
	Disks      []VMDisk
}

// VMDisk is one virtual disk of a VM.
type VMDisk struct {
	Key           int32
	Label         string
	CapacityBytes int64
	// File is the backing's file name, e.g. "[ds-prod-01] web-01/web-01.vmdk".
	File      string
	Datastore Datastore
}

// VMSnapshot is one snapshot of a VM's tree, with the changeId each disk's
// backing had at it. A disk without an entry had none (CBT was off, or was
// on but not yet in effect: it takes a stun/unstun cycle).
type VMSnapshot struct {
	Name        string
	Description string
	Ref         types.ManagedObjectReference
	CreateTime  time.Time
	ChangeIDs   map[int32]string
}

// VMDiskRef names the disk of a VM a query is about.
type VMDiskRef struct {
	VM        types.ManagedObjectReference
	DeviceKey int32
}

// PoweredOn reports whether queries of the VM need a snapshot.
func (v VM) PoweredOn() bool { return v.PowerState == "poweredOn" }

var errVMNotBuilt = errors.New("VM disks: not built yet")

// VMs lists every virtual machine with its disks, through one ContainerView
// and one PropertyCollector retrieval (paged), never a call per VM.
func (c *Client) VMs(ctx context.Context) ([]VM, error) { return nil, errVMNotBuilt }

// VMSnapshots is a VM's snapshot tree, flattened, oldest first, with each
// disk backing's changeId.
func (c *Client) VMSnapshots(ctx context.Context, vm VM) ([]VMSnapshot, error) {
	return nil, errVMNotBuilt
}

// FindVM finds a VM by name or moref value; an ambiguous name is a
// *UsageError listing the candidates.
func (c *Client) FindVM(ctx context.Context, nameOrMoref string) (VM, error) {
	return VM{}, errVMNotBuilt
}
