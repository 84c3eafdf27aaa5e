package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

const testPassword = "Sup3r-Secret!pw"

// exportSim is one HTTPS simulator shared by the export tests.
var exportSim = sync.OnceValues(func() (*simulator.Server, error) {
	return simulator.Start(simulator.Options{TLS: true, PageExtents: 500})
})

// seen collects everything the command printed, to check no test ever saw
// the password.
var seen struct {
	sync.Mutex
	bytes.Buffer
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	seen.Lock()
	seen.Write(out.Bytes())
	seen.Write(errb.Bytes())
	seen.Unlock()
	return code, out.String(), errb.String()
}

func simArgs(t *testing.T) []string {
	t.Helper()
	s, err := exportSim()
	if err != nil {
		t.Fatal(err)
	}
	u := s.URL()
	u.User = nil
	return []string{"--url", u.String(), "--username", "backup-admin", "--password", testPassword, "--thumbprint", s.Thumbprint()}
}

func exportArgs(t *testing.T, extra ...string) []string {
	return append(append([]string{"export"}, simArgs(t)...), extra...)
}

func readJSONExport(t *testing.T, data string) *vsphere.Export {
	t.Helper()
	e, _, err := vsphere.ReadExport(strings.NewReader(data))
	if err != nil {
		t.Fatalf("%v in:\n%.400s", err, data)
	}
	return e
}

func toSim(ext []heatmap.Extent) []simulator.Extent {
	out := make([]simulator.Extent, len(ext))
	for i, e := range ext {
		out[i] = simulator.Extent{Start: e.Start, Length: e.Length}
	}
	return out
}

// The export equals the simulator's ground truth for every healthy demo
// disk, sequential and parallel, as JSON and as CSV.
func TestExportMatchesGroundTruth(t *testing.T) {
	s, _ := exportSim()
	disks := []string{simulator.DemoDatabase, simulator.DemoLog, simulator.DemoFreshFS, simulator.DemoBootStorm, simulator.DemoSparse}
	for _, name := range disks {
		info, _ := s.Disk(name)
		snaps := info.Snapshots
		newest, prev := snaps[len(snaps)-1], snaps[len(snaps)-2]
		want, err := s.GroundTruth(info.ID, newest.ID, prev.ChangeID)
		if err != nil {
			t.Fatal(err)
		}
		for _, parallel := range []string{"0", "1", "4"} {
			code, out, errs := runCLI(t, exportArgs(t, "--disk", name, "--parallel", parallel)...)
			if code != exitOK {
				t.Fatalf("%s: exit %d: %s", name, code, errs)
			}
			e := readJSONExport(t, out)
			if !e.Complete || e.SnapshotID != newest.ID || e.ChangeID != prev.ChangeID || e.Disk.ID != info.ID || e.Length != info.CapacityBytes {
				t.Fatalf("%s: export header %+v", name, e.Disk)
			}
			if got := toSim(e.ChangedArea); !slices.Equal(got, want) {
				t.Fatalf("%s --parallel %s: %d extents, ground truth %d", name, parallel, len(got), len(want))
			}
		}
		// CSV, to a file, since the first snapshot: allocated areas.
		path := filepath.Join(t.TempDir(), "map.csv")
		code, _, errs := runCLI(t, exportArgs(t, "--disk", info.ID, "--snapshot", snaps[0].ID, "--change-id", "*", "--format", "csv", "-o", path)...)
		if code != exitOK {
			t.Fatalf("%s csv: exit %d: %s", name, code, errs)
		}
		want, _ = s.GroundTruth(info.ID, snaps[0].ID, "*")
		if got := readCSV(t, path); !slices.Equal(got, want) {
			t.Fatalf("%s csv: %d rows, ground truth %d", name, len(got), len(want))
		}
	}
}

