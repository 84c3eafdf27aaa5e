package simulator

import (
	"context"
	"testing"
	"time"
)

// pairs are the queries every healthy disk is swept with: all allocated
// areas, the first backup to the last, and the last incremental.
func pairs(d DiskInfo) [][2]string {
	var tracked []SnapshotInfo
	for _, sn := range d.Snapshots {
		if sn.ChangeID != "" {
			tracked = append(tracked, sn)
		}
	}
	n := len(tracked)
	newest := tracked[n-1].ID
	out := [][2]string{{newest, "*"}, {tracked[n-2].ID, "*"}}
	for _, base := range tracked[:n-1] {
		// Only bases from the newest snapshot's epoch; others fault.
		if epochOf(base.ChangeID) == epochOf(tracked[n-1].ChangeID) {
			out = append(out, [2]string{newest, base.ChangeID})
		}
	}
	return out
}

func epochOf(changeID string) string { return changeID[:47] }

var healthyDemoDisks = []string{DemoDatabase, DemoLog, DemoFreshFS, DemoBootStorm, DemoEpochReset, DemoLateCBT}

func TestPagingReproducesGroundTruth(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
	}{
		{"http", Options{}},
		{"https-small-pages", Options{TLS: true, PageExtents: 300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, tc.opts)
			c := connect(t, s)
			ctx := context.Background()
			for _, name := range healthyDemoDisks {
				d, ds := lookup(t, s, name)
				for _, p := range pairs(d) {
					q := target{ds: ds, disk: d, snapshot: p[0], changeID: p[1]}
					want, err := s.GroundTruth(d.ID, p[0], p[1])
					if err != nil {
						t.Fatal(err)
					}
					got, pages, err := sweep(ctx, c, q, s.opts.PageExtents)
					if err != nil {
						t.Fatal(err)
					}
					if err := equalExtents(got, want); err != nil {
						t.Errorf("%v: %v", q, err)
					}
					if len(want) == 0 {
						t.Errorf("%v: ground truth is empty; the demo should show change", q)
					}
					if minPages := (len(want) + s.opts.PageExtents - 1) / s.opts.PageExtents; pages < minPages {
						t.Errorf("%v: %d pages for %d extents at %d per page", q, pages, len(want), s.opts.PageExtents)
					}
				}
			}
		})
	}
}

// The sparse disk's "*" map is the million-extent case. Under -short only
// its first pages are checked; the full sweep is 600-odd pages.
func TestPagingSparseDisk(t *testing.T) {
	s := start(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	d, ds := lookup(t, s, DemoSparse)
	newest := d.Snapshots[len(d.Snapshots)-1].ID
	want, err := s.GroundTruth(d.ID, newest, "*")
	if err != nil {
		t.Fatal(err)
	}
	if len(want) <= 1_000_000 {
		t.Fatalf("sparse disk has %d extents in its * map, want over 1,000,000", len(want))
	}
	q := target{ds: ds, disk: d, snapshot: newest, changeID: "*"}
	maxPages := 0
	if testing.Short() {
		maxPages = 20
	}
	t0 := time.Now()
	got, pages, stopped, err := sweepPages(ctx, c, q, defaultPageExtents, maxPages)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pages, %d extents in %v", pages, len(got), time.Since(t0))
	if maxPages > 0 {
		want = want[:len(got)]
		if stopped != want[len(want)-1].End() {
			t.Errorf("stopped at %d, want the end of extent %v", stopped, want[len(want)-1])
		}
	}
	if err := equalExtents(got, want); err != nil {
		t.Error(err)
	}

	// And an incremental: two nights of sparse writes.
	base := d.Snapshots[1].ChangeID
	want, err = s.GroundTruth(d.ID, newest, base)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err = sweep(ctx, c, target{ds: ds, disk: d, snapshot: newest, changeID: base}, defaultPageExtents)
	if err != nil {
		t.Fatal(err)
	}
	if err := equalExtents(got, want); err != nil {
		t.Error(err)
	}
}

func TestDemoPatternsLookLikeTheirWorkloads(t *testing.T) {
	s := start(t, Options{})
	last := func(name string) (DiskInfo, []Extent) {
		d, _ := lookup(t, s, name)
		n := len(d.Snapshots)
		ext, err := s.GroundTruth(d.ID, d.Snapshots[n-1].ID, d.Snapshots[n-2].ChangeID)
		if err != nil {
			t.Fatal(err)
		}
		return d, ext
	}
	_, db := last(DemoDatabase)
	if len(db) < 1000 {
		t.Errorf("database night has %d extents, want thousands of scattered ones", len(db))
	}
	for _, e := range db {
		if e.Length > 256<<10 {
			t.Errorf("database extent %v is longer than a few pages", e)
			break
		}
	}
	_, logv := last(DemoLog)
	if len(logv) > 3 {
		t.Errorf("log night has %d extents, want a header and one or two appended runs", len(logv))
	}
	_, boot := last(DemoBootStorm)
	hot := 0
	for _, e := range boot {
		if e.Start >= 2<<30 && e.End() <= 3<<30 {
			hot++
		}
	}
	if hot*10 < len(boot)*9 {
		t.Errorf("boot storm: %d of %d extents in the hot region, want 90%%", hot, len(boot))
	}
	fs, _ := lookup(t, s, DemoFreshFS)
	mkfs, err := s.GroundTruth(fs.ID, fs.Snapshots[0].ID, "*")
	if err != nil {
		t.Fatal(err)
	}
	strides := 0
	for _, e := range mkfs {
		if e.Start%(128<<20) == 0 {
			strides++
		}
	}
	if want := int(fs.CapacityBytes / (128 << 20)); strides < want-2 {
		t.Errorf("fresh filesystem: %d extents at 128 MiB strides, want about %d", strides, want)
	}
	for _, d := range s.Describe().Disks {
		if len(d.Snapshots) < 3 {
			t.Errorf("%s has %d snapshots, want at least 3", d.Name, len(d.Snapshots))
		}
	}
	if n := len(s.Describe().Disks); n < 8 {
		t.Errorf("demo has %d disks, want at least 8", n)
	}
}
