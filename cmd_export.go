package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/charmbracelet/x/term"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere"
)

func init() { commands["export"] = runExport }

type exportFlags struct {
	diskFlags
	snapshot     string
	changeID     string
	baseSnapshot string
	now          bool
	parallel     int
}

// runExport writes one disk's change map as JSON or CSV. Exit 0 when the map
// is complete, 1 on a fault or an incomplete map, 2 on usage errors.
func runExport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f exportFlags
	f.register(fs)
	fs.StringVar(&f.snapshot, "snapshot", "", "target snapshot `id` (with --vm: name or moref; default: the newest)")
	fs.StringVar(&f.changeID, "change-id", "", "base `changeId`, or '*' for all allocated areas")
	fs.StringVar(&f.baseSnapshot, "base-snapshot", "", "base snapshot `id` (with --vm: name or moref; its changeId)")
	fs.BoolVar(&f.now, "now", false, "with --vm: the disk as it is now, without a snapshot (a powered-off VM only)")
	fs.IntVar(&f.parallel, "parallel", 0, "`workers` paging in parallel (0: as many as the server keeps pace with, up to 32)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cbtscope export [connection flags] [--datastore DS] --disk ID|NAME [--snapshot ID]\n"+
			"         [--change-id ID|'*' | --base-snapshot ID] [--format json|csv] [-o FILE] [--parallel N]\n"+
			"       cbtscope export [connection flags] --vm NAME|MOREF --disk LABEL|KEY [--snapshot NAME|MOREF | --now]\n"+
			"         [--change-id ID|'*' | --base-snapshot NAME|MOREF] [--format json|csv] [-o FILE] [--parallel N]\n\n"+
			"Without --change-id or --base-snapshot, the snapshot is compared with the newest earlier one\n"+
			"that has a changeId ('*', all allocated areas, when none has).")
		fs.PrintDefaults()
	}
	out, code, ok := f.parse("export", fs, args, stderr, func() error {
		switch {
		case f.changeID != "" && f.baseSnapshot != "":
			return errors.New("give --change-id or --base-snapshot, not both")
		case f.now && f.vm == "":
			return errors.New("--now maps a VM's disk without a snapshot: give --vm")
		case f.now && f.snapshot != "":
			return errors.New("give --snapshot or --now, not both")
		case f.parallel < 0 || f.parallel > 64:
			return errors.New("--parallel must be between 0 (adapt) and 64")
		}
		return nil
	})
	if !ok {
		return code
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return exportMap(ctx, &f, out, stdout, stderr)
}

// exportMap runs the export; out is nil for standard output.
func exportMap(ctx context.Context, f *exportFlags, out *vsphere.Output, stdout, stderr io.Writer) int {
	fail := func(code int, err error) int {
		fmt.Fprintln(stderr, "cbtscope export: "+vsphere.OneLine(err))
		return code
	}
	c, code := connect(ctx, "export", f.conn, stderr)
	if c == nil {
		return code
	}
	defer c.Logout(context.WithoutCancel(ctx))

	resolve := resolveFCD
	if f.vm != "" {
		resolve = resolveVM
	}
	t, err := resolve(ctx, c, f)
	if err != nil {
		return reportLookup(stderr, err)
	}

	sweep, err := vsphere.NewSweep(t.query.Capacity)
	if err != nil {
		return fail(exitFault, err)
	}
	progress := newProgressLine(stderr)
	progress.via = c.Protocol()
	sweep.Run(c.Fetch(ctx, t.query, vsphere.FetchOptions{Workers: f.parallel}), func(s *vsphere.Sweep) { progress.show(s.Progress) })
	progress.clear()

	exp := sweep.ExportView(t.disk, t.snapshot, t.query.ChangeID) // the sweep is over: no copy
	exp.VM = t.vm
	exp.Transport = c.Transport()
	if err := writeExport(exp, f.format, out, stdout); err != nil {
		return fail(exitFault, err)
	}
	// Any fault or broken reply fails the run, even when other pages
	// covered its range: the server is not to be trusted blindly.
	if sweep.CoveredFailure() {
		fmt.Fprintln(stderr, "cbtscope export: other pages covered the range below; the map written is complete")
	}
	err = sweep.Failure()
	if err == nil {
		return exitOK
	}
	if flt, ok := vsphere.AsFault(err, nil); ok {
		fmt.Fprint(stderr, describeFault(flt))
		return exitFault
	}
	return fail(exitFault, err)
}

