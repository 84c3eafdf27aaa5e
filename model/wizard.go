package model

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/ui"
	"github.com/cbtscope/cbtscope/vsphere"
)

// step is where the wizard is.
type step int

const (
	stepConnecting step = iota
	stepError
	stepDatastores // datastores (for their First Class Disks) and virtual machines
	stepDisks
	stepVMDisks
	stepSnapshots
	stepBase
	numSteps
)

// wizard is the inventory component: it connects, then offers the
// datastores, a datastore's disks, a disk's snapshots (the target) and the
// bases to compare it with, and asks the root to open the chosen map. Each
// list remembers what was chosen in it, so going back puts the cursor where
// it was; the defaults lead to a map that can be fetched.
type wizard struct {
	c    *common
	w, h int

	src     Source
	step    step
	busy    string
	gen     int // bumped by every choice and every step back
	cancel  context.CancelFunc
	err     error
	errBack step // where esc goes from the error; stepError: nowhere

	picker     *ui.Picker
	datastores []vsphere.Datastore
	vms        []vsphere.VM
	disks      []vsphere.Disk
	snaps      []vsphere.Snapshot
	datastore  vsphere.Datastore
	disk       vsphere.Disk
	target     vsphere.Snapshot
	// vm is the chosen VM and vmDisk its disk, when the map is of a VM
	// disk; disk then stands for it (name, capacity, datastore).
	vm      *vsphere.VM
	vmDisk  vsphere.VMDisk
	vmSnaps []vsphere.VMSnapshot
	// chosen is the key of the last choice made in each list.
	chosen [numSteps]string
	// ahead are keys typed while the next list loads, replayed on it.
	ahead []tea.KeyPressMsg
}

// maxAhead bounds the keys kept while a list loads.
const maxAhead = 16

func newWizard(c *common) *wizard { return &wizard{c: c, errBack: stepError} }

// connect starts connecting; esc cancels it.
func (w *wizard) connect() tea.Cmd {
	w.step, w.busy, w.err = stepConnecting, "connecting to "+w.c.cfg.Where, nil
	ctx, cancel := context.WithCancel(context.Background())
	w.cancel = cancel
	// Connecting takes a few calls, each bounded by the per-call timeout.
	return connectCmd(ctx, w.c.cfg.Connect, 4*w.c.cfg.Timeout)
}

func (w *wizard) SetSize(width, height int) {
	w.w, w.h = width, height
	if w.picker != nil {
		w.picker.SetSize(width, height)
	}
}

func (w *wizard) Typing() bool {
	return w.picking() && w.picker != nil && w.picker.Filtering()
}

func (w *wizard) picking() bool { return w.step >= stepDatastores && w.step <= stepBase }

// shownError is the error on screen, if one is.
func (w *wizard) shownError() error {
	if w.step == stepError {
		return w.err
	}
	return nil
}

// fail shows an error; esc from it goes back to the list of step back.
func (w *wizard) fail(err error, back step) {
	w.err, w.errBack, w.busy, w.ahead = err, back, "", nil
	w.step = stepError
}

func (w *wizard) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case connectedMsg:
		w.cancel = nil
		if msg.err != nil {
			w.fail(msg.err, stepError)
			return nil
		}
		w.src = msg.src
		if sel := w.c.cfg.Select; sel != nil {
			w.busy = "finding " + sel.Disk
			return autoSelect(w.src, *sel, w.c.cfg.Timeout)
		}
		w.busy = "listing datastores"
		return loadDatastores(w.gen, w.src, w.c.cfg.Timeout)
	case datastoresMsg:
		if msg.gen != w.gen {
			return nil
		}
		return w.onDatastores(msg)
	case disksMsg:
		if msg.gen != w.gen {
			return nil // the user chose again, or went back
		}
		return w.onDisks(msg)
	case snapshotsMsg:
		if msg.gen != w.gen {
			return nil
		}
		return w.onSnapshots(msg)
	case selectedMsg:
		return w.onSelected(msg)
	case tea.KeyPressMsg:
		return w.onKey(msg)
	}
	if w.picking() && w.picker != nil {
		return w.picker.Update(msg)
	}
	return nil
}

