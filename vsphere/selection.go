package vsphere

import (
	"fmt"
	"strings"
)

// PickSnapshots resolves what a query compares, the way every front end
// reads it: the target snapshot (by id; the newest when empty) and the base
// changeId, given as a changeId ('*' for allocated areas), as a base
// snapshot id, or, when neither is given, the newest earlier snapshot that
// has a changeId ('*' when none has). Mistakes are *UsageError values,
// found before any query is sent.
func PickSnapshots(snaps []Snapshot, snapshot, baseSnapshot, changeID string) (target Snapshot, base string, err error) {
	if len(snaps) == 0 {
		return Snapshot{}, "", &UsageError{"the disk has no snapshots: CBT queries need one"}
	}
	ti := len(snaps) - 1
	if snapshot != "" {
		if ti = indexSnapshot(snaps, snapshot); ti < 0 {
			return Snapshot{}, "", &UsageError{fmt.Sprintf("no snapshot %q; the disk has %s", snapshot, listSnapshots(snaps))}
		}
	}
	target = snaps[ti]
	switch {
	case changeID != "" && baseSnapshot != "":
		return target, "", &UsageError{"give a base changeId or a base snapshot, not both"}
	case changeID != "":
		return target, changeID, nil
	case baseSnapshot != "":
		bi := indexSnapshot(snaps, baseSnapshot)
		switch {
		case bi < 0:
			return target, "", &UsageError{fmt.Sprintf("no base snapshot %q (--base-snapshot); the disk has %s", baseSnapshot, listSnapshots(snaps))}
		case bi == ti:
			return target, "", &UsageError{fmt.Sprintf("--base-snapshot %s is the target itself: compare it with an earlier one", baseSnapshot)}
		case !snaps[bi].CreateTime.Before(target.CreateTime):
			return target, "", &UsageError{fmt.Sprintf("--base-snapshot %s is not older than the target snapshot %s: a base must be taken before the target", baseSnapshot, target.ID)}
		case snaps[bi].ChangeID == "":
			return target, "", &UsageError{fmt.Sprintf("--base-snapshot %s has no changeId (taken with CBT off); use --change-id '*'", baseSnapshot)}
		}
		return target, snaps[bi].ChangeID, nil
	}
	return target, DefaultBase(snaps, target), nil
}

// DefaultBase is the changeId of the newest snapshot taken before target
// that has one, or '*' when none has.
func DefaultBase(snaps []Snapshot, target Snapshot) string {
	if b, ok := DefaultBaseSnapshot(snaps, target); ok {
		return b.ChangeID
	}
	return "*"
}

// DefaultBaseSnapshot is the newest snapshot taken before target that has a
// changeId.
func DefaultBaseSnapshot(snaps []Snapshot, target Snapshot) (Snapshot, bool) {
	var best Snapshot
	found := false
	for _, s := range snaps {
		if s.ID == target.ID || s.ChangeID == "" || !s.CreateTime.Before(target.CreateTime) {
			continue
		}
		if !found || s.CreateTime.After(best.CreateTime) {
			best, found = s, true
		}
	}
	return best, found
}

