package heatmap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Tiny chunks put chunk boundaries everywhere on a disk small enough for the
// byte model: extents that start in one chunk and run through several,
// merges that reach back into the previous chunk or swallow later ones.
func TestChunkedMapMatchesByteModel(t *testing.T) {
	for seed := range uint64(400) {
		r := rand.New(rand.NewPCG(seed, 11))
		capacity := int64(1 + r.IntN(300))
		shift := uint(r.IntN(7))
		m := newChunkedMap(capacity, shift)
		bm := newByteModel(int(capacity))
		steps := 1 + r.IntN(40)
		for step := range steps {
			if r.IntN(8) == 0 {
				a := r.Int64N(capacity + 1)
				b := a + r.Int64N(capacity-a+1)
				if err := m.MarkFaulted(a, b); err != nil {
					t.Fatal(err)
				}
				bm.markFaulted(a, b)
			} else {
				p := randomPage(r, capacity)
				if err := m.Absorb(p); err != nil {
					t.Fatalf("seed %d step %d: Absorb(%+v): %v", seed, step, p, err)
				}
				bm.absorb(p)
			}
			if r.IntN(4) == 0 || step == steps-1 {
				checkAgainst(t, r, m, bm)
				checkLargest(t, r, m, bm)
			}
		}
	}
}

// workerPages makes the pages w workers deliver, each paging forward
// through its own slice of the disk, interleaved at random; now and then a
// worker retries a page (overlapping what it already sent) or a page fails
// and its window is marked faulted instead.
type workerPages struct {
	r        *rand.Rand
	capacity int64
	next     []int64 // each worker's next offset
	ends     []int64
}

func newWorkerPages(r *rand.Rand, capacity int64, workers int) *workerPages {
	wp := &workerPages{r: r, capacity: capacity}
	for w := range workers {
		wp.next = append(wp.next, int64(w)*capacity/int64(workers))
		wp.ends = append(wp.ends, int64(w+1)*capacity/int64(workers))
	}
	return wp
}

// step returns the next page, or ok false when every worker is done; fault
// says the page failed and only its window is to be marked.
func (wp *workerPages) step(maxPage, maxGap, maxLen int) (p Page, fault, ok bool) {
	var live []int
	for w := range wp.next {
		if wp.next[w] < wp.ends[w] {
			live = append(live, w)
		}
	}
	if len(live) == 0 {
		return Page{}, false, false
	}
	w := live[wp.r.IntN(len(live))]
	start := wp.next[w]
	if wp.r.IntN(10) == 0 && start > 0 {
		// A retry reaches back over what was already delivered.
		start = max(0, start-int64(1+wp.r.IntN(maxPage)))
	}
	l := min(int64(1+wp.r.IntN(maxPage)), wp.ends[w]-start)
	p = Page{Start: start, Length: l}
	for x := start + int64(wp.r.IntN(maxGap+1)); x < start+l; x += int64(1 + wp.r.IntN(maxGap+1)) {
		e := Extent{x, min(int64(1+wp.r.IntN(maxLen)), start+l-x)}
		p.Extents = append(p.Extents, e)
		x = e.End()
	}
	wp.next[w] = max(wp.next[w], start+l)
	return p, wp.r.IntN(30) == 0, true
}

func TestChunkedMapWorkersInRandomOrder(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 13))
		capacity := int64(500 + r.IntN(3000))
		shift := uint(2 + r.IntN(8))
		m := newChunkedMap(capacity, shift)
		bm := newByteModel(int(capacity))
		wp := newWorkerPages(r, capacity, 16)
		for {
			p, fault, ok := wp.step(60, 6, 12)
			if !ok {
				break
			}
			if fault {
				if err := m.MarkFaulted(p.Start, p.Start+p.Length); err != nil {
					t.Fatal(err)
				}
				bm.markFaulted(p.Start, p.Start+p.Length)
				continue
			}
			if err := m.Absorb(p); err != nil {
				t.Fatalf("seed %d: Absorb(%+v): %v", seed, p, err)
			}
			bm.absorb(p)
			if r.IntN(40) == 0 {
				checkAgainst(t, r, m, bm)
			}
		}
		checkAgainst(t, r, m, bm)
		checkLargest(t, r, m, bm)
	}
}

