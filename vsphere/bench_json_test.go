package vsphere

import (
	"context"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// sparseQueryOver is sparseQuery with the fetching client on transport; the
// disk is found over SOAP.
func sparseQueryOver(b *testing.B, d simulator.Description, transport string) (*Client, Query) {
	connect := func(transport string) *Client {
		c, err := Connect(context.Background(), Settings{URL: d.URL, Username: "u", Password: NewSecret("p"), Thumbprint: d.Thumbprint, Transport: transport})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	sc := connect(TransportSOAP)
	defer sc.Logout(context.Background())
	disk, err := sc.FindDisk(context.Background(), "", simulator.DemoSparse)
	if err != nil {
		b.Fatal(err)
	}
	snaps, err := sc.Snapshots(context.Background(), disk)
	if err != nil {
		b.Fatal(err)
	}
	c := connect(transport)
	if c.Transport() != transport {
		b.Fatalf("asked for %s, speaking %s", transport, c.Transport())
	}
	return c, Query{Disk: disk.Ref(), Capacity: disk.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: "*"}
}

// BenchmarkFetchClientCPUByTransport pages the sparse demo disk's 1.28 M
// extents over loopback HTTPS, over SOAP and over VI/JSON, and reports this
// process's CPU time per extent for each.
func BenchmarkFetchClientCPUByTransport(b *testing.B) {
	d, stop := externalSim(b)
	defer stop()
	for _, transport := range []string{TransportSOAP, TransportJSON} {
		b.Run(transport, func(b *testing.B) {
			c, q := sparseQueryOver(b, d, transport)
			defer c.Logout(context.Background())
			var extents int64
			var cpu time.Duration
			for b.Loop() {
				before := cpuTime()
				extents += drainFetch(b, c, q, 4)
				cpu += cpuTime() - before
			}
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(extents)/1000, "µs-cpu/extent")
			b.ReportMetric(float64(extents)/float64(b.N), "extents/op")
			b.ReportMetric(float64(c.FallbackDecodes()), "fallbacks")
		})
	}
}

// BenchmarkFetchJSON1MLatency5ms sweeps 1.28 M extents over VI/JSON with
// 5 ms added to every call, with 1 worker and with 4, and reports the
// speed-up.
func BenchmarkFetchJSON1MLatency5ms(b *testing.B) {
	d, stop := externalSim(b, "--latency", "5ms")
	defer stop()
	c, q := sparseQueryOver(b, d, TransportJSON)
	defer c.Logout(context.Background())
	var one, four time.Duration
	for b.Loop() {
		t := time.Now()
		drainFetch(b, c, q, 1)
		one += time.Since(t)
		t = time.Now()
		drainFetch(b, c, q, 4)
		four += time.Since(t)
	}
	b.ReportMetric(one.Seconds()/float64(b.N), "s-1worker")
	b.ReportMetric(four.Seconds()/float64(b.N), "s-4workers")
	b.ReportMetric(float64(one)/float64(four), "speedup")
}

// BenchmarkDecodeChangeInfoJSON decodes a full 2000-extent VI/JSON reply,
// against govmomi's reflective decoder.
func BenchmarkDecodeChangeInfoJSON(b *testing.B) {
	areas := make([]heatmap.Extent, 2000)
	for i := range areas {
		areas[i] = heatmap.Extent{Start: 1<<40 + int64(i)*(1<<23), Length: 65536}
	}
	body := jsonReply(b, 1<<40, 1<<34, areas...)
	b.Run("fast", func(b *testing.B) {
		out := changeInfo{Areas: make([]heatmap.Extent, 0, len(areas))}
		for b.Loop() {
			out.Areas = out.Areas[:0]
			if err := decodeChangeInfoJSON(body, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/extent")
	})
	b.Run("govmomi", func(b *testing.B) {
		var out changeInfo
		for b.Loop() {
			out.Areas = out.Areas[:0]
			if err := decodeChangeInfoJSONGovmomi(body, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/extent")
	})
}
