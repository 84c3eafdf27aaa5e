package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

func timelineArgs(t *testing.T, extra ...string) []string {
	return append(append([]string{"timeline"}, simArgs(t)...), extra...)
}

func readTimeline(t *testing.T, data string) *vsphere.TimelineReport {
	t.Helper()
	var r vsphere.TimelineReport
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("%v in:\n%.400s", err, data)
	}
	return &r
}

// simClient connects to the export tests' simulator.
func simClient(t *testing.T) *vsphere.Client {
	t.Helper()
	s, err := exportSim()
	if err != nil {
		t.Fatal(err)
	}
	u := s.URL()
	u.User = nil
	c, err := vsphere.Connect(context.Background(), vsphere.Settings{URL: u.String(), Username: "u", Password: vsphere.NewSecret(testPassword), Thumbprint: s.Thumbprint()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Logout(context.Background()) })
	return c
}

// The timeline equals, interval by interval, what export writes for the
// same pair of snapshots: the command's figures, and the engine's maps
// extent for extent. A First Class Disk and a VM disk.
func TestTimelineEqualsExport(t *testing.T) {
	c := simClient(t)
	ctx := context.Background()
	cases := []struct {
		name   string
		target []string // the disk, as both commands take it
		spec   func() vsphere.TimelineSpec
	}{
		{"FCD with a reset", []string{"--disk", simulator.DemoChainReset}, func() vsphere.TimelineSpec {
			d, snaps, err := findFCD(ctx, c, "", simulator.DemoChainReset)
			if err != nil {
				t.Fatal(err)
			}
			return vsphere.FCDTimeline(d, snaps)
		}},
		{"VM database disk", []string{"--vm", simulator.DemoVMSQL, "--disk", "2001"}, func() vsphere.TimelineSpec {
			vm, d, snaps, err := findVMDisk(ctx, c, simulator.DemoVMSQL, "2001")
			if err != nil {
				t.Fatal(err)
			}
			return vsphere.VMTimeline(vm, d, snaps)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, out, errs := runCLI(t, timelineArgs(t, tc.target...)...)
			r := readTimeline(t, out)
			tl, err := vsphere.PlanTimeline(tc.spec())
			if err != nil {
				t.Fatal(err)
			}
			tl.Run(ctx, c, vsphere.TimelineOptions{}, nil)
			if len(r.Intervals) != len(tl.Intervals) || len(r.Intervals) < 3 {
				t.Fatalf("%d intervals written, %d planned; stderr %q", len(r.Intervals), len(tl.Intervals), errs)
			}
			for i, iv := range r.Intervals {
				if iv.NotQueried != "" {
					continue
				}
				args := append(slices.Clone(tc.target), "--snapshot", iv.To.Snapshot, "--base-snapshot", iv.From.Snapshot)
				code, eout, eerrs := runCLI(t, exportArgs(t, args...)...)
				if code != exitOK {
					t.Fatalf("export %v: exit %d: %s", args, code, eerrs)
				}
				e := readJSONExport(t, eout)
				if e.ChangeID != iv.From.ChangeID || e.SnapshotID != iv.To.Snapshot {
					t.Fatalf("interval %d: export of %s since %s, timeline %s since %s", i, e.SnapshotID, e.ChangeID, iv.To.Snapshot, iv.From.ChangeID)
				}
				if iv.ChangedBytes != e.Stats.ChangedBytes || iv.Extents != len(e.ChangedArea) || !iv.Complete {
					t.Fatalf("interval %d: timeline %d bytes in %d extents, export %d in %d", i, iv.ChangedBytes, iv.Extents, e.Stats.ChangedBytes, len(e.ChangedArea))
				}
				var got []heatmap.Extent
				for x := range tl.Intervals[i].Sweep.Map.Extents(0, e.Disk.CapacityBytes) {
					got = append(got, x)
				}
				if !slices.Equal(got, e.ChangedArea) {
					t.Fatalf("interval %d: the timeline's map differs from the export's", i)
				}
			}
		})
	}
}

