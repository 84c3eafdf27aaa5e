package main

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// A bad -o is a usage error found before any call to vCenter: the URL
// points where nothing listens, so getting as far as connecting is exit 1.
func TestExportChecksTheOutputFirst(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"missing directory":  filepath.Join(dir, "no-such-dir", "map.json"),
		"directory as file":  dir,
		"dangling directory": filepath.Join(dir, "nope") + "/",
	}
	for name, path := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCLI(t, "export", "--url", unreachable, "--insecure", "--disk", "x", "-o", path)
			oneLine(t, code, errs, "-o")
		})
	}
}

func exportTo(t *testing.T, path string) {
	t.Helper()
	code, _, errs := runCLI(t, exportArgs(t, "--disk", simulator.DemoLog, "-o", path)...)
	if code != exitOK {
		t.Fatalf("-o %s: exit %d: %s", path, code, errs)
	}
}

func readExportFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if e := readJSONExport(t, string(b)); e.Disk.Name != simulator.DemoLog {
		t.Fatalf("%s holds disk %q", path, e.Disk.Name)
	}
	return string(b)
}

func TestExportReplacingAFileKeepsItsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "map.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	exportTo(t, path)
	readExportFile(t, path)
	if fi, _ := os.Stat(path); fi.Mode() != 0o640 {
		t.Fatalf("mode %v, want the old file's -rw-r-----", fi.Mode())
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestExportNewFileHonoursUmask(t *testing.T) {
	for _, mask := range []int{0o022, 0o077, 0o027} {
		old := syscall.Umask(mask)
		path := filepath.Join(t.TempDir(), "map.json")
		exportTo(t, path)
		syscall.Umask(old)
		if fi, _ := os.Stat(path); fi.Mode() != fs.FileMode(0o666&^mask) {
			t.Fatalf("umask %03o: mode %v, want %v", mask, fi.Mode(), fs.FileMode(0o666&^mask))
		}
	}
}

// A symlink is followed: the target gets the export, the link stays.
func TestExportThroughASymlinkKeepsTheLink(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "real")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(sub, "map.json")
	link := filepath.Join(dir, "link.json")
	for _, existing := range []bool{false, true} {
		os.Remove(target)
		os.Remove(link)
		if existing {
			if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Symlink("real/map.json", link); err != nil {
			t.Fatal(err)
		}
		exportTo(t, link)
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			t.Fatalf("existing target %v: the link was replaced (%v)", existing, err)
		}
		readExportFile(t, target)
		if fi, _ := os.Stat(target); existing && fi.Mode() != 0o600 {
			t.Fatalf("target mode %v, want 0600", fi.Mode())
		}
	}
}

// A FIFO is written in place, never replaced by a regular file.
func TestExportToAFIFOWritesInPlace(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	exportTo(t, fifo)
	// Checked before waiting for the reader: a replaced FIFO never gets a
	// writer, and its reader would wait for ever.
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", fi.Mode(), err)
	}
	if e := readJSONExport(t, <-got); e.Disk.Name != simulator.DemoLog {
		t.Fatalf("read %q from the FIFO", e.Disk.Name)
	}
}

// A device is written in place: /dev/null stays the device it was.
func TestExportToADeviceWritesInPlace(t *testing.T) {
	before, err := os.Stat("/dev/null")
	if err != nil || before.Mode()&fs.ModeCharDevice == 0 {
		t.Skip("no /dev/null character device here")
	}
	exportTo(t, "/dev/null")
	after, err := os.Stat("/dev/null")
	if err != nil || after.Mode() != before.Mode() || !os.SameFile(before, after) {
		t.Fatalf("/dev/null was replaced: %v %v", after, err)
	}
}

func TestExportDashIsStdout(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	code, out, errs := runCLI(t, exportArgs(t, "--disk", simulator.DemoLog, "-o", "-")...)
	if code != exitOK || readJSONExport(t, out).Disk.Name != simulator.DemoLog {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, d := range []string{dir, wd} {
		if _, err := os.Stat(filepath.Join(d, "-")); err == nil {
			t.Fatalf("a file named - was created in %s", d)
		}
	}
	if strings.Contains(errs, "-o") {
		t.Fatalf("stderr %q", errs)
	}
}