// checkLargest compares Largest with sorting every merged extent: longest
// first, then in disk order (as the UI's list always showed them).
func checkLargest(t *testing.T, r *rand.Rand, m *ChangeMap, bm *byteModel) {
	t.Helper()
	want := runs(bm.changed)
	slices.SortStableFunc(want, func(a, b Extent) int { return int(b.Length - a.Length) })
	for _, k := range []int{0, 1, 5, r.IntN(len(want) + 3), len(want) + 1} {
		got := m.Largest(k)
		w := want[:min(k, len(want))]
		if !slices.Equal(got, w) && (len(got) != 0 || len(w) != 0) {
			t.Fatalf("Largest(%d) = %v, want %v", k, got, w)
		}
	}
}

// intervalModel is the truth for disks too big for the byte model: every
// extent ever added, merged by sorting.
func intervalModel(ext []Extent) []Extent {
	all := slices.Clone(ext)
	slices.SortFunc(all, func(a, b Extent) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return 0
	})
	if len(all) == 0 {
		return nil
	}
	return coalesce(all)
}

// Real 4 GiB chunks: extents of any alignment, longer than a chunk, across
// chunk boundaries, arriving out of order, stay exact to the byte.
func TestLongUnalignedExtentsAcrossChunks(t *testing.T) {
	const gib = int64(1) << 30
	capacity := 64*gib + 12345
	for seed := range uint64(60) {
		r := rand.New(rand.NewPCG(seed, 17))
		m, _ := NewChangeMap(capacity)
		var added []Extent
		for range 1 + r.IntN(30) {
			start := r.Int64N(capacity)
			l := min(capacity-start, 1+r.Int64N(3*(gib<<2)))
			if r.IntN(2) == 0 {
				// Near a chunk boundary, to start, end or touch at it.
				b := r.Int64N(capacity/(4*gib)+1) * 4 * gib
				start = max(0, min(capacity-1, b-r.Int64N(3)))
				l = min(capacity-start, 1+r.Int64N(5)+r.Int64N(2)*4*gib)
			}
			e := Extent{start, l}
			added = append(added, e)
			if err := m.Absorb(Page{Start: 0, Length: capacity, Extents: []Extent{e}}); err != nil {
				t.Fatal(err)
			}
		}
		want := intervalModel(added)
		if got := slices.Collect(m.Extents(0, capacity)); !slices.Equal(got, want) {
			t.Fatalf("seed %d: extents %v, want %v (added %v)", seed, got, want, added)
		}
		var total int64
		for i, e := range want {
			if got := m.Extent(i); got != e {
				t.Fatalf("Extent(%d) = %v, want %v", i, got, e)
			}
			total += e.Length
			if got := m.ChangedBytes(e.Start+1, e.End()); got != e.Length-1 {
				t.Fatalf("ChangedBytes inside %v = %d", e, got)
			}
			if i, j := m.ExtentsIn(e.Start, e.Start+1); j-i != 1 || m.Extent(i) != e {
				t.Fatalf("ExtentsIn(%d, +1) = [%d, %d)", e.Start, i, j)
			}
		}
		if st := m.Stats(); st.ChangedBytes != total || st.Extents != len(want) || m.ChangedBytes(0, capacity) != total {
			t.Fatalf("stats %d bytes %d extents, want %d and %d", st.ChangedBytes, st.Extents, total, len(want))
		}
		if m.Len() != len(want) {
			t.Fatalf("Len = %d, want %d", m.Len(), len(want))
		}
	}
}

