// Package vsphere talks to vCenter for cbtscope: connection settings, the
// inventory of datastores, First Class Disks, virtual machines and their
// snapshots, the paging Fetcher over both changed-areas queries
// (VstorageObjectVCenterQueryChangedDiskAreas for First Class Disks,
// VirtualMachine.QueryChangedDiskAreas for VM disks), and faults turned into
// values with a diagnosis. It is a plain Go library: no UI imports.
package vsphere
