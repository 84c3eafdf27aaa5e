// Package model holds cbtscope's root Bubble Tea model and the components it
// routes between: the inventory wizard (connect, then pick a datastore, a
// disk, a target snapshot and a base) and the explorer (a change map being
// filled by a background sweep, shown as a heatmap, an extent table and
// details). Overlays (help, a question, a line of input, a long text) are
// modal: while one is open, every key goes to it. The root routes messages,
// lays out the screen and owns the connection; components know nothing of
// each other. Nothing in Update blocks on I/O.
package model

import (
	"context"
	"errors"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// Source is where inventories and change maps come from: a vCenter (live or
// the embedded demo). *vsphere.Client is one.
type Source interface {
	vsphere.Fetcher
	Datastores(ctx context.Context) ([]vsphere.Datastore, error)
	Disks(ctx context.Context, ds vsphere.Datastore) ([]vsphere.Disk, error)
	Snapshots(ctx context.Context, d vsphere.Disk) ([]vsphere.Snapshot, error)
	FindDisk(ctx context.Context, datastore, disk string) (vsphere.Disk, error)
	VMs(ctx context.Context) ([]vsphere.VM, error)
	VMSnapshots(ctx context.Context, vm vsphere.VM) ([]vsphere.VMSnapshot, error)
	FindVM(ctx context.Context, nameOrMoref string) (vsphere.VM, error)
	Logout(ctx context.Context)
}

// Config says what to explore and how it looks. main, the tests and the
// screenshot generator fill it the same way and hand it to New, which
// derives the rest.
type Config struct {
	// Connect reaches the source; it runs in the background while the UI
	// says so. Nil when Opened is set.
	Connect func(ctx context.Context) (Source, error)
	// Opened is a saved export to explore offline; with OpenedB too, the
	// two are compared.
	Opened, OpenedB *Opened
	// Select, when set, opens this map directly once connected, with the
	// pickers one esc away.
	Select *Select
	// Where names the source in the header ("demo", a URL, a file).
	Where string
	// Prefer is a disk name offered first when it is listed and can be
	// mapped (the demo's tour starts on its database disk); otherwise the
	// first disk with CBT on is.
	Prefer string
	// Dark and Profile choose the theme: a profile without colour (a dumb
	// terminal, NO_COLOR, a pipe) draws with glyphs.
	Dark    bool
	Profile colorprofile.Profile
	// Workers fixes the explorer's fetch workers; zero lets the fetch
	// adapt to the server's pace (vsphere.FetchOptions).
	Workers int
	// ExportDir is where exports are offered to go.
	ExportDir string
	// Timeout bounds each inventory call; 2 minutes when zero.
	Timeout time.Duration
}

// Select names a map the way `cbtscope export` does: a First Class Disk
// (Datastore, Disk), or with VM set, that VM's disk by label or key.
type Select struct {
	VM, Datastore, Disk, Snapshot, ChangeID, BaseSnapshot string
}

// Opened is an export read from a file.
type Opened struct {
	Export *vsphere.Export
	Map    *heatmap.ChangeMap
	// Path is the file it was read from: exports never overwrite it
	// without asking.
	Path string
}

// common is what every component shares, by pointer.
type common struct {
	cfg  Config
	st   *ui.Styles
	keys keymap.KeyMap
	// help draws the help line; built once, like the styles.
	help help.Model
}

// component is the contract of everything the root routes to.
type component interface {
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	// StatusLine is the component's own line above the help (progress,
	// what is loading), shown when no message is.
	StatusLine(w int) string
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	// Typing reports whether keys are text right now (a filter being
	// typed): then the global keys stay out of the way.
	Typing() bool
}

// Model is the root model.
type Model struct {
	c    *common
	w, h int

	src      Source
	wizard   *wizard
	explorer *explorer
	timeline *timelineView
	compare  *compareView
	// showing is the component on screen; each back goes where its
	// component was opened from.
	showing                    view
	explorerBack, timelineBack view
	compareBack                view
	// marked is the map c set aside to compare with the next.
	marked *markedMap

	overlays []overlay
	status   status
	// lastErr is the full text of the last error shown, one key away.
	lastErr string
	// exitErr is what the user quit on, for the command to print.
	exitErr error
	// frame is the screen View drew last (see frame.go).
	frame frame
}

// New builds the root model.
func New(cfg Config) *Model {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	if cfg.ExportDir == "" {
		cfg.ExportDir, _ = os.Getwd()
	}
	if cfg.Profile == colorprofile.Unknown {
		cfg.Profile = colorprofile.TrueColor
	}
	c := &common{cfg: cfg, st: ui.NewStyles(cfg.Dark, cfg.Profile), keys: keymap.Default(), help: help.New()}
	c.help.Styles = help.DefaultStyles(cfg.Dark)
	if c.st.NoColor {
		c.help.Styles = help.Styles{}
	}
	m := &Model{c: c, wizard: newWizard(c)}
	switch o := cfg.Opened; {
	case o != nil && cfg.OpenedB != nil:
		m.compare = openedCompare(c, o, cfg.OpenedB)
		m.showing, m.compareBack = viewCompare, viewCompare
	case o != nil:
		m.explorer = openedExplorer(c, o)
		m.showing = viewExplorer
	}
	return m
}

// Init starts connecting, unless a file was opened.
func (m *Model) Init() tea.Cmd {
	if m.c.cfg.Opened != nil {
		return nil
	}
	return m.wizard.connect()
}

// view is a component the root can show.
type view int

const (
	viewWizard view = iota
	viewExplorer
	viewTimeline
	viewCompare
)

func (m *Model) active() component {
	switch {
	case m.showing == viewExplorer && m.explorer != nil:
		return m.explorer
	case m.showing == viewTimeline && m.timeline != nil:
		return m.timeline
	case m.showing == viewCompare && m.compare != nil:
		return m.compare
	}
	return m.wizard
}

// show puts component v on screen.
func (m *Model) show(v view) {
	m.showing = v
	m.status.clear()
	m.relayout()
}

// Update routes a message. It never blocks: loading and fetching happen in
// commands.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.frame.note(msg)
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.relayout()
		return m, nil
	case tea.KeyPressMsg:
		return m, m.onKey(msg)
	case tea.MouseClickMsg:
		if len(m.overlays) > 0 {
			return m, nil // an overlay owns the mouse too
		}
		return m, m.active().Update(msg)
	case connectedMsg:
		if msg.err == nil {
			m.src = msg.src
		}
		return m, m.wizard.Update(msg)
	case statusMsg:
		if msg.err {
			m.lastErr = msg.full
		}
		return m, m.status.set(msg)
	case statusExpiredMsg:
		m.status.expire(msg.id)
		return m, nil
	case openOverlayMsg:
		m.overlays = append(m.overlays, msg.o)
		m.relayout()
		return m, nil
	case openMapMsg:
		return m, m.openMap(msg)
	case backMsg:
		if m.explorer != nil {
			m.explorer.stop()
		}
		if m.explorerBack == viewTimeline && m.timeline != nil {
			m.show(viewTimeline)
			return m, nil
		}
		m.wizard.showBase()
		m.show(viewWizard)
		return m, nil
	case openTimelineMsg:
		return m, m.openTimeline(msg)
	case timelineBackMsg:
		if m.timeline != nil {
			m.timeline.stop()
		}
		if m.timelineBack == viewExplorer && m.explorer != nil {
			m.show(viewExplorer)
			return m, m.explorer.resume()
		}
		m.show(viewWizard)
		return m, nil
	case markMsg:
		if a := m.marked; a != nil && a.disk == msg.m.disk && a.m != msg.m.m {
			m.marked = nil
			m.compareBack = m.showing
			m.compare = newCompareView(m.c, *a, msg.m)
			m.show(viewCompare)
			return m, nil
		}
		m.marked = &msg.m
		return m, say("marked " + msg.m.label + " as A: open another map of this disk and press c again to compare")
	case compareBackMsg:
		m.show(m.compareBack)
		return m, nil
	}
	// Everything else is a reply to a component's command: each takes its
	// own and ignores the rest.
	var cmds []tea.Cmd
	cmds = append(cmds, m.wizard.Update(msg))
	if m.explorer != nil {
		cmds = append(cmds, m.explorer.Update(msg))
	}
	if m.timeline != nil {
		cmds = append(cmds, m.timeline.Update(msg))
	}
	if n := len(m.overlays); n > 0 {
		cmd, _ := m.overlays[n-1].Update(msg)
		cmds = append(cmds, cmd)
	}
	return m, tea.Batch(cmds...)
}

