package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sync"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/cbtscope/cbtscope/keymap"
	"github.com/cbtscope/cbtscope/model"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// runExplorer opens the explorer on a vCenter, or on the embedded demo when
// none is configured.
func runExplorer(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cbtscope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	connOpts := connFlags(fs, getenv)
	workers := fs.Int("parallel", 4, "`workers` paging in parallel")
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
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "cbtscope: unknown command %q (see cbtscope --help)\n", fs.Arg(0))
		return exitUsage
	}
	if *workers < 1 || *workers > 64 {
		fmt.Fprintln(stderr, "cbtscope: --parallel must be between 1 and 64")
		return exitUsage
	}
	conn, err := connOpts.Settings()
	if err != nil {
		fmt.Fprintf(stderr, "cbtscope: %v\n", err)
		return exitUsage
	}
	cfg := explorerConfig()
	cfg.Workers = *workers
	var demo demoServer
	defer demo.close()
	if conn.URL == "" {
		cfg.Where = "demo: embedded vCenter simulator"
		cfg.Connect = func(ctx context.Context) (model.Source, error) {
			s, err := demo.start()
			if err != nil {
				return nil, err
			}
			u := s.URL()
			u.User = nil
			return vsphere.Connect(ctx, vsphere.Settings{URL: u.String(), Username: "demo", Password: vsphere.NewSecret("demo"), Thumbprint: s.Thumbprint()})
		}
	} else {
		settings := conn
		cfg.Where = settings.URL // checked: no credentials
		cfg.Connect = func(ctx context.Context) (model.Source, error) { return vsphere.Connect(ctx, settings) }
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

// explorerConfig is the wiring shared by every way of opening the explorer.
func explorerConfig() model.Config {
	dark := lipgloss.HasDarkBackground(os.Stdin, os.Stdout)
	dir, err := os.Getwd()
	if err != nil {
		dir = os.TempDir()
	}
	return model.Config{
		Styles:    ui.NewStyles(dark, os.Getenv("NO_COLOR") != ""),
		Keys:      keymap.Default(),
		ExportDir: dir,
	}
}

func runProgram(cfg model.Config, stderr io.Writer) int {
	p := tea.NewProgram(model.New(cfg))
	if _, err := p.Run(); err != nil {
		fmt.Fprintf(stderr, "cbtscope: %v\n", err)
		return exitFault
	}
	return exitOK
}