// exportTarget is what an export maps: the query, and how the file names
// the disk (and VM) and the target snapshot.
type exportTarget struct {
	query    vsphere.Query
	disk     vsphere.ExportDisk
	vm       *vsphere.ExportVM
	snapshot string
}

// resolveFCD finds the First Class Disk, its target snapshot and base.
func resolveFCD(ctx context.Context, c *vsphere.Client, f *exportFlags) (exportTarget, error) {
	disk, snaps, err := findFCD(ctx, c, f.datastore, f.disk)
	if err != nil {
		return exportTarget{}, err
	}
	target, base, err := vsphere.PickSnapshots(snaps, f.snapshot, f.baseSnapshot, f.changeID)
	if err != nil {
		return exportTarget{}, err
	}
	return exportTarget{
		query:    vsphere.Query{Disk: disk.Ref(), Capacity: disk.CapacityBytes, Snapshot: target.ID, ChangeID: base},
		disk:     vsphere.ExportDisk{ID: disk.ID, Name: disk.Name, Datastore: disk.Datastore.Name, CapacityBytes: disk.CapacityBytes},
		snapshot: target.ID,
	}, nil
}

// resolveVM finds the VM, its disk, the target snapshot and base; a disk
// whose CBT is not in effect at the target is refused with the reason.
func resolveVM(ctx context.Context, c *vsphere.Client, f *exportFlags) (exportTarget, error) {
	vm, disk, snaps, err := findVMDisk(ctx, c, f.vm, f.disk)
	if err != nil {
		return exportTarget{}, err
	}
	var target *vsphere.VMSnapshot // nil: the disk as it is now
	var base string
	where := "now"
	if f.now {
		base, err = vsphere.PickVMNow(snaps, disk.Key, f.baseSnapshot, f.changeID)
	} else {
		var snap vsphere.VMSnapshot
		snap, base, err = vsphere.PickVMSnapshots(snaps, disk.Key, f.snapshot, f.baseSnapshot, f.changeID)
		target, where = &snap, snap.Name
	}
	if err != nil {
		return exportTarget{}, err
	}
	if d, ok := vsphere.CBTNotInEffect(vm, disk, target); ok {
		return exportTarget{}, &vsphere.UsageError{Msg: fmt.Sprintf("%s disk %d at %s: %s. %s %s", vm.Name, disk.Key, where, d.Title, d.Cause, d.Remedy)}
	}
	q, err := vsphere.VMQuery(vm, disk, target, base)
	if err != nil {
		return exportTarget{}, err
	}
	t := exportTarget{query: q, snapshot: q.Snapshot}
	t.vm, t.disk = vsphere.VMExportDisk(vm, disk)
	return t, nil
}

// reportLookup reports a failure to find the disk or its snapshots: the
// user's mistake (exit 2) or a server fault (exit 1, diagnosed).
func reportLookup(stderr io.Writer, err error) int { return reportLookupAs("export", stderr, err) }

// describeFault is the fault, decoded, for stderr: the whole chain, with
// the server's text escaped and elided.
func describeFault(f *vsphere.Fault) string { return f.Report("cbtscope export: ") }

// writeExport writes to the output, or to stdout when out is nil.
func writeExport(e *vsphere.Export, format string, out *vsphere.Output, stdout io.Writer) error {
	return writeOutput(out, stdout, func(w io.Writer) error { return e.Write(w, format) })
}

// progressLine shows progress on stderr when it is a terminal.
type progressLine struct {
	w    io.Writer
	on   bool
	last time.Time
	via  string // the protocol spoken, e.g. "VI/JSON 8.0.3.0"
}

func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	return &progressLine{w: w, on: ok && term.IsTerminal(f.Fd())}
}

func (p *progressLine) show(pr vsphere.Progress) {
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	pct := 100 * float64(pr.Scanned) / float64(max(pr.Total, 1))
	fmt.Fprintf(p.w, "\r\x1b[Kscanned %s of %s (%.1f%%), %d pages, %d extents, %s/s over %s",
		heatmap.FormatBytes(pr.Scanned), heatmap.FormatBytes(pr.Total), pct, pr.Pages, pr.Extents, heatmap.FormatSize(pr.Rate()), p.via)
}

func (p *progressLine) clear() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