func (m *Model) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.c.keys
	if key.Matches(msg, k.Global.Interrupt) {
		return m.quit()
	}
	if n := len(m.overlays); n > 0 {
		cmd, done := m.overlays[n-1].Update(msg)
		if done {
			m.overlays = m.overlays[:n-1]
			m.relayout()
		}
		return cmd
	}
	a := m.active()
	if !a.Typing() {
		switch {
		case key.Matches(msg, k.Global.Quit):
			return m.quit()
		case key.Matches(msg, k.Global.Help):
			m.overlays = append(m.overlays, newHelpOverlay(m.c, a.FullHelp()))
			m.relayout()
			return nil
		case key.Matches(msg, k.Global.LastError):
			if m.lastErr == "" {
				return say("no error so far")
			}
			m.overlays = append(m.overlays, newTextOverlay(m.c, "Last error", m.lastErr))
			m.relayout()
			return nil
		}
	}
	return a.Update(msg)
}

// quit stops the fetch and ends the program, keeping the error the user
// quit on so that it is not lost with the screen.
func (m *Model) quit() tea.Cmd {
	if m.explorer != nil {
		m.explorer.stop()
	}
	if m.timeline != nil {
		m.timeline.stop()
	}
	if m.showing == viewWizard {
		m.exitErr = m.wizard.shownError()
	}
	return tea.Quit
}

