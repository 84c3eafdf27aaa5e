package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// export --vm … --now maps a powered-off VM's disk as it is now, without a
// snapshot, since the newest snapshot that has a changeId for the disk (or
// since the base given), as the explorer's "the disk as it is now" does.
func TestExportVMDiskNow(t *testing.T) {
	s, _ := exportSim()
	name := simulator.DemoVMFileServer
	vm, ok := s.VM(name)
	if !ok {
		t.Fatalf("no demo VM %s", name)
	}
	for _, d := range vm.Disks {
		key := strconv.Itoa(int(d.Key))
		base := "*"
		for _, sn := range slices.Backward(vm.Snapshots) {
			if id := sn.ChangeIDs[key]; id != "" {
				base = id
				break
			}
		}
		for _, args := range [][]string{nil, {"--change-id", "*"}} {
			want := base
			if args != nil {
				want = "*"
			}
			truth, err := s.VMGroundTruth(name, d.Key, "", want)
			if err != nil {
				t.Fatal(err)
			}
			code, out, errs := runCLI(t, exportArgs(t, append([]string{"--vm", name, "--disk", key, "--now"}, args...)...)...)
			if code != exitOK {
				t.Fatalf("disk %s %v: exit %d: %s", key, args, code, errs)
			}
			e := readJSONExport(t, out)
			if e.SnapshotID != "" || e.ChangeID != want || !e.Complete {
				t.Fatalf("disk %s %v: snapshot %q changeId %q complete %v; want no snapshot since %q", key, args, e.SnapshotID, e.ChangeID, e.Complete, want)
			}
			if got := toSim(e.ChangedArea); !slices.Equal(got, truth) {
				t.Fatalf("disk %s %v: %d extents, truth %d", key, args, len(got), len(truth))
			}
		}
	}
}

// --now is refused on a powered-on VM, with --snapshot, and without --vm:
// one-line usage errors before any query.
func TestExportNowErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--vm", simulator.DemoVMWeb, "--disk", "2000", "--now"}, "powered on"},
		{[]string{"--vm", simulator.DemoVMFileServer, "--disk", "2000", "--now", "--snapshot", "x"}, "--now"},
		{[]string{"--disk", simulator.DemoDatabase, "--now"}, "--vm"},
	}
	for _, tc := range cases {
		code, _, errs := runCLI(t, exportArgs(t, tc.args...)...)
		if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
			t.Fatalf("%v: exit %d, stderr:\n%s", tc.args, code, errs)
		}
	}
}
