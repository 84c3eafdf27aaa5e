package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/model"
	"github.com/cbtscope/cbtscope/vsphere"
)

func init() { commands["open"] = runOpen }

// openLimit is the most `open` reads of a file; tests lower it.
var openLimit = vsphere.DefaultExportLimit

const openUsage = "usage: cbtscope open FILE [FILE2]   (JSON exports from cbtscope export or the explorer's 'e'; two of one disk are compared)"

// runOpen opens the explorer on a saved export, offline. The file is read
// and checked whole before the explorer starts, so a bad one is a one-line
// error and exit 2.
func runOpen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("open", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, openUsage)
			return exitOK
		}
		fmt.Fprintln(stderr, openUsage)
		return exitUsage
	}
	if fs.NArg() != 1 && fs.NArg() != 2 {
		fmt.Fprintln(stderr, openUsage)
		return exitUsage
	}
	var opened []*model.Opened
	for _, path := range fs.Args() {
		e, m, err := loadExport(path)
		if err != nil {
			if errors.Is(err, vsphere.ErrCSVExport) {
				err = errors.New("this is a CSV export; cbtscope open reads JSON exports (cbtscope export --format json)")
			}
			fmt.Fprintf(stderr, "cbtscope open: %s: %s\n", vsphere.OneLine(errors.New(path)), vsphere.OneLine(err))
			return exitUsage
		}
		opened = append(opened, &model.Opened{Export: e, Map: m, Path: path})
	}
	cfg := model.Config{Opened: opened[0], Where: filepath.Base(fs.Arg(0))}
	if len(opened) == 2 {
		a, b := opened[0].Export, opened[1].Export
		if a.Disk.CapacityBytes != b.Disk.CapacityBytes || a.Disk.ID != b.Disk.ID || a.Disk.Key != b.Disk.Key {
			fmt.Fprintf(stderr, "cbtscope open: %s and %s are maps of different disks; only maps of one disk compare\n",
				vsphere.OneLine(errors.New(fs.Arg(0))), vsphere.OneLine(errors.New(fs.Arg(1))))
			return exitUsage
		}
		cfg.OpenedB, cfg.Where = opened[1], filepath.Base(fs.Arg(0))+" vs "+filepath.Base(fs.Arg(1))
	}
	terminalConfig(&cfg)
	return runProgram(cfg, stderr)
}

func loadExport(path string) (*vsphere.Export, *heatmap.ChangeMap, error) {
	f, err := os.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, nil, pe.Err
		}
		return nil, nil, err
	}
	defer f.Close()
	return vsphere.ReadExportLimited(f, openLimit)
}
