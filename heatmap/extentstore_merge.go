package heatmap

import (
	"math/bits"
	"slices"
	"sort"
)

// addPage puts a page's extents in the store. They must be valid (not
// empty) but may come in any order, overlap, repeat and touch.
//
// The cost is that of the page when its pieces land after their chunk's
// last piece, which is how a worker paging forward through its own slice of
// the disk delivers them, whatever the other workers do. A page that lands
// before a chunk's last piece costs one merge within that chunk only.
func (s *extentStore) addPage(ext []Extent) {
	run := s.sortedRun(ext)
	for len(run) > 0 {
		id := run[0].Start >> s.shift
		n := 1
		for n < len(run) && run[n].Start>>s.shift == id {
			n++
		}
		s.addRun(id<<s.shift, run[:n])
		run = run[n:]
	}
}

// sortedRun returns ext sorted by start, with overlapping and touching
// extents merged. A server's page is usually that already: one pass checks
// it and it is used as it is, neither copied nor sorted.
func (s *extentStore) sortedRun(ext []Extent) []Extent {
	clean := true
	for t := 1; t < len(ext); t++ {
		if ext[t].Start <= ext[t-1].End() {
			clean = false
			break
		}
	}
	if clean {
		return ext
	}
	run := append(s.run[:0], ext...)
	if !slices.IsSortedFunc(run, byStart) {
		slices.SortFunc(run, byStart)
	}
	s.run = run
	return coalesce(run)
}

// addRun adds a sorted, coalesced run of extents that all start in the
// chunk whose first byte is base.
func (s *extentStore) addRun(base int64, run []Extent) {
	k := sort.Search(len(s.chunks), func(k int) bool { return s.chunks[k].base >= base })
	if k == len(s.chunks) || s.chunks[k].base != base {
		s.chunks = slices.Insert(s.chunks, k, chunk{base: base})
		s.prefixed = min(s.prefixed, k)
		s.dirty = true
	}
	c := &s.chunks[k]
	next := int64(1<<63 - 1)
	if k+1 < len(s.chunks) {
		next = s.chunks[k+1].start(0)
	}
	if run[len(run)-1].End() < next {
		n := len(c.pieces)
		if n > 0 && run[0].Start >= c.start(n-1) || n == 0 && (k == 0 || s.chunks[k-1].end() < run[0].Start) {
			s.appendRun(k, run)
			return
		}
	}
	s.mergeRun(k, run)
}

// end is the first byte after the chunk's last piece.
func (c *chunk) end() int64 {
	n := len(c.pieces)
	return c.start(n-1) + c.tailLen
}

// appendRun adds a run that starts at or after the start of chunk k's last
// piece and reaches no later chunk.
func (s *extentStore) appendRun(k int, run []Extent) {
	c := &s.chunks[k]
	if n := len(c.pieces); n > 0 {
		last := c.extent(n - 1)
		if end := last.End(); run[0].Start <= end {
			for len(run) > 0 && run[0].Start <= end {
				end = max(end, run[0].End())
				run = run[1:]
			}
			s.splice(k, n-1, n, []Extent{{last.Start, end - last.Start}})
		}
	}
	n := len(c.pieces)
	s.splice(k, n, n, run)
}

// mergeRun adds a run anywhere in chunk k: it merges with the chunk's
// pieces it overlaps or touches, with the previous chunk's last piece if
// that reaches it, and with the first pieces of later chunks if its last
// extent reaches them.
func (s *extentStore) mergeRun(k int, run []Extent) {
	c := &s.chunks[k]
	n := len(c.pieces)
	lo, hi := run[0].Start, run[len(run)-1].End()
	i := sort.Search(n, func(t int) bool { return c.start(t)+c.length(t) >= lo })
	j := i + sort.Search(n-i, func(t int) bool { return c.start(i+t) > hi })

	merged := s.merge[:0]
	for a, b := i, 0; a < j || b < len(run); {
		var e Extent
		if b == len(run) || a < j && c.start(a) <= run[b].Start {
			e = c.extent(a)
			a++
		} else {
			e = run[b]
			b++
		}
		if m := len(merged); m > 0 && e.Start <= merged[m-1].End() {
			merged[m-1].Length = max(merged[m-1].End(), e.End()) - merged[m-1].Start
			continue
		}
		merged = append(merged, e)
	}
	s.merge = merged

	// The previous chunk's last piece may reach into this chunk.
	prev := -1
	var pe Extent
	if i == 0 && k > 0 {
		p := &s.chunks[k-1]
		if pe = p.extent(len(p.pieces) - 1); pe.End() >= merged[0].Start {
			prev = k - 1
			end := pe.End()
			for len(merged) > 0 && merged[0].Start <= end {
				end = max(end, merged[0].End())
				merged = merged[1:]
			}
			pe.Length = end - pe.Start
		}
	}

	// The last extent may reach into later chunks and swallow their first
	// pieces; only when nothing of this chunk lies after it.
	last := k
	if j == n {
		tail := &pe
		if len(merged) > 0 {
			tail = &merged[len(merged)-1]
		}
		end := tail.End()
		for q := k + 1; q < len(s.chunks); q++ {
			d := &s.chunks[q]
			t := 0
			for t < len(d.pieces) && d.start(t) <= end {
				end = max(end, d.start(t)+d.length(t))
				t++
			}
			if t == 0 {
				break
			}
			s.splice(q, 0, t, nil)
			last = q
			if len(d.pieces) > 0 {
				break
			}
		}
		tail.Length = end - tail.Start
	}

	s.splice(k, i, j, merged)
	if prev >= 0 {
		p := &s.chunks[prev]
		np := len(p.pieces)
		s.splice(prev, np-1, np, []Extent{pe})
	}
	// Drop the chunks left empty, from the back so indices hold.
	for q := last; q >= k; q-- {
		if len(s.chunks[q].pieces) == 0 {
			s.spare.release(s.chunks[q].pieces)
			s.chunks = slices.Delete(s.chunks, q, q+1)
			s.prefixed = min(s.prefixed, q)
			s.dirty = true
		}
	}
}

