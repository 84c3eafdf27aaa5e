package simulator

import (
	"fmt"
	"time"
)

// These change a running server's disks from Go, for tests that need the
// journal to move while clients page: writes have no SOAP method, and
// snapshots and CBT flags can also be changed over the wire.

func (s *Server) mustDisk(idOrName string) (*disk, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, d := range s.order {
		if d.id == idOrName || d.name == idOrName {
			return d, nil
		}
	}
	return nil, fmt.Errorf("no disk %q", idOrName)
}

// Write records one write of the given byte ranges on a disk (by ID or
// name), as one journal entry with the next sequence number.
func (s *Server) Write(disk string, extents ...Extent) error {
	d, err := s.mustDisk(disk)
	if err != nil {
		return err
	}
	runs := Extents(extents).blocks(d.j.capacity, d.j.blockSize, nil)
	d.j.record(func() []blockRun { return runs })
	return nil
}

// TakeSnapshot snapshots a disk (by ID or name) now, as
// VStorageObjectCreateSnapshot_Task would.
func (s *Server) TakeSnapshot(disk, description string) (SnapshotInfo, error) {
	d, err := s.mustDisk(disk)
	if err != nil {
		return SnapshotInfo{}, err
	}
	return s.snapshot(s.lockCtx(), d, description, time.Now()).info(), nil
}

// ResetCBT starts a new CBT epoch on a disk (by ID or name), as extending
// or restoring it would: every earlier changeId fails from now on.
func (s *Server) ResetCBT(disk string) error {
	d, err := s.mustDisk(disk)
	if err != nil {
		return err
	}
	s.lockCtx().WithLock(s.vsom, d.j.reset)
	return nil
}

// WriteVMDisk records one write of the given byte ranges on disk key of a
// VM (by name or moref value), as one journal entry.
func (s *Server) WriteVMDisk(vm string, key int32, extents ...Extent) error {
	v, err := s.vmByName(vm)
	if err != nil {
		return err
	}
	d := v.disk(key)
	if d == nil {
		return fmt.Errorf("VM %s has no disk %d", vm, key)
	}
	runs := Extents(extents).blocks(d.j.capacity, d.j.blockSize, nil)
	d.j.record(func() []blockRun { return runs })
	return nil
}
