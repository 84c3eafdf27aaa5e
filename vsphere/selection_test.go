package vsphere

import (
	"errors"
	"testing"
	"time"
)

func TestPickSnapshots(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 1, 30, 0, 0, time.UTC)
	snaps := []Snapshot{
		{ID: "s1", CreateTime: t0},                                     // CBT was off
		{ID: "s2", CreateTime: t0.Add(24 * time.Hour), ChangeID: "c2"}, // first with a changeId
		{ID: "s3", CreateTime: t0.Add(48 * time.Hour)},                 // CBT off again
		{ID: "s4", CreateTime: t0.Add(72 * time.Hour), ChangeID: "c4"},
	}
	cases := []struct {
		name                             string
		snapshot, baseSnapshot, changeID string
		target, base                     string
		usage                            bool
	}{
		{"newest against the newest earlier with a changeId", "", "", "", "s4", "c2", false},
		{"first snapshot against allocated areas", "s1", "", "", "s1", "*", false},
		{"typed changeId", "s3", "", "52 aa/3", "s3", "52 aa/3", false},
		{"base snapshot", "s4", "s2", "", "s4", "c2", false},
		{"base later than target", "s2", "s4", "", "", "", true},
		{"base is the target", "s4", "s4", "", "", "", true},
		{"base without changeId", "s4", "s3", "", "", "", true},
		{"unknown target", "s9", "", "", "", "", true},
		{"unknown base", "s4", "s9", "", "", "", true},
		{"both bases", "s4", "s2", "*", "", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target, base, err := PickSnapshots(snaps, tc.snapshot, tc.baseSnapshot, tc.changeID)
			var ue *UsageError
			if tc.usage {
				if !errors.As(err, &ue) {
					t.Fatalf("got %s/%s, %v; want a usage error", target.ID, base, err)
				}
				return
			}
			if err != nil || target.ID != tc.target || base != tc.base {
				t.Fatalf("got %s/%s, %v; want %s/%s", target.ID, base, err, tc.target, tc.base)
			}
		})
	}
	if _, _, err := PickSnapshots(nil, "", "", ""); err == nil {
		t.Fatal("a disk without snapshots was accepted")
	}
}
