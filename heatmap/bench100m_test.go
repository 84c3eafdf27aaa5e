package heatmap

import (
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"
)

// The 100 M-extent benchmarks allocate gigabytes: run them alone, with
// -run '^$' -benchtime=1x.
const (
	bench100M      = 100_000_000
	benchWorkers   = 16
	benchPeriod    = 8 * benchBlock // each extent has a slot of 8 blocks
	benchPerWorker = bench100M / benchWorkers
)

// benchExtent is extent i of the 100 M-extent disk: 1 to 4 blocks at a
// random block of the first four of its slot, so extents never touch and
// any worker can make any extent without the ones before it.
func benchExtent(i int64) Extent {
	h := uint64(i) + 0x9e3779b97f4a7c15
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	h ^= h >> 31
	return Extent{Start: i*benchPeriod + int64(h&3)*benchBlock, Length: int64(1+(h>>2)&3) * benchBlock}
}

// feed100M delivers the 100 M-extent disk (about 52 TB) as 16 workers'
// pages of 2,000 extents, each worker paging forward through its sixteenth
// of the disk, the workers' pages interleaved at random. after runs after
// each page. Pages are made as they go into one reused buffer, so the heap
// holds the map and nothing else of size.
func feed100M(b *testing.B, m *ChangeMap, after func()) (pages int) {
	r := rand.New(rand.NewPCG(100, 100))
	var next [benchWorkers]int64
	live := make([]int, benchWorkers)
	for w := range benchWorkers {
		next[w] = int64(w) * benchPerWorker
		live[w] = w
	}
	buf := make([]Extent, 0, benchPageSize)
	for len(live) > 0 {
		k := r.IntN(len(live))
		w := live[k]
		first := next[w]
		last := min(first+benchPageSize, int64(w+1)*benchPerWorker)
		buf = buf[:0]
		for i := first; i < last; i++ {
			buf = append(buf, benchExtent(i))
		}
		p := Page{Start: first * benchPeriod, Length: (last - first) * benchPeriod, Extents: buf}
		if err := m.Absorb(p); err != nil {
			b.Fatal(err)
		}
		pages++
		if after != nil {
			after()
		}
		if next[w] = last; last == int64(w+1)*benchPerWorker {
			live[k] = live[len(live)-1]
			live = live[:len(live)-1]
		}
	}
	return pages
}

const bench100MCapacity = bench100M * benchPeriod

// heapObjects is the heap's live and not yet swept objects, in bytes.
func heapObjects() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// BenchmarkBuild100M absorbs 100 M extents as 16 workers' pages out of
// order, and reports the time, the heap the map holds once built, and the
// heap's high-water mark while building (sampled after every page), per
// extent.
func BenchmarkBuild100M(b *testing.B) {
	for b.Loop() {
		runtime.GC()
		base := heapObjects()
		peak := base
		start := time.Now()
		m, _ := NewChangeMap(bench100MCapacity)
		feed100M(b, m, func() { peak = max(peak, heapObjects()) })
		elapsed := time.Since(start)
		if m.Len() != bench100M || !m.Complete() {
			b.Fatalf("built %d extents, complete %v", m.Len(), m.Complete())
		}
		// A first frame builds whatever queries need, so it is counted.
		if _, err := m.Grid(Window{0, m.Capacity()}, 200, 100); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		live := heapObjects()
		b.ReportMetric(elapsed.Seconds(), "s/build")
		b.ReportMetric(float64(live-base)/bench100M, "B/extent-live")
		b.ReportMetric(float64(peak-base)/bench100M, "B/extent-peak")
		runtime.KeepAlive(m)
	}
}

var bench100MMap *ChangeMap

func benchMap100M(b *testing.B) *ChangeMap {
	if bench100MMap == nil {
		m, _ := NewChangeMap(bench100MCapacity)
		feed100M(b, m, nil)
		bench100MMap = m
	}
	return bench100MMap
}

// BenchmarkFrame100M is one heatmap frame, a 200×100 grid and its ANSI
// rendering, over the whole 100 M-extent disk and zoomed in.
func BenchmarkFrame100M(b *testing.B) {
	m := benchMap100M(b)
	r := NewRenderer(DarkTheme())
	c := m.Capacity()
	for _, tc := range []struct {
		name string
		w    Window
	}{
		{"whole", Window{0, c}},
		{"zoomed", Window{c / 3, c/3 + c/1000}},
		{"deep", Window{c / 2, c/2 + 200*benchBlock}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var g Grid
			var sb strings.Builder
			for b.Loop() {
				if err := m.GridInto(&g, tc.w, 200, 100); err != nil {
					b.Fatal(err)
				}
				sb.Reset()
				r.RenderTo(&sb, &g, 4321)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1e6, "ms/frame")
		})
	}
}

var benchStatsSink Stats

// BenchmarkStats100M absorbs the 100 M extents asking for the statistics
// and the five largest extents after every page, as the explorer does
// while streaming, and then times them once more after the last page.
func BenchmarkStats100M(b *testing.B) {
	for b.Loop() {
		start := time.Now()
		m, _ := NewChangeMap(bench100MCapacity)
		pages := feed100M(b, m, func() {
			benchStatsSink = m.Stats()
			m.Largest(5)
		})
		perPage := time.Since(start) / time.Duration(pages)
		start = time.Now()
		st := m.Stats()
		top := m.Largest(5)
		final := time.Since(start)
		if st.Extents != bench100M || len(top) != 5 || top[0].Length != 4*benchBlock {
			b.Fatalf("stats %d extents, largest %v", st.Extents, top)
		}
		b.ReportMetric(float64(perPage.Nanoseconds())/1e6, "ms/page")
		b.ReportMetric(float64(final.Nanoseconds())/1e3, "µs/stats-final")
	}
}
