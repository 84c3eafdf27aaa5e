package vsphere

// Stand-ins for what the VM-disk client side adds (Export fields); removed
// when it lands.

// ExportVM identifies the VM of a VM disk's export.
type ExportVM struct {
	Name  string `json:"name"`
	Moref string `json:"moref"`
}

// PickVMSnapshots resolves a VM disk's target snapshot and base.
func PickVMSnapshots(snaps []VMSnapshot, key int32, snapshot, baseSnapshot, changeID string) (VMSnapshot, string, error) {
	return VMSnapshot{}, "", errVMNotBuilt
}
