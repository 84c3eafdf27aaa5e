package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/cbtscope/cbtscope/vsphere"
)

// The connection and disk lookup that export and timeline share: the same
// flags find the same disk, and the same failures end in the same exit
// codes.

// connect logs in for command cmd; on failure it reports on stderr and
// returns the exit code: 2 when what the user configured is wrong (URL,
// trust, credentials, not a vCenter), 1 for a server or network failure.
func connect(ctx context.Context, cmd string, s vsphere.Settings, stderr io.Writer) (*vsphere.Client, int) {
	c, err := vsphere.Connect(ctx, s)
	if err == nil {
		return c, exitOK
	}
	fmt.Fprintln(stderr, "cbtscope "+cmd+": "+vsphere.OneLine(err))
	var ce *vsphere.ConnectError
	if errors.As(err, &ce) && ce.Config {
		return nil, exitUsage
	}
	return nil, exitFault
}

// findFCD finds a First Class Disk (by ID or name, on datastore when
// given) and its snapshots, oldest first.
func findFCD(ctx context.Context, c *vsphere.Client, datastore, name string) (vsphere.Disk, []vsphere.Snapshot, error) {
	disk, err := c.FindDisk(ctx, datastore, name)
	if err != nil {
		return vsphere.Disk{}, nil, err
	}
	snaps, err := c.Snapshots(ctx, disk)
	if err != nil {
		return vsphere.Disk{}, nil, err
	}
	return disk, snaps, nil
}

// findVMDisk finds a VM (by name or moref), its disk (by label or key) and
// its snapshots, oldest first.
func findVMDisk(ctx context.Context, c *vsphere.Client, vmName, disk string) (vsphere.VM, vsphere.VMDisk, []vsphere.VMSnapshot, error) {
	vm, err := c.FindVM(ctx, vmName)
	if err != nil {
		return vsphere.VM{}, vsphere.VMDisk{}, nil, err
	}
	d, err := vm.FindDisk(disk)
	if err != nil {
		return vsphere.VM{}, vsphere.VMDisk{}, nil, err
	}
	snaps, err := c.VMSnapshots(ctx, vm)
	if err != nil {
		return vsphere.VM{}, vsphere.VMDisk{}, nil, err
	}
	return vm, d, snaps, nil
}

// reportLookupAs reports, for command cmd, a failure to find the disk or
// its snapshots: the user's mistake (exit 2) or a server fault (exit 1,
// diagnosed).
func reportLookupAs(cmd string, stderr io.Writer, err error) int {
	prefix := "cbtscope " + cmd + ": "
	var ue *vsphere.UsageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, prefix+vsphere.OneLine(err))
		return exitUsage
	}
	if flt, ok := vsphere.AsFault(err, nil); ok {
		fmt.Fprint(stderr, flt.Report(prefix))
		return exitFault
	}
	fmt.Fprintln(stderr, prefix+vsphere.OneLine(err))
	return exitFault
}

// writeOutput writes through write to the output, or to stdout when out is
// nil.
func writeOutput(out *vsphere.Output, stdout io.Writer, write func(io.Writer) error) error {
	if out != nil {
		return out.Write(write)
	}
	return write(stdout)
}
