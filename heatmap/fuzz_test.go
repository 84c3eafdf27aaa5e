package heatmap

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// FuzzAbsorb feeds arbitrary pages, valid or not, to a small map and checks
// it against the byte model: a bad page must be rejected and change nothing,
// a good one must be absorbed exactly.
func FuzzAbsorb(f *testing.F) {
	f.Add([]byte{0, 10, 2, 3, 5, 1, 0, 0, 200, 1})
	f.Add([]byte{5, 0, 1, 5, 1, 255, 255, 255, 255, 1, 1, 1, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		m, _ := NewChangeMap(fuzzCapacity)
		fuzzPages(t, m, data)
	})
}

// FuzzAbsorbChunked is FuzzAbsorb on maps of tiny chunks (of 2^(shift%8)
// bytes), so that extents cross chunk boundaries.
func FuzzAbsorbChunked(f *testing.F) {
	f.Add(byte(3), []byte{0, 10, 2, 3, 5, 1, 0, 0, 200, 1})
	f.Add(byte(1), []byte{1, 0, 60, 3, 2, 40, 3, 10, 9, 1, 7, 1, 2})
	f.Add(byte(0), []byte{})
	f.Fuzz(func(t *testing.T, shift byte, data []byte) {
		fuzzPages(t, newChunkedMap(fuzzCapacity, uint(shift%8)), data)
	})
}

const fuzzCapacity = 64

// fuzzPages feeds the pages and faults data encodes to m and checks m
// against the byte model.
func fuzzPages(t *testing.T, m *ChangeMap, data []byte) {
	const capacity = fuzzCapacity
	bm := newByteModel(capacity)
	next := func() int64 {
		if len(data) == 0 {
			return 0
		}
		// Mostly small numbers, sometimes huge or negative ones.
		v := int64(int8(data[0]))
		data = data[1:]
		if v == -128 && len(data) >= 8 {
			v = int64(binary.LittleEndian.Uint64(data))
			data = data[8:]
		}
		return v
	}
	for len(data) > 0 {
		op := next()
		if op%7 == 0 {
			a, b := next(), next()
			err := m.MarkFaulted(a, b)
			if valid := a >= 0 && b <= capacity && a <= b; valid != (err == nil) {
				t.Fatalf("MarkFaulted(%d, %d) = %v", a, b, err)
			}
			if err == nil {
				bm.markFaulted(a, b)
			}
			continue
		}
		p := Page{Start: next(), Length: next()}
		for range int(uint64(next()) % 5) {
			p.Extents = append(p.Extents, Extent{next(), next()})
		}
		v := m.Version()
		err := m.Absorb(p)
		if valid := pageIsValid(p, capacity); valid != (err == nil) {
			t.Fatalf("Absorb(%+v) = %v, valid %v", p, err, valid)
		}
		if err != nil {
			if m.Version() != v {
				t.Fatalf("a rejected page changed the version")
			}
			continue
		}
		bm.absorb(p)
	}
	checkAgainst(t, rand.New(rand.NewPCG(1, 1)), m, bm)
	checkLargest(t, rand.New(rand.NewPCG(2, 2)), m, bm)
}

// pageIsValid restates the page rules in the most literal way.
func pageIsValid(p Page, capacity int64) bool {
	if p.Start < 0 || p.Length < 0 || p.Start > capacity || p.Length > capacity || p.Start+p.Length > capacity {
		return false
	}
	for _, e := range p.Extents {
		if e.Length <= 0 || e.Length > capacity || e.Start < p.Start || e.Start+e.Length > p.Start+p.Length {
			return false
		}
	}
	return true
}
