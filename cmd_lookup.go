package main

import (
	"context"
	"errors"
	"flag"
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
	return c.FindDiskSnapshots(ctx, datastore, name)
}

// findVMDisk finds a VM (by name or moref), its disk (by label or key) and
// its snapshots, oldest first.
func findVMDisk(ctx context.Context, c *vsphere.Client, vmName, disk string) (vsphere.VM, vsphere.VMDisk, []vsphere.VMSnapshot, error) {
	vm, snaps, err := c.FindVMSnapshots(ctx, vmName)
	if err != nil {
		return vsphere.VM{}, vsphere.VMDisk{}, nil, err
	}
	d, err := vm.FindDisk(disk)
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

// diskFlags are the flags of the commands that map a disk (export,
// timeline): which disk, and where the result goes.
type diskFlags struct {
	connOpts  *connOptions
	conn      vsphere.Settings
	vm        string
	datastore string
	disk      string
	format    string
	output    string
}

// register adds the flags to fs, the connection flags among them.
func (d *diskFlags) register(fs *flag.FlagSet) {
	d.connOpts = connFlags(fs, getenv)
	fs.StringVar(&d.vm, "vm", "", "a virtual machine's `name or moref`: --disk is then its disk's label or key")
	fs.StringVar(&d.datastore, "datastore", "", "datastore `name` or moref (may be left out when the disk is on one datastore)")
	fs.StringVar(&d.disk, "disk", "", "disk `id or name`, or with --vm its label or key (required)")
	fs.StringVar(&d.format, "format", "json", "output `format`: json or csv")
	fs.StringVar(&d.output, "o", "", "write to `file` instead of standard output")
}

// parse reads args for command cmd and checks them before any call: the
// connection settings, unexpected arguments, the command's own rules
// (extra), the shared ones and -o. When ok is false the command ends with
// code: 0 after --help, 2 for a mistake, said in one line on stderr.
func (d *diskFlags) parse(cmd string, fs *flag.FlagSet, args []string, stderr io.Writer, extra func() error) (out *vsphere.Output, code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, exitOK, false
		}
		return nil, exitUsage, false
	}
	var err error
	if d.conn, err = d.connOpts.Settings(); err == nil {
		switch {
		case fs.NArg() > 0:
			err = fmt.Errorf("unexpected argument %q", fs.Arg(0))
		default:
			err = extra()
		}
	}
	if err == nil {
		err = d.check()
	}
	if err == nil {
		out, err = d.checkOutput()
	}
	if err != nil {
		fmt.Fprintln(stderr, "cbtscope "+cmd+": "+vsphere.OneLine(err))
		return nil, exitUsage, false
	}
	return out, 0, true
}

// check finds what is wrong with the flags, before any call.
func (d *diskFlags) check() error {
	switch {
	case d.disk == "":
		return errors.New("--disk is required")
	case d.vm != "" && d.datastore != "":
		return errors.New("--datastore names a First Class Disk's datastore; with --vm, --disk is the VM disk's label or key")
	case d.format != "json" && d.format != "csv":
		return fmt.Errorf("--format must be json or csv, not %q", d.format)
	case d.conn.URL == "":
		return errors.New("no vCenter URL: set --url or GOVC_URL")
	}
	return nil
}

// checkOutput checks -o before the first call: a mistyped path must not
// cost a whole sweep. It is nil for standard output.
func (d *diskFlags) checkOutput() (*vsphere.Output, error) {
	if d.output == "" || d.output == "-" {
		return nil, nil
	}
	out, err := vsphere.CheckOutput(d.output)
	if err != nil {
		return nil, fmt.Errorf("-o %w", err)
	}
	return out, nil
}
