package simulator

import (
	"fmt"

	"github.com/vmware/govmomi/vim25/types"
)

// FaultMessage keys the simulator puts in faultMessage. The three
// vim.hostd.vmsvc.cbt ones are the keys real hosts send; the others name
// the condition in the same style so a client can tell the cases apart
// without parsing English.
const (
	KeyCBTNoTrack          = "vim.hostd.vmsvc.cbt.noTrack"
	KeyCBTNoEpoch          = "vim.hostd.vmsvc.cbt.noEpoch"
	KeyCBTCannotGetChanges = "vim.hostd.vmsvc.cbt.cannotGetChanges"
	KeyCBTNotEnabled       = "com.vmware.vslm.cbt.notEnabled"
	KeyInvalidStartOffset  = "com.vmware.vslm.cbt.invalidStartOffset"
	KeyInvalidChangeID     = "com.vmware.vslm.cbt.invalidChangeId"
	KeyObjectNotFound      = "com.vmware.vslm.objectNotFound"
	KeySnapshotNotFound    = "com.vmware.vslm.snapshotNotFound"
	KeyDatastoreInaccess   = "com.vmware.vslm.datastoreInaccessible"
	KeyWrongDatastore      = "com.vmware.vslm.objectNotOnDatastore"
	KeyInvalidControlFlag  = "com.vmware.vslm.invalidControlFlag"
)

// methodFault is a fault with its faultstring, ready for simulator.Fault.
type methodFault struct {
	msg   string
	fault types.BaseMethodFault
}

// message builds one faultMessage entry; args alternate key, value.
func message(key, text string, args ...string) types.LocalizableMessage {
	m := types.LocalizableMessage{Key: key, Message: text}
	for i := 0; i+1 < len(args); i += 2 {
		m.Arg = append(m.Arg, types.KeyAnyValue{Key: args[i], Value: args[i+1]})
	}
	return m
}

func cause(f types.BaseMethodFault, text string) *types.LocalizedMethodFault {
	return &types.LocalizedMethodFault{Fault: f, LocalizedMessage: text}
}

func faultNotFoundDisk(id string) methodFault {
	text := fmt.Sprintf("The object or item referred to could not be found: virtual storage object %s.", id)
	f := &types.NotFound{}
	f.FaultMessage = []types.LocalizableMessage{message(KeyObjectNotFound, text, "id", id)}
	return methodFault{text, f}
}

func faultNotFoundSnapshot(diskID, snapID string) methodFault {
	text := fmt.Sprintf("The object or item referred to could not be found: snapshot %s of virtual storage object %s.", snapID, diskID)
	f := &types.NotFound{}
	f.FaultMessage = []types.LocalizableMessage{message(KeySnapshotNotFound, text, "id", diskID, "snapshotId", snapID)}
	return methodFault{text, f}
}

func faultInaccessible(ds *datastore) methodFault {
	text := fmt.Sprintf("Datastore '%s' is not accessible.", ds.name)
	ref := ds.ref
	f := &types.InvalidDatastore{Datastore: &ref, Name: ds.name}
	f.FaultMessage = []types.LocalizableMessage{message(KeyDatastoreInaccess, text, "datastore", ds.name)}
	f.FaultCause = cause(&types.InaccessibleDatastore{
		InvalidDatastore: types.InvalidDatastore{Datastore: &ref, Name: ds.name},
		Detail:           "all paths down",
	}, "The datastore is not accessible from any host.")
	return methodFault{text, f}
}

func faultWrongDatastore(id string, asked types.ManagedObjectReference, actual *datastore) methodFault {
	text := fmt.Sprintf("Virtual storage object %s is not on datastore %s; it is on '%s'.", id, asked.Value, actual.name)
	f := &types.InvalidDatastore{Datastore: &asked}
	f.FaultMessage = []types.LocalizableMessage{message(KeyWrongDatastore, text, "id", id, "datastore", asked.Value)}
	return methodFault{text, f}
}

