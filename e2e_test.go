package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestEndToEnd builds the binary and drives it in a detached tmux session the
// way a user would: the demo opens, a disk is picked, the map loads, the
// heatmap zooms in and out, a faulting disk shows its diagnosis, q quits with
// exit status 0.
func TestEndToEnd(t *testing.T) {
	dir, bin := e2eBuild(t)
	deadline := time.Now().Add(60 * time.Second)
	s := e2eStartTmux(t, dir, bin)

	// The demo opens on the datastore list.
	s.waitFor("the datastore list", 10*time.Second, e2eHas("Datastores", "ds-prod-01", "ds-prod-02", "ds-archive"))
	s.pick("ds-prod-01", "Disks on ds-prod-01")
	s.pick("sql-data-01", "Target snapshot of sql-data-01")
	s.keys("Enter") // the newest snapshot is preselected
	s.waitFor("the base picker", 5*time.Second, e2eHas("Base for", "allocated areas"))
	s.keys("Enter") // the snapshot before it is preselected

	// The map loads: progress reaches 100%, the statistics appear.
	screen := s.waitFor("the loaded map with statistics", 15*time.Second,
		e2eHas("Heatmap", "whole disk", "100%", "done in", "Statistics", "changed", "CBT block", "(inferred from"))
	if n := e2eExtentsInView(screen); n <= 0 {
		t.Fatalf("the extent table lists %d extents for a disk with changes:\n%s", n, screen)
	}
	if c := e2eHeatmapBackgrounds(s.captureANSI()); len(c) < 2 {
		t.Fatalf("the heatmap shows %d background colour(s) %v: changed and unchanged cells should differ", len(c), c)
	}

	// Help is modal: keys pressed under it do nothing to the map.
	s.keys("?")
	s.waitFor("the help screen", 5*time.Second, e2eHas("Keys", "go to offset"))
	s.keys("j", "j", "Enter", "BSpace", "n", "Escape")
	s.waitFor("the map, untouched", 5*time.Second, func(screen string) bool {
		return strings.Contains(screen, "whole disk") && !strings.Contains(screen, "whole disk ›") && !strings.Contains(screen, "Base for")
	})

	// A resize keeps the cursor on its byte.
	s.keys("n", "n", "Down", "Down")
	beforeRange := s.settled("the inspector after moving", e2eInspectorRange)
	start, _ := e2eRangeStart(beforeRange)
	s.tmux("resize-window", "-t", "e2e", "-x", "100", "-y", "30")
	s.waitFor("the inspector at 100×30 on the same byte", 5*time.Second, func(screen string) bool {
		r := e2eInspectorRange(screen)
		st, ok := e2eRangeStart(r)
		return ok && r != beforeRange && st <= start && start-st < 200<<20
	})
	s.tmux("resize-window", "-t", "e2e", "-x", strconv.Itoa(e2eWidth), "-y", strconv.Itoa(e2eHeight))
	s.waitFor("the same cell back at full size", 5*time.Second, func(screen string) bool { return e2eInspectorRange(screen) == beforeRange })

	// Two exports with different bases are two files.
	s.keys("e")
	s.waitFor("the export dialog", 5*time.Second, e2eHas("Export JSON to"))
	s.keys("Enter")
	s.waitFor("the export", 5*time.Second, e2eHas("exported to"))
	s.keys("Escape")
	s.waitFor("the base picker", 5*time.Second, e2eHas("Base for"))
	for range 10 {
		if strings.Contains(s.capture(), "│ * allocated areas") {
			break
		}
		s.keys("Down")
		time.Sleep(100 * time.Millisecond)
	}
	s.keys("Enter")
	s.waitFor("the allocated-areas map", 15*time.Second, e2eHas("since * (allocated areas)", "done in"))
	s.keys("e")
	s.waitFor("the export dialog", 5*time.Second, e2eHas("Export JSON to"))
	s.keys("Enter")
	s.waitFor("the second export", 5*time.Second, e2eHas("exported to"))
	if files, _ := filepath.Glob(filepath.Join(dir, "cbtscope-sql-data-01-*.json")); len(files) != 2 {
		t.Fatalf("two exports with different bases left %v", files)
	}

	// n moves the cursor onto a changed cell; enter zooms into it.
	s.keys("n")
	s.waitFor("the cursor on a changed cell", 5*time.Second, func(screen string) bool {
		return e2eInspectorExtents(screen) > 0
	})
	s.keys("Enter")
	screen = s.waitFor("the zoomed-in breadcrumb", 5*time.Second, e2eHas("whole disk ›"))
	if !regexp.MustCompile(`whole disk › (\S+ \S+–\S+ \S+|[\d,]+ \+\S+ \S+)`).MatchString(screen) {
		t.Fatalf("the breadcrumb does not name the zoomed range:\n%s", screen)
	}
	s.keys("Escape")
	s.waitFor("the whole disk again", 5*time.Second, func(screen string) bool {
		return strings.Contains(screen, "whole disk") && !strings.Contains(screen, "whole disk ›")
	})

	// esc at the top goes back through the pickers.
	s.keys("Escape")
	s.waitFor("the base picker", 5*time.Second, e2eHas("Base for"))
	s.keys("Escape")
	s.waitFor("the target picker", 5*time.Second, e2eHas("Target snapshot of sql-data-01"))
	s.keys("Escape")
	s.waitFor("the disk list", 5*time.Second, e2eHas("Disks on ds-prod-01", "erp-data-02"))

	// A disk whose change tracking file is corrupt: the fault panel explains.
	s.pick("erp-data-02", "Target snapshot of erp-data-02")
	s.keys("Enter")
	s.waitFor("the base picker", 5*time.Second, e2eHas("Base for"))
	s.keys("Enter")
	s.waitFor("the diagnosis", 15*time.Second, func(screen string) bool {
		panel := e2ePanel(screen, "Fault ")
		return strings.Contains(panel, "FileFault: Change tracking file corrupt") &&
			strings.Contains(panel, "Reset CBT") && strings.Contains(panel, "cannotGetChanges")
	})

	// Its export says INCOMPLETE, and cbtscope open reads it back.
	s.keys("e")
	s.waitFor("the export dialog", 5*time.Second, e2eHas("Export JSON to", "INCOMPLETE"))
	s.keys("Enter")
	s.waitFor("the export", 5*time.Second, e2eHas("exported to", "INCOMPLETE"))
	s.keys("q")
	if code := s.waitExit(time.Until(deadline)); code != 0 {
		t.Fatalf("cbtscope exited with status %d, want 0", code)
	}
	faulted, _ := filepath.Glob(filepath.Join(dir, "cbtscope-erp-data-02-*.json"))
	if len(faulted) != 1 {
		t.Fatalf("exports of the faulted disk: %v", faulted)
	}
	o := e2eStartTmux(t, dir, bin, "open", faulted[0])
	o.waitFor("the opened export", 10*time.Second, e2eHas("offline", "INCOMPLETE", "FileFault"))
	o.keys("q")
	if code := o.waitExit(10 * time.Second); code != 0 {
		b, _ := os.ReadFile(o.stderrFile)
		t.Fatalf("cbtscope open exited with status %d: %s", code, b)
	}
}

