package simulator

import (
	"strings"

	"github.com/vmware/govmomi/vim25/types"
)

// datastore is one datastore as the CBT methods see it.
type datastore struct {
	name       string
	ref        types.ManagedObjectReference
	accessible bool // fixed at build time; read without a lock
}

// disk ties a First Class Disk in vcsim's catalog to its change journal.
type disk struct {
	id       string
	name     string
	workload string
	ds       *datastore
	backing  string // datastore path of the descriptor, "[ds] fcd/….vmdk"
	j        *journal
}

// ctkPath is where the disk's change tracking file would live: hostd names
// it in CBT faults, so the simulator does too.
func (d *disk) ctkPath() string {
	return strings.TrimSuffix(d.backing, ".vmdk") + "-ctk.vmdk"
}
