package vsphere

import (
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// Each faulting demo disk arrives as its fault, typed, with its messages,
// and is diagnosed as the design's table says.
func TestFaultsAreDiagnosed(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	type pick func(snaps []Snapshot) (snap, base string)
	newestVsPrev := func(s []Snapshot) (string, string) { return s[len(s)-1].ID, s[len(s)-2].ChangeID }
	cases := []struct {
		name, disk, datastore string
		pick                  pick
		wantType, wantTitle   string
		wantKey               string
	}{
		{"CBT off", simulator.DemoCBTOff, "", func(s []Snapshot) (string, string) { return s[len(s)-1].ID, "*" }, "InvalidState", "CBT is not enabled", ""},
		{"corrupt ctk", simulator.DemoCorruptCTK, "", newestVsPrev, "FileFault", "Change tracking file corrupt", keyCannotGetChanges},
		{"epoch reset", simulator.DemoEpochReset, "", func(s []Snapshot) (string, string) { return s[len(s)-1].ID, s[0].ChangeID },
			"FileFault", "changeId from another CBT epoch", keyCannotGetChanges},
		{"no epoch for *", simulator.DemoLateCBT, "", func(s []Snapshot) (string, string) { return s[0].ID, "*" },
			"FileFault", "No CBT epoch for changeId=*", keyNoEpoch},
		{"malformed changeId", simulator.DemoDatabase, "", func(s []Snapshot) (string, string) { return s[len(s)-1].ID, "not-a-change-id" },
			"InvalidArgument", "Malformed changeId", ""},
		{"unknown snapshot", simulator.DemoDatabase, "", func(s []Snapshot) (string, string) { return "00000000-0000-0000-0000-000000000000", "*" },
			"NotFound", "Disk or snapshot not found", ""},
		{"inaccessible datastore", simulator.DemoOffline, "ds-archive", func(s []Snapshot) (string, string) { return "", "*" },
			"InvalidDatastore", "Datastore cannot serve this", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, err := c.FindDisk(t.Context(), tc.datastore, tc.disk)
			var snaps []Snapshot
			if err == nil {
				snaps, err = c.Snapshots(t.Context(), d)
			}
			if tc.wantType == "InvalidDatastore" {
				// The datastore is down: even listing fails with the fault.
				f, ok := AsFault(err, nil)
				if !ok || f.Type != tc.wantType || Diagnose(f).Title != tc.wantTitle {
					t.Fatalf("listing on an inaccessible datastore: %v", err)
				}
				// And so does a query.
				q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: "any", ChangeID: "*"}
				_, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 1})
				if done.Complete || len(faults) != 1 || faults[0].Fault == nil || faults[0].Fault.Type != tc.wantType {
					t.Fatalf("query on an inaccessible datastore: done %+v faults %+v", done, faults)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			snap, base := tc.pick(snaps)
			q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snap, ChangeID: base}
			m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 2})
			if done.Complete || len(faults) == 0 {
				t.Fatalf("done %+v, %d faults", done, len(faults))
			}
			f := faults[0].Fault
			if f == nil {
				t.Fatalf("fault event without a fault: %v", faults[0].Err)
			}
			if f.Type != tc.wantType || f.Diagnosis.Title != tc.wantTitle {
				t.Fatalf("got %s %q, want %s %q (%v)", f.Type, f.Diagnosis.Title, tc.wantType, tc.wantTitle, f)
			}
			if tc.wantKey != "" && !f.HasKey(tc.wantKey) {
				t.Fatalf("fault lacks faultMessage key %s: %+v", tc.wantKey, f.Messages)
			}
			if len(f.Messages) == 0 || f.Messages[0].Message == "" || f.Request == nil || f.Request.ChangeID != base {
				t.Fatalf("fault without its messages or request: %+v", f)
			}
			if m.FaultedBytes(0, m.Capacity()) == 0 {
				t.Fatal("the unscanned range was not marked faulted")
			}
			if !strings.Contains(f.Error(), f.Type) {
				t.Fatalf("error %q does not name the fault", f.Error())
			}
		})
	}
}

// A fault from a server that sends a faultCause keeps it, typed.
func TestFaultCauseIsKept(t *testing.T) {
	_, c := startSim(t, simulator.Options{})
	d, snaps := findDisk(t, c, simulator.DemoCorruptCTK)
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: snaps[0].ChangeID}
	_, _, faults := fetchMap(t, c, q, FetchOptions{Workers: 1})
	if len(faults) != 1 || faults[0].Fault == nil || faults[0].Fault.Cause == nil {
		t.Fatalf("faults %+v", faults)
	}
	if cause := faults[0].Fault.Cause; cause.Type != "FileFault" || cause.Message == "" {
		t.Fatalf("cause %+v", cause)
	}
}

func TestDiagnoseUnknownFaultKeepsEverything(t *testing.T) {
	f := &Fault{Type: "HostCommunication", Message: "host not responding", Messages: []FaultMessage{{Key: "k", Message: "m"}}}
	d := Diagnose(f)
	if !strings.Contains(d.Title, "HostCommunication") || d.Remedy == "" {
		t.Fatalf("diagnosis %+v", d)
	}
}
