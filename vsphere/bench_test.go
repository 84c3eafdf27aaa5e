package vsphere

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// externalSim runs `cbtscope sim` in its own process, so this process's CPU
// time is the client's alone.
func externalSim(b *testing.B, args ...string) (simulator.Description, func()) {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "cbtscope")
	build := exec.Command("go", "build", "-o", bin, "..")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"sim", "--tls"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		cmd.Process.Kill()
		b.Fatal(err)
	}
	var d simulator.Description
	if err := json.Unmarshal(line, &d); err != nil {
		b.Fatal(err)
	}
	return d, func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }
}

func sparseQuery(b *testing.B, d simulator.Description) (*Client, Query) {
	c, err := Connect(context.Background(), Settings{URL: d.URL, Username: "u", Password: NewSecret("p"), Thumbprint: d.Thumbprint})
	if err != nil {
		b.Fatal(err)
	}
	disk, err := c.FindDisk(context.Background(), "", simulator.DemoSparse)
	if err != nil {
		b.Fatal(err)
	}
	snaps, err := c.Snapshots(context.Background(), disk)
	if err != nil {
		b.Fatal(err)
	}
	return c, Query{Disk: disk.Ref(), Capacity: disk.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: "*"}
}

func drainFetch(b *testing.B, c *Client, q Query, workers int) int64 {
	var extents int64
	for ev := range c.Fetch(context.Background(), q, FetchOptions{Workers: workers}) {
		switch ev := ev.(type) {
		case *PageEvent:
			extents += int64(len(ev.Page.Extents))
		case *DoneEvent:
			if !ev.Complete {
				b.Fatalf("fetch incomplete: %v", ev.Err)
			}
		}
	}
	return extents
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFetchClientCPU pages the sparse demo disk's 1.28 M extents over
// loopback HTTPS and reports this process's CPU time per extent: request
// marshalling, TLS, decoding, contract checks and events.
func BenchmarkFetchClientCPU(b *testing.B) {
	d, stop := externalSim(b)
	defer stop()
	c, q := sparseQuery(b, d)
	var extents int64
	var cpu time.Duration
	for b.Loop() {
		before := cpuTime()
		extents += drainFetch(b, c, q, 4)
		cpu += cpuTime() - before
	}
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(extents)/1000, "µs-cpu/extent")
	b.ReportMetric(float64(extents)/float64(b.N), "extents/op")
}

