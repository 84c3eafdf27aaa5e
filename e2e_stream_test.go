package main

import (
	"os"
	"path/filepath"
	"slices"
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