// ExitErr is the error on screen when the user quit, if any.
func (m *Model) ExitErr() error { return m.exitErr }

// Close ends what the model holds: the fetch and the vCenter session. The
// command calls it once the program has ended, on every way out.
func (m *Model) Close(ctx context.Context) {
	if m.explorer != nil {
		m.explorer.stop()
	}
	if m.timeline != nil {
		m.timeline.stop()
	}
	if m.src != nil {
		m.src.Logout(ctx)
		m.src = nil
	}
}

// openMap shows the explorer on a selection: the same map as last time is
// shown as it is, a map the timeline fetched is taken as it is, anything
// else is fetched.
func (m *Model) openMap(msg openMapMsg) tea.Cmd {
	if m.src == nil {
		return sayErr(errors.New("not connected"))
	}
	m.explorerBack = m.showing
	m.show(viewExplorer)
	if e := m.explorer; e != nil && e.sel.same(msg.sel) {
		return e.resume()
	}
	if m.explorer != nil {
		m.explorer.stop()
	}
	m.explorer = newExplorer(m.c, m.src, msg.sel)
	m.relayout()
	if msg.sweep != nil {
		return m.explorer.adopt(msg.sweep)
	}
	return m.explorer.start()
}

// chrome is the header line above the body and the status and help lines
// below it.
const chrome = 3

// MinWidth and MinHeight are the smallest terminal cbtscope draws in.
const (
	MinWidth  = 40
	MinHeight = 12
)

func (m *Model) relayout() {
	bw, bh := max(m.w, 0), max(m.h-chrome, 0)
	m.wizard.SetSize(bw, bh)
	if m.explorer != nil {
		m.explorer.SetSize(bw, bh)
	}
	if m.timeline != nil {
		m.timeline.SetSize(bw, bh)
	}
	if m.compare != nil {
		m.compare.SetSize(bw, bh)
	}
	for _, o := range m.overlays {
		o.SetSize(bw, bh)
	}
}