func readCSV(t *testing.T, path string) []simulator.Extent {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], []string{"start", "length", "end"}) {
		t.Fatalf("header %v", rows[0])
	}
	var out []simulator.Extent
	for _, r := range rows[1:] {
		s, _ := strconv.ParseInt(r[0], 10, 64)
		l, _ := strconv.ParseInt(r[1], 10, 64)
		e, _ := strconv.ParseInt(r[2], 10, 64)
		if s+l != e {
			t.Fatalf("row %v: start+length != end", r)
		}
		out = append(out, simulator.Extent{Start: s, Length: l})
	}
	return out
}

// Each faulting disk exits 1 with its diagnosis on stderr, and still
// writes what it has, marked incomplete.
func TestExportFaults(t *testing.T) {
	s, _ := exportSim()
	epoch, _ := s.Disk(simulator.DemoEpochReset)
	late, _ := s.Disk(simulator.DemoLateCBT)
	cases := []struct {
		name  string
		args  []string
		title string
	}{
		{"CBT off", []string{"--disk", simulator.DemoCBTOff, "--change-id", "*"}, "CBT is not enabled"},
		{"corrupt ctk", []string{"--disk", simulator.DemoCorruptCTK}, "Change tracking file corrupt"},
		{"epoch reset", []string{"--disk", simulator.DemoEpochReset, "--base-snapshot", epoch.Snapshots[0].ID}, "changeId from another CBT epoch"},
		{"no epoch", []string{"--disk", simulator.DemoLateCBT, "--snapshot", late.Snapshots[0].ID, "--change-id", "*"}, "No CBT epoch"},
		{"malformed changeId", []string{"--disk", simulator.DemoDatabase, "--change-id", "52 zz/1"}, "Malformed changeId"},
		{"inaccessible datastore", []string{"--datastore", "ds-archive", "--disk", simulator.DemoOffline}, "Datastore cannot serve this"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runCLI(t, exportArgs(t, tc.args...)...)
			if code != exitFault || !strings.Contains(errs, tc.title) || !strings.Contains(errs, "remedy:") {
				t.Fatalf("exit %d, stderr:\n%s", code, errs)
			}
			if out != "" {
				if e := readJSONExport(t, out); e.Complete || e.Fault == nil {
					t.Fatalf("a faulted export says complete %v, fault %v", e.Complete, e.Fault)
				}
			}
		})
	}
}

