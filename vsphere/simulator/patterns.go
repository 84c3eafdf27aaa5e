package simulator

import "math/rand/v2"

// A Pattern says which bytes one journal write touches. Patterns are
// expanded lazily, from a random source seeded per write, so a disk's map is
// the same on every run and costs nothing until it is first queried.
type Pattern interface {
	blocks(capacity, blockSize int64, rng *rand.Rand) []blockRun
}

// Extents writes exactly these byte ranges.
type Extents []Extent

func (p Extents) blocks(capacity, blockSize int64, _ *rand.Rand) []blockRun {
	out := make([]blockRun, 0, len(p))
	for _, e := range p {
		if r, ok := byteRun(e.Start, e.End(), capacity, blockSize); ok {
			out = append(out, r)
		}
	}
	return out
}

// Scattered is Count writes of MinBytes to MaxBytes each, 8 KiB aligned like
// database pages, at random places in [Start, End) (End 0: the disk's end).
type Scattered struct {
	Start, End         int64
	Count              int
	MinBytes, MaxBytes int64
}

const pageSize = 8 << 10

func (p Scattered) blocks(capacity, blockSize int64, rng *rand.Rand) []blockRun {
	end := p.End
	if end <= 0 || end > capacity {
		end = capacity
	}
	lo, hi := max(p.MinBytes, pageSize), max(p.MaxBytes, p.MinBytes, pageSize)
	out := make([]blockRun, 0, p.Count)
	for range p.Count {
		size := (lo + rng.Int64N(hi-lo+1)) / pageSize * pageSize
		span := (end - p.Start - size) / pageSize
		if span <= 0 {
			break
		}
		off := p.Start + rng.Int64N(span)*pageSize
		if r, ok := byteRun(off, off+size, capacity, blockSize); ok {
			out = append(out, r)
		}
	}
	return out
}

// Strided writes Length bytes every Stride bytes over [Start, End) (End 0:
// the disk's end): what mkfs leaves behind, superblock copies, group
// descriptors and inode tables at fixed intervals.
type Strided struct {
	Start, End     int64
	Stride, Length int64
}

func (p Strided) blocks(capacity, blockSize int64, _ *rand.Rand) []blockRun {
	end := p.End
	if end <= 0 || end > capacity {
		end = capacity
	}
	if p.Stride <= 0 {
		return nil
	}
	var out []blockRun
	for off := p.Start; off < end; off += p.Stride {
		if r, ok := byteRun(off, min(off+p.Length, end), capacity, blockSize); ok {
			out = append(out, r)
		}
	}
	return out
}

// Sparse writes Count single blocks spread over [Start, End) (End 0: the
// disk's end) with jitter but never adjacent, so it adds exactly Count
// extents to a map: over a multi-TiB disk, the million-extent case.
type Sparse struct {
	Start, End int64
	Count      int
}

func (p Sparse) blocks(capacity, blockSize int64, rng *rand.Rand) []blockRun {
	end := p.End
	if end <= 0 || end > capacity {
		end = capacity
	}
	first, last := p.Start/blockSize, end/blockSize
	if p.Count <= 0 {
		return nil
	}
	stride := (last - first) / int64(p.Count)
	if stride < 2 {
		return nil // cannot keep blocks apart; a pattern never writes a lie
	}
	out := make([]blockRun, p.Count)
	for i := range out {
		out[i] = blockRun{start: first + int64(i)*stride + rng.Int64N(stride-1), count: 1}
	}
	return out
}

// byteRun converts bytes [start, end) into the blocks they touch.
func byteRun(start, end, capacity, blockSize int64) (blockRun, bool) {
	start, end = max(start, 0), min(end, capacity)
	if end <= start {
		return blockRun{}, false
	}
	first := start / blockSize
	last := (end + blockSize - 1) / blockSize
	return blockRun{start: first, count: last - first}, true
}
