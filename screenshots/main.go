// Command screenshots regenerates every PNG in screenshots/ from the
// explorer's real rendering on the embedded demo vCenter:
//
//	go run ./screenshots
//
// It drives the root model in-process at 160×45 as the app wires it, writes
// each screen as ANSI text and turns it into a PNG with freeze.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// shot is one screenshot: how to get the model there from the datastore
// list.
type shot struct {
	name, about string
	// sim are the simulator's options; the plain demo when zero.
	sim  simulator.Options
	take func(s *session) error
}

var shots = []shot{
	{name: "heatmap", about: "sql-data-01, newest vs previous; the cursor on a changed cell, the inspector and statistics beside it",
		take: func(s *session) error {
			if err := s.openDisk("ds-prod-01", "sql-data-01", ""); err != nil {
				return err
			}
			return s.hotCell(1)
		}},
	{name: "zoomed", about: "vdi-boot-01: zoomed into a cell of the boot storm's hot region, down to single extents",
		take: func(s *session) error {
			if err := s.openDisk("ds-prod-02", "vdi-boot-01", ""); err != nil {
				return err
			}
			if err := s.hotCell(20); err != nil {
				return err
			}
			s.press("enter")
			return s.hotCell(1)
		}},
	{name: "extents", about: "the extent table focused (tab), sorted by size (s)",
		take: func(s *session) error {
			if err := s.openDisk("ds-prod-01", "sql-data-01", ""); err != nil {
				return err
			}
			s.press("tab", "s")
			return nil
		}},
	{name: "stats", about: "archive-sparse-01 (8 TiB) against * (allocated areas): over a million extents",
		take: func(s *session) error {
			return s.openDisk("ds-prod-02", "archive-sparse-01", "* allocated areas")
		}},
	{name: "fault", about: "erp-data-02: a corrupt change tracking file, diagnosed",
		take: func(s *session) error {
			return s.openDisk("ds-prod-01", "erp-data-02", "")
		}},
	{name: "vmdisk", about: "web-01's second disk: a VM disk mapped from its snapshots' backing changeIds",
		take: func(s *session) error {
			if err := s.pick("web-01"); err != nil {
				return err
			}
			if err := s.pick("Hard disk 2"); err != nil {
				return err
			}
			s.press("enter", "enter")
			if !strings.Contains(s.plain(), "Heatmap") {
				return fmt.Errorf("not in the explorer:\n%s", s.plain())
			}
			return s.hotCell(1)
		}},
	{name: "timeline", about: "orders-db-01's chain of 12 nightly snapshots (t): a bar per interval, the spike night flagged",
		take: func(s *session) error {
			if err := s.pick("ds-prod-01"); err != nil {
				return err
			}
			if err := s.pick("orders-db-01"); err != nil {
				return err
			}
			s.press("t", "j", "j", "j", "j", "j", "j")
			return nil
		}},
	{name: "strip", about: "the same chain as a strip (v): each night a one-line heatmap of the whole disk, the region rewritten every night a column",
		take: func(s *session) error {
			if err := s.pick("ds-prod-01"); err != nil {
				return err
			}
			if err := s.pick("orders-db-01"); err != nil {
				return err
			}
			s.press("t", "v")
			return nil
		}},
	{name: "compare", about: "the night before the spike (A) against the spike night (B): only in A, only in B, in both",
		take: func(s *session) error {
			if err := s.pick("ds-prod-01"); err != nil {
				return err
			}
			if err := s.pick("orders-db-01"); err != nil {
				return err
			}
			s.press("t", "j", "j", "j", "j", "j", "c", "j", "c")
			return nil
		}},
	{name: "help", about: "the help screen over the explorer: every key, generated from the key map",
		take: func(s *session) error {
			if err := s.openDisk("ds-prod-02", "vdi-boot-01", ""); err != nil {
				return err
			}
			s.press("?")
			return nil
		}},
	{name: "export", about: "e on a faulted map: the export dialog names the file by disk, target and base, and says the map is incomplete",
		take: func(s *session) error {
			if err := s.openDisk("ds-prod-01", "erp-data-02", ""); err != nil {
				return err
			}
			s.press("e")
			return nil
		}},
	{name: "loading", about: "sql-data-01 while pages arrive (a slow vCenter, small pages)",
		sim: simulator.Options{TLS: true, Latency: 80 * time.Millisecond, PageExtents: 100},
		take: func(s *session) error {
			if err := s.pick("ds-prod-01"); err != nil {
				return err
			}
			if err := s.pick("sql-data-01"); err != nil {
				return err
			}
			s.press("enter")
			// Past 40%, once the statistics (refreshed a few times a second)
			// have caught up with some of it.
			return s.pressUntil("enter", func() bool {
				p := s.progress()
				return p >= 40 && p < 100 && !strings.Contains(s.plain(), "scanned   0 B")
			})
		}},
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

func run() error {
	keep := flag.Bool("keep", false, "also keep each frame as screenshots/NAME.ansi (git ignores them)")
	only := flag.String("only", "", "regenerate just the screenshot of this `name`")
	flag.Parse()
	if _, err := os.Stat(filepath.Join("screenshots", "main.go")); err != nil {
		return fmt.Errorf("run me from the repository's top level: go run ./screenshots")
	}
	tmp, err := os.MkdirTemp("", "cbtscope-screenshots-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// The frames one after another (the loading one is timed), then the
	// slow part, freeze, in parallel.
	var todo []shot
	for _, sh := range shots {
		if *only != "" && sh.name != *only {
			continue
		}
		frame, err := capture(sh, tmp)
		if err != nil {
			return fmt.Errorf("%s: %w", sh.name, err)
		}
		if !strings.Contains(frame, "\x1b[38;2;") {
			return fmt.Errorf("%s: the frame has no truecolour", sh.name)
		}
		dir := tmp
		if *keep {
			dir = "screenshots"
		}
		if err := os.WriteFile(filepath.Join(dir, sh.name+".ansi"), []byte(frame), 0o644); err != nil {
			return err
		}
		todo = append(todo, sh)
	}
	if len(todo) == 0 {
		return fmt.Errorf("no screenshot named %q", *only)
	}
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, max(2, runtime.NumCPU()))
		errs = make([]error, len(todo))
	)
	for i, sh := range todo {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			dir := tmp
			if *keep {
				dir = "screenshots"
			}
			errs[i] = toPNG(filepath.Join(dir, sh.name+".ansi"), filepath.Join("screenshots", sh.name+".png"))
		})
	}
	wg.Wait()
	for i, sh := range todo {
		if errs[i] != nil {
			return fmt.Errorf("%s: %w", sh.name, errs[i])
		}
		fmt.Printf("%-24s %s\n", filepath.Join("screenshots", sh.name+".png"), sh.about)
	}
	return nil
}

// capture starts a simulator and the model on it, puts the model where sh
// says and returns the screen.
func capture(sh shot, tmp string) (string, error) {
	opts := sh.sim
	opts.TLS = true
	sim, err := simulator.Start(opts)
	if err != nil {
		return "", err
	}
	defer sim.Close()
	s, err := open(sim, tmp)
	if err != nil {
		return "", err
	}
	if err := sh.take(s); err != nil {
		return "", err
	}
	frame := s.render()
	s.press("esc") // leaves the explorer: cancels a fetch still running
	return frame, nil
}