// From the first screen to a VM disk's heatmap, with the keys the README
// lists.
func TestEndToEndVMDisk(t *testing.T) {
	dir, bin := e2eBuild(t)
	s := e2eStartTmux(t, dir, bin)
	s.waitFor("the first list", 10*time.Second, e2eHas("Datastores (First Class Disks) and virtual machines", "web-01", "virtual machine"))
	s.pick("web-01", "Disks of web-01")
	s.keys("Enter") // its first disk
	s.waitFor("the VM's snapshots", 5*time.Second, e2eHas("Target snapshot of web-01 · Hard disk 1"))
	s.keys("Enter")
	s.waitFor("the base picker", 5*time.Second, e2eHas("Base for"))
	s.keys("Enter")
	s.waitFor("the VM disk's map", 15*time.Second, e2eHas("web-01 · Hard disk 1", "Heatmap", "100%", "done in", "CBT block"))
	s.keys("q")
	if code := s.waitExit(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

// t shows a disk's timeline, enter opens an interval, c on two intervals
// compares them.
func TestEndToEndTimelineAndCompare(t *testing.T) {
	dir, bin := e2eBuild(t)
	s := e2eStartTmux(t, dir, bin)
	s.waitFor("the first list", 10*time.Second, e2eHas("Datastores", "ds-prod-01"))
	s.pick("ds-prod-01", "Disks on ds-prod-01")
	s.pick("orders-db-01", "Target snapshot of orders-db-01")
	s.keys("t")
	s.waitFor("the whole chain with its flags", 30*time.Second, e2eHas("Timeline · chart", "S11→S12", "▲ spike", "all complete"))
	s.keys("v")
	s.waitFor("the strip", 5*time.Second, e2eHas("Timeline · strip"))
	s.keys("Enter")
	s.waitFor("the first interval's map", 5*time.Second, e2eHas("Heatmap", "orders-db-01 · nightly backup 2026-01-06 since nightly backup 2026-01-05"))
	s.keys("Escape")
	s.waitFor("the timeline again", 5*time.Second, e2eHas("Timeline · strip"))
	s.keys("c")
	s.waitFor("A set aside", 5*time.Second, e2eHas("marked"))
	s.keys("j", "c")
	s.waitFor("the comparison", 10*time.Second, e2eHas("Compare", "only in A", "only in B", "in both"))
	s.keys("q")
	if code := s.waitExit(10 * time.Second); code != 0 {
		t.Fatalf("exit status %d", code)
	}
}

// Quitting on an error screen prints the error and fails, so the advice on
// screen is not lost with it.
func TestEndToEndErrorExit(t *testing.T) {
	dir, bin := e2eBuild(t)
	// Nothing listens on port 1 of loopback.
	s := e2eStartTmux(t, dir, bin, "--url", "https://user:hunter2@127.0.0.1:1/sdk", "--timeout", "5s")
	s.waitFor("the error screen", 15*time.Second, e2eHas("Cannot continue", "127.0.0.1:1"))
	s.keys("q")
	if code := s.waitExit(10 * time.Second); code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	b, _ := os.ReadFile(s.stderrFile)
	if !strings.Contains(string(b), "cbtscope: ") || !strings.Contains(string(b), "127.0.0.1:1") || strings.Contains(string(b), "hunter2") {
		t.Fatalf("stderr after quitting on the error: %q", b)
	}
}

var e2eRangeRE = regexp.MustCompile(`range\s+([\d,]+) \+`)

// e2eInspectorRange is the inspector's range line ("range 123,456 +64 KiB").
func e2eInspectorRange(screen string) string {
	for _, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, "range "); i >= 0 && strings.Contains(line, "▀") {
			return strings.TrimSpace(line[i:])
		}
	}
	return ""
}