func (w *wizard) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := w.c.keys.Picker
	switch w.step {
	case stepConnecting:
		if key.Matches(msg, k.Back) && w.cancel != nil {
			w.cancel()
		}
		return nil
	case stepError:
		switch {
		case key.Matches(msg, k.Back) && w.errBack != stepError:
			w.gen++ // a reply to what failed is no longer wanted
			w.err = nil
			w.show(w.errBack)
		case key.Matches(msg, k.Reload) && w.src == nil && w.c.cfg.Connect != nil:
			return w.connect()
		case key.Matches(msg, k.Reload) && w.errBack != stepError:
			w.err = nil
			w.show(w.errBack)
			return w.reload()
		}
		return nil
	}
	if !w.picking() || w.picker == nil {
		return nil
	}
	if w.picker.Filtering() {
		return w.picker.Update(msg)
	}
	if w.busy != "" && !key.Matches(msg, k.Back) {
		// The next list is loading: keys typed ahead are meant for it.
		if len(w.ahead) < maxAhead {
			w.ahead = append(w.ahead, msg)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Back) && !w.picker.Filtered():
		w.ahead = nil
		w.back()
		return nil
	case key.Matches(msg, k.Select):
		return w.choose()
	case key.Matches(msg, k.Reload):
		return w.reload()
	case key.Matches(msg, w.c.keys.Explorer.Timeline):
		return w.timeline()
	}
	return w.picker.Update(msg)
}

// reload lists the current step again: a snapshot deleted meanwhile goes,
// a new one comes.
func (w *wizard) reload() tea.Cmd {
	w.gen++
	t := w.c.cfg.Timeout
	switch w.step {
	case stepDatastores:
		w.busy = "listing datastores again"
		return loadDatastores(w.gen, w.src, t)
	case stepDisks:
		w.busy = "listing disks on " + w.datastore.Name + " again"
		return loadDisks(w.gen, w.src, w.datastore, t)
	case stepVMDisks:
		w.busy = "reading " + w.vm.Name + " again"
		return loadDatastores(w.gen, w.src, t)
	case stepSnapshots, stepBase:
		w.busy = "listing snapshots of " + w.disk.Name + " again"
		return w.loadSnapshots()
	}
	return nil
}

// back goes to the list before this one.
func (w *wizard) back() {
	w.gen++ // whatever was loading is no longer wanted
	w.busy = ""
	switch w.step {
	case stepDisks:
		w.show(stepDatastores)
	case stepVMDisks:
		w.show(stepDatastores)
	case stepSnapshots:
		if w.vm != nil {
			w.show(stepVMDisks)
		} else {
			w.show(stepDisks)
		}
	case stepBase:
		w.show(stepSnapshots)
	}
}

// show puts up the list of step s from what was loaded, the cursor on the
// last choice made in it.
func (w *wizard) show(s step) {
	var cs []ui.Choice
	def := 0
	title := ""
	switch s {
	case stepDatastores:
		cs, def = datastoreChoices(w.datastores), firstAccessible(w.datastores)
		cs = append(cs, vmChoices(w.vms)...)
		title = "Datastores (First Class Disks) and virtual machines"
		if len(w.datastores) == 0 && len(w.vms) > 0 {
			def = len(cs) - len(w.vms)
		}
	case stepVMDisks:
		cs, def, title = vmDiskChoices(*w.vm), 0, "Disks of "+w.vm.Name
	case stepDisks:
		cs, def, title = diskChoices(w.disks), firstMappable(w.disks, w.c.cfg.Prefer), "Disks on "+w.datastore.Name
	case stepSnapshots:
		for i, sn := range w.snaps {
			cs = append(cs, snapshotChoice(sn))
			if sn.ID != "" {
				def = i // the newest snapshot, not the disk as it is
			}
		}
		title = "Target snapshot of " + w.disk.Name
	case stepBase:
		cs, def = baseChoices(w.snaps, w.target)
		title = "Base for " + label(w.target)
	}
	if s == stepSnapshots && w.vm != nil {
		title = "Target snapshot of " + w.vm.Name + " · " + w.vmDisk.Label
	}
	sel := def
	for i, c := range cs {
		if k := choiceKey(c.Value); k != "" && k == w.chosen[s] {
			sel = i
		}
	}
	w.step = s
	w.picker = ui.NewPicker(w.c.st, title, cs, sel)
	w.picker.SetSize(w.w, w.h)
}

