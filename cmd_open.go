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

const openUsage = "usage: cbtscope open FILE   (a JSON export from cbtscope export or the explorer's 'e')"

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
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, openUsage)
		return exitUsage
	}
	path := fs.Arg(0)
	e, m, err := loadExport(path)
	if err != nil {
		if errors.Is(err, vsphere.ErrCSVExport) {
			err = errors.New("this is a CSV export; cbtscope open reads JSON exports (cbtscope export --format json)")
		}
		fmt.Fprintf(stderr, "cbtscope open: %s: %s\n", vsphere.OneLine(errors.New(path)), vsphere.OneLine(err))
		return exitUsage
	}
	cfg := model.Config{Opened: &model.Opened{Export: e, Map: m, Path: path}, Where: filepath.Base(path)}
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