// splice replaces pieces [i, j) of chunk k with the extents with, which
// are sorted, disjoint and start in the chunk, and keeps the totals, the
// statistics and the running totals current.
func (s *extentStore) splice(k, i, j int, with []Extent) {
	if i == j && len(with) == 0 {
		return // and the last piece keeps its length
	}
	c := &s.chunks[k]
	n := len(c.pieces)
	var delta int64
	for t := i; t < j; t++ {
		e := c.extent(t)
		delta -= e.Length
		s.tally.remove(e)
	}
	for _, e := range with {
		delta += e.Length
		s.tally.add(e)
	}
	newN := n - (j - i) + len(with)
	if newN > cap(c.pieces) {
		c.pieces = s.spare.grow(c.pieces, newN)
	}
	oldTail := c.tailLen
	c.pieces = c.pieces[:max(n, newN)]
	copy(c.pieces[i+len(with):], c.pieces[j:n])
	for t, e := range with {
		// Only the last piece can be longer than a chunk; capping at the
		// chunk's size rather than at 4 GiB makes tests with tiny chunks
		// depend on tailLen as real ones do.
		c.pieces[i+t] = piece{off: uint32(e.Start - c.base), lenM1: uint32(min(e.Length, int64(1)<<s.shift) - 1)}
	}
	c.pieces = c.pieces[:newN]
	switch {
	case j < n:
		c.tailLen = oldTail
	case len(with) > 0:
		c.tailLen = with[len(with)-1].Length
	case newN > 0:
		c.tailLen = int64(c.pieces[newN-1].lenM1) + 1
	default:
		c.tailLen = 0
	}
	c.bytes += delta
	s.total += delta
	s.count += len(with) - (j - i)
	c.truncateIndex(i)
	s.dirty = true
	s.prefixed = min(s.prefixed, k+1)
}

// clip gives chunk k exactly the memory its pieces need. It is called once
// the chunk's whole range is scanned, when no more pieces are expected, so
// that a finished chunk keeps no room to grow.
func (s *extentStore) clip(k int) {
	c := &s.chunks[k]
	if cap(c.pieces) > len(c.pieces) {
		old := c.pieces
		c.pieces = exact(old)
		s.spare.release(old)
	}
	c.ensureIndex()
	// A finished chunk is sampled now, while pages stream in, rather than
	// all at once in the first frame after the last page.
	c.ensureSamples()
	c.marks = exact(c.marks)
	c.tops = exact(c.tops)
}

// exact returns s in a slice of its length, or s itself if it is one.
// (slices.Clone may round the capacity up.)
func exact[T any](s []T) []T {
	if cap(s) == len(s) {
		return s
	}
	out := make([]T, len(s))
	copy(out, s)
	return out
}

// clipped reports whether the chunk's pieces and running totals are all
// there and take no spare room.
func (c *chunk) clipped() bool {
	n := len(c.pieces)
	return cap(c.pieces) == n && len(c.marks) == marksFor(n) && cap(c.marks) == len(c.marks) &&
		len(c.tops) == topsFor(n) && cap(c.tops) == len(c.tops)
}

// pieceBuffers keeps the buffers chunks grew out of, by size, for the next
// chunks to grow into. Only the chunks being filled (one or two per worker)
// grow at a time, so a few buffers of each size are enough, and growing
// leaves no garbage behind: the heap's peak stays close to what the map
// holds.
type pieceBuffers struct {
	free [33][][]piece
}

// sparePerSize bounds the buffers kept of each size.
const sparePerSize = 32

// minPieceBuffer is the smallest buffer a chunk grows into.
const minPieceBuffer = 16

// grow returns a buffer of at least need pieces holding old's pieces, and
// keeps old for reuse.
func (b *pieceBuffers) grow(old []piece, need int) []piece {
	size := max(minPieceBuffer, 1<<bits.Len(uint(need-1)))
	class := bits.Len(uint(size)) - 1
	var buf []piece
	if f := b.free[class]; len(f) > 0 {
		buf = f[len(f)-1]
		b.free[class] = f[:len(f)-1]
	} else {
		buf = make([]piece, 0, size)
	}
	buf = append(buf[:0], old...)
	b.release(old)
	return buf
}

// release keeps buf for reuse if it is of a size grow hands out.
func (b *pieceBuffers) release(buf []piece) {
	size := cap(buf)
	if size < minPieceBuffer || size&(size-1) != 0 {
		return
	}
	class := bits.Len(uint(size)) - 1
	if class < len(b.free) && len(b.free[class]) < sparePerSize {
		b.free[class] = append(b.free[class], buf[:0])
	}
}
