package heatmap

import (
	"math/rand/v2"
	"testing"
)

// FuzzCompare builds two small maps from fuzz bytes (pages that overlap,
// repeat and come in any order, faults, parts left unscanned) and checks
// the comparison against the byte model of each.
func FuzzCompare(f *testing.F) {
	f.Add([]byte{0, 0, 40, 2, 3, 5, 1, 1, 0, 64, 1, 10, 20})
	f.Add([]byte{1, 10, 30, 1, 12, 4, 0, 0, 64, 0, 7, 20, 30})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		const capacity = 64
		var maps [2]*ChangeMap
		var models [2]*byteModel
		for i := range maps {
			maps[i], _ = NewChangeMap(capacity)
			models[i] = newByteModel(capacity)
		}
		next := func(n int64) int64 {
			if len(data) == 0 {
				return 0
			}
			v := int64(data[0]) % n
			data = data[1:]
			return v
		}
		for len(data) > 0 {
			op := next(256)
			m, bm := maps[op&1], models[op&1]
			if op&6 == 6 {
				a := next(capacity + 1)
				b := a + next(capacity-a+1)
				if err := m.MarkFaulted(a, b); err != nil {
					t.Fatal(err)
				}
				bm.markFaulted(a, b)
				continue
			}
			// Pages are valid by construction: the map's own rules are
			// FuzzAbsorb's business.
			p := Page{Start: next(capacity + 1)}
			p.Length = next(capacity - p.Start + 1)
			for range next(5) {
				if p.Length == 0 {
					break
				}
				s := p.Start + next(p.Length)
				p.Extents = append(p.Extents, Extent{s, 1 + next(p.Start+p.Length-s)})
			}
			if err := m.Absorb(p); err != nil {
				t.Fatal(err)
			}
			bm.absorb(p)
		}
		c, err := Compare(maps[0], maps[1])
		if err != nil {
			t.Fatal(err)
		}
		checkCompare(t, rand.New(rand.NewPCG(1, 1)), c, models[0], models[1])
	})
}
