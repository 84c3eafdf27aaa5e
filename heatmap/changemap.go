package heatmap

import (
	"fmt"
	"iter"
)

// ChangeMap is what is known about one disk's changes: the changed extents,
// the scanned ranges, and the ranges where scanning stopped on a fault.
//
// A byte is in one of three states: not scanned yet, scanned and unchanged,
// or changed. Changed bytes are always scanned bytes, because a page's
// extents must lie inside the window it scanned. Faulted ranges are never
// scanned: a page that later covers one clears its fault.
type ChangeMap struct {
	capacity int64
	changed  rangeSet
	scanned  rangeSet
	faulted  rangeSet

	pages    int
	reported int64 // extents as the server reported them, before merging
	gcd      int64 // of every reported start and length: the CBT block size
	version  uint64
}

// NewChangeMap returns an empty map (nothing scanned) of a disk of capacity
// bytes.
func NewChangeMap(capacity int64) (*ChangeMap, error) {
	if capacity <= 0 {
		return nil, fmt.Errorf("disk capacity %d must be positive", capacity)
	}
	return &ChangeMap{capacity: capacity}, nil
}

// Capacity is the size of the disk in bytes.
func (m *ChangeMap) Capacity() int64 { return m.capacity }

// Version changes whenever the map does, so views can cache what they drew.
func (m *ChangeMap) Version() uint64 { return m.version }

// Absorb adds one page. Pages may arrive in any order, overlap and repeat. A
// page whose window leaves the disk, or with an extent that is empty or lies
// outside its window, is rejected whole with an error wrapping
// ErrInvalidPage, and the map is left as it was.
func (m *ChangeMap) Absorb(p Page) error {
	if err := p.validate(m.capacity); err != nil {
		return err
	}
	m.pages++
	if p.Length == 0 {
		return nil
	}
	for _, e := range p.Extents {
		m.changed.add(e)
		if g := m.gcd; g == 0 || e.Start%g != 0 || e.Length%g != 0 {
			m.gcd = gcd(gcd(g, e.Start), e.Length)
		}
	}
	m.reported += int64(len(p.Extents))
	m.scanned.add(Extent{p.Start, p.Length})
	if len(m.faulted.starts) > 0 || len(m.faulted.pending) > 0 {
		m.faulted.subtract(p.Start, p.Start+p.Length)
	}
	m.version++
	return nil
}

// MarkFaulted records that scanning of [start, end) stopped on a fault. Only
// the part not already scanned is marked.
func (m *ChangeMap) MarkFaulted(start, end int64) error {
	if start < 0 || end > m.capacity || start > end {
		return fmt.Errorf("%w: faulted range [%d, %d) is not inside the disk of %d bytes", ErrInvalidPage, start, end, m.capacity)
	}
	m.scanned.flush()
	pos := start
	i, j := m.scanned.overlapping(start, end)
	for k := i; k < j; k++ {
		e := m.scanned.at(k)
		if e.Start > pos {
			m.faulted.add(Extent{pos, e.Start - pos})
		}
		pos = max(pos, e.End())
	}
	if pos < end {
		m.faulted.add(Extent{pos, end - pos})
	}
	m.version++
	return nil
}

// ChangedBytes is the number of changed bytes in [start, end).
func (m *ChangeMap) ChangedBytes(start, end int64) int64 { return m.changed.covered(start, end) }

// ScannedBytes is the number of scanned bytes in [start, end).
func (m *ChangeMap) ScannedBytes(start, end int64) int64 { return m.scanned.covered(start, end) }

// FaultedBytes is the number of bytes in [start, end) where scanning stopped
// on a fault.
func (m *ChangeMap) FaultedBytes(start, end int64) int64 { return m.faulted.covered(start, end) }

// Complete reports whether the whole disk has been scanned.
func (m *ChangeMap) Complete() bool { return m.scanned.total() == m.capacity }

// Len is the number of changed extents after merging.
func (m *ChangeMap) Len() int { return m.changed.len() }

// Extent returns the i-th changed extent in disk order, 0 <= i < Len().
func (m *ChangeMap) Extent(i int) Extent {
	m.changed.flush()
	return m.changed.at(i)
}

// ExtentsIn returns the index range [i, j) of the changed extents that
// overlap [start, end), for use with Extent.
func (m *ChangeMap) ExtentsIn(start, end int64) (i, j int) { return m.changed.overlapping(start, end) }

// Extents yields the changed extents that overlap [start, end), in disk
// order, without copying the map.
func (m *ChangeMap) Extents(start, end int64) iter.Seq[Extent] {
	return func(yield func(Extent) bool) {
		i, j := m.ExtentsIn(start, end)
		for k := i; k < j; k++ {
			if !yield(m.changed.at(k)) {
				return
			}
		}
	}
}

// ScannedRanges yields the scanned ranges in disk order.
func (m *ChangeMap) ScannedRanges() iter.Seq[Extent] { return m.scanned.all() }

// FaultedRanges yields the ranges where scanning stopped on a fault.
func (m *ChangeMap) FaultedRanges() iter.Seq[Extent] { return m.faulted.all() }

func (s *rangeSet) all() iter.Seq[Extent] {
	return func(yield func(Extent) bool) {
		s.flush()
		for k := range s.starts {
			if !yield(s.at(k)) {
				return
			}
		}
	}
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
