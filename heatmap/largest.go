package heatmap

import "slices"

// topExtents keeps the largest extents as they come and go, so that the k
// largest are found without a pass over the map.
//
// Extents are ranked by length, longest first, and among equal lengths by
// disk order. The list holds exactly the extents ranked at or above bound
// (all of them until it is first cut), in no order. Adding or removing an extent
// costs one comparison unless it ranks that high. When the list grows past
// twice what it keeps it is cut back; when merges leave it shorter than a
// caller asks for, Largest refills it with one pass over the map.
//
// It keeps topKeep extents, or as many as the largest number a caller has
// asked for, up to topMaxKeep: the extent table sorted by size asks for a
// screenful beyond where it is scrolled, and a list cut back below that
// would make the next call pass over the map again.
type topExtents struct {
	cut   bool
	list  []Extent
	bound Extent
	keep  int // 0: topKeep
	// refills counts passes over the map, for tests.
	refills int
}

const (
	topKeep    = 128
	topMaxKeep = 4096
)

func (t *topExtents) kept() int { return max(t.keep, topKeep) }

// ranksBefore reports whether a ranks above b: longer, or as long and
// earlier on the disk.
func ranksBefore(a, b Extent) bool {
	return a.Length > b.Length || a.Length == b.Length && a.Start < b.Start
}

func byRank(a, b Extent) int {
	switch {
	case ranksBefore(a, b):
		return -1
	case ranksBefore(b, a):
		return 1
	}
	return 0
}

func (t *topExtents) holds(e Extent) bool { return !t.cut || !ranksBefore(t.bound, e) }

func (t *topExtents) add(e Extent) {
	if !t.holds(e) {
		return
	}
	t.list = append(t.list, e)
	if n := t.kept(); len(t.list) > 2*n {
		slices.SortFunc(t.list, byRank)
		t.list = t.list[:n]
		t.bound, t.cut = t.list[n-1], true
	}
}

func (t *topExtents) remove(e Extent) {
	if !t.holds(e) {
		return
	}
	for k, x := range t.list {
		if x == e {
			last := len(t.list) - 1
			t.list[k] = t.list[last]
			t.list = t.list[:last]
			return
		}
	}
}

// Largest returns the k largest changed extents, largest first; among
// extents of one length, the first on the disk comes first. It does not
// pass over the map unless merges have left fewer large extents known than
// k (then once), or k is above topMaxKeep.
func (m *ChangeMap) Largest(k int) []Extent {
	t := &m.changed.tally.top
	k = min(k, m.changed.len())
	if k <= 0 {
		return nil
	}
	t.keep = max(t.keep, min(k, topMaxKeep))
	if t.cut && len(t.list) < k {
		m.changed.refillTop(max(k, t.kept()))
	}
	out := slices.Clone(t.list)
	slices.SortFunc(out, byRank)
	return out[:k]
}

// refillTop rebuilds the list of the largest extents with the n largest,
// in one pass over the map.
func (s *extentStore) refillTop(n int) {
	t := &s.tally.top
	t.list = t.list[:0]
	t.cut = false
	t.refills++
	for e := range s.from(0) {
		if !t.holds(e) {
			continue
		}
		t.list = append(t.list, e)
		if len(t.list) >= 2*n {
			slices.SortFunc(t.list, byRank)
			t.list = t.list[:n]
			t.bound, t.cut = t.list[n-1], true
		}
	}
}
