package heatmap

import (
	"math"
	"math/bits"
	"slices"
)

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
	// BlockSize is the largest size every reported start and length is a
	// multiple of: the CBT block size, or a multiple of it. Zero when no
	// extent was reported.
	BlockSize int64 `json:"inferredBlockSize"`
}

// Stats computes the map's statistics. It is linear in the number of
// extents; callers that redraw often should cache it by Version.
func (m *ChangeMap) Stats() Stats {
	st := Stats{
		Capacity:        m.capacity,
		ChangedBytes:    m.changed.total(),
		ScannedBytes:    m.scanned.total(),
		FaultedBytes:    m.faulted.total(),
		Pages:           m.pages,
		ReportedExtents: m.reported,
		Extents:         m.changed.len(),
		BlockSize:       m.gcd,
	}
	st.ChangedShare = float64(st.ChangedBytes) / float64(m.capacity)
	n := st.Extents
	if n == 0 {
		return st
	}
	st.MinExtent, st.MaxExtent = math.MaxInt64, 0
	cum := m.changed.cum
	for i := 0; i < n; i++ {
		l := cum[i+1] - cum[i]
		st.MinExtent = min(st.MinExtent, l)
		st.MaxExtent = max(st.MaxExtent, l)
		st.Histogram[bits.Len64(uint64(l))-1]++
	}
	st.MedianExtent = m.medianExtent(st.Histogram, n)
	return st
}

// medianExtent finds the lower median of the merged extent sizes: the
// histogram names the bucket that holds it, and only that bucket's sizes are
// collected and selected from, so memory stays small at millions of extents.
func (m *ChangeMap) medianExtent(hist [64]int64, n int) int64 {
	want := int64(n-1) / 2 // 0-based rank of the lower median
	var bucket int
	for bucket = range hist {
		if want < hist[bucket] {
			break
		}
		want -= hist[bucket]
	}
	sizes := make([]int64, 0, hist[bucket])
	cum := m.changed.cum
	for i := 0; i < n; i++ {
		if l := cum[i+1] - cum[i]; bits.Len64(uint64(l))-1 == bucket {
			sizes = append(sizes, l)
		}
	}
	slices.Sort(sizes)
	return sizes[want]
}
