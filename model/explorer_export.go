package model

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/vsphere"
)

// exportedMsg reports a finished export.
type exportedMsg struct {
	owner *explorer
	path  string
	exp   *vsphere.Export
	err   error
}

// exportName names an export by what it shows: disk, target and base, so
// that maps of one disk with different bases never share a file.
func exportName(sel selection, format string) string {
	return fmt.Sprintf("cbtscope-%s-%s-%s.%s", fileSafe(sel.disk.Name), shortID(sel.target.ID), fileSafe(sel.baseName), format)
}

func fileSafe(s string) string {
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
	if s == "" {
		return "disk"
	}
	return s
}

// unusedPath is path, or path with -2, -3 … before its extension when a file
// of that name exists: a suggestion never points at an existing file.
func unusedPath(path string) string {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	p := path
	for i := 2; ; i++ {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
		p = fmt.Sprintf("%s-%d%s", stem, i, ext)
	}
}

// askExport offers a file name for the export, in the export directory,
// editable; a file that exists is overwritten only when the user says so.
func (e *explorer) askExport(format string) tea.Cmd {
	suggest := unusedPath(filepath.Join(e.c.cfg.ExportDir, exportName(e.sel, format)))
	title := "Export " + strings.ToUpper(format) + " to"
	hint := "enter writes the file · esc cancels"
	if !e.sweep.Map.Complete() {
		hint = "the map is INCOMPLETE: the file will say so (complete=false) · " + hint
	}
	in := newInput(e.c, title, hint, suggest, func(path string) (tea.Cmd, error) {
		if path == "" {
			return nil, errors.New("give a file name")
		}
		path = filepath.Clean(path)
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("no directory %s", filepath.Dir(path))
		}
		// The map is copied now, in Update: pages keep arriving after.
		disk, vm := e.sel.exportIdentity()
		exp := e.sweep.Export(disk, e.sel.target.ID, e.sel.base)
		exp.VM = vm
		write := writeExport(e, exp, path, format)
		if fi, err := os.Stat(path); err == nil {
			if fi.IsDir() {
				return nil, fmt.Errorf("%s is a directory", path)
			}
			what := path + " exists"
			if o := e.opened; o != nil && sameFile(o.Path, path) {
				what = path + " is the file this map was opened from"
			}
			return openOverlay(newConfirm(e.c, what+": overwrite it?", write)), nil
		}
		return write, nil
	})
	return openOverlay(in)
}

func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

func writeExport(e *explorer, exp *vsphere.Export, path, format string) tea.Cmd {
	return func() tea.Msg {
		return exportedMsg{e, path, exp, exp.WriteFile(path, format)}
	}
}

// onExported says where the export went, and whether it is the whole map.
func (e *explorer) onExported(msg exportedMsg) tea.Cmd {
	if msg.err != nil {
		return sayErr(fmt.Errorf("export failed: %w", msg.err))
	}
	x := msg.exp
	if x.Complete {
		return say("exported to " + msg.path)
	}
	why := fmt.Sprintf("%.0f%% scanned", 100*float64(x.Stats.ScannedBytes)/float64(max(x.Disk.CapacityBytes, 1)))
	if x.Fault != nil {
		why += ", stopped by " + x.Fault.Type
	}
	return say(fmt.Sprintf("exported to %s: INCOMPLETE (%s; the file says complete=false)", msg.path, why))
}
