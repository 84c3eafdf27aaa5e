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

	"github.com/cbtscope/cbtscope/vsphere"
)

func init() { commands["timeline"] = runTimeline }

type timelineFlags struct {
	diskFlags
	parallel  int
	workers   int
	allocated bool
}

// runTimeline writes the changes of every interval of a disk's snapshot
// chain, with what looks wrong in it. Exit 0 when every interval is
// complete, 1 when any is not (a fault, a reset, an interruption), 2 on
// usage errors.
func runTimeline(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("timeline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f timelineFlags
	f.register(fs)
	fs.IntVar(&f.parallel, "parallel", 3, "`intervals` fetched at a time")
	fs.IntVar(&f.workers, "workers", vsphere.TimelineWorkers, "`workers` paging each interval in parallel")
	fs.BoolVar(&f.allocated, "allocated", false, "also fetch the newest snapshot's allocated areas ('*') and flag changes outside them")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: cbtscope timeline [connection flags] [--datastore DS] --disk ID|NAME [--format json|csv] [-o FILE] [--parallel N]\n"+
			"       cbtscope timeline [connection flags] --vm NAME|MOREF --disk LABEL|KEY [--format json|csv] [-o FILE] [--parallel N]\n\n"+
			"For snapshots S1…Sn, oldest first, the changes of every interval S(k-1) → S(k) (S(k-1)'s changeId\n"+
			"against S(k)), and what looks wrong: a CBT reset inside the chain, a spike, a whole-disk map,\n"+
			"changes outside the allocated areas (--allocated), a fault.")
		fs.PrintDefaults()
	}
	out, code, ok := f.parse("timeline", fs, args, stderr, func() error {
		switch {
		case f.parallel < 1 || f.parallel > 16:
			return errors.New("--parallel must be between 1 and 16")
		case f.workers < 1 || f.workers > 64:
			return errors.New("--workers must be between 1 and 64")
		}
		return nil
	})
	if !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return timeline(ctx, &f, out, stdout, stderr)
}

// timeline runs the command; out is nil for standard output.
func timeline(ctx context.Context, f *timelineFlags, out *vsphere.Output, stdout, stderr io.Writer) int {
	c, code := connect(ctx, "timeline", f.conn, stderr)
	if c == nil {
		return code
	}
	defer c.Logout(context.WithoutCancel(ctx))

	spec, disk, vm, err := timelineSpec(ctx, c, f)
	if err != nil {
		return reportLookupAs("timeline", stderr, err)
	}
	spec.Allocated = f.allocated
	tl, err := vsphere.PlanTimeline(spec)
	if err != nil {
		return reportLookupAs("timeline", stderr, err)
	}

	progress, start := newProgressLine(stderr), time.Now()
	progress.via = c.Protocol()
	tl.Run(ctx, c, vsphere.TimelineOptions{Parallel: f.parallel, Fetch: vsphere.FetchOptions{Workers: f.workers}}, func(vsphere.TimelineEvent) {
		progress.show(timelineProgress(tl, time.Since(start)))
	})
	progress.clear()

	r := tl.Report(disk, vm)
	if err := writeOutput(out, stdout, func(w io.Writer) error { return r.Write(w, f.format) }); err != nil {
		fmt.Fprintln(stderr, "cbtscope timeline: "+vsphere.OneLine(err))
		return exitFault
	}
	if r.Complete {
		return exitOK
	}
	// One line per interval that is not whole; the output has the rest.
	for _, iv := range r.Intervals {
		if line := intervalTrouble(iv); line != "" {
			fmt.Fprintf(stderr, "cbtscope timeline: S%d → S%d: %s\n", iv.Index+1, iv.Index+2, line)
		}
	}
	if a := tl.Allocated; a != nil {
		if err := a.Sweep.Failure(); err != nil || !a.Queried() {
			fmt.Fprintln(stderr, "cbtscope timeline: "+vsphere.OneLine(tl.Failure()))
		}
	}
	return exitFault
}

// timelineSpec finds the disk the flags name and plans its chain.
func timelineSpec(ctx context.Context, c *vsphere.Client, f *timelineFlags) (vsphere.TimelineSpec, vsphere.ExportDisk, *vsphere.ExportVM, error) {
	if f.vm != "" {
		vm, disk, snaps, err := findVMDisk(ctx, c, f.vm, f.disk)
		if err != nil {
			return vsphere.TimelineSpec{}, vsphere.ExportDisk{}, nil, err
		}
		evm, ed := vsphere.VMExportDisk(vm, disk)
		return vsphere.VMTimeline(vm, disk, snaps), ed, evm, nil
	}
	disk, snaps, err := findFCD(ctx, c, f.datastore, f.disk)
	if err != nil {
		return vsphere.TimelineSpec{}, vsphere.ExportDisk{}, nil, err
	}
	ed := vsphere.ExportDisk{ID: disk.ID, Name: disk.Name, Datastore: disk.Datastore.Name, CapacityBytes: disk.CapacityBytes}
	return vsphere.FCDTimeline(disk, snaps), ed, nil, nil
}

// intervalTrouble says in one line why an interval is not whole; "" when
// it is.
func intervalTrouble(iv vsphere.IntervalReport) string {
	switch {
	case iv.NotQueried != "":
		return "not queried: " + vsphere.SafeText(iv.NotQueried, 300)
	case iv.Fault != nil:
		return vsphere.OneLine(iv.Fault) + " (" + iv.Fault.Diagnosis.Title + ")"
	case iv.Error != "":
		return iv.Error
	case !iv.Complete:
		return "the map is incomplete"
	}
	return ""
}

// timelineProgress adds up the intervals' progress for the progress line.
func timelineProgress(tl *vsphere.Timeline, elapsed time.Duration) vsphere.Progress {
	p := vsphere.Progress{Elapsed: elapsed}
	for _, iv := range tl.Intervals {
		if !iv.Queried() {
			continue
		}
		s := iv.Sweep.Progress
		p.Scanned += s.Scanned
		p.Total += iv.Sweep.Map.Capacity()
		p.Pages += s.Pages
		p.Extents += s.Extents
	}
	return p
}
