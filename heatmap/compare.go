package heatmap

import (
	"errors"
	"fmt"
	"iter"
	"math"
	"sort"
)

// Part is where a changed byte falls when two maps of one disk, A and B, are
// compared. Every byte changed in A or in B is in exactly one part.
//
// A map knows three things of a byte: changed, scanned and unchanged, or not
// scanned at all (never scanned, or scanning stopped on a fault). "Only in A"
// is a claim about B: that B looked at the byte and found it unchanged. So a
// byte changed in A that B never scanned is not "only in A" but
// PartAWhereBUnknown, and likewise for B. Bytes changed in neither map are in
// no part: they are unchanged in both when both scanned them, otherwise
// unknown (see CompareStats and CompareCell).
type Part uint8

// The parts of a comparison.
const (
	PartOnlyA          Part = iota // changed in A; B scanned it and found it unchanged
	PartOnlyB                      // changed in B; A scanned it and found it unchanged
	PartBoth                       // changed in A and in B
	PartAWhereBUnknown             // changed in A; B never scanned it
	PartBWhereAUnknown             // changed in B; A never scanned it
	numParts
)

// Parts lists every part, in the order the legend and the statistics show
// them.
func Parts() []Part {
	return []Part{PartOnlyA, PartOnlyB, PartBoth, PartAWhereBUnknown, PartBWhereAUnknown}
}

var partNames = [numParts]string{
	PartOnlyA:          "only in A",
	PartOnlyB:          "only in B",
	PartBoth:           "in both",
	PartAWhereBUnknown: "in A, B not scanned",
	PartBWhereAUnknown: "in B, A not scanned",
}

func (p Part) String() string {
	if p >= numParts {
		return fmt.Sprintf("Part(%d)", uint8(p))
	}
	return partNames[p]
}

// ErrCapacityMismatch is wrapped by Compare's error when the two maps are
// not of disks of the same size, so cannot be of the same disk.
var ErrCapacityMismatch = errors.New("maps of disks of different capacities")

// Comparison is two change maps of one disk set against each other, byte by
// byte. It is a snapshot: it keeps no reference to the maps, so compare again
// when either map's Version changes.
//
// The parts are kept as one list of labelled segments in disk order (a byte
// is in at most one part, so the parts never overlap), which lets a grid
// find every part's bytes below a boundary with a single search.
type Comparison struct {
	capacity int64
	seg      segments
	// byPart[p] lists, in disk order, the indices of p's segments.
	byPart [numParts][]int32
	// scannedBoth holds the bytes both maps scanned.
	scannedBoth rangeSet
	stats       CompareStats
}

// Compare sets map b against map a. Both must be maps of disks of the same
// capacity; otherwise the error wraps ErrCapacityMismatch. It is linear in
// the number of extents and scanned ranges of the two maps.
func Compare(a, b *ChangeMap) (*Comparison, error) {
	if a == nil || b == nil {
		return nil, errors.New("compare: a map is missing")
	}
	if a.capacity != b.capacity {
		return nil, fmt.Errorf("compare: A is of %d bytes, B of %d: %w", a.capacity, b.capacity, ErrCapacityMismatch)
	}
	n := a.changed.len() + b.changed.len()
	if n >= math.MaxInt32/2 {
		return nil, fmt.Errorf("compare: %d extents are more than a comparison holds", n)
	}
	a.scanned.flush()
	b.scanned.flush()
	c := &Comparison{capacity: a.capacity}
	c.sweep(a, b)
	for k, p := range c.seg.labels {
		c.byPart[p] = append(c.byPart[p], int32(k))
	}
	c.seg.finish()
	c.stats = c.computeStats()
	return c, nil
}

// cursor walks one range set in disk order.
type cursor struct {
	starts, cum []int64
	i           int
}

func newCursor(s *rangeSet) cursor { return cursor{starts: s.starts, cum: s.cum} }

