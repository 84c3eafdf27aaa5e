package vsphere

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
)

// A VM disk's export names the VM and the disk's key and label, and reads
// back with them; a First Class Disk's export has none of those keys.
func TestVMExportRoundTrip(t *testing.T) {
	m, err := heatmap.NewChangeMap(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Absorb(heatmap.Page{Start: 0, Length: 1 << 20, Extents: []heatmap.Extent{{Start: 65536, Length: 65536}}}); err != nil {
		t.Fatal(err)
	}
	e := NewExport(ExportDisk{Key: 2001, Label: "Hard disk 2", Datastore: "ds-prod-01", CapacityBytes: 1 << 20}, "snapshot-12", "*", m, nil)
	e.VM = &ExportVM{Name: "sql-01", Moref: "vm-49"}
	var b bytes.Buffer
	if err := e.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"vm": {`, `"name": "sql-01"`, `"moref": "vm-49"`, `"key": 2001`, `"label": "Hard disk 2"`} {
		if !strings.Contains(b.String(), want) {
			t.Fatalf("export lacks %s:\n%s", want, b.String())
		}
	}
	got, gm, err := ReadExport(&b)
	if err != nil {
		t.Fatal(err)
	}
	if got.VM == nil || *got.VM != *e.VM || got.Disk != e.Disk || got.SnapshotID != "snapshot-12" || gm.Len() != 1 {
		t.Fatalf("read back %+v (vm %+v)", got, got.VM)
	}

	fcd := exportOf(t, true)
	for _, key := range []string{`"vm"`, `"key"`, `"label"`} {
		if strings.Contains(fcd, key) {
			t.Fatalf("an FCD export has %s:\n%s", key, fcd)
		}
	}
	back, _, err := ReadExport(strings.NewReader(fcd))
	if err != nil || back.VM != nil {
		t.Fatalf("FCD export read back with VM %+v, %v", back.VM, err)
	}
}