// showBase is where the root returns from the explorer.
func (w *wizard) showBase() {
	if len(w.snaps) > 0 {
		w.show(stepBase)
	}
}

func (w *wizard) onDatastores(msg datastoresMsg) tea.Cmd {
	w.busy = ""
	if msg.err != nil {
		w.fail(msg.err, stepError)
		return nil
	}
	w.datastores, w.vms = msg.list, msg.vms
	if w.vm != nil {
		// A reload of a VM's disks: take its new state.
		if vm, ok := findVM(w.vms, w.vm.Ref.Value); ok {
			w.vm = &vm
			w.show(stepVMDisks)
			return w.replay()
		}
		w.vm = nil
	}
	w.show(stepDatastores)
	var cmds []tea.Cmd
	if msg.vmErr != nil {
		cmds = append(cmds, sayErr(fmt.Errorf("virtual machines could not be listed: %w", msg.vmErr)))
	}
	return tea.Batch(append(cmds, w.replay())...)
}

func (w *wizard) onDisks(msg disksMsg) tea.Cmd {
	w.busy = ""
	if msg.err != nil {
		w.fail(msg.err, stepDatastores)
		return nil
	}
	w.disks = msg.list
	w.show(stepDisks)
	return w.replay()
}

func (w *wizard) onSnapshots(msg snapshotsMsg) tea.Cmd {
	w.busy = ""
	if msg.err != nil {
		if w.vm != nil {
			w.fail(msg.err, stepVMDisks)
		} else {
			w.fail(msg.err, stepDisks)
		}
		return nil
	}
	w.snaps, w.vmSnaps = msg.list, msg.vmSnaps
	back := stepDisks
	if w.vm != nil {
		back = stepVMDisks
	}
	if len(w.snaps) == 0 {
		w.fail(fmt.Errorf("%s has no snapshots: CBT queries need one", w.disk.Name), back)
		return nil
	}
	next := stepSnapshots
	if w.step == stepBase {
		next = stepBase // a reload of the base list keeps it
		if _, ok := findSnapshot(w.snaps, w.target.ID); !ok {
			next = stepSnapshots // the target is gone
		}
	}
	w.show(next)
	return w.replay()
}

// replay applies the keys typed while the list loaded, stopping to queue
// the rest again when one of them starts loading another.
func (w *wizard) replay() tea.Cmd {
	keys := w.ahead
	w.ahead = nil
	var cmds []tea.Cmd
	for i, k := range keys {
		cmds = append(cmds, w.onKey(k))
		if w.busy != "" || !w.picking() {
			w.ahead = append(w.ahead, keys[i+1:]...)
			break
		}
	}
	return tea.Batch(cmds...)
}

func (w *wizard) onSelected(msg selectedMsg) tea.Cmd {
	w.busy = ""
	if msg.err != nil {
		w.datastores, w.vms = msg.datastores, msg.vms
		if len(w.datastores)+len(w.vms) > 0 {
			w.show(stepDatastores)
		}
		w.fail(msg.err, stepDatastores)
		return nil
	}
	w.datastores, w.vms, w.disks, w.snaps = msg.datastores, msg.vms, msg.disks, msg.snaps
	w.datastore, w.disk, w.target = msg.disk.Datastore, msg.disk, msg.target
	w.chosen[stepDatastores], w.chosen[stepDisks], w.chosen[stepSnapshots] = w.datastore.Name, w.disk.ID, choiceKey(w.target)
	if msg.vm != nil {
		w.vm, w.vmDisk, w.vmSnaps = msg.vm, msg.vmDisk, msg.vmSnaps
		w.chosen[stepDatastores], w.chosen[stepVMDisks] = choiceKey(*msg.vm), choiceKey(msg.vmDisk)
	}
	sel := w.selection(msg.base)
	w.chosen[stepBase] = "*"
	if sn, ok := baseSnapshotOf(w.snaps, w.target, msg.base); ok {
		w.chosen[stepBase] = choiceKey(sn)
	}
	w.show(stepBase)
	return emit(openMapMsg{sel: sel})
}

