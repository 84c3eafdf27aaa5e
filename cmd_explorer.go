package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cbtscope/cbtscope/model"
	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// runExplorer opens the explorer on a vCenter, or on the embedded demo when
// none is configured. Given the same selection flags as export, it opens
// that map directly, with the pickers one esc away.
func runExplorer(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cbtscope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	connOpts := connFlags(fs, getenv)
	workers := fs.Int("parallel", 0, "`workers` paging in parallel (0: as many as the server keeps pace with, up to 32)")
	var sel model.Select
	fs.StringVar(&sel.VM, "vm", "", "open a VM disk's map directly: the VM's `name or moref` (--disk is then its label or key)")
	fs.StringVar(&sel.Datastore, "datastore", "", "open a map directly: datastore `name` or moref")
	fs.StringVar(&sel.Disk, "disk", "", "open a map directly: disk `id or name` (with --vm: label or key)")
	fs.StringVar(&sel.Snapshot, "snapshot", "", "target snapshot `id` (with --vm: name or moref; default: the newest)")
	fs.StringVar(&sel.ChangeID, "change-id", "", "base `changeId`, or '*' for all allocated areas")
	fs.StringVar(&sel.BaseSnapshot, "base-snapshot", "", "base snapshot `id` (with --vm: name or moref; its changeId)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage+"\nexplorer flags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "cbtscope: unknown command %q (see cbtscope --help)\n", fs.Arg(0))
		return exitUsage
	case *workers < 0 || *workers > 64:
		fmt.Fprintln(stderr, "cbtscope: --parallel must be between 0 (adapt) and 64")
		return exitUsage
	case sel.Disk == "" && (sel.VM != "" || sel.Datastore != "" || sel.Snapshot != "" || sel.ChangeID != "" || sel.BaseSnapshot != ""):
		fmt.Fprintln(stderr, "cbtscope: --vm, --datastore, --snapshot, --change-id and --base-snapshot need --disk")
		return exitUsage
	case sel.VM != "" && sel.Datastore != "":
		fmt.Fprintln(stderr, "cbtscope: --datastore names a First Class Disk's datastore; with --vm, --disk is the VM disk's label or key")
		return exitUsage
	case sel.ChangeID != "" && sel.BaseSnapshot != "":
		fmt.Fprintln(stderr, "cbtscope: give --change-id or --base-snapshot, not both")
		return exitUsage
	}
	conn, err := connOpts.Settings()
	if err != nil {
		fmt.Fprintf(stderr, "cbtscope: %v\n", err)
		return exitUsage
	}
	var demo demoServer
	defer demo.close()
	var cfg model.Config
	if conn.URL == "" {
		cfg = model.DemoOver(demo.start, conn.Transport)
	} else {
		settings := conn
		cfg.Where = settings.URL // checked: no credentials
		cfg.Connect = func(ctx context.Context) (model.Source, error) { return vsphere.Connect(ctx, settings) }
	}
	terminalConfig(&cfg)
	cfg.Workers = *workers
	cfg.Timeout = conn.Timeout
	if sel.Disk != "" {
		cfg.Select = &sel
	}
	return runProgram(cfg, stderr)
}

// demoServer is the embedded simulator of a demo session. It is started
// from a command's goroutine and closed when the program ends, whichever
// comes first: one that finishes starting after the end closes at once.
type demoServer struct {
	mu     sync.Mutex
	s      *simulator.Server
	closed bool
}

func (d *demoServer) start() (*simulator.Server, error) {
	s, err := simulator.Start(simulator.Options{TLS: true})
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		s.Close()
		return nil, errors.New("cbtscope is closing")
	}
	d.s = s
	return s, nil
}

func (d *demoServer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	if d.s != nil {
		d.s.Close()
	}
}

// terminalConfig fills in what every way of opening the explorer takes from
// the terminal: the theme (a profile without colour draws glyphs) and the
// directory exports are offered in.
func terminalConfig(cfg *model.Config) {
	dir, err := os.Getwd()
	if err != nil {
		dir = os.TempDir()
	}
	cfg.Dark = lipgloss.HasDarkBackground(os.Stdin, os.Stdout)
	cfg.Profile = colorprofile.Detect(os.Stdout, os.Environ())
	cfg.ExportDir = dir
}

// runProgram runs the explorer, then ends its vCenter session whichever
// way it ended; an error on screen when the user quit is printed, not lost.
func runProgram(cfg model.Config, stderr io.Writer) int {
	p, m := model.NewProgram(cfg)
	_, err := p.Run()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	m.Close(ctx)
	cancel()
	if err != nil {
		fmt.Fprintf(stderr, "cbtscope: %v\n", err)
		return exitFault
	}
	if err := m.ExitErr(); err != nil {
		fmt.Fprintf(stderr, "cbtscope: %s\n", vsphere.SafeText(err.Error(), 0))
		var ce *vsphere.ConnectError
		if errors.As(err, &ce) && ce.Config {
			return exitUsage
		}
		return exitFault
	}
	return exitOK
}
