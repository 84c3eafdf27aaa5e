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
	changed  extentStore
	scanned  rangeSet
	faulted  rangeSet

	pages    int
	reported int64 // extents as the server reported them, before merging
	gcd      int64 // of the extent boundaries inside their windows; see boundaryGCD
	version  uint64
}

// NewChangeMap returns an empty map (nothing scanned) of a disk of capacity
// bytes.
func NewChangeMap(capacity int64) (*ChangeMap, error) {
	if capacity <= 0 {
		return nil, fmt.Errorf("disk capacity %d must be positive", capacity)
	}
	return newChunkedMap(capacity, defaultChunkShift), nil
}

// newChunkedMap is NewChangeMap with chunks of 2^shift bytes: tests use
// tiny chunks to put chunk boundaries where a byte model can check them.
func newChunkedMap(capacity int64, shift uint) *ChangeMap {
	return &ChangeMap{capacity: capacity, changed: newExtentStore(shift)}
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
	m.gcd = boundaryGCD(m.gcd, p)
	m.changed.addPage(p.Extents)
	m.reported += int64(len(p.Extents))
	m.scanned.add(Extent{p.Start, p.Length})
	if len(m.faulted.starts) > 0 || len(m.faulted.pending) > 0 {
		m.faulted.subtract(p.Start, p.Start+p.Length)
	}
	m.clipScanned(p.Start, p.Start+p.Length)
	m.version++
	return nil
}

// clipScanned trims the spare room of the chunks in [start, end) whose
// whole range is now scanned: they are complete unless a page is retried.
func (m *ChangeMap) clipScanned(start, end int64) {
	s := &m.changed
	size := int64(1) << s.shift
	for k := max(s.chunksBelow(start)-1, 0); k < len(s.chunks) && s.chunks[k].base < end; k++ {
		c := &s.chunks[k]
		if c.clipped() || c.base+size <= start {
			continue
		}
		to := min(c.base+size, m.capacity)
		if m.scanned.covered(c.base, to) == to-c.base {
			s.clip(k)
		}
	}
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
func (m *ChangeMap) Extent(i int) Extent { return m.changed.at(i) }

// ExtentsIn returns the index range [i, j) of the changed extents that
// overlap [start, end), for use with Extent.
func (m *ChangeMap) ExtentsIn(start, end int64) (i, j int) { return m.changed.overlapping(start, end) }

// Extents yields the changed extents that overlap [start, end), in disk
// order, without copying the map.
func (m *ChangeMap) Extents(start, end int64) iter.Seq[Extent] {
	return func(yield func(Extent) bool) {
		i, j := m.ExtentsIn(start, end)
		for e := range m.changed.from(i) {
			if i == j || !yield(e) {
				return
			}
			i++
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

// boundaryGCD folds into g the extent boundaries p reports strictly inside
// its window. A boundary on the window's edge may be where the server cut
// an extent at the query's startOffset, or where the window ended, rather
// than where the extent does; parallel workers start their windows at
// 1 MiB-aligned offsets inside extents, so counting those would make the
// inferred block depend on how the disk was shared out.
func boundaryGCD(g int64, p Page) int64 {
	end := p.Start + p.Length
	for _, e := range p.Extents {
		if e.Start != p.Start && (g == 0 || e.Start%g != 0) {
			g = gcd(g, e.Start)
		}
		if x := e.End(); x != end && (g == 0 || x%g != 0) {
			g = gcd(g, x)
		}
	}
	return g
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