func faultStartOffset(start, capacity int64) methodFault {
	text := fmt.Sprintf("A specified parameter was not correct: startOffset %d is not inside the disk of %d bytes.", start, capacity)
	f := &types.InvalidArgument{InvalidProperty: "startOffset"}
	f.FaultMessage = []types.LocalizableMessage{message(KeyInvalidStartOffset, text,
		"startOffset", fmt.Sprint(start), "capacity", fmt.Sprint(capacity))}
	return methodFault{text, f}
}

func faultChangeID(changeID string, why error) methodFault {
	text := fmt.Sprintf("A specified parameter was not correct: changeId %q: %v.", changeID, why)
	f := &types.InvalidArgument{InvalidProperty: "changeId"}
	f.FaultMessage = []types.LocalizableMessage{message(KeyInvalidChangeID, text, "changeId", changeID)}
	return methodFault{text, f}
}

func faultCBTOff(d *disk) methodFault {
	text := fmt.Sprintf("The operation is not allowed in the current state: changed block tracking is not enabled on virtual storage object %s.", d.id)
	f := &types.InvalidState{}
	f.FaultMessage = []types.LocalizableMessage{message(KeyCBTNotEnabled, text, "id", d.id)}
	return methodFault{text, f}
}

// faultCBTFile builds the FileFault hostd raises when it cannot use the
// disk's change tracking (ctk) file; key says why.
func faultCBTFile(d *disk, key, text string, why *types.LocalizedMethodFault) methodFault {
	f := &types.FileFault{File: d.ctkPath()}
	f.FaultMessage = []types.LocalizableMessage{message(key, text, "file", d.ctkPath(), "id", d.id)}
	f.FaultCause = why
	return methodFault{text, f}
}

// faultForChanges maps a journal error onto the fault a real host sends.
func faultForChanges(d *disk, snapID, changeID string, err error) methodFault {
	ctk := d.ctkPath()
	switch err {
	case errSnapshotUnknown:
		return faultNotFoundSnapshot(d.id, snapID)
	case errCBTOff:
		return faultCBTOff(d)
	case errNoEpoch:
		return faultCBTFile(d, KeyCBTNoEpoch,
			fmt.Sprintf("Cannot compute changes for disk %s: no change tracking epoch for snapshot %s (changeId=*).", d.id, snapID), nil)
	case errNoTrack:
		return faultCBTFile(d, KeyCBTNoTrack,
			fmt.Sprintf("Cannot compute changes for disk %s: change tracking was not enabled when snapshot %s was taken.", d.id, snapID), nil)
	case errCorrupt:
		return faultCBTFile(d, KeyCBTCannotGetChanges,
			fmt.Sprintf("Cannot compute changes for disk %s: the change tracking file %s is corrupt.", d.id, ctk),
			cause(&types.FileFault{File: ctk}, fmt.Sprintf("File %s is corrupt: bad change tracking header.", ctk)))
	case errEpochMismatch:
		return faultCBTFile(d, KeyCBTCannotGetChanges,
			fmt.Sprintf("Cannot compute changes for disk %s: changeId %s does not belong to the current change tracking epoch.", d.id, changeID),
			cause(&types.InvalidArgument{InvalidProperty: "changeId"}, "The changeId is from an earlier change tracking epoch."))
	case errChangeIDTooNew:
		return faultChangeID(changeID, err)
	}
	return faultChangeID(changeID, err)
}

func faultControlFlag(flag string) methodFault {
	text := fmt.Sprintf("A specified parameter was not correct: control flag %q.", flag)
	f := &types.InvalidArgument{InvalidProperty: "controlFlags"}
	f.FaultMessage = []types.LocalizableMessage{message(KeyInvalidControlFlag, text, "controlFlag", flag)}
	return methodFault{text, f}
}

func faultNotAuthenticated(this types.ManagedObjectReference) methodFault {
	text := "The session is not authenticated."
	f := &types.NotAuthenticated{NoPermission: types.NoPermission{Object: &this, PrivilegeId: "System.View"}}
	f.FaultMessage = []types.LocalizableMessage{message("vim.fault.NotAuthenticated", text)}
	return methodFault{text, f}
}