// choose acts on the highlighted choice.
func (w *wizard) choose() tea.Cmd {
	c, ok := w.picker.Selected()
	if !ok {
		return nil
	}
	w.chosen[w.step] = choiceKey(c.Value)
	t := w.c.cfg.Timeout
	switch v := c.Value.(type) {
	case vsphere.Datastore:
		w.datastore, w.vm = v, nil
		w.busy = "listing disks on " + v.Name
		w.gen++
		return loadDisks(w.gen, w.src, v, t)
	case vsphere.VM:
		w.vm = &v
		w.show(stepVMDisks)
		return nil
	case vsphere.Disk:
		if err := refuse(v); err != nil {
			w.fail(err, stepDisks)
			return nil
		}
		w.disk = v
		w.busy = "listing snapshots of " + v.Name
		w.gen++
		return w.loadSnapshots()
	case vsphere.VMDisk:
		if err := refuseVM(*w.vm, v); err != nil {
			w.fail(err, stepVMDisks)
			return nil
		}
		w.vmDisk, w.disk = v, vmDiskAsDisk(*w.vm, v)
		w.busy = "listing snapshots of " + w.vm.Name
		w.gen++
		return w.loadSnapshots()
	case vsphere.Snapshot:
		if w.step == stepSnapshots {
			if w.vm != nil {
				// A VM disk whose backing has no changeId there faults on
				// any query: say why before asking.
				if diag, ok := vsphere.CBTNotInEffect(*w.vm, w.vmDisk, vmSnapshot(w.vmSnaps, v)); ok {
					w.fail(&refusedError{w.disk.Name + " at " + label(v), "FileFault noTrack or noEpoch", diag}, stepSnapshots)
					return nil
				}
			}
			w.target = v
			w.show(stepBase)
			return nil
		}
		if v.ChangeID == "" {
			return say(label(v) + " has no changeId (CBT was off when it was taken): pick another base, or * for allocated areas")
		}
		return emit(openMapMsg{sel: w.selection(v.ChangeID)})
	case baseStar:
		return emit(openMapMsg{sel: w.selection("*")})
	case baseTyped:
		in := newInput(w.c, "Base changeId", "a changeId from a backup product's log, e.g. 52 05 a2 ce 6d 6d c9 59-d3 2e ad 19 e3 96 73 6d/5; '*' for allocated areas", "",
			func(v string) (tea.Cmd, error) {
				if v == "" {
					return nil, errors.New("type a changeId, or * for allocated areas")
				}
				return emit(openMapMsg{sel: w.selection(v)}), nil
			})
		return openOverlay(in)
	}
	return nil
}

// timeline opens the timeline of the disk highlighted, or chosen.
func (w *wizard) timeline() tea.Cmd {
	switch w.step {
	case stepSnapshots, stepBase:
		return emit(openTimelineMsg{sel: w.selection("*")})
	case stepDisks, stepVMDisks:
		c, ok := w.picker.Selected()
		if !ok {
			return nil
		}
		switch v := c.Value.(type) {
		case vsphere.Disk:
			if err := refuse(v); err != nil {
				w.fail(err, stepDisks)
				return nil
			}
			return emit(openTimelineMsg{sel: selection{disk: v}})
		case vsphere.VMDisk:
			if err := refuseVM(*w.vm, v); err != nil {
				w.fail(err, stepVMDisks)
				return nil
			}
			return emit(openTimelineMsg{sel: selection{disk: vmDiskAsDisk(*w.vm, v), vm: &vmSelection{vm: *w.vm, disk: v}}})
		}
	}
	return say("choose a disk first: t shows a disk's timeline")
}