// at reports whether pos is in the set and where that changes next. pos must
// not decrease from call to call.
func (c *cursor) at(pos int64) (in bool, next int64) {
	n := len(c.starts)
	for c.i < n && c.starts[c.i]+c.cum[c.i+1]-c.cum[c.i] <= pos {
		c.i++
	}
	if c.i == n {
		return false, math.MaxInt64
	}
	if st := c.starts[c.i]; st > pos {
		return false, st
	}
	return true, c.starts[c.i] + c.cum[c.i+1] - c.cum[c.i]
}

// sweep walks the boundaries of the four sets together and labels each
// stretch between two boundaries.
func (c *Comparison) sweep(a, b *ChangeMap) {
	a.changed.prepare()
	b.changed.prepare()
	ca, sa := storeCursor{s: &a.changed}, newCursor(&a.scanned)
	cb, sb := storeCursor{s: &b.changed}, newCursor(&b.scanned)
	for pos := int64(0); pos < c.capacity; {
		inCA, next := ca.at(pos)
		inSA, n2 := sa.at(pos)
		inCB, n3 := cb.at(pos)
		inSB, n4 := sb.at(pos)
		next = min(next, n2, n3, n4, c.capacity)
		if inSA && inSB {
			c.scannedBoth.add(Extent{pos, next - pos})
		}
		// A changed byte is always a scanned one, so inCA implies inSA.
		switch {
		case inCA && inCB:
			c.seg.emit(pos, next, PartBoth)
		case inCA && inSB:
			c.seg.emit(pos, next, PartOnlyA)
		case inCA:
			c.seg.emit(pos, next, PartAWhereBUnknown)
		case inCB && inSA:
			c.seg.emit(pos, next, PartOnlyB)
		case inCB:
			c.seg.emit(pos, next, PartBWhereAUnknown)
		}
		pos = next
	}
}

// Capacity is the size of the disk in bytes.
func (c *Comparison) Capacity() int64 { return c.capacity }

// Complete reports whether both maps scanned the whole disk, so that no
// byte is unknown and every change is only in A, only in B or in both.
func (c *Comparison) Complete() bool { return c.scannedBoth.total() == c.capacity }

// Len is the number of extents of part p: its maximal runs of bytes.
func (c *Comparison) Len(p Part) int {
	if p >= numParts {
		return 0
	}
	return len(c.byPart[p])
}

// Extent returns the i-th extent of part p in disk order, 0 <= i < Len(p).
func (c *Comparison) Extent(p Part, i int) Extent { return c.seg.set.at(int(c.byPart[p][i])) }

// ExtentsIn returns the index range [i, j) of part p's extents that overlap
// [start, end), for use with Extent.
func (c *Comparison) ExtentsIn(p Part, start, end int64) (i, j int) {
	if p >= numParts {
		return 0, 0
	}
	idx := c.byPart[p]
	s := &c.seg.set
	i = sort.Search(len(idx), func(k int) bool { return s.at(int(idx[k])).End() > start })
	j = i + sort.Search(len(idx)-i, func(k int) bool { return s.starts[idx[i+k]] >= end })
	return i, j
}

// Extents yields part p's extents that overlap [start, end), in disk order,
// without copying.
func (c *Comparison) Extents(p Part, start, end int64) iter.Seq[Extent] {
	return func(yield func(Extent) bool) {
		i, j := c.ExtentsIn(p, start, end)
		for k := i; k < j; k++ {
			if !yield(c.Extent(p, k)) {
				return
			}
		}
	}
}

// Bytes is the number of bytes of [start, end) in part p.
func (c *Comparison) Bytes(p Part, start, end int64) int64 {
	if p >= numParts || start >= end {
		return 0
	}
	var lo, hi [numParts]int64
	c.seg.partsBelow(start, c.seg.set.rank(start, 0), &lo)
	c.seg.partsBelow(end, c.seg.set.rank(end, 0), &hi)
	return hi[p] - lo[p]
}

// ScannedBothBytes is the number of bytes of [start, end) both maps
// scanned.
func (c *Comparison) ScannedBothBytes(start, end int64) int64 {
	return c.scannedBoth.covered(start, end)
}
