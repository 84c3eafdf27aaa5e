package vsphere

import (
	"bytes"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
)

// An export that reads the map when written (as `export`, which writes a
// finished map once, uses) writes the same bytes as one holding a copy of
// the extents, in both formats, complete or not, and costs no memory per
// extent.
func TestExportViewWritesWhatACopyWrites(t *testing.T) {
	const capacity = int64(1) << 36
	m, err := heatmap.NewChangeMap(capacity)
	if err != nil {
		t.Fatal(err)
	}
	var ext []heatmap.Extent
	for i := range int64(100_000) {
		ext = append(ext, heatmap.Extent{Start: i << 18, Length: 64 << 10})
	}
	half := capacity / 2
	if err := m.Absorb(heatmap.Page{Start: 0, Length: half, Extents: ext}); err != nil {
		t.Fatal(err)
	}
	d := ExportDisk{ID: "d", Name: "disk", Datastore: "ds", CapacityBytes: capacity}
	for _, complete := range []bool{false, true} {
		if complete {
			if err := m.Absorb(heatmap.Page{Start: half, Length: capacity - half}); err != nil {
				t.Fatal(err)
			}
		}
		for _, format := range []string{"json", "csv"} {
			var copied, viewed bytes.Buffer
			if err := NewExport(d, "s", "*", m, nil).Write(&copied, format); err != nil {
				t.Fatal(err)
			}
			if err := NewExportView(d, "s", "*", m, nil).Write(&viewed, format); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(copied.Bytes(), viewed.Bytes()) {
				t.Fatalf("complete %v, %s: the view writes %d bytes, the copy %d", complete, format, viewed.Len(), copied.Len())
			}
		}
	}
	if n := testing.AllocsPerRun(3, func() { NewExportView(d, "s", "*", m, nil) }); n > 50 {
		t.Fatalf("an export view of %d extents makes %.0f allocations", m.Len(), n)
	}
}