// loadSnapshots lists the chosen disk's snapshots, a VM's as its disk sees
// them.
func (w *wizard) loadSnapshots() tea.Cmd {
	if w.vm != nil {
		return loadVMSnapshots(w.gen, w.src, *w.vm, w.vmDisk, w.c.cfg.Timeout)
	}
	return loadSnapshots(w.gen, w.src, w.disk, w.c.cfg.Timeout)
}

// selection is the map of the chosen disk and target since base.
func (w *wizard) selection(base string) selection {
	s := selection{disk: w.disk, target: w.target, base: base}
	if w.vm != nil {
		s.vm = &vmSelection{vm: *w.vm, disk: w.vmDisk, snap: vmSnapshot(w.vmSnaps, w.target)}
	}
	switch {
	case base == "*":
		s.baseLabel, s.baseName = "* (allocated areas)", "allocated"
	default:
		if sn, ok := baseSnapshotOf(w.snaps, w.target, base); ok {
			s.baseLabel, s.baseName = label(sn), "since-"+shortID(sn.ID)
		} else {
			h := fnv.New32a()
			h.Write([]byte(base))
			s.baseLabel, s.baseName = "changeId "+base, fmt.Sprintf("since-changeid-%08x", h.Sum32())
		}
	}
	return s
}

// baseSnapshotOf is the snapshot other than target whose changeId is base.
func baseSnapshotOf(snaps []vsphere.Snapshot, target vsphere.Snapshot, base string) (vsphere.Snapshot, bool) {
	for _, sn := range snaps {
		if sn.ChangeID == base && sn.ID != target.ID {
			return sn, true
		}
	}
	return vsphere.Snapshot{}, false
}

// refusedError is a disk cbtscope will not query, and why.
type refusedError struct {
	disk  string
	fault string // what a query would fail with
	d     vsphere.Diagnosis
}

func (e *refusedError) Error() string {
	return fmt.Sprintf("%s: %s (a query would fail with %s)", e.disk, e.d.Title, e.fault)
}

// refuse says why a disk cannot be queried, before any snapshot list: CBT
// off, or its datastore inaccessible.
func refuse(d vsphere.Disk) error {
	switch {
	case !d.CBTEnabled:
		return &refusedError{d.Name, "InvalidState", vsphere.Diagnose(&vsphere.Fault{Type: "InvalidState"})}
	case !d.Datastore.Accessible:
		return &refusedError{d.Name, "InvalidDatastore", vsphere.Diagnose(&vsphere.Fault{Type: "InvalidDatastore"})}
	}
	return nil
}

func (w *wizard) View() string {
	switch w.step {
	case stepConnecting:
		return ui.Fit("\n  "+w.busy+" …\n\n  "+w.c.st.Subtle.Render("esc cancels"), w.w, w.h)
	case stepError:
		return errorView(w.c.st, w.err, w.errBack != stepError, w.w, w.h)
	}
	if w.picker == nil {
		return ui.Fit("", w.w, w.h)
	}
	return w.picker.View()
}

func (w *wizard) StatusLine(width int) string {
	if w.busy != "" {
		return ui.FitLine(w.c.st.Warn.Render(" "+w.busy+" …"), width)
	}
	return ui.FitLine("", width)
}

func (w *wizard) ShortHelp() []key.Binding {
	if w.step == stepError {
		k := w.c.keys
		if w.errBack == stepError {
			return []key.Binding{k.Picker.Reload, k.Global.LastError, k.Global.Help, k.Global.Quit}
		}
		return k.ShortHelp("error")
	}
	return w.c.keys.ShortHelp("picker")
}

func (w *wizard) FullHelp() [][]key.Binding {
	k := w.c.keys
	return [][]key.Binding{
		{k.Picker.Select, k.Picker.Filter, k.Picker.Back, k.Picker.Reload, k.Explorer.Timeline},
		{k.Global.LastError, k.Global.Help, k.Global.Quit},
	}
}

// Choices.

