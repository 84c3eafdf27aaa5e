package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

func TestOpenHelpExitsZero(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "-help"} {
		code, out, errs := runCLI(t, "open", arg)
		if code != exitOK || !strings.Contains(out+errs, "usage: cbtscope open FILE") {
			t.Fatalf("open %s: exit %d, stdout %q, stderr %q", arg, code, out, errs)
		}
	}
	for _, args := range [][]string{{"open"}, {"open", "a", "b", "c"}, {"open", "--bogus", "x"}} {
		if code, _, errs := runCLI(t, args...); code != exitUsage || !strings.Contains(errs, "usage: cbtscope open FILE") {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// cbtscope --help lists the explorer's flags, not only the commands.
func TestHelpListsTheExplorerFlags(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "help"} {
		code, out, _ := runCLI(t, arg)
		if code != exitOK {
			t.Fatalf("%s: exit %d", arg, code)
		}
		for _, want := range []string{"cbtscope export [flags]", "-url", "-thumbprint", "-password", "-parallel"} {
			if !strings.Contains(out, want) {
				t.Fatalf("%s: %q missing from:\n%s", arg, want, out)
			}
		}
	}
}

func writeFile(t *testing.T, name, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Input that is not a JSON export is refused with a message saying what it
// is, on one line, before the explorer starts.
func TestOpenRefusesWhatIsNotAJSONExport(t *testing.T) {
	csvPath := filepath.Join(t.TempDir(), "map.csv")
	if code, _, errs := runCLI(t, exportArgs(t, "--disk", simulator.DemoLog, "--format", "csv", "-o", csvPath)...); code != exitOK {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	incomplete := writeFile(t, "partial.csv", "# complete=false scanned=1 faulted=2 capacity=3 (rows cover the scanned ranges only)\nstart,length,end\n")
	for _, path := range []string{csvPath, incomplete} {
		code, _, errs := runCLI(t, "open", path)
		oneLine(t, code, errs, "this is a CSV export; cbtscope open reads JSON exports (cbtscope export --format json)")
	}
	cases := map[string]struct{ data, want string }{
		"empty":                 {"", "empty"},
		"whitespace only":       {strings.Repeat(" \n", 1000), "empty"},
		"binary":                {"\x7fELF\x02\x01\x01\x1b[2J", "not a cbtscope JSON export"},
		"leading whitespace":    {strings.Repeat(" ", 2<<20) + "{}", "whitespace"},
		"whitespace inside":     {"{" + strings.Repeat("\t", 2<<20) + "}", "whitespace"},
		"trailing data":         {"{}{}", "after the export"},
		"duplicate changedArea": {`{"changedArea": [], "changedArea": []}`, "twice"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCLI(t, "open", writeFile(t, "x.json", tc.data))
			oneLine(t, code, errs, tc.want)
			if strings.Contains(errs, "\x1b") {
				t.Fatalf("raw control character: %q", errs)
			}
		})
	}
}

// open reads at most openLimit bytes, and says so past it.
func TestOpenStopsAtTheSizeLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "map.json")
	if code, _, errs := runCLI(t, exportArgs(t, "--disk", simulator.DemoDatabase, "-o", path)...); code != exitOK {
		t.Fatalf("export: exit %d: %s", code, errs)
	}
	fi, _ := os.Stat(path)
	old := openLimit
	defer func() { openLimit = old }()
	openLimit = fi.Size() / 2
	code, _, errs := runCLI(t, "open", path)
	oneLine(t, code, errs, "larger than")
}

// Two exports of different disks are not compared: a one-line usage error.
func TestOpenTwoExportsOfDifferentDisks(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, disk := range []string{simulator.DemoBootStorm, simulator.DemoLog} {
		code, out, errs := runCLI(t, exportArgs(t, "--disk", disk)...)
		if code != exitOK {
			t.Fatalf("export %s: %d %s", disk, code, errs)
		}
		p := filepath.Join(dir, disk+".json")
		if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	code, _, errs := runCLI(t, "open", paths[0], paths[1])
	if code != exitUsage || !strings.Contains(errs, "different disks") || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}