// FaultMessage keys of the VM form of the query, beside the three
// vim.hostd.vmsvc.cbt keys it shares with First Class Disks.
const (
	KeyNotADisk           = "vim.hostd.vmsvc.cbt.notADisk"
	KeyVMSnapshotNotFound = "vim.hostd.vmsvc.snapshot.notFound"
	KeyVMNeedsSnapshot    = "vim.hostd.vmsvc.cbt.needsSnapshot"
	KeyVMNotFound         = "vim.hostd.vmsvc.vmNotFound"
)

func faultNotADisk(v *virtualMachine, key int32) methodFault {
	text := fmt.Sprintf("A specified parameter was not correct: deviceKey %d is not a virtual disk of VM %s.", key, v.name)
	f := &types.InvalidArgument{InvalidProperty: "deviceKey"}
	f.FaultMessage = []types.LocalizableMessage{message(KeyNotADisk, text, "vm", v.ref.Value, "deviceKey", fmt.Sprint(key))}
	return methodFault{text, f}
}

func faultVMNotFound(v *virtualMachine) methodFault {
	text := fmt.Sprintf("The object or item referred to could not be found: VM %s.", v.ref.Value)
	f := &types.NotFound{}
	f.FaultMessage = []types.LocalizableMessage{message(KeyVMNotFound, text, "vm", v.ref.Value)}
	return methodFault{text, f}
}

func faultVMSnapshotNotFound(v *virtualMachine, snap types.ManagedObjectReference) methodFault {
	text := fmt.Sprintf("The object or item referred to could not be found: snapshot %s of VM %s.", snap.Value, v.name)
	f := &types.NotFound{}
	f.FaultMessage = []types.LocalizableMessage{message(KeyVMSnapshotNotFound, text, "vm", v.ref.Value, "snapshot", snap.Value)}
	return methodFault{text, f}
}

func faultNeedsSnapshot(v *virtualMachine) methodFault {
	text := fmt.Sprintf("The operation is not allowed in the current state: VM %s is powered on; query its disks at a snapshot.", v.name)
	f := &types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOff, ExistingState: types.VirtualMachinePowerStatePoweredOn}
	f.FaultMessage = []types.LocalizableMessage{message(KeyVMNeedsSnapshot, text, "vm", v.ref.Value)}
	return methodFault{text, f}
}

// faultVMCBTFile is faultCBTFile for a VM's disk.
func faultVMCBTFile(d *vmDisk, key, why string, cause *types.LocalizedMethodFault) methodFault {
	text := fmt.Sprintf("Cannot compute changes for disk %d (%s): %s.", d.key, d.file, why)
	f := &types.FileFault{File: d.ctkPath()}
	f.FaultMessage = []types.LocalizableMessage{message(key, text, "file", d.ctkPath(), "deviceKey", fmt.Sprint(d.key))}
	f.FaultCause = cause
	return methodFault{text, f}
}

// faultForVMChanges maps a journal error onto the fault a host sends for a
// VM's disk.
func faultForVMChanges(v *virtualMachine, d *vmDisk, snap *types.ManagedObjectReference, changeID string, err error) methodFault {
	ctk := d.ctkPath()
	switch err {
	case errSnapshotUnknown:
		ref := types.ManagedObjectReference{Type: "VirtualMachineSnapshot"}
		if snap != nil {
			ref = *snap
		}
		return faultVMSnapshotNotFound(v, ref)
	case errCBTOff, errNoTrack:
		return faultVMCBTFile(d, KeyCBTNoTrack, "change tracking is not in effect", nil)
	case errNoEpoch:
		return faultVMCBTFile(d, KeyCBTNoEpoch, "no change tracking epoch (changeId=*)", nil)
	case errCorrupt:
		return faultVMCBTFile(d, KeyCBTCannotGetChanges, fmt.Sprintf("the change tracking file %s is corrupt", ctk),
			cause(&types.FileFault{File: ctk}, fmt.Sprintf("File %s is corrupt: bad change tracking header.", ctk)))
	case errEpochMismatch:
		return faultVMCBTFile(d, KeyCBTCannotGetChanges, fmt.Sprintf("changeId %s does not belong to the current change tracking epoch", changeID),
			cause(&types.InvalidArgument{InvalidProperty: "changeId"}, "The changeId is from an earlier change tracking epoch."))
	}
	return faultChangeID(changeID, err)
}
