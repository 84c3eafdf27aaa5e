package vsphere

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
)

func exportOf(t *testing.T, complete bool) string {
	t.Helper()
	m, _ := heatmap.NewChangeMap(1000)
	end := int64(1000)
	if !complete {
		end = 600
	}
	if err := m.Absorb(heatmap.Page{Start: 0, Length: end, Extents: []heatmap.Extent{{Start: 100, Length: 50}, {Start: 400, Length: 10}}}); err != nil {
		t.Fatal(err)
	}
	if !complete {
		if err := m.MarkFaulted(600, 1000); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := NewExport(ExportDisk{ID: "d", Name: "n", Datastore: "ds", CapacityBytes: 1000}, "s", "*", m, nil).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestExportRoundTrip(t *testing.T) {
	for _, complete := range []bool{true, false} {
		e, m, err := ReadExport(strings.NewReader(exportOf(t, complete)))
		if err != nil {
			t.Fatal(err)
		}
		if e.Complete != complete || m.Complete() != complete || m.Len() != 2 || m.ChangedBytes(0, 1000) != 60 {
			t.Fatalf("complete %v: read back %+v, map complete %v, %d extents", complete, e.Stats, m.Complete(), m.Len())
		}
		if !complete && m.FaultedBytes(0, 1000) != 400 {
			t.Fatalf("faulted bytes %d", m.FaultedBytes(0, 1000))
		}
	}
}

// A file is input like any other: an export that contradicts itself is
// refused, never half believed.
func TestReadExportRejectsInconsistentFiles(t *testing.T) {
	good, partial := exportOf(t, true), exportOf(t, false)
	cases := map[string]string{
		"not JSON":                   "hello",
		"trailing data":              good + "{}",
		"half the disk, complete":    strings.Replace(good, `"length": 1000`, `"length": 500`, 1),
		"offset range":               strings.Replace(good, `"startOffset": 0`, `"startOffset": 500`, 1),
		"incomplete yet all scanned": strings.Replace(good, `"complete": true`, `"complete": false`, 1),
		"complete yet faulted":       strings.Replace(partial, `"complete": false`, `"complete": true`, 1),
		"unsorted extents":           strings.Replace(good, `{"start": 400, "length": 10}`, `{"start": 50, "length": 10}`, 1),
		"extent past the disk":       strings.Replace(good, `{"start": 400, "length": 10}`, `{"start": 990, "length": 20}`, 1),
		"zero capacity":              strings.Replace(good, "\"capacityBytes\": 1000\n", "\"capacityBytes\": 0\n", 1),
		"negative extent":            strings.Replace(good, `{"start": 400, "length": 10}`, `{"start": 400, "length": -10}`, 1),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if in == good || in == partial {
				t.Fatal("the case did not change the file")
			}
			if _, _, err := ReadExport(strings.NewReader(in)); err == nil {
				t.Fatalf("accepted:\n%s", in)
			}
		})
	}
}

// An explorer export of a map whose fault other pages covered used to say
// complete and record the fault, and open refused its own file.
func TestExportOfCoveredFaultOpens(t *testing.T) {
	m, _ := heatmap.NewChangeMap(1000)
	if err := m.Absorb(heatmap.Page{Start: 0, Length: 1000}); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	flt := &Fault{Type: "FileFault", Request: &Request{StartOffset: 500}}
	if err := NewExport(ExportDisk{ID: "d", CapacityBytes: 1000}, "s", "*", m, flt).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadExport(&b); err != nil {
		t.Fatalf("open refuses the export: %v", err)
	}
}
