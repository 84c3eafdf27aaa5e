package main

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

// diffSide is how a diff names one of its exports: the export's header,
// without its extents.
type diffSide struct {
	VM           *vsphere.ExportVM  `json:"vm,omitempty"`
	Disk         vsphere.ExportDisk `json:"disk"`
	SnapshotID   string             `json:"snapshotId"`
	ChangeID     string             `json:"changeId"`
	Complete     bool               `json:"complete"`
	ChangedBytes int64              `json:"changedBytes"`
	Extents      int                `json:"extents"`
}

func sideOf(e *vsphere.Export) diffSide {
	return diffSide{VM: e.VM, Disk: e.Disk, SnapshotID: e.SnapshotID, ChangeID: e.ChangeID, Complete: e.Complete,
		ChangedBytes: e.Stats.ChangedBytes, Extents: len(e.ChangedArea)}
}

// diff is a comparison of two exports, ready to write.
type diff struct {
	a, b diffSide
	c    *heatmap.Comparison
}

func newDiff(a, b *vsphere.Export, c *heatmap.Comparison) *diff {
	return &diff{a: sideOf(a), b: sideOf(b), c: c}
}

// partKeys are the parts' names in the JSON and CSV output.
var partKeys = map[heatmap.Part]string{
	heatmap.PartOnlyA:          "onlyA",
	heatmap.PartOnlyB:          "onlyB",
	heatmap.PartBoth:           "both",
	heatmap.PartAWhereBUnknown: "aWhereBUnknown",
	heatmap.PartBWhereAUnknown: "bWhereAUnknown",
}

func (d *diff) write(w io.Writer, format string) error {
	if format == "csv" {
		return d.writeCSV(w)
	}
	return d.writeJSON(w)
}

// writeJSON writes {"a", "b", one list of extents per part, "complete",
// "stats"}. The lists are written by hand, as export does: a million
// extents through reflection cost more than comparing them.
func (d *diff) writeJSON(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	field := func(key string, v any, last bool) error {
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		bw.WriteString("  \"" + key + "\": ")
		bw.Write(b)
		if !last {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		return nil
	}
	bw.WriteString("{\n")
	if err := field("a", d.a, false); err != nil {
		return err
	}
	if err := field("b", d.b, false); err != nil {
		return err
	}
	var num []byte
	for _, p := range heatmap.Parts() {
		bw.WriteString("  \"" + partKeys[p] + "\": [")
		n := d.c.Len(p)
		for k := range n {
			x := d.c.Extent(p, k)
			if k > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString("\n    {\"start\": ")
			num = strconv.AppendInt(num[:0], x.Start, 10)
			bw.Write(num)
			bw.WriteString(", \"length\": ")
			num = strconv.AppendInt(num[:0], x.Length, 10)
			bw.Write(num)
			bw.WriteByte('}')
		}
		if n > 0 {
			bw.WriteString("\n  ")
		}
		bw.WriteString("],\n")
	}
	if err := field("complete", d.c.Complete(), false); err != nil {
		return err
	}
	if err := field("stats", d.c.Stats(), true); err != nil {
		return err
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

// writeCSV writes one "part,start,length,end" row per extent, in disk
// order, after a header row. When the comparison is incomplete a comment
// line says so first, as an incomplete export's CSV does.
func (d *diff) writeCSV(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	if !d.c.Complete() {
		bw.WriteString("# complete=false (an export is incomplete: aWhereBUnknown and bWhereAUnknown rows are changes the other never scanned)\n")
	}
	bw.WriteString("part,start,length,end\n")
	parts := heatmap.Parts()
	next := make([]int, len(parts))
	var num []byte
	for {
		// The parts never overlap: the next row is the part whose next
		// extent starts first.
		best := -1
		var bx heatmap.Extent
		for i, p := range parts {
			if next[i] < d.c.Len(p) {
				if x := d.c.Extent(p, next[i]); best < 0 || x.Start < bx.Start {
					best, bx = i, x
				}
			}
		}
		if best < 0 {
			break
		}
		next[best]++
		num = append(num[:0], partKeys[parts[best]]...)
		num = append(num, ',')
		num = strconv.AppendInt(num, bx.Start, 10)
		num = append(num, ',')
		num = strconv.AppendInt(num, bx.Length, 10)
		num = append(num, ',')
		num = strconv.AppendInt(num, bx.End(), 10)
		num = append(num, '\n')
		bw.Write(num)
	}
	return bw.Flush()
}
