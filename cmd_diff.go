package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

func init() { commands["diff"] = runDiff }

const diffUsage = "usage: cbtscope diff A.json B.json [--format json|csv] [-o FILE]\n\n" +
	"Compares two JSON exports of one disk: the changes only in A, only in B and in both\n" +
	"(and, when an export is incomplete, changes the other one never scanned)."

// runDiff compares two exports of one disk. Exit 0 when both are complete,
// 1 when either is not (the comparison then has unknown parts), 2 for
// usage errors, unreadable exports, or exports of different disks.
func runDiff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "json", "output `format`: json or csv")
	output := fs.String("o", "", "write to `file` instead of standard output")
	fs.Usage = func() {
		fmt.Fprintln(stderr, diffUsage)
		fs.PrintDefaults()
	}
	// Flags may follow the files, as in the usage line.
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK
			}
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintln(stderr, "cbtscope diff: "+vsphere.OneLine(fmt.Errorf(format, a...)))
		return exitUsage
	}
	switch {
	case len(files) != 2:
		return usage("give two JSON exports, A and B; got %d", len(files))
	case *format != "json" && *format != "csv":
		return usage("--format must be json or csv, not %q", *format)
	}
	var out *vsphere.Output
	if *output != "" && *output != "-" {
		var err error
		if out, err = vsphere.CheckOutput(*output); err != nil {
			return usage("-o %w", err)
		}
	}
	var exps [2]*vsphere.Export
	var maps [2]*heatmap.ChangeMap
	for i, path := range files {
		e, m, err := loadExport(path)
		if err != nil {
			if errors.Is(err, vsphere.ErrCSVExport) {
				err = errors.New("this is a CSV export; cbtscope diff reads JSON exports (cbtscope export --format json)")
			}
			return usage("%s %s: %w", "AB"[i:i+1], path, err)
		}
		exps[i], maps[i] = e, m
	}
	if err := sameDisk(exps[0], exps[1]); err != nil {
		return usage("%w", err)
	}
	c, err := heatmap.Compare(maps[0], maps[1])
	if err != nil {
		return usage("%w", err)
	}
	d := newDiff(exps[0], exps[1], c)
	if err := writeOutput(out, stdout, func(w io.Writer) error { return d.write(w, *format) }); err != nil {
		fmt.Fprintln(stderr, "cbtscope diff: "+vsphere.OneLine(err))
		return exitFault
	}
	if !c.Complete() {
		fmt.Fprintf(stderr, "cbtscope diff: an export is incomplete: %s of the disk was not scanned by both; their changes there are listed apart\n",
			heatmap.FormatBytes(c.Capacity()-c.ScannedBothBytes(0, c.Capacity())))
		return exitFault
	}
	return exitOK
}

// sameDisk refuses two exports that cannot be of one disk: another disk
// (or VM), or another capacity (a disk extended in between: its CBT was
// reset, and the maps do not line up).
func sameDisk(a, b *vsphere.Export) error {
	name := func(e *vsphere.Export) string {
		n := e.Disk.Name
		if e.VM != nil {
			n = e.VM.Name + " " + n
		}
		return vsphere.SafeText(n, 100)
	}
	vmA, vmB := "", ""
	if a.VM != nil {
		vmA = a.VM.Moref
	}
	if b.VM != nil {
		vmB = b.VM.Moref
	}
	switch {
	case a.Disk.ID != b.Disk.ID || a.Disk.Key != b.Disk.Key || vmA != vmB:
		return fmt.Errorf("the exports are of different disks: A of %s (%s), B of %s (%s)",
			name(a), vsphere.SafeText(a.Disk.ID, 100), name(b), vsphere.SafeText(b.Disk.ID, 100))
	case a.Disk.CapacityBytes != b.Disk.CapacityBytes:
		return fmt.Errorf("the exports are of disks of different capacities: A %d bytes, B %d bytes (extended in between?)",
			a.Disk.CapacityBytes, b.Disk.CapacityBytes)
	}
	return nil
}