func e2eRangeStart(r string) (int64, bool) {
	m := e2eRangeRE.FindStringSubmatch(r)
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(m[1], ",", ""), 10, 64)
	return v, err == nil
}

// e2eBuild builds the binary into a directory of its own, which is also
// where it runs (and writes its exports); without tmux the test is skipped,
// except in CI, which must have it.
func e2eBuild(t testing.TB) (dir, bin string) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is not installed; CI must have it (.ci/run installs it)")
		}
		t.Skip("tmux is not installed")
	}
	dir = t.TempDir()
	bin = filepath.Join(dir, "cbtscope")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir, bin
}

// e2eSession is the binary running in a detached tmux session on a private
// server.
type e2eSession struct {
	t          testing.TB
	socket     string
	env        []string
	exitFile   string
	stderrFile string
}

const (
	e2eWidth  = 160
	e2eHeight = 45
)

func e2eStartTmux(t testing.TB, dir, bin string, args ...string) *e2eSession {
	t.Helper()
	tag := strconv.FormatInt(time.Now().UnixNano(), 36)
	s := &e2eSession{
		t:          t,
		exitFile:   filepath.Join(dir, "exit-status-"+tag),
		stderrFile: filepath.Join(dir, "stderr-"+tag),
	}
	// A private server: its socket in a directory of its own (short, as
	// socket paths must be), so parallel runs never meet.
	sockDir, err := os.MkdirTemp("", "cbtscope-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	s.socket = filepath.Join(sockDir, "tmux")
	// Demo mode: no vCenter from the environment; a known terminal.
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "GOVC_") || name == "TMUX" || name == "TMUX_PANE" || name == "NO_COLOR" || name == "TERM" || name == "COLORTERM" {
			continue
		}
		s.env = append(s.env, kv)
	}
	s.env = append(s.env, "TERM=xterm-256color")
	cmdline := e2eShellQuote(bin)
	for _, a := range args {
		cmdline += " " + e2eShellQuote(a)
	}
	wrapper := fmt.Sprintf("cd %s && TERM=xterm-256color COLORTERM=truecolor %s 2>%s; echo $? > %s.tmp && mv %s.tmp %s",
		e2eShellQuote(dir), cmdline, e2eShellQuote(s.stderrFile), e2eShellQuote(s.exitFile), e2eShellQuote(s.exitFile), e2eShellQuote(s.exitFile))
	t.Cleanup(func() {
		// The server may be gone already (the program quit); ignore that.
		_ = exec.Command("tmux", "-S", s.socket, "kill-server").Run()
		_ = os.RemoveAll(sockDir)
	})
	s.tmux("-f", "/dev/null", "new-session", "-d", "-s", "e2e",
		"-x", strconv.Itoa(e2eWidth), "-y", strconv.Itoa(e2eHeight), "sh", "-c", wrapper)
	// Keep the window at the fixed size whatever clients attach.
	_, _ = s.tmuxErr("set-option", "-t", "e2e", "window-size", "manual")
	return s
}

