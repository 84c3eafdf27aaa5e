// Package model holds cbtscope's root Bubble Tea model. It owns the screens
// (connecting, the inventory pickers, the explorer, errors), routes messages
// to the ui components and lays them out, and drives the background fetch:
// it starts a vsphere fetch for the chosen disk, snapshot and base, folds
// each page into a heatmap.ChangeMap as it arrives, and cancels the fetch
// when the user leaves. Nothing in Update blocks on I/O.
package model

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// Source is where inventories and change maps come from: a vCenter (live or
// the embedded demo). *vsphere.Client is one.
type Source interface {
	Datastores(ctx context.Context) ([]vsphere.Datastore, error)
	Disks(ctx context.Context, ds vsphere.Datastore) ([]vsphere.Disk, error)
	Snapshots(ctx context.Context, d vsphere.Disk) ([]vsphere.Snapshot, error)
	Fetch(ctx context.Context, q vsphere.Query, opts vsphere.FetchOptions) <-chan vsphere.Event
}

// Config wires a Model. main and the tests build it the same way.
type Config struct {
	// Connect reaches the source; it runs in the background while the UI
	// says so. Nil when Opened is set.
	Connect func(ctx context.Context) (Source, error)
	// Opened is a saved export to explore offline.
	Opened *Opened
	// Where names the source in the header ("demo", a URL, a file).
	Where   string
	Styles  *ui.Styles
	Keys    keymap.KeyMap
	Workers int
	// ExportDir is where 'e' and 'E' write exports.
	ExportDir string
}

// Opened is an export read from a file.
type Opened struct {
	Export *vsphere.Export
	Map    *heatmap.ChangeMap
}

type screen int

const (
	screenConnecting screen = iota
	screenError
	screenDatastores
	screenDisks
	screenSnapshots
	screenBase
	screenChangeID
	screenExplorer
)

// panel is what has focus in the explorer.
type panel int

const (
	panelHeatmap panel = iota
	panelExtents
	panelDetails
	numPanels
)

// Model is the root model.
type Model struct {
	cfg  Config
	st   *ui.Styles
	keys keymap.KeyMap
	w, h int

	screen   screen
	src      Source
	loadErr  error          // for screenError
	errFault *vsphere.Fault // when the error is a fault
	errBack  screen         // where esc goes from screenError
	busy     string         // what is being loaded, when anything is
	loadGen  int            // bumped by every choice and every step back

	picker     *ui.Picker
	datastores []vsphere.Datastore
	datastore  vsphere.Datastore
	disks      []vsphere.Disk
	disk       vsphere.Disk
	snaps      []vsphere.Snapshot
	target     vsphere.Snapshot
	base       string // changeId
	baseLabel  string
	input      textinput.Model

	// the explorer
	cm       *heatmap.ChangeMap
	hm       *ui.HeatmapPanel
	table    *ui.ExtentTable
	focus    panel
	gen      int
	cancel   context.CancelFunc
	events   <-chan vsphere.Event
	loading  bool
	progress vsphere.Progress
	fault    *vsphere.Fault
	fetchErr error
	summary  ui.Summary
	sumAt    time.Time
	sumVer   uint64
	layout   layout

	status   string
	showHelp bool
	help     help.Model
}

// New builds the root model.
func New(cfg Config) *Model {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	m := &Model{cfg: cfg, st: cfg.Styles, keys: cfg.Keys, help: help.New()}
	m.hm = ui.NewHeatmapPanel(m.st, m.keys.Heatmap)
	m.table = ui.NewExtentTable(m.st, m.keys.Extents)
	m.help.Styles = help.DefaultStyles(m.st.Dark)
	if m.st.NoColor {
		m.help.Styles = help.Styles{}
	}
	m.input = textinput.New()
	m.input.Placeholder = "52 xx xx xx xx xx xx xx-xx xx xx xx xx xx xx xx/N"
	m.input.CharLimit = 120
	// A steady cursor: a blinking one is a timer that never ends, which
	// would keep Drive (and screenshots) from ever settling.
	is := m.input.Styles()
	is.Cursor.Blink = false
	m.input.SetStyles(is)
	if o := cfg.Opened; o != nil {
		m.openExport(o)
	}
	return m
}

// Init starts connecting, unless a file was opened.
func (m *Model) Init() tea.Cmd {
	if m.cfg.Opened != nil {
		return nil
	}
	m.screen, m.busy = screenConnecting, "connecting to "+m.cfg.Where
	return connect(m.cfg.Connect)
}

func (m *Model) openExport(o *Opened) {
	e := o.Export
	m.screen = screenExplorer
	m.disk = vsphere.Disk{ID: e.Disk.ID, Name: e.Disk.Name, CapacityBytes: e.Disk.CapacityBytes,
		Datastore: vsphere.Datastore{Name: e.Disk.Datastore}}
	m.target = vsphere.Snapshot{ID: e.SnapshotID}
	m.base, m.baseLabel = e.ChangeID, e.ChangeID
	m.fault = e.Fault
	m.setMap(o.Map)
	m.progress = vsphere.Progress{Scanned: o.Map.ScannedBytes(0, o.Map.Capacity()), Total: o.Map.Capacity(), Pages: int64(e.Stats.Pages)}
	m.refreshSummary(true)
}

func (m *Model) setMap(cm *heatmap.ChangeMap) {
	m.cm = cm
	m.hm.SetMap(cm)
	m.table.SetMap(cm)
	m.focus = panelHeatmap
	m.applyFocus()
	m.relayout()
}

// refreshSummary recomputes the statistics, at most a few times a second
// while pages stream (it is linear in the extents) and always when forced.
func (m *Model) refreshSummary(force bool) {
	if m.cm == nil {
		return
	}
	if !force && (m.cm.Version() == m.sumVer || time.Since(m.sumAt) < refreshEvery) {
		return
	}
	m.summary = ui.Summary{Stats: m.cm.Stats(), Largest: ui.LargestExtents(m.cm, 5), Progress: m.progress, Loading: m.loading}
	m.sumAt, m.sumVer = time.Now(), m.cm.Version()
}

func (m *Model) applyFocus() {
	m.hm.Focus(m.focus == panelHeatmap)
	m.table.Focus(m.focus == panelExtents)
}

// cancelFetch abandons the running fetch; its remaining events are drained
// in the background and dropped by generation.
func (m *Model) cancelFetch() {
	if m.cancel != nil {
		m.cancel()
		m.cancel = nil
	}
	if ch := m.events; ch != nil {
		go func() {
			for range ch {
			}
		}()
		m.events = nil
	}
	m.loading = false
}
