package vsphere

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// BenchmarkSetupRoundTrips measures what an export does before its first
// CBT query (log in, find the disk, list its snapshots with their
// changeIds, as findFCD and findVMDisk do) against a server 20 ms away: the sequential round trips are
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
	vm, ok := s.VM(simulator.DemoVMSQL)
	if !ok {
		b.Fatal("no SQL demo VM")
	}
	cases := []struct {
		name string
		find func(context.Context, *Client) error
	}{
		{"fcd-by-name", func(ctx context.Context, c *Client) error {
			_, snaps, err := c.FindDiskSnapshots(ctx, "", simulator.DemoSparse)
			return found(len(snaps), err)
		}},
		{"fcd-by-id-on-datastore", func(ctx context.Context, c *Client) error {
			_, snaps, err := c.FindDiskSnapshots(ctx, info.Datastore, info.ID)
			return found(len(snaps), err)
		}},
		{"vm-by-name", func(ctx context.Context, c *Client) error {
			_, snaps, err := c.FindVMSnapshots(ctx, vm.Name)
			return found(len(snaps), err)
		}},
		{"vm-by-moref", func(ctx context.Context, c *Client) error {
			_, snaps, err := c.FindVMSnapshots(ctx, vm.Moref.Value)
			return found(len(snaps), err)
		}},
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
				if err := tc.find(context.Background(), c); err != nil {
					b.Fatal(err)
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

func found(snaps int, err error) error {
	if err == nil && snaps == 0 {
		return errors.New("found no snapshots")
	}
	return err
}

func totalCalls(st simulator.Stats) int64 {
	var n int64
	for _, c := range st.Calls {
		n += c
	}
	return n
}
