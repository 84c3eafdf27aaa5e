package vsphere

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"

	"github.com/cbtscope/cbtscope/heatmap"
)

// Export is a change map as `cbtscope export` writes it and `cbtscope open`
// reads it: the API's DiskChangeInfo shape (startOffset, length,
// changedArea) for the whole range swept, plus what is needed to trust it.
type Export struct {
	// VM is set for a VM's disk; Disk then holds its key and label.
	VM         *ExportVM  `json:"vm,omitempty"`
	Disk       ExportDisk `json:"disk"`
	SnapshotID string     `json:"snapshotId"`
	ChangeID   string     `json:"changeId"`
	// StartOffset and Length are the range swept.
	StartOffset int64            `json:"startOffset"`
	Length      int64            `json:"length"`
	ChangedArea []heatmap.Extent `json:"changedArea"`
	// Complete is true when every byte of the range was scanned. When it
	// is false, ScannedRanges says what was, and Fault why the rest wasn't.
	Complete      bool             `json:"complete"`
	ScannedRanges []heatmap.Extent `json:"scannedRanges,omitempty"`
	FaultedRanges []heatmap.Extent `json:"faultedRanges,omitempty"`
	Fault         *Fault           `json:"fault,omitempty"`
	Stats         heatmap.Stats    `json:"stats"`
	// Transport is the protocol the map was read over, "soap" or "json";
	// empty in exports written before VI/JSON, and for maps not read from
	// vCenter.
	Transport string `json:"transport,omitempty"`

	// view, when set, yields the changed extents in place of ChangedArea,
	// from the map itself (see NewExportView).
	view iter.Seq[heatmap.Extent]
}

// ExportDisk identifies the disk of an export: a First Class Disk by ID and
// name, a VM's disk by device key and label.
type ExportDisk struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Key           int32  `json:"key,omitempty"`
	Label         string `json:"label,omitempty"`
	Datastore     string `json:"datastore"`
	CapacityBytes int64  `json:"capacityBytes"`
}

// ExportVM identifies the virtual machine of a VM disk's export.
type ExportVM struct {
	Name  string `json:"name"`
	Moref string `json:"moref"`
}

// NewExport describes a change map of disk d. The map decides whether the
// export is complete; a complete export records no fault (other pages covered
// the range it stopped), so every export is one ReadExport accepts.
func NewExport(d ExportDisk, snapshot, changeID string, m *heatmap.ChangeMap, fault *Fault) *Export {
	e := newExportHead(d, snapshot, changeID, m, fault)
	e.ChangedArea = make([]heatmap.Extent, 0, m.Len())
	for x := range m.Extents(0, m.Capacity()) {
		e.ChangedArea = append(e.ChangedArea, x)
	}
	return e
}

// newExportHead is everything of an export but its changed extents.
func newExportHead(d ExportDisk, snapshot, changeID string, m *heatmap.ChangeMap, fault *Fault) *Export {
	e := &Export{
		Disk: d, SnapshotID: snapshot, ChangeID: changeID,
		StartOffset: 0, Length: m.Capacity(), Complete: m.Complete(), Stats: m.Stats(),
	}
	if !e.Complete {
		e.Fault = fault
		for r := range m.ScannedRanges() {
			e.ScannedRanges = append(e.ScannedRanges, r)
		}
		for r := range m.FaultedRanges() {
			e.FaultedRanges = append(e.FaultedRanges, r)
		}
	}
	return e
}

// NewExportView is NewExport without the copy of the extents: writing the
// export reads them from m, which must not change until it is written.
// `export` writes a finished map once, and saves the 16 bytes per extent
// the copy costs (8 GB at 5×10⁸ extents); the explorer, which writes in the
// background while the map may still grow, takes the copy.
func NewExportView(d ExportDisk, snapshot, changeID string, m *heatmap.ChangeMap, fault *Fault) *Export {
	e := newExportHead(d, snapshot, changeID, m, fault)
	e.view = m.Extents(0, m.Capacity())
	return e
}

// changedAreas yields the export's changed extents in disk order.
func (e *Export) changedAreas() iter.Seq[heatmap.Extent] {
	if e.view != nil {
		return e.view
	}
	return slices.Values(e.ChangedArea)
}

// WriteJSON writes the export as indented JSON, extents one per line.
// It writes the extents by hand: a million of them through reflection cost
// more than the sweep that found them.
func (e *Export) WriteJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	head := *e
	head.ChangedArea = nil
	hb, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return err
	}
	// Splice the extents in where the header has "changedArea": null.
	const marker = `"changedArea": null`
	i := bytes.Index(hb, []byte(marker))
	if i < 0 {
		return fmt.Errorf("export: cannot place changedArea")
	}
	bw.Write(hb[:i])
	bw.WriteString(`"changedArea": [`)
	var num []byte
	k := 0
	for x := range e.changedAreas() {
		if k > 0 {
			bw.WriteByte(',')
		}
		k++
		bw.WriteString("\n    {\"start\": ")
		num = strconv.AppendInt(num[:0], x.Start, 10)
		bw.Write(num)
		bw.WriteString(", \"length\": ")
		num = strconv.AppendInt(num[:0], x.Length, 10)
		bw.Write(num)
		bw.WriteByte('}')
	}
	if k > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteByte(']')
	bw.Write(hb[i+len(marker):])
	bw.WriteByte('\n')
	return bw.Flush()
}

