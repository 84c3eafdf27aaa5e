package vsphere

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// startSim serves the demo over HTTPS and returns a client that trusts it by
// its CA certificate, as an admin would, over SOAP (query_json_test.go
// holds VI/JSON to the same results).
func startSim(t testing.TB, opts simulator.Options) (*simulator.Server, *Client) {
	t.Helper()
	opts.TLS = true
	s, err := simulator.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CertificatePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	u := s.URL()
	u.User = nil
	c, err := Connect(context.Background(), Settings{URL: u.String(), Username: "admin", Password: NewSecret("s3cret-Passw0rd"), CACerts: ca, Transport: TransportSOAP})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Logout(context.Background()) })
	return s, c
}

// fetchMap runs a fetch to the end and absorbs it into a change map.
func fetchMap(t testing.TB, c *Client, q Query, opts FetchOptions) (*heatmap.ChangeMap, *DoneEvent, []*FaultEvent) {
	t.Helper()
	m, err := heatmap.NewChangeMap(q.Capacity)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var faults []*FaultEvent
	for ev := range c.Fetch(ctx, q, opts) {
		switch ev := ev.(type) {
		case *PageEvent:
			if err := m.Absorb(ev.Page); err != nil {
				t.Fatal(err)
			}
		case *FaultEvent:
			faults = append(faults, ev)
			if err := m.MarkFaulted(ev.Unscanned.Start, ev.Unscanned.End); err != nil {
				t.Fatal(err)
			}
		case *DoneEvent:
			return m, ev, faults
		}
	}
	t.Fatal("fetch ended without a DoneEvent")
	return nil, nil, nil
}

func extentsOf(m *heatmap.ChangeMap) []simulator.Extent {
	var out []simulator.Extent
	for e := range m.Extents(0, m.Capacity()) {
		out = append(out, simulator.Extent{Start: e.Start, Length: e.Length})
	}
	return out
}

func findDisk(t testing.TB, c *Client, name string) (Disk, []Snapshot) {
	t.Helper()
	ctx := context.Background()
	d, err := c.FindDisk(ctx, "", name)
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := c.Snapshots(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	return d, snaps
}

// Every healthy demo disk, every way of asking: the map equals the
// simulator's journal, sequentially and with parallel workers.
func TestFetchMatchesGroundTruth(t *testing.T) {
	s, c := startSim(t, simulator.Options{})
	for _, name := range []string{simulator.DemoDatabase, simulator.DemoLog, simulator.DemoFreshFS, simulator.DemoBootStorm, simulator.DemoSparse} {
		d, snaps := findDisk(t, c, name)
		if len(snaps) < 3 {
			t.Fatalf("%s has %d snapshots", name, len(snaps))
		}
		newest := snaps[len(snaps)-1]
		bases := []string{snaps[len(snaps)-2].ChangeID, snaps[0].ChangeID, "*"}
		if name == simulator.DemoSparse && testing.Short() {
			bases = bases[:1]
		}
		for _, base := range bases {
			want, err := s.GroundTruth(d.ID, newest.ID, base)
			if err != nil {
				t.Fatal(err)
			}
			for _, workers := range []int{1, 4} {
				q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: base}
				m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: workers})
				if !done.Complete || done.Err != nil || len(faults) > 0 {
					t.Fatalf("%s since %q, %d workers: done %+v, faults %v", name, base, workers, done, faults)
				}
				if got := extentsOf(m); !slices.Equal(got, want) {
					t.Fatalf("%s since %q, %d workers: %d extents, ground truth has %d", name, base, workers, len(got), len(want))
				}
				if !m.Complete() || done.Progress.Scanned != d.CapacityBytes {
					t.Fatalf("%s: map complete %v, scanned %d of %d", name, m.Complete(), done.Progress.Scanned, d.CapacityBytes)
				}
			}
		}
	}
}