func (s *e2eSession) tmuxErr(args ...string) (string, error) {
	cmd := exec.Command("tmux", append([]string{"-S", s.socket}, args...)...)
	cmd.Env = s.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("tmux %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

func (s *e2eSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := s.tmuxErr(args...)
	if err != nil {
		s.t.Fatal(s.exited(err))
	}
	return out
}

// exited explains err, adding the exit status if the program has quit.
func (s *e2eSession) exited(err error) string {
	if b, rerr := os.ReadFile(s.exitFile); rerr == nil {
		return fmt.Sprintf("%v (cbtscope exited with status %s)", err, strings.TrimSpace(string(b)))
	}
	return err.Error()
}

// keys sends tmux key names (Enter, Escape, n).
func (s *e2eSession) keys(keys ...string) {
	s.t.Helper()
	s.tmux(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// text types text literally.
func (s *e2eSession) text(text string) {
	s.t.Helper()
	s.tmux("send-keys", "-t", "e2e", "-l", text)
}

func (s *e2eSession) capture() string {
	s.t.Helper()
	return s.tmux("capture-pane", "-p", "-t", "e2e")
}

// captureANSI is the screen with its colours as escape sequences.
func (s *e2eSession) captureANSI() string {
	s.t.Helper()
	return s.tmux("capture-pane", "-p", "-e", "-t", "e2e")
}

// waitFor polls the screen until ok accepts it, and returns it; it fails the
// test with the last screen when timeout passes first.
func (s *e2eSession) waitFor(what string, timeout time.Duration, ok func(screen string) bool) string {
	s.t.Helper()
	end := time.Now().Add(timeout)
	var screen string
	for {
		screen = s.capture()
		if ok(screen) {
			return screen
		}
		if time.Now().After(end) {
			s.t.Fatalf("waited %v for %s; the screen:\n%s", timeout, what, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// settled waits until part (read off the screen) is not empty and stays the
// same for a few hundred milliseconds: the keys sent have all been handled.
func (s *e2eSession) settled(what string, part func(screen string) string) string {
	s.t.Helper()
	last := ""
	s.waitFor(what, 10*time.Second, func(screen string) bool {
		p := part(screen)
		if p == "" || p != last {
			last = p
			time.Sleep(300 * time.Millisecond)
			return false
		}
		return true
	})
	return last
}

// pick moves the list's cursor onto name with the arrow keys, chooses it and
// waits for next. (It does not type a filter: the list filters in commands
// whose results may land out of order, so a filter typed at full speed can
// settle on a stale match.)
func (s *e2eSession) pick(name, next string) {
	s.t.Helper()
	for range 30 {
		screen := s.capture()
		sel, selLine := e2eSelected(screen)
		if sel == name {
			s.keys("Enter")
			s.waitFor(next, 10*time.Second, e2eHas(next))
			return
		}
		key := "Down"
		if at := e2eLineOf(screen, name); at >= 0 && at < selLine {
			key = "Up"
		}
		s.keys(key)
		s.waitFor("the cursor to move off "+sel, 5*time.Second, func(screen string) bool {
			now, _ := e2eSelected(screen)
			return now != sel
		})
	}
	s.t.Fatalf("could not move the cursor onto %s:\n%s", name, s.capture())
}

var e2eSelectedRE = regexp.MustCompile(`^\s*│ (\S+)\s*$`)

// e2eSelected is the selected list item's name (the line marked │) and its
// line number, or "" and -1.
func e2eSelected(screen string) (string, int) {
	for i, line := range strings.Split(screen, "\n") {
		if m := e2eSelectedRE.FindStringSubmatch(line); m != nil {
			return m[1], i
		}
	}
	return "", -1
}

// e2eLineOf is the line on which item name is listed, or -1.
func e2eLineOf(screen, name string) int {
	for i, line := range strings.Split(screen, "\n") {
		if f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "│")); len(f) == 1 && f[0] == name {
			return i
		}
	}
	return -1
}

// waitExit waits for the wrapper to record the program's exit status.
func (s *e2eSession) waitExit(timeout time.Duration) int {
	s.t.Helper()
	end := time.Now().Add(timeout)
	for {
		if b, err := os.ReadFile(s.exitFile); err == nil {
			code, err := strconv.Atoi(strings.TrimSpace(string(b)))
			if err != nil {
				s.t.Fatalf("exit status file: %q", b)
			}
			return code
		}
		if time.Now().After(end) {
			screen, _ := s.tmuxErr("capture-pane", "-p", "-t", "e2e")
			s.t.Fatalf("cbtscope did not exit within %v; the screen:\n%s", timeout, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func e2eHas(subs ...string) func(string) bool {
	return func(screen string) bool {
		for _, sub := range subs {
			if !strings.Contains(screen, sub) {
				return false
			}
		}
		return true
	}
}

var (
	e2eExtentsInViewRE = regexp.MustCompile(`Extents\s+([\d,]+) in view`)
	e2eInspectorRE     = regexp.MustCompile(`(?m)\bextents (\d[\d,]*)\s*$`)
	e2eBackgroundRE    = regexp.MustCompile(`\x1b\[[0-9;]*48;2;(\d+;\d+;\d+)[0-9;]*m`)
)

// e2eExtentsInView is the count in the extent table's title, or -1.
func e2eExtentsInView(screen string) int {
	m := e2eExtentsInViewRE.FindStringSubmatch(screen)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	return n
}

// inspectorExtents is the cell inspector's extent count, or -1.
func e2eInspectorExtents(screen string) int {
	for _, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, " extents "); i >= 0 && strings.Contains(line, "▀") {
			if m := e2eInspectorRE.FindStringSubmatch(line[i:]); m != nil {
				n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
				return n
			}
		}
	}
	return -1
}

// heatmapBackgrounds lists the distinct truecolour backgrounds on the
// heatmap's rows (the lines drawn with half blocks).
func e2eHeatmapBackgrounds(ansiScreen string) []string {
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(ansiScreen, "\n") {
		if !strings.Contains(line, "▀") {
			continue
		}
		for _, m := range e2eBackgroundRE.FindAllStringSubmatch(line, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	return out
}

// e2ePanel is the text of the side panel titled title, right of the heatmap:
// from the line where the title appears down, the columns right of the
// heatmap's cells, joined into one line so wrapped sentences read whole.
func e2ePanel(screen, title string) string {
	lines := strings.Split(screen, "\n")
	for i, line := range lines {
		at := strings.Index(line, title)
		cells := strings.LastIndex(line[:max(at, 0)], "▀")
		if at < 0 || cells < 0 {
			continue
		}
		col := len([]rune(line[:cells])) + 1
		var b strings.Builder
		for _, l := range lines[i:] {
			if r := []rune(l); len(r) > col {
				b.WriteString(string(r[col:]))
				b.WriteByte(' ')
			}
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	return ""
}

func e2eShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
