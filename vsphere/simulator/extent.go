package simulator

import (
	"fmt"
	"slices"
)

// Extent is a byte range [Start, Start+Length) of a disk. It has the JSON
// shape of the API's DiskChangeExtent.
type Extent struct {
	Start  int64 `json:"start"`
	Length int64 `json:"length"`
}

// End is the first byte after the extent.
func (e Extent) End() int64 { return e.Start + e.Length }

func (e Extent) String() string { return fmt.Sprintf("[%d, %d)", e.Start, e.End()) }

// blockRun is count CBT blocks from block start. The journal works in blocks
// because CBT itself does: a write of 8 KiB marks its whole 64 KiB block.
type blockRun struct {
	start, count int64
}

func (r blockRun) end() int64 { return r.start + r.count }

// normalizeRuns sorts runs and merges the ones that overlap or touch, so a
// list of runs is a set of blocks with one canonical form.
func normalizeRuns(runs []blockRun) []blockRun {
	if len(runs) == 0 {
		return runs
	}
	if !slices.IsSortedFunc(runs, cmpRun) {
		slices.SortFunc(runs, cmpRun)
	}
	out := runs[:1]
	for _, r := range runs[1:] {
		last := &out[len(out)-1]
		if r.start <= last.end() {
			if r.end() > last.end() {
				last.count = r.end() - last.start
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

func cmpRun(a, b blockRun) int {
	switch {
	case a.start < b.start:
		return -1
	case a.start > b.start:
		return 1
	}
	return 0
}

// unionRuns merges two normalized lists into a new normalized list in linear
// time; repeated pairwise unions beat one big sort when a query spans a few
// writes of a million runs each.
func unionRuns(a, b []blockRun) []blockRun {
	out := make([]blockRun, 0, len(a)+len(b))
	push := func(r blockRun) {
		if n := len(out); n > 0 && r.start <= out[n-1].end() {
			if r.end() > out[n-1].end() {
				out[n-1].count = r.end() - out[n-1].start
			}
			return
		}
		out = append(out, r)
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		if a[i].start <= b[j].start {
			push(a[i])
			i++
		} else {
			push(b[j])
			j++
		}
	}
	for ; i < len(a); i++ {
		push(a[i])
	}
	for ; j < len(b); j++ {
		push(b[j])
	}
	return out
}

// unionAll merges many normalized lists by pairwise rounds: O(n log k).
func unionAll(lists [][]blockRun) []blockRun {
	switch len(lists) {
	case 0:
		return nil
	case 1:
		return slices.Clone(lists[0])
	}
	for len(lists) > 1 {
		next := make([][]blockRun, 0, (len(lists)+1)/2)
		for i := 0; i < len(lists); i += 2 {
			if i+1 == len(lists) {
				next = append(next, lists[i])
				continue
			}
			next = append(next, unionRuns(lists[i], lists[i+1]))
		}
		lists = next
	}
	return lists[0]
}

// toExtents turns block runs into byte extents, clipping the last block to
// the capacity when the disk is not a whole number of blocks.
func toExtents(runs []blockRun, blockSize, capacity int64) []Extent {
	out := make([]Extent, 0, len(runs))
	for _, r := range runs {
		start := r.start * blockSize
		end := min(r.end()*blockSize, capacity)
		if end > start {
			out = append(out, Extent{Start: start, Length: end - start})
		}
	}
	return out
}
