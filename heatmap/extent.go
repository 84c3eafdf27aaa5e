package heatmap

import (
	"cmp"
	"errors"
	"fmt"
)

// Extent is a byte range [Start, Start+Length) of a disk.
type Extent struct {
	Start  int64 `json:"start"`
	Length int64 `json:"length"`
}

// End is the first byte after the extent.
func (e Extent) End() int64 { return e.Start + e.Length }

func (e Extent) String() string { return fmt.Sprintf("[%d, %d)", e.Start, e.End()) }

// Page is one reply of a changed-areas query: the window [Start, Start+Length)
// it scanned and the changed extents the server reported inside it.
type Page struct {
	Start   int64
	Length  int64
	Extents []Extent
}

// Window is a byte range [Start, End) of a disk, as shown on a grid.
type Window struct {
	Start, End int64
}

// Len is the number of bytes the window spans.
func (w Window) Len() int64 { return w.End - w.Start }

func (w Window) String() string { return fmt.Sprintf("[%d, %d)", w.Start, w.End) }

// ErrInvalidPage is wrapped by every error about a page or an extent that
// breaks the map's rules: outside the disk, outside its window, or empty.
var ErrInvalidPage = errors.New("invalid page")

// validate checks a page against a disk of the given capacity without
// changing anything, so that a bad page is rejected whole.
func (p Page) validate(capacity int64) error {
	if p.Start < 0 || p.Length < 0 {
		return fmt.Errorf("%w: window start %d length %d is negative", ErrInvalidPage, p.Start, p.Length)
	}
	if p.Start > capacity || p.Length > capacity-p.Start {
		return fmt.Errorf("%w: window [%d, +%d) leaves the disk of %d bytes", ErrInvalidPage, p.Start, p.Length, capacity)
	}
	end := p.Start + p.Length
	for i, e := range p.Extents {
		if e.Length <= 0 {
			return fmt.Errorf("%w: extent %d %v has length %d", ErrInvalidPage, i, e, e.Length)
		}
		if e.Start < p.Start || e.Start >= end || e.Length > end-e.Start {
			return fmt.Errorf("%w: extent %d [%d, +%d) lies outside its window [%d, %d)", ErrInvalidPage, i, e.Start, e.Length, p.Start, end)
		}
	}
	return nil
}

// byStart orders extents by where they start.
func byStart(a, b Extent) int { return cmp.Compare(a.Start, b.Start) }
