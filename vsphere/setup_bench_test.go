package vsphere

import (
	"context"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// BenchmarkSetupRoundTrips measures what an export does before its first
// CBT query (log in, find the disk, list its snapshots with their
// changeIds, as findFCD does) against a server 20 ms away: the sequential round trips are
// the time over the latency, the calls are the server's count.
func BenchmarkSetupRoundTrips(b *testing.B) {
	const latency = 20 * time.Millisecond
	s, err := simulator.Start(simulator.Options{Latency: latency})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	info, ok := s.Disk(simulator.DemoSparse)
	if !ok {
		b.Fatal("no sparse demo disk")
	}
	cases := []struct{ name, datastore, disk string }{
		{"by-name", "", simulator.DemoSparse},
		{"by-id-on-datastore", info.Datastore, info.ID},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			var took time.Duration
			var calls int64
			for b.Loop() {
				before := totalCalls(s.Stats())
				t0 := time.Now()
				c, err := Connect(context.Background(), Settings{URL: s.URL().String(), Username: "u", Password: NewSecret("p")})
				if err != nil {
					b.Fatal(err)
				}
				d, snaps, err := c.FindDiskSnapshots(context.Background(), tc.datastore, tc.disk)
				if err != nil {
					b.Fatal(err)
				}
				if len(snaps) == 0 || d.ID != info.ID {
					b.Fatalf("found %s with %d snapshots, want %s", d.ID, len(snaps), info.ID)
				}
				took += time.Since(t0)
				calls += totalCalls(s.Stats()) - before
				b.StopTimer()
				c.Logout(context.Background())
				b.StartTimer()
			}
			b.ReportMetric(float64(took)/float64(latency)/float64(b.N), "round-trips")
			b.ReportMetric(float64(calls)/float64(b.N), "calls")
			b.ReportMetric(took.Seconds()/float64(b.N), "s-setup")
		})
	}
}

func totalCalls(st simulator.Stats) int64 {
	var n int64
	for _, c := range st.Calls {
		n += c
	}
	return n
}