// BenchmarkFetch1MLatency5ms sweeps 1.28 M extents with 5 ms added to every
// call, with 1 worker and with 4, and reports the speed-up.
func BenchmarkFetch1MLatency5ms(b *testing.B) {
	d, stop := externalSim(b, "--latency", "5ms")
	defer stop()
	c, q := sparseQuery(b, d)
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

// BenchmarkDecodeChangeInfo decodes a full 2000-extent reply, against
// govmomi's reflective decoder.
func BenchmarkDecodeChangeInfo(b *testing.B) {
	ci := changeInfo{StartOffset: 1 << 40, Length: 1 << 34}
	for i := range int64(2000) {
		ci.Areas = append(ci.Areas, heatmapExtent(1<<40+i*(1<<23), 65536))
	}
	body := encodeReply(ci)
	b.Run("fast", func(b *testing.B) {
		var out changeInfo
		for b.Loop() {
			out.Areas = out.Areas[:0]
			if err := decodeChangeInfo(body, &out); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/extent")
	})
	b.Run("govmomi", func(b *testing.B) {
		for b.Loop() {
			if _, err := govmomiDecode(body, false); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/2000, "ns/extent")
	})
}

// BenchmarkFetch20ms sweeps the sparse demo disk's 1.28 M extents with 20 ms
// added to every call, as against a distant vCenter: the adaptive worker
// count (the default), 4 fixed workers, 1 worker, and paging as a script
// does with govmomi's stock method (one call at a time, the reflective
// decoder). It reports seconds and client CPU per extent for each, the
// adaptive count's peak, and the speed-ups of the default.
func BenchmarkFetch20ms(b *testing.B) {
	d, stop := externalSim(b, "--latency", "20ms")
	defer stop()
	c, q := sparseQuery(b, d)
	type mode struct {
		name string
		run  func() (extents int64, peak int)
	}
	fetch := func(workers int) func() (int64, int) {
		return func() (int64, int) {
			var extents int64
			peak := 0
			for ev := range c.Fetch(context.Background(), q, FetchOptions{Workers: workers}) {
				switch ev := ev.(type) {
				case *PageEvent:
					extents += int64(len(ev.Page.Extents))
					peak = max(peak, ev.Progress.Workers)
				case *DoneEvent:
					if !ev.Complete {
						b.Fatalf("fetch incomplete: %v", ev.Err)
					}
				}
			}
			return extents, peak
		}
	}
	modes := []mode{
		{"default", fetch(0)},
		{"4workers", fetch(4)},
		{"1worker", fetch(1)},
		{"sequential", func() (int64, int) { return sequentialSweep(b, c, q), 1 }},
	}
	secs := map[string]float64{}
	for b.Loop() {
		for _, m := range modes {
			cpu0, t0 := cpuTime(), time.Now()
			extents, peak := m.run()
			took, cpu := time.Since(t0), cpuTime()-cpu0
			secs[m.name] += took.Seconds()
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(extents)/1000, "µs-cpu/extent-"+m.name)
			if m.name == "default" {
				b.ReportMetric(float64(peak), "peak-workers-default")
			}
		}
	}
	for _, m := range modes {
		b.ReportMetric(secs[m.name]/float64(b.N), "s-"+m.name)
	}
	b.ReportMetric(secs["1worker"]/secs["default"], "x-default-vs-1worker")
	b.ReportMetric(secs["sequential"]/secs["default"], "x-default-vs-sequential")
	b.ReportMetric(secs["4workers"]/secs["default"], "x-default-vs-4workers")
}

// sequentialSweep pages q the way a script does: govmomi's generated method
// and decoder, one call after another from offset 0.
func sequentialSweep(b *testing.B, c *Client, q Query) int64 {
	var extents int64
	for off := int64(0); off < q.Capacity; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		res, err := methods.VstorageObjectVCenterQueryChangedDiskAreas(ctx, c.vim, &types.VstorageObjectVCenterQueryChangedDiskAreas{
			This: c.vsom, Id: types.ID{Id: q.Disk.ID}, Datastore: q.Disk.Datastore,
			SnapshotId: types.ID{Id: q.Snapshot}, StartOffset: off, ChangeId: q.ChangeID,
		})
		cancel()
		if err != nil {
			b.Fatalf("at %d: %v", off, err)
		}
		if res.Returnval.Length <= 0 {
			b.Fatalf("at %d: a reply that does not advance", off)
		}
		extents += int64(len(res.Returnval.ChangedArea))
		off += res.Returnval.Length
	}
	return extents
}

// BenchmarkFetchSaturating sweeps the sparse disk against a server that
// serves 8 calls at once, 20 ms each, and queues the rest: the adaptive
// count should match 8 fixed workers' time without piling 32 calls on the
// server. It reports seconds and the mean workers over the pages.
func BenchmarkFetchSaturating(b *testing.B) {
	d, stop := externalSim(b, "--latency", "20ms", "--max-concurrent", "8")
	defer stop()
	c, q := sparseQuery(b, d)
	for _, workers := range []int{0, 8, 32} {
		name := fmt.Sprintf("%dworkers", workers)
		if workers == 0 {
			name = "default"
		}
		b.Run(name, func(b *testing.B) {
			var took time.Duration
			var pages, workerPages int64
			for b.Loop() {
				t0 := time.Now()
				for ev := range c.Fetch(context.Background(), q, FetchOptions{Workers: workers}) {
					switch ev := ev.(type) {
					case *PageEvent:
						pages++
						workerPages += int64(ev.Progress.Workers)
					case *DoneEvent:
						if !ev.Complete {
							b.Fatalf("fetch incomplete: %v", ev.Err)
						}
					}
				}
				took += time.Since(t0)
			}
			b.ReportMetric(took.Seconds()/float64(b.N), "s")
			b.ReportMetric(float64(workerPages)/float64(pages), "mean-workers")
		})
	}
}
