package vsphere

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/types"
)

func TestPickVMSnapshots(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 1, 30, 0, 0, time.UTC)
	snap := func(name, moref string, day int, ids map[int32]string) VMSnapshot {
		return VMSnapshot{Name: name, Ref: types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: moref}, CreateTime: t0.AddDate(0, 0, day), ChangeIDs: ids}
	}
	snaps := []VMSnapshot{
		snap("nightly", "snapshot-1", 0, map[int32]string{}),                       // CBT not yet in effect
		snap("nightly", "snapshot-2", 1, map[int32]string{2000: "a2", 2001: "b2"}), // the name again
		snap("before upgrade", "snapshot-3", 2, map[int32]string{2000: "a3"}),      // disk 2001 had none
		snap("after upgrade", "snapshot-4", 3, map[int32]string{2000: "a4", 2001: "b4"}),
	}
	cases := []struct {
		name                             string
		key                              int32
		snapshot, baseSnapshot, changeID string
		target, base                     string
		usage                            string // part of the usage error, "" for none
	}{
		{"newest against the newest earlier with a changeId", 2000, "", "", "", "snapshot-4", "a3", ""},
		{"the default base skips a snapshot without a changeId for the disk", 2001, "", "", "", "snapshot-4", "b2", ""},
		{"first snapshot against allocated areas", 2000, "snapshot-1", "", "", "snapshot-1", "*", ""},
		{"target by name", 2000, "before upgrade", "", "", "snapshot-3", "a2", ""},
		{"base by name", 2000, "after upgrade", "before upgrade", "", "snapshot-4", "a3", ""},
		{"base by moref", 2001, "snapshot-4", "snapshot-2", "", "snapshot-4", "b2", ""},
		{"typed changeId", 2000, "snapshot-3", "", "*", "snapshot-3", "*", ""},
		{"ambiguous target name lists the morefs", 2000, "nightly", "", "", "", "", "nightly (snapshot-1), nightly (snapshot-2)"},
		{"ambiguous base name", 2000, "snapshot-4", "nightly", "", "", "", "ambiguous"},
		{"base later than target", 2000, "snapshot-2", "snapshot-4", "", "", "", "not older"},
		{"base is the target", 2000, "snapshot-4", "after upgrade", "", "", "", "target itself"},
		{"base without a changeId for the disk", 2001, "snapshot-4", "before upgrade", "", "", "", "no changeId for disk 2001"},
		{"unknown target", 2000, "snapshot-9", "", "", "", "", "no snapshot \"snapshot-9\""},
		{"both bases", 2000, "snapshot-4", "snapshot-2", "*", "", "", "not both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, base, err := PickVMSnapshots(snaps, tc.key, tc.snapshot, tc.baseSnapshot, tc.changeID)
			if tc.usage != "" {
				var ue *UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.usage) {
					t.Fatalf("got %s/%s, %v; want a usage error with %q", target.Ref.Value, base, err, tc.usage)
				}
				return
			}
			if err != nil || target.Ref.Value != tc.target || base != tc.base {
				t.Fatalf("got %s/%s, %v; want %s/%s", target.Ref.Value, base, err, tc.target, tc.base)
			}
		})
	}
	var ue *UsageError
	if _, _, err := PickVMSnapshots(nil, 2000, "", "", ""); !errors.As(err, &ue) {
		t.Fatalf("a VM without snapshots: %v", err)
	}
}