// Injected transient failures are survived with an identical result;
// contract violations end with exit 1 and say what was wrong.
func TestExportUnderInjectedFaults(t *testing.T) {
	s, _ := exportSim()
	info, _ := s.Disk(simulator.DemoBootStorm)
	snaps := info.Snapshots
	want, _ := s.GroundTruth(info.ID, snaps[len(snaps)-1].ID, snaps[0].ChangeID)
	args := exportArgs(t, "--disk", simulator.DemoBootStorm, "--base-snapshot", snaps[0].ID)
	for name, knobs := range map[string]simulator.Knobs{
		"dropped connection": {DropConnection: simulator.Trigger{Nth: 2}},
		"HTTP 500":           {HTTP500: simulator.Trigger{Nth: 3}},
		"session expiry":     {SessionExpiry: simulator.Trigger{Nth: 2}},
	} {
		t.Run(name, func(t *testing.T) {
			s.SetKnobs(knobs)
			defer s.SetKnobs(simulator.Knobs{})
			code, out, errs := runCLI(t, args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if got := toSim(readJSONExport(t, out).ChangedArea); !slices.Equal(got, want) {
				t.Fatalf("%d extents, want %d", len(got), len(want))
			}
		})
	}
	for name, tc := range map[string]struct {
		knobs simulator.Knobs
		want  string
	}{
		"zero-length page":      {simulator.Knobs{ZeroLengthPage: simulator.Trigger{Nth: 2}}, "paging would not advance"},
		"extent outside window": {simulator.Knobs{ExtentOutsideWindow: simulator.Trigger{Nth: 1}}, "outside the reply's window"},
	} {
		t.Run(name, func(t *testing.T) {
			s.SetKnobs(tc.knobs)
			defer s.SetKnobs(simulator.Knobs{})
			code, _, errs := runCLI(t, args...)
			if code != exitFault || !strings.Contains(errs, tc.want) || !strings.Contains(errs, "startOffset") {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
		})
	}
}

func TestExportUsageErrors(t *testing.T) {
	base := simArgs(t)
	cases := map[string][]string{
		"missing --disk":    append([]string{"export"}, base...),
		"unknown disk":      append(append([]string{"export"}, base...), "--disk", "no-such-disk"),
		"unknown datastore": append(append([]string{"export"}, base...), "--disk", simulator.DemoDatabase, "--datastore", "nope"),
		"unknown snapshot":  append(append([]string{"export"}, base...), "--disk", simulator.DemoDatabase, "--snapshot", "nope"),
		"both bases":        append(append([]string{"export"}, base...), "--disk", "x", "--change-id", "*", "--base-snapshot", "y"),
		"bad format":        append(append([]string{"export"}, base...), "--disk", "x", "--format", "xml"),
		"bad URL":           {"export", "--url", "ftp://backup-admin:" + testPassword + "@host", "--disk", "x"},
		"unparsable URL":    {"export", "--url", "https://backup-admin:" + testPassword + "@ho st:%zz", "--disk", "x"},
		"no URL":            {"export", "--disk", "x"},
		"unknown flag":      {"export", "--frobnicate"},
		"untrusted TLS":     {"export", "--url", base[1], "--username", "u", "--password", testPassword, "--disk", "x"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCLI(t, args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d; stderr %q", code, exitUsage, errs)
			}
			if lines := strings.Count(strings.TrimSpace(errs), "\n"); lines > 0 && name != "unknown flag" {
				t.Fatalf("error is %d lines, want one: %q", lines+1, errs)
			}
		})
	}
}

// The password, given any way, never appears in anything printed.
func TestExportNeverShowsThePassword(t *testing.T) {
	old := getenv
	defer func() { getenv = old }()
	s, _ := exportSim()
	u := s.URL()
	u.User = nil
	env := map[string]string{"GOVC_URL": u.String(), "GOVC_USERNAME": "backup-admin", "GOVC_PASSWORD": testPassword,
		"GOVC_TLS_KNOWN_HOSTS_THUMBPRINT": s.Thumbprint()}
	getenv = func(k string) string { return env[k] }
	if code, _, errs := runCLI(t, "export", "--disk", simulator.DemoCorruptCTK); code != exitFault {
		t.Fatalf("exit %d: %s", code, errs)
	}
	withUser := strings.Replace(u.String(), "https://", "https://backup-admin:"+testPassword+"@", 1)
	env["GOVC_URL"] = withUser
	env["GOVC_PASSWORD"] = ""
	if code, _, errs := runCLI(t, "export", "--disk", simulator.DemoCBTOff, "--change-id", "*"); code != exitFault {
		t.Fatalf("exit %d: %s", code, errs)
	}
	env["GOVC_TLS_KNOWN_HOSTS_THUMBPRINT"] = ""
	if code, _, errs := runCLI(t, "export", "--disk", "x"); code != exitUsage || !strings.Contains(errs, "thumbprint") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// Usage text lists the flags: their defaults must not be the secrets.
	env["GOVC_PASSWORD"] = testPassword
	for _, args := range [][]string{{"export", "--bogus"}, {"export", "--help"}, {"--bogus"}, {"--help"}} {
		if code, _, errs := runCLI(t, args...); code == exitOK && args[len(args)-1] == "--bogus" {
			t.Fatalf("%v exited 0: %s", args, errs)
		}
	}
	seen.Lock()
	defer seen.Unlock()
	if strings.Contains(seen.String(), testPassword) || strings.Contains(seen.String(), "Sup3r-Secret%21pw") {
		t.Fatal("the password appeared in the output")
	}
	if seen.Len() == 0 {
		t.Fatal("nothing was printed: the check checks nothing")
	}
}
