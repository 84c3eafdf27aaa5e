package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// The explorer on the 1.28-million-extent map, pages streaming from a
// server with some latency: a key pressed while they arrive takes effect,
// the map completes, and its export from the explorer is exactly what
// `cbtscope export` writes for the same map.
func TestEndToEndStreamingLargeMap(t *testing.T) {
	dir, bin := e2eBuild(t)
	sim, err := simulator.Start(simulator.Options{TLS: true, Latency: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	u := sim.URL()
	u.User = nil
	conn := []string{"--url", u.String(), "--username", "backup-admin", "--password", testPassword, "--thumbprint", sim.Thumbprint()}
	sel := []string{"--datastore", "ds-prod-02", "--disk", simulator.DemoSparse, "--change-id", "*"}

	code, out, errs := runCLI(t, append(append([]string{"export"}, conn...), sel...)...)
	if code != exitOK {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	want := readJSONExport(t, out)

	s := e2eStartTmux(t, dir, bin, append(conn, sel...)...)
	s.waitFor("the map loading", 15*time.Second, e2eHas("Heatmap", "loading…"))
	s.keys("Tab") // the focus moves to the extent table
	s.waitFor("the table focused", 5*time.Second, e2eHas("s sort by"))
	s.keys("s") // largest first, while pages arrive
	s.waitFor("the table in size order", 5*time.Second, e2eHas("largest first"))
	s.waitFor("the whole map", 60*time.Second, e2eHas("done in", "largest first"))

	s.keys("e")
	s.waitFor("the export dialog", 5*time.Second, e2eHas("Export JSON to"))
	s.keys("Enter")
	s.waitFor("the export", 10*time.Second, e2eHas("exported to"))
	files, _ := filepath.Glob(filepath.Join(dir, "cbtscope-"+simulator.DemoSparse+"-*.json"))
	if len(files) != 1 {
		t.Fatalf("exports: %v", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _, err := vsphere.ReadExport(f)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Complete || len(got.ChangedArea) < 1_000_000 || !slices.Equal(got.ChangedArea, want.ChangedArea) {
		t.Fatalf("the explorer's map: %d extents, complete %v; export's: %d", len(got.ChangedArea), got.Complete, len(want.ChangedArea))
	}
	s.keys("q")
	if code := s.waitExit(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

// BenchmarkEndToEndStream times the built binary on the 1.28-million-extent
// map, served by an in-process simulator over loopback TLS: `export` from
// start to exit, against the explorer from start to the screen saying the
// map is done (the figure the explorer must keep within 1.3× of); then the
// time from a key sent to its effect on screen (the cursor's cell in the
// inspector), while sixteen workers' pages stream from a server taking
// 40 ms a call (some 400 pages a second of 2,000 extents) or 20 ms (800
// pages a second: with the simulator on the same two cores, that saturates
// them), and idle. Screens are read with tmux, so latencies include a capture (a few
// milliseconds): compare the streaming figure with the idle one.
func BenchmarkEndToEndStream(b *testing.B) {
	dir, bin := e2eBuild(b)
	start := func(latency time.Duration) []string {
		sim, err := simulator.Start(simulator.Options{TLS: true, Latency: latency})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(sim.Close)
		u := sim.URL()
		u.User = nil
		return []string{"--url", u.String(), "--username", "backup-admin", "--password", testPassword, "--thumbprint", sim.Thumbprint(),
			"--datastore", "ds-prod-02", "--disk", simulator.DemoSparse, "--change-id", "*"}
	}
	fast, slow20, slow40 := start(0), start(20*time.Millisecond), start(40*time.Millisecond)

	var export, explorer []time.Duration
	for b.Loop() {
		t0 := time.Now()
		cmd := exec.Command(bin, append([]string{"export", "-o", filepath.Join(dir, "export.json")}, fast...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("export: %v: %s", err, out)
		}
		export = append(export, time.Since(t0))

		t0 = time.Now()
		s := e2eStartTmux(b, dir, bin, fast...)
		for !strings.Contains(s.capture(), "done in") {
			if time.Since(t0) > time.Minute {
				b.Fatalf("the explorer did not finish:\n%s", s.capture())
			}
			time.Sleep(10 * time.Millisecond) // leave the cores to the program
		}
		explorer = append(explorer, time.Since(t0))
		s.keys("q")
		s.waitExit(10 * time.Second)
	}
	ex, xp := median(export), median(explorer)
	b.ReportMetric(ex.Seconds(), "export-s")
	b.ReportMetric(xp.Seconds(), "explorer-s")
	b.ReportMetric(xp.Seconds()/ex.Seconds(), "explorer/export")

	// Key to frame: the right arrow moves the heatmap's cursor one cell,
	// and the inspector shows the new cell's range.
	for _, rate := range []struct {
		name string
		conn []string
	}{{"400pps", slow40}, {"800pps", slow20}} {
		s := e2eStartTmux(b, dir, bin, append(rate.conn, "--parallel", "16")...)
		s.waitFor("the map loading", 15*time.Second, e2eHas("Heatmap", "loading…"))
		streaming := keyToFrame(b, s, e2eHas("loading…"))
		s.waitFor("the whole map", time.Minute, e2eHas("done in"))
		idle := keyToFrame(b, s, func(string) bool { return true })
		if len(streaming) == 0 {
			b.Fatal("the map loaded before a key could be timed")
		}
		b.ReportMetric(ms(median(streaming)), "key-ms-"+rate.name+"-median")
		b.ReportMetric(ms(slices.Max(streaming)), "key-ms-"+rate.name+"-max")
		b.ReportMetric(ms(median(idle)), "key-ms-idle-median")
		s.keys("q")
		s.waitExit(10 * time.Second)
	}
}

// keyToFrame sends up to 40 right arrows, one at a time, and times each
// from its sending to the inspector showing the next cell, as long as
// while accepts the screen.
func keyToFrame(b *testing.B, s *e2eSession, while func(screen string) bool) (lat []time.Duration) {
	for range 40 {
		before := e2eInspectorRange(s.capture())
		t0 := time.Now()
		s.keys("Right")
		var screen string
		for {
			screen = s.capture()
			if r := e2eInspectorRange(screen); r != "" && r != before {
				break
			}
			if time.Since(t0) > 5*time.Second {
				b.Fatalf("the key had no effect:\n%s", screen)
			}
		}
		d := time.Since(t0)
		if !while(screen) {
			return lat
		}
		lat = append(lat, d)
		time.Sleep(30 * time.Millisecond)
	}
	return lat
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }
