package vsphere

import (
	"fmt"
	"strconv"
	"strings"
)

// Disk finds a disk of the VM by its label ("Hard disk 1", case aside) or
// its device key ("2000"); a mistake is a *UsageError naming the disks.
func (v VM) Disk(labelOrKey string) (VMDisk, error) {
	want := strings.TrimSpace(labelOrKey)
	key, keyErr := strconv.ParseInt(want, 10, 32)
	for _, d := range v.Disks {
		if strings.EqualFold(d.Label, want) || keyErr == nil && int64(d.Key) == key {
			return d, nil
		}
	}
	names := make([]string, len(v.Disks))
	for i, d := range v.Disks {
		names[i] = fmt.Sprintf("%q (key %d)", d.Label, d.Key)
	}
	if len(names) == 0 {
		return VMDisk{}, &UsageError{fmt.Sprintf("VM %s has no virtual disks", v.Name)}
	}
	return VMDisk{}, &UsageError{fmt.Sprintf("VM %s has no disk %q; its disks are %s", v.Name, labelOrKey, strings.Join(names, ", "))}
}

// AsSnapshots are a VM's snapshots as one disk sees them: a Snapshot each,
// its ID the snapshot's moref value, its ChangeID the disk backing's. The
// snapshot pickers and PickSnapshots then serve VM disks as they do First
// Class Disks.
func AsSnapshots(snaps []VMSnapshot, key int32) []Snapshot {
	out := make([]Snapshot, len(snaps))
	for i, s := range snaps {
		desc := s.Name
		if s.Description != "" && s.Description != s.Name {
			desc = s.Name + " (" + s.Description + ")"
		}
		out[i] = Snapshot{ID: s.Ref.Value, Description: desc, CreateTime: s.CreateTime, ChangeID: s.ChangeIDs[key]}
	}
	return out
}

// VMCBTOff is why a VM whose config.changeTrackingEnabled is false has no
// changes to report, and what to do.
func VMCBTOff() Diagnosis {
	return Diagnosis{
		Title:  "CBT is not enabled on this VM",
		Cause:  "The VM's changeTrackingEnabled setting is off, so its disks keep no change tracking data (queries fail with FileFault noTrack).",
		Remedy: "Enable it (ReconfigVM_Task with changeTrackingEnabled = true). It takes effect after a stun/unstun cycle (power cycle, snapshot create/delete, vMotion), and the next backup must be full.",
	}
}
