package heatmap

import (
	"iter"
	"sort"
)

// extentStore holds a map's changed extents: sorted, disjoint and never
// touching (touching extents are merged), as compactly as a few hundred
// million of them need.
//
// The disk is cut into chunks of 2^shift bytes (4 GiB). An extent lives in
// the chunk where it starts, as a piece: two uint32, its offset in the chunk
// and its length minus one, 8 bytes in all. Only a chunk's last piece can be
// longer than 4 GiB (reaching into later chunks), since every other piece
// ends before the next one starts; its true length is kept beside it in
// tailLen. Any alignment stays exact, to the byte.
//
// Chunks appear only when an extent starts in them, so a huge, sparse disk
// costs nothing for its empty stretches. Each chunk's pieces grow on their
// own: a page from one worker appends to its chunk, and only a page that
// lands before a chunk's last piece (a retry, or two workers meeting) merges
// inside that one chunk. See extentstore_merge.go.
type extentStore struct {
	shift  uint
	chunks []chunk
	// prefixed is how many leading chunks have before and rank current.
	prefixed int
	// dirty says that marks and prefixes must be brought up to date before
	// a query reads them.
	dirty  bool
	total  int64
	count  int
	tally  sizeTally
	spare  pieceBuffers
	run    []Extent // scratch: a page's extents sorted and coalesced
	merge  []Extent // scratch: a chunk's pieces merged with a run
	probes []probe  // scratch: a frame's searches
}

// piece is an extent inside its chunk: off from the chunk's first byte, and
// its length minus one (pieces are never empty, and one may fill a chunk).
type piece struct{ off, lenM1 uint32 }

// defaultChunkShift makes chunks of 4 GiB, the range a uint32 offset spans.
const defaultChunkShift = 32

// chunk holds the pieces that start in [base, base + 2^shift).
type chunk struct {
	base    int64
	pieces  []piece
	tailLen int64 // length of the last piece, which alone may pass the chunk's end
	// marks and tops index the pieces for searches; see extentstore_index.go.
	marks []mark
	tops  []uint32
	bytes int64 // in all pieces
	// before and rank are the bytes and pieces of every earlier chunk.
	before int64
	rank   int
}

func newExtentStore(shift uint) extentStore { return extentStore{shift: shift} }

func (c *chunk) length(k int) int64 {
	if k == len(c.pieces)-1 {
		return c.tailLen
	}
	return int64(c.pieces[k].lenM1) + 1
}

func (c *chunk) start(k int) int64 { return c.base + int64(c.pieces[k].off) }

func (c *chunk) extent(k int) Extent { return Extent{c.start(k), c.length(k)} }

// prepare brings every chunk's marks and prefix up to date, so that queries
// only read (and a frame may search from two goroutines).
func (s *extentStore) prepare() {
	if !s.dirty {
		return
	}
	for k := range s.chunks {
		s.chunks[k].ensureIndex()
	}
	for k := max(s.prefixed, 1); k < len(s.chunks); k++ {
		p := &s.chunks[k-1]
		s.chunks[k].before = p.before + p.bytes
		s.chunks[k].rank = p.rank + len(p.pieces)
	}
	if len(s.chunks) > 0 {
		s.chunks[0].before, s.chunks[0].rank = 0, 0
	}
	s.prefixed = len(s.chunks)
	s.dirty = false
}

func (s *extentStore) len() int      { return s.count }
func (s *extentStore) sum() int64    { return s.total }
func (s *extentStore) empty() bool   { return s.count == 0 }
func (s *extentStore) touched(k int) { s.dirty = true; s.prefixed = min(s.prefixed, k+1) }

// chunksBelow is the number of chunks whose base is below x.
func (s *extentStore) chunksBelow(x int64) int {
	return sort.Search(len(s.chunks), func(k int) bool { return s.chunks[k].base >= x })
}

// find locates the last piece that starts below x: its chunk q and its
// index r-1 in the chunk (r >= 1), or q = -1 when there is none.
func (s *extentStore) find(x int64) (q, r int) {
	q = s.chunksBelow(x) - 1
	if q < 0 {
		return -1, 0
	}
	if r = s.chunks[q].rankIn(x); r > 0 {
		return q, r
	}
	// Chunks are never empty: the previous chunk's pieces all start below x.
	if q == 0 {
		return -1, 0
	}
	return q - 1, len(s.chunks[q-1].pieces)
}

// rank is the number of pieces that start below x.
func (s *extentStore) rank(x int64) int {
	s.prepare()
	q, r := s.find(x)
	if q < 0 {
		return 0
	}
	return s.chunks[q].rank + r
}

// coveredBelow is the number of changed bytes below x.
func (s *extentStore) coveredBelow(x int64) int64 {
	q, r := s.find(x)
	if q < 0 {
		return 0
	}
	c := &s.chunks[q]
	return c.before + c.bytesBelow(x, r)
}

// covered is the number of changed bytes of [a, b).
func (s *extentStore) covered(a, b int64) int64 {
	if a >= b {
		return 0
	}
	s.prepare()
	return s.coveredBelow(b) - s.coveredBelow(a)
}

// overlapping returns the index range [i, j) of the extents that overlap
// [a, b).
func (s *extentStore) overlapping(a, b int64) (int, int) {
	s.prepare()
	i := s.rank(a)
	if i > 0 && s.at(i-1).End() > a {
		i--
	}
	j := s.rank(b)
	return i, max(i, j)
}

// at returns the i-th extent in disk order.
func (s *extentStore) at(i int) Extent {
	s.prepare()
	q := sort.Search(len(s.chunks), func(k int) bool { return s.chunks[k].rank > i }) - 1
	return s.chunks[q].extent(i - s.chunks[q].rank)
}

// from yields the extents in disk order from the i-th one on.
func (s *extentStore) from(i int) iter.Seq[Extent] {
	return func(yield func(Extent) bool) {
		if i >= s.count {
			return
		}
		s.prepare()
		q := sort.Search(len(s.chunks), func(k int) bool { return s.chunks[k].rank > i }) - 1
		r := i - s.chunks[q].rank
		for ; q < len(s.chunks); q, r = q+1, 0 {
			c := &s.chunks[q]
			for ; r < len(c.pieces); r++ {
				if !yield(c.extent(r)) {
					return
				}
			}
		}
	}
}

// storeCursor walks the extents in disk order, answering whether a
// position is changed and where that changes next, for non-decreasing
// positions.
type storeCursor struct {
	s    *extentStore
	q, r int
}

func (c *storeCursor) at(pos int64) (in bool, next int64) {
	chunks := c.s.chunks
	for c.q < len(chunks) {
		ch := &chunks[c.q]
		if c.r >= len(ch.pieces) {
			c.q, c.r = c.q+1, 0
			continue
		}
		st := ch.start(c.r)
		end := st + ch.length(c.r)
		if end <= pos {
			c.r++
			continue
		}
		if st > pos {
			return false, st
		}
		return true, end
	}
	return false, 1<<63 - 1
}
