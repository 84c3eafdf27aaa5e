package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// exportFile writes an export of the simulator to a file in dir.
func exportFile(t *testing.T, dir, name string, wantCode int, args ...string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if code, _, errs := runCLI(t, exportArgs(t, append(args, "-o", path)...)...); code != wantCode {
		t.Fatalf("export %v: exit %d: %s", args, code, errs)
	}
	return path
}

type diffOutput struct {
	A, B struct {
		Disk struct {
			Name string `json:"name"`
		} `json:"disk"`
		SnapshotID string `json:"snapshotId"`
	}
	OnlyA, OnlyB, Both, AWhereBUnknown, BWhereAUnknown []heatmap.Extent
	Complete                                           bool
	Stats                                              heatmap.CompareStats
}

// setOps is the set operations on two sorted, merged extent lists, done
// the plain way: cut the disk at every boundary of either list, label each
// piece, join neighbours with the same label.
func setOps(a, b []heatmap.Extent) (onlyA, onlyB, both []heatmap.Extent) {
	var cuts []int64
	for _, x := range append(slices.Clone(a), b...) {
		cuts = append(cuts, x.Start, x.End())
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	in := func(l []heatmap.Extent, pos int64) bool {
		i := sort.Search(len(l), func(i int) bool { return l[i].End() > pos })
		return i < len(l) && l[i].Start <= pos
	}
	add := func(l *[]heatmap.Extent, s, e int64) {
		if n := len(*l); n > 0 && (*l)[n-1].End() == s {
			(*l)[n-1].Length += e - s
			return
		}
		*l = append(*l, heatmap.Extent{Start: s, Length: e - s})
	}
	for i := 0; i+1 < len(cuts); i++ {
		s, e := cuts[i], cuts[i+1]
		ia, ib := in(a, s), in(b, s)
		switch {
		case ia && ib:
			add(&both, s, e)
		case ia:
			add(&onlyA, s, e)
		case ib:
			add(&onlyB, s, e)
		}
	}
	return onlyA, onlyB, both
}

// diff equals the set operations computed independently from the two
// files, as JSON and as CSV: two nights of one disk, and a night against
// the allocated areas.
func TestDiffEqualsSetOperations(t *testing.T) {
	s, _ := exportSim()
	info, _ := s.Disk(simulator.DemoDatabase)
	sn := info.Snapshots
	dir := t.TempDir()
	night3 := exportFile(t, dir, "n3.json", exitOK, "--disk", simulator.DemoDatabase, "--snapshot", sn[2].ID, "--base-snapshot", sn[1].ID)
	night4 := exportFile(t, dir, "n4.json", exitOK, "--disk", simulator.DemoDatabase, "--snapshot", sn[3].ID, "--base-snapshot", sn[2].ID)
	alloc4 := exportFile(t, dir, "a4.json", exitOK, "--disk", simulator.DemoDatabase, "--snapshot", sn[3].ID, "--change-id", "*")
	for _, pair := range [][2]string{{night3, night4}, {alloc4, night4}, {night4, night3}} {
		code, out, errs := runCLI(t, "diff", pair[0], pair[1])
		if code != exitOK {
			t.Fatalf("diff %v: exit %d: %s", pair, code, errs)
		}
		var got diffOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		a, b := readFileExport(t, pair[0]), readFileExport(t, pair[1])
		onlyA, onlyB, both := setOps(a, b)
		if !slices.Equal(got.OnlyA, onlyA) || !slices.Equal(got.OnlyB, onlyB) || !slices.Equal(got.Both, both) {
			t.Fatalf("diff %v: %d/%d/%d extents, want %d/%d/%d", pair, len(got.OnlyA), len(got.OnlyB), len(got.Both), len(onlyA), len(onlyB), len(both))
		}
		if len(both) == 0 || len(onlyA) == 0 || !got.Complete || len(got.AWhereBUnknown)+len(got.BWhereAUnknown) != 0 {
			t.Fatalf("diff %v: a comparison without overlap or complete=%v", pair, got.Complete)
		}
		if got.Stats.OnlyA.Bytes != total(onlyA) || got.Stats.Both.Bytes != total(both) || got.Stats.OnlyB.Extents != len(onlyB) {
			t.Fatalf("diff %v: stats %+v", pair, got.Stats)
		}
		if got.A.Disk.Name != simulator.DemoDatabase || got.B.SnapshotID == "" {
			t.Fatalf("headers %+v %+v", got.A, got.B)
		}
		// The allocated areas hold every night's changes.
		if pair[0] == alloc4 && len(onlyB) != 0 {
			t.Fatalf("%d extents of a night outside its allocated areas", len(onlyB))
		}
		code, out, errs = runCLI(t, "diff", "--format", "csv", pair[0], pair[1])
		if code != exitOK {
			t.Fatalf("diff csv: exit %d: %s", code, errs)
		}
		rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		parts := map[string][]heatmap.Extent{}
		prev := int64(-1)
		for _, r := range rows[1:] {
			x := heatmap.Extent{Start: atoi(t, r[1]), Length: atoi(t, r[2])}
			if x.Start <= prev || atoi(t, r[3]) != x.End() {
				t.Fatalf("row %v out of disk order or inconsistent", r)
			}
			prev = x.Start
			parts[r[0]] = append(parts[r[0]], x)
		}
		if rows[0][0] != "part" || !slices.Equal(parts["onlyA"], onlyA) || !slices.Equal(parts["onlyB"], onlyB) || !slices.Equal(parts["both"], both) {
			t.Fatalf("diff csv %v differs from the set operations", pair)
		}
	}
}

func readFileExport(t *testing.T, path string) []heatmap.Extent {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return readJSONExport(t, string(data)).ChangedArea
}

func total(l []heatmap.Extent) int64 {
	var n int64
	for _, x := range l {
		n += x.Length
	}
	return n
}

func atoi(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Exports of different disks, of different capacities, or files that are
// no JSON export: exit 2 with one line.
func TestDiffRefusesWhatCannotBeCompared(t *testing.T) {
	dir := t.TempDir()
	db := exportFile(t, dir, "db.json", exitOK, "--disk", simulator.DemoDatabase)
	log := exportFile(t, dir, "log.json", exitOK, "--disk", simulator.DemoLog)
	logCSV := exportFile(t, dir, "log.csv", exitOK, "--disk", simulator.DemoLog, "--format", "csv")
	// The same disk, extended: a valid export of a larger disk with the same ID.
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	e := readJSONExport(t, string(data))
	grown := strings.ReplaceAll(string(data), strconv.FormatInt(e.Disk.CapacityBytes, 10), strconv.FormatInt(2*e.Disk.CapacityBytes, 10))
	extended := filepath.Join(dir, "extended.json")
	if err := os.WriteFile(extended, []byte(grown), 0o644); err != nil {
		t.Fatal(err)
	}
	readJSONExport(t, grown)
	cases := map[string]struct {
		args []string
		want string
	}{
		"different disks":      {[]string{db, log}, "different disks"},
		"different capacities": {[]string{log, extended}, "different capacities"},
		"a CSV export":         {[]string{log, logCSV}, "CSV export"},
		"a missing file":       {[]string{log, filepath.Join(dir, "none.json")}, "no such file"},
		"one file":             {[]string{log}, "two JSON exports"},
		"three files":          {[]string{log, log, log}, "two JSON exports"},
		"bad format":           {[]string{"--format", "xml", log, log}, "--format"},
		"output in no dir":     {[]string{log, log, "-o", "/no/such/dir/d.json"}, "no such directory"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runCLI(t, append([]string{"diff"}, tc.args...)...)
			if code != exitUsage || out != "" || !strings.Contains(errs, tc.want) || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errs)
			}
		})
	}
}

// Incomplete exports compare too: what one side never scanned is kept
// apart, and the exit code is 1.
func TestDiffOfIncompleteExports(t *testing.T) {
	dir := t.TempDir()
	a := exportFile(t, dir, "a.json", exitFault, "--disk", simulator.DemoCorruptCTK)
	b := exportFile(t, dir, "b.json", exitFault, "--disk", simulator.DemoCorruptCTK, "--change-id", "*")
	out := filepath.Join(dir, "diff.json")
	code, _, errs := runCLI(t, "diff", a, b, "-o", out)
	if code != exitFault || !strings.Contains(errs, "incomplete") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got diffOutput
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Complete || got.Stats.UnknownBytes == 0 {
		t.Fatalf("complete %v, stats %+v", got.Complete, got.Stats)
	}
}
