// Package vsphere talks to vCenter for cbtscope: connection settings, the
// inventory of datastores, First Class Disks and their snapshots, the paging
// Fetcher over VstorageObjectVCenterQueryChangedDiskAreas, and faults turned
// into values with a diagnosis. It is a plain Go library: no UI imports.
package vsphere