// A chain with a reset inside it: exit 1, the reset interval not queried
// and flagged, the others complete; one line on stderr says which.
func TestTimelineCommandReset(t *testing.T) {
	code, out, errs := runCLI(t, timelineArgs(t, "--disk", simulator.DemoChainReset)...)
	if code != exitFault {
		t.Fatalf("exit %d, want %d; stderr %q", code, exitFault, errs)
	}
	r := readTimeline(t, out)
	if r.Complete || r.Disk.Name != simulator.DemoChainReset || len(r.Flags) != 1 || r.Flags[0].Kind != vsphere.FlagCBTReset {
		t.Fatalf("report: complete %v, disk %q, flags %+v", r.Complete, r.Disk.Name, r.Flags)
	}
	for i, iv := range r.Intervals {
		reset := i == simulator.DemoResetNight
		if (iv.NotQueried != "") != reset || iv.Complete == reset || (len(iv.Flags) == 1) != reset {
			t.Fatalf("interval %d: %+v", i, iv)
		}
		if !reset && (iv.ChangedBytes <= 0 || iv.ChangedShare <= 0 || iv.ChangedShare >= 1) {
			t.Fatalf("interval %d: %d bytes, share %v", i, iv.ChangedBytes, iv.ChangedShare)
		}
	}
	if lines := strings.Split(strings.TrimSpace(errs), "\n"); len(lines) != 1 || !strings.Contains(lines[0], "S4 → S5: not queried: CBT was reset") {
		t.Fatalf("stderr %q", errs)
	}
}

// A clean chain: exit 0, no flags; as CSV, one row per interval.
func TestTimelineCommandCleanAndCSV(t *testing.T) {
	code, out, errs := runCLI(t, timelineArgs(t, "--disk", simulator.DemoLog, "--allocated")...)
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d; stderr %q", code, errs)
	}
	r := readTimeline(t, out)
	if !r.Complete || len(r.Flags) != 0 || r.Allocated == nil || !r.Allocated.Complete || r.Allocated.AllocatedBytes == 0 {
		t.Fatalf("report: %+v", r)
	}
	path := filepath.Join(t.TempDir(), "timeline.csv")
	if code, _, errs := runCLI(t, timelineArgs(t, "--disk", simulator.DemoLog, "--format", "csv", "-o", path)...); code != exitOK {
		t.Fatalf("exit %d; stderr %q", code, errs)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(r.Intervals)+1 || rows[0][0] != "interval" || rows[0][9] != "changed_bytes" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for i, row := range rows[1:] {
		iv := r.Intervals[i]
		if row[1] != iv.From.Snapshot || row[5] != iv.To.Snapshot || row[9] != strconv.FormatInt(iv.ChangedBytes, 10) || row[13] != "ok" || row[14] != "" {
			t.Fatalf("row %d: %v, interval %+v", i, row, iv)
		}
	}
}

// Every interval of a disk with a corrupt ctk faults: exit 1, each fault
// diagnosed in the output and in one line of stderr.
func TestTimelineCommandFaults(t *testing.T) {
	code, out, errs := runCLI(t, timelineArgs(t, "--disk", simulator.DemoCorruptCTK)...)
	if code != exitFault {
		t.Fatalf("exit %d; stderr %q", code, errs)
	}
	r := readTimeline(t, out)
	for _, iv := range r.Intervals {
		if iv.Fault == nil || iv.Fault.Type != "FileFault" || len(iv.Flags) != 1 || iv.Flags[0].Kind != vsphere.FlagFault {
			t.Fatalf("interval %+v", iv)
		}
	}
	if n := strings.Count(errs, "\n"); n != len(r.Intervals) || !strings.Contains(errs, "corrupt") {
		t.Fatalf("stderr %q", errs)
	}
}

func TestTimelineCommandUsage(t *testing.T) {
	cases := map[string][]string{
		"no disk":           {},
		"bad format":        {"--disk", simulator.DemoLog, "--format", "xml"},
		"parallel 0":        {"--disk", simulator.DemoLog, "--parallel", "0"},
		"workers 100":       {"--disk", simulator.DemoLog, "--workers", "100"},
		"datastore with vm": {"--vm", simulator.DemoVMSQL, "--disk", "2001", "--datastore", "ds-prod-01"},
		"unknown disk":      {"--disk", "no-such-disk"},
		"unknown VM disk":   {"--vm", simulator.DemoVMSQL, "--disk", "Hard disk 9"},
		"argument":          {"--disk", simulator.DemoLog, "extra"},
		"missing directory": {"--disk", simulator.DemoLog, "-o", "/no/such/dir/t.json"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runCLI(t, timelineArgs(t, args...)...)
			if code != exitUsage || out != "" {
				t.Fatalf("exit %d, stdout %q; stderr %q", code, out, errs)
			}
			if strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Fatalf("stderr is more than one line: %q", errs)
			}
			if strings.Contains(errs, testPassword) {
				t.Fatal("the password was printed")
			}
		})
	}
	if code, _, errs := runCLI(t, "timeline", "--disk", "x"); code != exitUsage || !strings.Contains(errs, "GOVC_URL") {
		t.Fatalf("no URL: exit %d, %q", code, errs)
	}
}
