package vsphere

import "strings"

// Diagnosis is what a fault most likely means and what to do about it.
type Diagnosis struct {
	// Title names the condition in a few words.
	Title  string `json:"title"`
	Cause  string `json:"cause"`
	Remedy string `json:"remedy"`
}

// The faultMessage keys hosts send when they cannot use change tracking.
const (
	keyNoTrack          = "vim.hostd.vmsvc.cbt.noTrack"
	keyNoEpoch          = "vim.hostd.vmsvc.cbt.noEpoch"
	keyCannotGetChanges = "vim.hostd.vmsvc.cbt.cannotGetChanges"
)

// Diagnose reads a fault the way a CBT troubleshooter would.
func Diagnose(f *Fault) Diagnosis {
	switch f.Type {
	case "InvalidState":
		return Diagnosis{
			Title:  "CBT is not enabled",
			Cause:  "Changed block tracking is not enabled on this disk, so vCenter has no changes to report.",
			Remedy: "Enable it (control flag enableChangedBlockTracking). It tracks writes made after it is enabled, so the next backup must be full.",
		}
	case "FileFault":
		switch {
		case f.HasKey(keyNoTrack) && f.aboutVM():
			return Diagnosis{
				Title:  "CBT was off: no tracking data",
				Cause:  "Change tracking was off for this VM's disk, or not yet in effect, when this snapshot was taken (or it is off now), so there is no tracking data to compare against.",
				Remedy: "Take a full backup. Enable CBT (config.changeTrackingEnabled) if it is off; it takes effect after a stun/unstun cycle (power cycle, snapshot create/delete, vMotion), so the snapshot after that is the first one to query.",
			}
		case f.HasKey(keyNoTrack):
			return Diagnosis{
				Title:  "CBT was off: no tracking data",
				Cause:  "Change tracking was disabled for this disk or snapshot, so there is no tracking data to compare against.",
				Remedy: "Take a full backup, and enable CBT so later backups can be incremental.",
			}
		case f.HasKey(keyNoEpoch):
			return Diagnosis{
				Title:  "No CBT epoch for changeId=*",
				Cause:  "The disk has no change tracking epoch to report allocated areas from (changeId=*).",
				Remedy: "Take a full backup; later snapshots will carry a changeId to query against.",
			}
		case f.HasKey(keyCannotGetChanges) && strings.Contains(f.text(), "corrupt"):
			return Diagnosis{
				Title:  "Change tracking file corrupt",
				Cause:  "The disk's change tracking (ctk) file is corrupt, so changes since any changeId are unknown.",
				Remedy: "Reset CBT (disable it, then enable it again), then take a full backup.",
			}
		case f.HasKey(keyCannotGetChanges):
			return Diagnosis{
				Title:  "changeId from another CBT epoch",
				Cause:  "The changeId belongs to an earlier change tracking epoch: CBT was reset since it was taken (disk extended, restored, migrated, or CBT toggled).",
				Remedy: "The next backup must be full. Query with * to see the allocated areas, and use changeIds of snapshots taken after the reset.",
			}
		}
		return Diagnosis{
			Title:  "File error",
			Cause:  "vCenter could not read a file of this disk: " + firstNonEmpty(f.Message, "no detail given") + ".",
			Remedy: "Check the datastore and the disk's files; if change tracking data is affected, reset CBT and take a full backup.",
		}
	case "InvalidArgument":
		switch f.InvalidProperty {
		case "startOffset":
			return Diagnosis{
				Title:  "startOffset past the end of the disk",
				Cause:  "The query asked for changes at or beyond the end of the disk.",
				Remedy: "This is a paging bug in the caller: the next startOffset is startOffset + length, and paging stops at the disk's capacity.",
			}
		case "deviceKey":
			return Diagnosis{
				Title:  "Not a disk",
				Cause:  "The device key names no virtual disk of this VM at this snapshot: another kind of device, or a disk added or removed since.",
				Remedy: "List the VM's disks again and use a virtual disk's device key (2000, 2001, … on most VMs).",
			}
		case "changeId":
			return Diagnosis{
				Title:  "Malformed changeId",
				Cause:  "vCenter could not parse the changeId, or it names a point after the snapshot.",
				Remedy: "Check the value: a changeId looks like \"52 xx xx xx xx xx xx xx-xx xx xx xx xx xx xx xx/N\" (take it from the base snapshot), or use * for all allocated areas.",
			}
		}
		return Diagnosis{
			Title:  "Invalid argument",
			Cause:  "vCenter rejected an argument of the query" + ifNotEmpty(": ", f.InvalidProperty) + ".",
			Remedy: "Check the disk, snapshot and changeId given.",
		}
	case "InvalidPowerState":
		return Diagnosis{
			Title:  "A powered-on VM needs a snapshot",
			Cause:  "The VM is powered on, so its disks are in use: vSphere reports their changes only at a snapshot.",
			Remedy: "Take a snapshot (or pick one) and query at it.",
		}
	case "NotFound":
		return Diagnosis{
			Title:  "Disk or snapshot not found",
			Cause:  "The disk or the snapshot does not exist (any more): it may have been deleted or consolidated.",
			Remedy: "List the disk's snapshots again and pick one that exists.",
		}
	case "InvalidDatastore", "InaccessibleDatastore":
		return Diagnosis{
			Title:  "Datastore cannot serve this",
			Cause:  "The datastore is inaccessible, or is not the one the disk lives on.",
			Remedy: "Check that the datastore is accessible from its hosts, and that the disk is on it.",
		}
	case "NotAuthenticated":
		return Diagnosis{
			Title:  "Session expired",
			Cause:  "The vCenter session ended (timed out or was logged out).",
			Remedy: "Log in again; cbtscope does this by itself and retries.",
		}
	}
	return Diagnosis{
		Title:  "Unexpected fault " + f.Type,
		Cause:  "vCenter refused the request with a fault cbtscope has no diagnosis for.",
		Remedy: "Read the fault's messages and cause below.",
	}
}

// aboutVM reports whether the fault answered a query of a VM's disk.
func (f *Fault) aboutVM() bool { return f.Request != nil && f.Request.VM != "" }

// CBTNotInEffect says, before any query, when a VM disk's CBT is on but not
// yet in effect: the VM has changeTrackingEnabled, yet the snapshot's
// backing (snap nil: the disk as it is now) carries no changeId. That is
// what a VM looks like between enabling CBT and its next stun/unstun cycle,
// and every query of it would fault with noTrack or noEpoch.
func CBTNotInEffect(vm VM, disk VMDisk, snap *VMSnapshot) (Diagnosis, bool) {
	id := disk.ChangeID
	if snap != nil {
		id = snap.ChangeIDs[disk.Key]
	}
	if !vm.CBTEnabled || id != "" {
		return Diagnosis{}, false
	}
	where := "this snapshot's disk backing carries no changeId"
	if snap == nil {
		where = "the disk's backing carries no changeId yet"
	}
	return Diagnosis{
		Title:  "CBT is on but not yet in effect",
		Cause:  "Change tracking is enabled on VM " + vm.Name + ", but " + where + ": enabling CBT takes effect only after a stun/unstun cycle.",
		Remedy: "Power cycle the VM, or create (and delete) a snapshot, or vMotion it; snapshots taken after that carry changeIds. Until then, back up in full.",
	}, true
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func ifNotEmpty(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}