// Clipping a finished chunk gives back its spare room but keeps it
// working: a retried page that adds to it later is still absorbed.
func TestFinishedChunkStillTakesRetries(t *testing.T) {
	m := newChunkedMap(64, 4)
	bm := newByteModel(64)
	for _, p := range []Page{
		{Start: 0, Length: 10, Extents: []Extent{{1, 2}, {5, 1}}},
		{Start: 10, Length: 22, Extents: []Extent{{12, 3}, {20, 1}}},
		{Start: 32, Length: 32, Extents: []Extent{{40, 1}}},
		{Start: 0, Length: 16, Extents: []Extent{{0, 1}, {3, 2}, {7, 8}}},
	} {
		if err := m.Absorb(p); err != nil {
			t.Fatal(err)
		}
		bm.absorb(p)
		for k := range m.changed.chunks {
			c := &m.changed.chunks[k]
			if full := m.ScannedBytes(c.base, min(c.base+16, 64)) == min(16, 64-c.base); full && !c.clipped() {
				t.Fatalf("chunk at %d is scanned but keeps room to grow: %d/%d pieces, %d/%d marks, %d/%d tops", c.base, len(c.pieces), cap(c.pieces), len(c.marks), cap(c.marks), len(c.tops), cap(c.tops))
			}
		}
	}
	checkAgainst(t, rand.New(rand.NewPCG(1, 1)), m, bm)
}

// A frame's boundaries get the same answers whether it walks the pieces or
// searches for each boundary, and the same as one query at a time.
func TestFrameSearchAndWalkAgree(t *testing.T) {
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 19))
		capacity := int64(1 + r.IntN(5000))
		m := newChunkedMap(capacity, uint(r.IntN(10)))
		for range r.IntN(30) {
			if err := m.Absorb(randomPage(r, capacity)); err != nil {
				t.Fatal(err)
			}
		}
		xs := make([]int64, 1+r.IntN(50))
		for k := range xs {
			xs[k] = r.Int64N(capacity + 1)
		}
		slices.Sort(xs)
		s := &m.changed
		s.prepare()
		walked, searched := make([]int64, len(xs)), make([]int64, len(xs))
		s.walkAll(xs, walked)
		s.searchAll(xs, searched, make([]probe, len(xs)))
		for k, x := range xs {
			if want := s.coveredBelow(x); walked[k] != want || searched[k] != want {
				t.Fatalf("seed %d: bytes below %d: walked %d, searched %d, want %d", seed, x, walked[k], searched[k], want)
			}
		}
	}
}

// Asking for more than the default number of largest extents, as the
// extent table sorted by size does, keeps that many up to date as pages
// arrive: the next call after a page does not pass over the map again.
func TestLargestBeyondTheDefaultStaysIncremental(t *testing.T) {
	m, err := NewChangeMap(1 << 40)
	if err != nil {
		t.Fatal(err)
	}
	var exts []Extent
	for i := range int64(2000) {
		exts = append(exts, Extent{Start: i * 1 << 20, Length: 4096 + (i%700)*512})
	}
	if err := m.Absorb(Page{Start: 0, Length: 2000 << 20, Extents: exts}); err != nil {
		t.Fatal(err)
	}
	const k = 300
	want := m.Largest(k)
	for i := range int64(50) {
		e := Extent{Start: (3000 + i) << 20, Length: 1 << 19}
		if err := m.Absorb(Page{Start: e.Start, Length: 1 << 20, Extents: []Extent{e}}); err != nil {
			t.Fatal(err)
		}
		passes := m.changed.tally.top.refills
		got := m.Largest(k)
		if m.changed.tally.top.refills != passes {
			t.Fatalf("page %d: Largest(%d) passed over the map again", i, k)
		}
		want = append([]Extent{e}, want...)[:k]
		slices.SortFunc(want, byRank)
		if !slices.Equal(got, want) {
			t.Fatalf("page %d: Largest(%d) differs from the running answer", i, k)
		}
	}
}
