package heatmap

// PartStats summarises one part of a comparison.
type PartStats struct {
	Bytes   int64 `json:"bytes"`
	Extents int   `json:"extents"`
	// Share is Bytes / the disk's capacity.
	Share float64 `json:"share"`
}

// CompareStats summarises a comparison. The parts, UnchangedBytes and
// UnknownBytes add up to the disk's capacity.
type CompareStats struct {
	Capacity       int64     `json:"capacityBytes"`
	OnlyA          PartStats `json:"onlyA"`
	OnlyB          PartStats `json:"onlyB"`
	Both           PartStats `json:"both"`
	AWhereBUnknown PartStats `json:"aWhereBUnknown"`
	BWhereAUnknown PartStats `json:"bWhereAUnknown"`
	// UnchangedBytes were scanned by both maps and changed in neither.
	UnchangedBytes int64 `json:"unchangedBytes"`
	// UnknownBytes are changed in neither map as far as is known, but one
	// of them (or both) never scanned them.
	UnknownBytes int64 `json:"unknownBytes"`
}

// Part returns the statistics of part p.
func (s CompareStats) Part(p Part) PartStats {
	switch p {
	case PartOnlyA:
		return s.OnlyA
	case PartOnlyB:
		return s.OnlyB
	case PartBoth:
		return s.Both
	case PartAWhereBUnknown:
		return s.AWhereBUnknown
	case PartBWhereAUnknown:
		return s.BWhereAUnknown
	}
	return PartStats{}
}

func (s *CompareStats) part(p Part) *PartStats {
	return [numParts]*PartStats{&s.OnlyA, &s.OnlyB, &s.Both, &s.AWhereBUnknown, &s.BWhereAUnknown}[p]
}

// Stats returns the comparison's statistics, computed once by Compare.
func (c *Comparison) Stats() CompareStats { return c.stats }

func (c *Comparison) computeStats() CompareStats {
	st := CompareStats{Capacity: c.capacity}
	var total [numParts]int64
	c.seg.partsBelow(c.capacity, c.seg.len(), &total)
	var changed int64
	for _, p := range Parts() {
		ps := st.part(p)
		ps.Bytes = total[p]
		ps.Extents = len(c.byPart[p])
		ps.Share = float64(ps.Bytes) / float64(c.capacity)
		changed += ps.Bytes
	}
	// Only the parts known on both sides lie inside what both scanned.
	both := c.scannedBoth.total()
	st.UnchangedBytes = both - total[PartOnlyA] - total[PartOnlyB] - total[PartBoth]
	st.UnknownBytes = c.capacity - changed - st.UnchangedBytes
	return st
}
