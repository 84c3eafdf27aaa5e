package simulator

import (
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

// Description is what `cbtscope sim` prints: enough to point a client at
// the server and pick a disk, a snapshot and a base changeId.
type Description struct {
	// URL is the SDK endpoint without credentials; any user and password
	// log in.
	URL string `json:"url"`
	// JSONURL is the VI/JSON base URL (see Server.JSONURL), e.g.
	// https://127.0.0.1:PORT/sdk/vim25/8.0.3.0.
	JSONURL string `json:"jsonURL"`
	// Thumbprint is the TLS certificate's SHA-1 thumbprint, when serving TLS.
	Thumbprint string          `json:"thumbprint,omitempty"`
	BlockSize  int64           `json:"blockSize"`
	Datastores []DatastoreInfo `json:"datastores"`
	Disks      []DiskInfo      `json:"disks"`
	VMs        []VMInfo        `json:"vms"`
}

// DatastoreInfo is one datastore; Moref is what API calls take.
type DatastoreInfo struct {
	Name       string                       `json:"name"`
	Moref      types.ManagedObjectReference `json:"moref"`
	Accessible bool                         `json:"accessible"`
}

// DiskInfo is one First Class Disk.
type DiskInfo struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Datastore     string         `json:"datastore"`
	CapacityBytes int64          `json:"capacityBytes"`
	CBTEnabled    bool           `json:"cbtEnabled"`
	Workload      string         `json:"workload,omitempty"`
	Snapshots     []SnapshotInfo `json:"snapshots"`
}

// SnapshotInfo is one snapshot; ChangeID is empty when it was taken with
// CBT off.
type SnapshotInfo struct {
	ID          string    `json:"id"`
	Description string    `json:"description"`
	CreateTime  time.Time `json:"createTime"`
	ChangeID    string    `json:"changeId"`
}

// Describe reports the server's URL, datastores and disks as they are now,
// snapshots taken since start included.
func (s *Server) Describe() Description {
	out := Description{URL: s.url.String(), JSONURL: s.JSONURL().String(), Thumbprint: s.Thumbprint(), BlockSize: s.inv.BlockSize}
	for _, ds := range s.dsOrder {
		out.Datastores = append(out.Datastores, DatastoreInfo{Name: ds.name, Moref: ds.ref, Accessible: ds.accessible})
	}
	s.mu.RLock()
	disks := append([]*disk(nil), s.order...)
	s.mu.RUnlock()
	for _, d := range disks {
		out.Disks = append(out.Disks, d.info())
	}
	out.VMs = s.VMs()
	return out
}

func (d *disk) info() DiskInfo {
	info := DiskInfo{
		ID: d.id, Name: d.name, Datastore: d.ds.name, CapacityBytes: d.j.capacity,
		CBTEnabled: d.j.cbtEnabled(), Workload: d.workload, Snapshots: []SnapshotInfo{},
	}
	for _, sn := range d.j.snapshotList() {
		info.Snapshots = append(info.Snapshots, sn.info())
	}
	return info
}

func (sn *snapshot) info() SnapshotInfo {
	return SnapshotInfo{ID: sn.id, Description: sn.desc, CreateTime: sn.created, ChangeID: sn.changeID()}
}

// Disk returns the description of the disk with this ID or name.
func (s *Server) Disk(idOrName string) (DiskInfo, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.order {
		if d.id == idOrName || d.name == idOrName {
			return d.info(), true
		}
	}
	return DiskInfo{}, false
}
