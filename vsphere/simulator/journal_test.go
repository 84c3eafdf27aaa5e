package simulator

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// bruteForce is the journal's specification: per block, the sequence
// numbers that wrote it.
type bruteForce struct {
	blockSize, capacity int64
	writes              [][]uint64
}

func (b *bruteForce) changed(lo, hi uint64, star bool) []Extent {
	var runs []blockRun
	for blk, seqs := range b.writes {
		hit := slices.ContainsFunc(seqs, func(s uint64) bool { return (star || s > lo) && s <= hi })
		if hit {
			runs = append(runs, blockRun{start: int64(blk), count: 1})
		}
	}
	return toExtents(normalizeRuns(runs), b.blockSize, b.capacity)
}

func TestJournalMatchesBruteForce(t *testing.T) {
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		const bs = 64 << 10
		capacity := int64(300)*bs - 1000 // a partial last block
		j := newJournal(capacity, bs, seed)
		bf := &bruteForce{blockSize: bs, capacity: capacity, writes: make([][]uint64, j.blocks())}
		j.setCBT(true)
		var snaps []*snapshot
		for step := range 60 {
			switch r := rng.IntN(10); {
			case r < 6:
				var ext Extents
				for range 1 + rng.IntN(5) {
					start := rng.Int64N(capacity)
					ext = append(ext, Extent{Start: start, Length: 1 + rng.Int64N(4*bs)})
				}
				runs := ext.blocks(capacity, bs, nil)
				seq := j.record(func() []blockRun { return slices.Clone(runs) })
				for _, e := range ext {
					if r, ok := byteRun(e.Start, e.End(), capacity, bs); ok {
						for b := r.start; b < r.end(); b++ {
							bf.writes[b] = append(bf.writes[b], seq)
						}
					}
				}
			case r < 9:
				snaps = append(snaps, j.takeSnapshot(uuidFrom(rng), "", time.Time{}))
			default:
				if step%2 == 0 {
					j.reset()
				}
			}
		}
		for _, target := range snaps {
			want := bf.changed(0, target.seq, true)
			got, err := j.changes(changeID{star: true}, target.id)
			if err != nil || !slices.Equal(got, want) {
				t.Fatalf("seed %d: * at seq %d: got %v (%v), want %v", seed, target.seq, got, err, want)
			}
			for _, base := range snaps {
				cid, _ := parseChangeID(base.changeID())
				got, err := j.changes(cid, target.id)
				switch {
				case base.epoch != target.epoch:
					if err != errEpochMismatch {
						t.Fatalf("seed %d: bases from another epoch: %v", seed, err)
					}
				case base.seq > target.seq:
					if err != errChangeIDTooNew {
						t.Fatalf("seed %d: later base: %v", seed, err)
					}
				default:
					want := bf.changed(base.seq, target.seq, false)
					if err != nil || !slices.Equal(got, want) {
						t.Fatalf("seed %d: (%d, %d]: got %v (%v), want %v", seed, base.seq, target.seq, got, err, want)
					}
				}
			}
		}
	}
}

func TestChangeIDFormat(t *testing.T) {
	const real = "52 05 a2 ce 6d 6d c9 59-d3 2e ad 19 e3 96 73 6d/5"
	c, err := parseChangeID(real)
	if err != nil || c.seq != 5 || c.String() != real {
		t.Fatalf("parse(%q) = %+v, %v; prints %q", real, c, err, c.String())
	}
	e := newEpochID(rand.New(rand.NewPCG(1, 2)))
	if s := (changeID{epoch: e, seq: 42}).String(); len(s) != 50 || s[:2] != "52" || s[23] != '-' {
		t.Errorf("changeId %q is not in VMware's form", s)
	}
}

func TestPageCoversEveryExtentOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		capacity := int64(1 << 30)
		var runs []blockRun
		for range rng.IntN(3000) {
			runs = append(runs, blockRun{start: rng.Int64N(capacity >> 16), count: 1 + rng.Int64N(8)})
		}
		ext := toExtents(normalizeRuns(runs), 1<<16, capacity)
		max := 1 + rng.IntN(700)
		var got []Extent
		for off := int64(0); off < capacity; {
			length, out := page(ext, capacity, off, max)
			if length <= 0 || len(out) > max || off+length > capacity {
				t.Fatalf("page at %d: length %d, %d extents (max %d)", off, length, len(out), max)
			}
			got = append(got, out...)
			off += length
		}
		if !slices.Equal(got, ext) {
			t.Fatalf("pages give %d extents, want %d", len(got), len(ext))
		}
	}
	// A start inside an extent clips it.
	length, out := page([]Extent{{Start: 0, Length: 100}}, 1000, 40, 10)
	if length != 960 || !slices.Equal(out, []Extent{{Start: 40, Length: 60}}) {
		t.Errorf("start inside an extent: %d %v", length, out)
	}
}

func TestFalsePositivesAddButNeverMiss(t *testing.T) {
	truth := start(t, Options{})
	noisy := start(t, Options{FalsePositives: 0.3})
	d, _ := truth.Disk(DemoDatabase)
	n := len(d.Snapshots)
	want, _ := truth.GroundTruth(d.ID, d.Snapshots[n-1].ID, d.Snapshots[0].ChangeID)
	got, err := noisy.GroundTruth(d.ID, d.Snapshots[n-1].ID, d.Snapshots[0].ChangeID)
	if err != nil {
		t.Fatal(err)
	}
	covered := func(e Extent) bool {
		for _, g := range got {
			if g.Start <= e.Start && e.End() <= g.End() {
				return true
			}
		}
		return false
	}
	var sumW, sumG int64
	for _, e := range want {
		sumW += e.Length
		if !covered(e) {
			t.Fatalf("false positives lost %v", e)
		}
	}
	for _, e := range got {
		sumG += e.Length
	}
	if sumG <= sumW {
		t.Errorf("with false positives %d bytes, without %d: nothing added", sumG, sumW)
	}
}

func TestSparseWritesExactlyCountExtents(t *testing.T) {
	runs := normalizeRuns(Sparse{Count: 5000}.blocks(1<<40, 64<<10, rand.New(rand.NewPCG(1, 1))))
	if len(runs) != 5000 {
		t.Errorf("Sparse{Count: 5000} gives %d extents", len(runs))
	}
}

// Multi-TiB FCDs must not become multi-TiB files, and Close must leave no
// temporary directory behind.
func TestCloseRemovesTemporaryFiles(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	dir := s.dir
	var total int64
	err = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err == nil && !d.IsDir() {
			total += info.Size()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if total > 1<<20 {
		t.Errorf("datastores hold %d bytes on disk", total)
	}
	s.Close()
	s.Close() // twice is fine
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s survives Close: %v", dir, err)
	}
}