// baseStar and baseTyped are the special bases offered after the snapshots.
type (
	baseStar  struct{}
	baseTyped struct{}
)

func choiceKey(v any) string {
	switch v := v.(type) {
	case vsphere.Datastore:
		return v.Name
	case vsphere.Disk:
		return v.ID
	case vsphere.VM:
		return "vm:" + v.Ref.Value
	case vsphere.VMDisk:
		return "key:" + fmt.Sprint(v.Key)
	case vsphere.Snapshot:
		return "snapshot:" + v.ID
	case baseStar:
		return "*"
	}
	return ""
}

func datastoreChoices(dss []vsphere.Datastore) []ui.Choice {
	var cs []ui.Choice
	for _, ds := range dss {
		detail := "accessible"
		if !ds.Accessible {
			detail = "NOT accessible: its disks cannot be queried"
		}
		if ds.Type != "" && ds.Type != "OTHER" {
			detail = ds.Type + " · " + detail
		}
		cs = append(cs, ui.Choice{Name: oneLine(ds.Name), Detail: oneLine(detail), Value: ds})
	}
	return cs
}

func firstAccessible(dss []vsphere.Datastore) int {
	for i, ds := range dss {
		if ds.Accessible {
			return i
		}
	}
	return 0
}

func diskChoices(disks []vsphere.Disk) []ui.Choice {
	var cs []ui.Choice
	for _, d := range disks {
		state := "CBT on"
		switch {
		case !d.CBTEnabled:
			state = "CBT off: cannot be queried"
		case !d.Datastore.Accessible:
			state = "datastore NOT accessible"
		}
		cs = append(cs, ui.Choice{Name: oneLine(d.Name), Detail: oneLine(fmt.Sprintf("%s · %s · %s", heatmap.FormatBytes(d.CapacityBytes), state, d.ID)), Value: d})
	}
	return cs
}

// firstMappable is the preferred disk, or else the first a query can map.
func firstMappable(disks []vsphere.Disk, prefer string) int {
	first := -1
	for i, d := range disks {
		if refuse(d) != nil {
			continue
		}
		if d.Name == prefer && prefer != "" {
			return i
		}
		if first < 0 {
			first = i
		}
	}
	return max(first, 0)
}

func snapshotChoice(s vsphere.Snapshot) ui.Choice {
	id := s.ChangeID
	if id == "" {
		id = "no changeId (CBT was off)"
	}
	when := s.CreateTime.Format(time.DateTime)
	if s.ID == "" {
		when = "now" // a powered-off VM's disk as it is
	}
	return ui.Choice{Name: oneLine(label(s)), Detail: oneLine(when + " · " + id), Value: s}
}

// baseChoices are the snapshots before the target, then '*' and a typed
// changeId; the default is the newest earlier snapshot with a changeId, or
// '*'.
func baseChoices(snaps []vsphere.Snapshot, target vsphere.Snapshot) ([]ui.Choice, int) {
	var cs []ui.Choice
	def := -1
	best, ok := vsphere.DefaultBaseSnapshot(snaps, target)
	for _, s := range snaps {
		if s.CreateTime.Before(target.CreateTime) && s.ID != target.ID {
			if ok && s.ID == best.ID {
				def = len(cs)
			}
			cs = append(cs, snapshotChoice(s))
		}
	}
	cs = append(cs,
		ui.Choice{Name: "* allocated areas", Detail: "every block ever written (changeId *)", Value: baseStar{}},
		ui.Choice{Name: "type a changeId…", Detail: "from a backup product's log, say", Value: baseTyped{}})
	if def < 0 {
		def = len(cs) - 2
	}
	return cs, def
}

func label(s vsphere.Snapshot) string {
	if s.Description != "" {
		return s.Description
	}
	return s.ID
}

func findSnapshot(snaps []vsphere.Snapshot, id string) (vsphere.Snapshot, bool) {
	for _, s := range snaps {
		if s.ID == id {
			return s, true
		}
	}
	return vsphere.Snapshot{}, false
}

func shortID(id string) string {
	id = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, id)
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
