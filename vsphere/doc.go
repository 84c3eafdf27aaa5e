// Package vsphere talks to vCenter for cbtscope: connection settings, the
// inventory of datastores, First Class Disks, virtual machines and their
// snapshots, the paging Fetcher over both changed-areas queries
// (VstorageObjectVCenterQueryChangedDiskAreas for First Class Disks,
// VirtualMachine.QueryChangedDiskAreas for VM disks), and faults turned into
// values with a diagnosis; the sweep engine that turns a fetch into a change
// map, and the timeline of a disk's snapshot chain with what looks wrong in
// it (flags). It is a plain Go library: no UI imports.
package vsphere