// Write writes the export in format "json" or "csv".
func (e *Export) Write(w io.Writer, format string) error {
	if format == "csv" {
		return e.WriteCSV(w)
	}
	return e.WriteJSON(w)
}

// WriteCSV writes one "start,length,end" row per changed extent, after a
// header row. An incomplete map is preceded by a comment line saying so,
// so that it cannot pass for "nothing changed" in the unscanned ranges.
func (e *Export) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if !e.Complete {
		fmt.Fprintf(bw, "# complete=false scanned=%d faulted=%d capacity=%d", e.Stats.ScannedBytes, e.Stats.FaultedBytes, e.Disk.CapacityBytes)
		if e.Fault != nil {
			fmt.Fprintf(bw, " fault=%s", e.Fault.Type)
		}
		bw.WriteString(" (rows cover the scanned ranges only)\n")
	}
	bw.WriteString("start,length,end\n")
	var num []byte
	for x := range e.changedAreas() {
		num = strconv.AppendInt(num[:0], x.Start, 10)
		num = append(num, ',')
		num = strconv.AppendInt(num, x.Length, 10)
		num = append(num, ',')
		num = strconv.AppendInt(num, x.End(), 10)
		num = append(num, '\n')
		bw.Write(num)
	}
	return bw.Flush()
}

// ReadExport reads an export written by WriteJSON and rebuilds its change
// map, reading at most DefaultExportLimit bytes. Anything inconsistent
// (extents outside the disk, unsorted or overlapping, a complete export that
// says otherwise) is an error: a file is input like any other.
func ReadExport(r io.Reader) (*Export, *heatmap.ChangeMap, error) {
	return ReadExportLimited(r, DefaultExportLimit)
}

// ReadExportLimited is ReadExport reading at most limit bytes. It streams:
// memory grows with the extents, not with the file, and junk is refused
// early (see readExportJSON).
func ReadExportLimited(r io.Reader, limit int64) (*Export, *heatmap.ChangeMap, error) {
	e, err := readExportJSON(r, limit)
	if err != nil {
		return nil, nil, err
	}
	m, err := heatmap.NewChangeMap(e.Disk.CapacityBytes)
	if err != nil {
		return nil, nil, fmt.Errorf("export: disk: %w", err)
	}
	if e.StartOffset != 0 || e.Length != e.Disk.CapacityBytes {
		return nil, nil, fmt.Errorf("export: range [%d, +%d) is not the whole disk of %d bytes", e.StartOffset, e.Length, e.Disk.CapacityBytes)
	}
	if e.Complete && (len(e.FaultedRanges) > 0 || e.Fault != nil) {
		return nil, nil, fmt.Errorf("export: complete, yet it records a fault")
	}
	scanned := e.ScannedRanges
	if e.Complete {
		if len(scanned) > 0 {
			return nil, nil, fmt.Errorf("export: complete, yet lists scanned ranges")
		}
		scanned = []heatmap.Extent{{Start: e.StartOffset, Length: e.Length}}
	}
	prevEnd := int64(-1)
	for i, x := range e.ChangedArea {
		if x.Start <= prevEnd {
			return nil, nil, fmt.Errorf("export: changedArea %d at %d is not sorted and merged", i, x.Start)
		}
		prevEnd = x.End()
	}
	// Every extent must lie in a scanned range: give each scanned range its
	// extents as one page, so the map's own checks apply.
	k := 0
	for _, s := range scanned {
		p := heatmap.Page{Start: s.Start, Length: s.Length}
		for k < len(e.ChangedArea) && e.ChangedArea[k].Start < s.End() {
			p.Extents = append(p.Extents, e.ChangedArea[k])
			k++
		}
		if err := m.Absorb(p); err != nil {
			return nil, nil, fmt.Errorf("export: %w", err)
		}
	}
	if k < len(e.ChangedArea) {
		return nil, nil, fmt.Errorf("export: changedArea %d at %d lies in no scanned range", k, e.ChangedArea[k].Start)
	}
	for _, f := range e.FaultedRanges {
		if err := m.MarkFaulted(f.Start, f.End()); err != nil {
			return nil, nil, fmt.Errorf("export: %w", err)
		}
	}
	if m.Complete() != e.Complete {
		return nil, nil, fmt.Errorf("export: says complete is %v, but its scanned ranges say %v", e.Complete, m.Complete())
	}
	return e, m, nil
}

// WriteFile writes the export as "json" or "csv" to path the way Output
// does: a regular file replaced atomically with its mode kept, a device or
// FIFO written in place, a symbolic link followed.
func (e *Export) WriteFile(path, format string) error {
	o, err := CheckOutput(path)
	if err != nil {
		return err
	}
	return o.Write(func(w io.Writer) error { return e.Write(w, format) })
}
