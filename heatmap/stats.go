package heatmap

// Stats summarises a change map.
type Stats struct {
	Capacity     int64 `json:"capacityBytes"`
	ChangedBytes int64 `json:"changedBytes"`
	ScannedBytes int64 `json:"scannedBytes"`
	FaultedBytes int64 `json:"faultedBytes"`
	// ChangedShare is ChangedBytes / Capacity.
	ChangedShare float64 `json:"changedShare"`
	Pages        int     `json:"pages"`
	// ReportedExtents counts extents as the server returned them;
	// Extents counts them after overlapping and adjacent ones were merged.
	ReportedExtents int64 `json:"reportedExtents"`
	Extents         int   `json:"extents"`
	// Sizes of the merged extents; zero when there are none.
	MinExtent    int64 `json:"minExtentBytes"`
	MedianExtent int64 `json:"medianExtentBytes"`
	MaxExtent    int64 `json:"maxExtentBytes"`
	// Histogram[k] counts merged extents of size in [2^k, 2^(k+1)).
	Histogram [64]int64 `json:"-"`
	// ExtentGCD is the largest size every reported extent boundary inside
	// its page's window is a multiple of (a boundary on a window's edge may
	// be where the server cut the extent; zero when there is none). The CBT
	// block size divides it, but few or coarse extents make it much larger
	// than the block: it is data, not the inference.
	ExtentGCD int64 `json:"extentGCDBytes"`
	// BlockSize is the CBT block size inferred from ExtentGCD, or zero when
	// the map does not show it (BlockUnknown says why). See inferBlock.
	BlockSize int64 `json:"inferredBlockSize"`
	// BlockEvidence is how many extents the inference rests on: the merged
	// extents, whose starts and ends are distinct block boundaries.
	BlockEvidence int `json:"inferredBlockEvidence"`
	// BlockUnknown is why BlockSize is zero, one of the Block* reasons.
	BlockUnknown string `json:"inferredBlockUnknown,omitempty"`
}

// Why a block size could not be inferred.
const (
	BlockNoExtents        = "no extents"
	BlockTooFewExtents    = "too few extents"
	BlockNotSectorAligned = "extents not sector aligned"
	BlockTooCoarse        = "extents coarser than a CBT block"
)

// The rule for inferring a block size, and why.
//
// Every extent a server reports starts and ends on a CBT block boundary
// (unless the window cut it), so the block divides the GCD of the
// boundaries inside the windows. The GCD overshoots
// the block when every boundary happens to fall on a multiple of a larger
// unit: certain with a handful of extents (two allocated regions of a "*"
// map are 2 GiB aligned), unlikely with many. Blocks are powers of two, so
// the block divides the GCD's largest power-of-two factor; that factor is
// the candidate. If the block were half of it, each of the 2n distinct
// boundaries of n separate (merged) extents would have to land on an even
// block by chance: about one chance in 2^(2n) for writes that are not
// aligned to a coarser unit by design. MinBlockEvidence extents put that
// below one in 2^32. A candidate under one sector means the extents are not
// block data at all; one above MaxInferredBlock is the alignment of what
// was written (regions, allocation units), not a tracking granularity.
// Writes aligned by design to a coarser unit than the block still read as
// that unit, which is why the size is shown as inferred, with its evidence.
const (
	MinBlockEvidence = 16
	MinInferredBlock = 512
	MaxInferredBlock = 1 << 20
)

// inferBlock fills BlockSize, BlockEvidence and BlockUnknown from ExtentGCD
// and the merged extent count.
func (st *Stats) inferBlock() {
	st.BlockEvidence = st.Extents
	cand := st.ExtentGCD & -st.ExtentGCD // largest power of two dividing it
	switch {
	case st.ReportedExtents == 0:
		st.BlockUnknown = BlockNoExtents
	case st.ExtentGCD == 0:
		// Every boundary lay on a window's edge: no evidence at all.
		st.BlockUnknown = BlockTooFewExtents
	case cand < MinInferredBlock:
		st.BlockUnknown = BlockNotSectorAligned
	case st.Extents < MinBlockEvidence:
		st.BlockUnknown = BlockTooFewExtents
	case cand > MaxInferredBlock:
		st.BlockUnknown = BlockTooCoarse
	default:
		st.BlockSize = cand
	}
}

// Stats returns the map's statistics. They are kept as pages arrive, so
// this costs a few hundred steps whatever the size of the map.
func (m *ChangeMap) Stats() Stats {
	st := Stats{
		Capacity:        m.capacity,
		ChangedBytes:    m.changed.sum(),
		ScannedBytes:    m.scanned.total(),
		FaultedBytes:    m.faulted.total(),
		Pages:           m.pages,
		ReportedExtents: m.reported,
		Extents:         m.changed.len(),
		ExtentGCD:       m.gcd,
	}
	st.ChangedShare = float64(st.ChangedBytes) / float64(m.capacity)
	st.inferBlock()
	m.changed.tally.sizes(&st, st.Extents)
	return st
}