func indexSnapshot(snaps []Snapshot, id string) int {
	for i, s := range snaps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

func listSnapshots(snaps []Snapshot) string {
	ids := make([]string, len(snaps))
	for i, s := range snaps {
		ids[i] = s.ID
	}
	return strings.Join(ids, ", ")
}

// PickVMSnapshots is PickSnapshots for disk key of a VM: snapshots are
// named by name or moref value, and a snapshot's changeId is the one its
// backing of that disk carries. Snapshots must be oldest first, as
// VMSnapshots returns them. A name that several snapshots share is a
// *UsageError listing their morefs.
func PickVMSnapshots(snaps []VMSnapshot, key int32, snapshot, baseSnapshot, changeID string) (target VMSnapshot, base string, err error) {
	if len(snaps) == 0 {
		return VMSnapshot{}, "", &UsageError{"the VM has no snapshots: take one, or query a powered-off VM as it is now (--now)"}
	}
	ti := len(snaps) - 1
	if snapshot != "" {
		if ti, err = indexVMSnapshot(snaps, snapshot, "--snapshot"); err != nil {
			return VMSnapshot{}, "", err
		}
	}
	target = snaps[ti]
	base, err = pickVMBase(snaps, key, &target, baseSnapshot, changeID)
	return target, base, err
}

// PickVMNow picks the base for a VM disk as it is now, without a snapshot
// (a powered-off VM's), by PickVMSnapshots's rules: the changeId or base
// snapshot given, else the newest snapshot with a changeId for the disk,
// else '*'. Every snapshot is older than now.
func PickVMNow(snaps []VMSnapshot, key int32, baseSnapshot, changeID string) (string, error) {
	return pickVMBase(snaps, key, nil, baseSnapshot, changeID)
}

// pickVMBase picks the base changeId of disk key for target (nil: the disk
// as it is now).
func pickVMBase(snaps []VMSnapshot, key int32, target *VMSnapshot, baseSnapshot, changeID string) (string, error) {
	older := func(s VMSnapshot) bool { return target == nil || s.CreateTime.Before(target.CreateTime) }
	switch {
	case changeID != "" && baseSnapshot != "":
		return "", &UsageError{"give a base changeId or a base snapshot, not both"}
	case changeID != "":
		return changeID, nil
	case baseSnapshot != "":
		bi, err := indexVMSnapshot(snaps, baseSnapshot, "--base-snapshot")
		switch {
		case err != nil:
			return "", err
		case target != nil && snaps[bi].Ref == target.Ref:
			return "", &UsageError{fmt.Sprintf("--base-snapshot %s is the target itself: compare it with an earlier one", baseSnapshot)}
		case !older(snaps[bi]):
			return "", &UsageError{fmt.Sprintf("--base-snapshot %s is not older than the target snapshot %s: a base must be taken before the target", baseSnapshot, target.Name)}
		case snaps[bi].ChangeIDs[key] == "":
			return "", &UsageError{fmt.Sprintf("--base-snapshot %s has no changeId for disk %d (CBT was off or not yet in effect); use --change-id '*'", baseSnapshot, key)}
		}
		return snaps[bi].ChangeIDs[key], nil
	}
	for i := len(snaps) - 1; i >= 0; i-- {
		if id := snaps[i].ChangeIDs[key]; id != "" && older(snaps[i]) {
			return id, nil
		}
	}
	return "*", nil
}

// indexVMSnapshot finds a snapshot by moref value or, failing that, by a
// name only one snapshot has.
func indexVMSnapshot(snaps []VMSnapshot, nameOrMoref, flag string) (int, error) {
	for i, s := range snaps {
		if s.Ref.Value == nameOrMoref {
			return i, nil
		}
	}
	var found []int
	for i, s := range snaps {
		if s.Name == nameOrMoref {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return -1, &UsageError{fmt.Sprintf("no snapshot %q (%s); the VM has %s", nameOrMoref, flag, listVMSnapshots(snaps, nil))}
	}
	return -1, &UsageError{fmt.Sprintf("snapshot name %q (%s) is ambiguous: %s; give its moref", nameOrMoref, flag, listVMSnapshots(snaps, found))}
}

// listVMSnapshots lists snapshots (those at the indexes, or all) as
// "name (moref)".
func listVMSnapshots(snaps []VMSnapshot, indexes []int) string {
	var out []string
	add := func(s VMSnapshot) { out = append(out, fmt.Sprintf("%s (%s)", s.Name, s.Ref.Value)) }
	if indexes == nil {
		for _, s := range snaps {
			add(s)
		}
	}
	for _, i := range indexes {
		add(snaps[i])
	}
	return strings.Join(out, ", ")
}
