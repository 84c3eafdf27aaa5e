package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/keymap"
	"github.com/cbtscope/cbtscope/model"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

const (
	width    = 160
	height   = 45
	patience = 5 * time.Second
)

// session is the explorer model, wired as cmd_explorer.go wires it, on a
// simulator, and driven in this goroutine.
type session struct {
	m tea.Model
}

// open starts the model on sim and drives it to the datastore list.
func open(sim *simulator.Server, exportDir string) (*session, error) {
	u := sim.URL()
	u.User = nil
	m := model.New(model.Config{
		Where:     "demo: embedded vCenter simulator",
		Styles:    ui.NewStyles(true, false),
		Keys:      keymap.Default(),
		Workers:   4,
		ExportDir: exportDir,
		Connect: func(ctx context.Context) (model.Source, error) {
			return vsphere.Connect(ctx, vsphere.Settings{URL: u.String(), Username: "demo", Password: vsphere.NewSecret("demo"), Thumbprint: sim.Thumbprint()})
		},
	})
	s := &session{m: m}
	s.m, _ = s.m.Update(tea.WindowSizeMsg{Width: width, Height: height})
	s.m = model.Drive(s.m, s.m.Init(), patience)
	if !strings.Contains(s.plain(), "Datastores") {
		return nil, fmt.Errorf("no datastore list after connecting:\n%s", s.plain())
	}
	return s, nil
}

// render is the screen as ANSI text.
func (s *session) render() string { return s.m.(*model.Model).Render() }

// plain is the screen without escape sequences.
func (s *session) plain() string { return ansi.Strip(s.render()) }

// press delivers keys by name ("enter", "esc", "tab", "down", or one
// character) and drives what follows to the end.
func (s *session) press(keys ...string) {
	for _, k := range keys {
		s.m = model.Send(s.m, model.KeyPress(k), patience)
	}
}

var selectedRE = regexp.MustCompile(`^\s*│ (.+?)\s*$`)

// selected is the picker's highlighted choice (the line marked │).
func (s *session) selected() string {
	for _, line := range strings.Split(s.plain(), "\n") {
		if m := selectedRE.FindStringSubmatch(line); m != nil {
			return m[1]
		}
	}
	return ""
}

// pick moves the picker's cursor onto the choice named name and chooses it.
func (s *session) pick(name string) error {
	for range 40 {
		if s.selected() == name {
			s.press("enter")
			return nil
		}
		s.press("down")
	}
	return fmt.Errorf("no choice %q in the picker:\n%s", name, s.plain())
}

// openDisk goes from the datastore list to the explorer on disk: the newest
// snapshot against base ("" for the one before it).
func (s *session) openDisk(datastore, disk, base string) error {
	if err := s.pick(datastore); err != nil {
		return err
	}
	if err := s.pick(disk); err != nil {
		return err
	}
	s.press("enter")
	if base == "" {
		s.press("enter")
	} else if err := s.pick(base); err != nil {
		return err
	}
	if !strings.Contains(s.plain(), "Heatmap") {
		return fmt.Errorf("%s: not in the explorer:\n%s", disk, s.plain())
	}
	return nil
}

var shareRE = regexp.MustCompile(`changed\s.*?\(([\d.]+)%`)

// cellShare is the changed share of the cell under the cursor, in percent,
// as the inspector shows it; 0 when it shows none.
func (s *session) cellShare() float64 {
	inspector, _, _ := strings.Cut(s.plain(), "Statistics")
	m := shareRE.FindStringSubmatch(inspector)
	if m == nil {
		return 0
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return f
}

// hotCell presses n until the cursor rests on a cell at least min percent
// changed.
func (s *session) hotCell(min float64) error {
	for range 400 {
		s.press("n")
		if s.cellShare() >= min {
			return nil
		}
	}
	return fmt.Errorf("no cell %.0f%% changed:\n%s", min, s.plain())
}

var percentRE = regexp.MustCompile(`(\d+)% `)

// progress is the progress line's percentage, or -1.
func (s *session) progress() int {
	lines := strings.Split(s.plain(), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if m := percentRE.FindStringSubmatch(lines[i]); m != nil && strings.Contains(lines[i], "pages") {
			n, _ := strconv.Atoi(m[1])
			return n
		}
	}
	return -1
}

// pressUntil delivers key, then handles the messages that follow one at a
// time until done says so (or nothing is left): a look at the screen in the
// middle of a fetch, which model.Drive would run to its end.
func (s *session) pressUntil(k string, done func() bool) error {
	m, cmd := s.m.Update(model.KeyPress(k))
	s.m = m
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		if done() {
			return nil
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- c() }()
		var msg tea.Msg
		select {
		case msg = <-ch:
		case <-time.After(patience):
			continue
		}
		switch msg := msg.(type) {
		case nil:
			continue
		case tea.BatchMsg:
			queue = append(queue, msg...)
			continue
		}
		var next tea.Cmd
		s.m, next = s.m.Update(msg)
		queue = append(queue, next)
	}
	if done() {
		return nil
	}
	return fmt.Errorf("ran out of messages before the wanted screen:\n%s", s.plain())
}
