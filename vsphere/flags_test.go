package vsphere

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
)

const flagDisk = 100 << 20

// chainOf builds a chain whose interval k changed the extents given, each
// map complete, snapshots in one CBT epoch.
func chainOf(t *testing.T, changes ...[]heatmap.Extent) []*Interval {
	t.Helper()
	var ivs []*Interval
	for k, ext := range changes {
		s, err := NewSweep(flagDisk)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Map.Absorb(heatmap.Page{Start: 0, Length: flagDisk, Extents: ext}); err != nil {
			t.Fatal(err)
		}
		s.Done = true
		ivs = append(ivs, &Interval{Index: k, Sweep: s,
			From: Snapshot{ID: fmt.Sprint("s", k), ChangeID: fmt.Sprintf("52 aa/%d", k)},
			To:   Snapshot{ID: fmt.Sprint("s", k+1), ChangeID: fmt.Sprintf("52 aa/%d", k+1)}})
	}
	return ivs
}

func mib(n int64) heatmap.Extent { return heatmap.Extent{Start: 0, Length: n << 20} }

func kinds(flags []Flag) []string {
	var out []string
	for _, f := range flags {
		out = append(out, fmt.Sprintf("%s@%d", f.Kind, f.Interval))
	}
	return out
}

func TestChainFlags(t *testing.T) {
	cases := []struct {
		name    string
		changes [][]heatmap.Extent
		want    []string
	}{
		{"clean", [][]heatmap.Extent{{mib(2)}, {mib(3)}, {mib(2)}, {mib(4)}}, nil},
		{"nothing changed at all", [][]heatmap.Extent{nil, nil, nil}, nil},
		{"spike at exactly five times the median", [][]heatmap.Extent{{mib(2)}, {mib(2)}, {mib(10)}, {mib(2)}}, []string{"spike@2"}},
		{"just under five times", [][]heatmap.Extent{{mib(2)}, {mib(2)}, {{Start: 0, Length: 10<<20 - 65536}}, {mib(2)}}, nil},
		{"too few intervals for a median", [][]heatmap.Extent{{mib(1)}, {mib(50)}}, nil},
		{"mostly quiet nights: a median of zero flags nothing", [][]heatmap.Extent{nil, nil, {mib(1)}}, nil},
		{"whole disk", [][]heatmap.Extent{{mib(40)}, {{Start: 0, Length: flagDisk}}, {mib(40)}}, []string{"whole-disk@1"}},
		{"99% of the disk is the whole disk", [][]heatmap.Extent{{mib(40)}, {{Start: 1 << 20, Length: flagDisk - 1<<20}}, {mib(40)}}, []string{"whole-disk@1"}},
		{"one extent short of 99% is not the whole disk", [][]heatmap.Extent{{mib(40)}, {{Start: 0, Length: flagDisk * 98 / 100}}, {mib(40)}}, nil},
		{"whole disk in two extents is not one extent", [][]heatmap.Extent{{mib(40)}, {{Start: 0, Length: 50 << 20}, {Start: 51 << 20, Length: 49 << 20}}, {mib(40)}}, nil},
		{"a spike that is the whole disk", [][]heatmap.Extent{{mib(1)}, {mib(1)}, {mib(1)}, {{Start: 0, Length: flagDisk}}}, []string{"spike@3", "whole-disk@3"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := kinds(ChainFlags(chainOf(t, tc.changes...), nil))
			if !slices.Equal(got, tc.want) {
				t.Fatalf("flags %v, want %v", got, tc.want)
			}
		})
	}
}

// The demo's journal cannot put changes outside '*' (see demo_history.go),
// so the flag is checked on constructed maps.
func TestChainFlagsOutsideAllocation(t *testing.T) {
	ivs := chainOf(t,
		[]heatmap.Extent{{Start: 0, Length: 1 << 20}},
		[]heatmap.Extent{{Start: 0, Length: 1 << 20}, {Start: 10 << 20, Length: 2 << 20}, {Start: 40 << 20, Length: 1 << 20}})
	alloc := func(ext ...heatmap.Extent) map[string]*heatmap.ChangeMap {
		m, _ := heatmap.NewChangeMap(flagDisk)
		if err := m.Absorb(heatmap.Page{Start: 0, Length: flagDisk, Extents: ext}); err != nil {
			t.Fatal(err)
		}
		return map[string]*heatmap.ChangeMap{"s2": m}
	}
	// Allocated: [0, 11 MiB): half of [10, 12) MiB and all of [40, 41) MiB lie outside.
	flags := ChainFlags(ivs, alloc(heatmap.Extent{Start: 0, Length: 11 << 20}))
	if got := kinds(flags); !slices.Equal(got, []string{"outside-allocation@1"}) {
		t.Fatalf("flags %v", got)
	}
	if ev := flags[0].Evidence; !strings.Contains(ev, fmt.Sprint(2<<20, " bytes in 2 extents")) || !strings.Contains(ev, fmt.Sprintf("[%d, %d)", 10<<20, 12<<20)) {
		t.Fatalf("evidence %q", ev)
	}
	// Everything inside: no flag; the allocated map of another snapshot: none either.
	if got := kinds(ChainFlags(ivs, alloc(heatmap.Extent{Start: 0, Length: 50 << 20}))); got != nil {
		t.Fatalf("flags %v, want none", got)
	}
	other := alloc()
	other["s1"] = other["s2"]
	delete(other, "s2")
	if got := kinds(ChainFlags(ivs, other)); !slices.Equal(got, []string{"outside-allocation@0"}) {
		t.Fatalf("flags %v", got)
	}
	// An incomplete allocated map proves nothing.
	partial, _ := heatmap.NewChangeMap(flagDisk)
	if err := partial.Absorb(heatmap.Page{Start: 0, Length: flagDisk / 2}); err != nil {
		t.Fatal(err)
	}
	if got := kinds(ChainFlags(ivs, map[string]*heatmap.ChangeMap{"s2": partial})); got != nil {
		t.Fatalf("flags %v, want none", got)
	}
}

func TestChainFlagsResetAndFaults(t *testing.T) {
	ivs := chainOf(t, []heatmap.Extent{{Start: 0, Length: 1 << 20}}, nil, nil)
	// A reset between S2 and S3: the epoch changes, the interval is not queried.
	ivs[1].To.ChangeID = "52 bb/1"
	ivs[2].From.ChangeID = "52 bb/1"
	ivs[2].To.ChangeID = "52 bb/2"
	ivs[1].NotQueryable = unqueryable(ivs[1])
	// The third faulted.
	f := &Fault{Type: "FileFault", Message: "Error caused by file /vmfs/x-ctk.vmdk",
		Messages: []FaultMessage{{Key: keyCannotGetChanges, Message: "corrupt"}}, Request: &Request{StartOffset: 4096}}
	f.Diagnosis = Diagnose(f)
	ivs[2].Sweep.Fault = f
	got := ChainFlags(ivs, nil)
	if k := kinds(got); !slices.Equal(k, []string{"cbt-reset@1", "fault@2"}) {
		t.Fatalf("flags %v", k)
	}
	if !strings.Contains(got[0].Likely, "CBT was reset between S2 and S3: the next incremental after it must be full") {
		t.Fatalf("reset sentence %q", got[0].Likely)
	}
	if !strings.Contains(got[1].Likely, f.Diagnosis.Title) || !strings.Contains(got[1].Evidence, keyCannotGetChanges) || !strings.Contains(got[1].Evidence, "startOffset 4096") {
		t.Fatalf("fault flag %+v", got[1])
	}
	// A failure that is no server fault is flagged too; an interrupted one is not.
	ivs[2].Sweep.Fault, ivs[2].Sweep.Err = nil, errors.New("page at 0: extent outside its window")
	if k := kinds(ChainFlags(ivs, nil)); !slices.Equal(k, []string{"cbt-reset@1", "fault@2"}) {
		t.Fatalf("flags %v", k)
	}
	ivs[2].Sweep.Err, ivs[2].Sweep.Canceled = nil, true
	if k := kinds(ChainFlags(ivs, nil)); !slices.Equal(k, []string{"cbt-reset@1"}) {
		t.Fatalf("flags %v", k)
	}
}

func TestChangeIDEpoch(t *testing.T) {
	cases := []struct {
		id, epoch string
		ok        bool
	}{
		{"52 05 a2 ce 6d 6d c9 59-d3 2e ad 19 e3 96 73 6d/5", "52 05 a2 ce 6d 6d c9 59-d3 2e ad 19 e3 96 73 6d", true},
		{"*", "", false},
		{"", "", false},
		{"/5", "", false},
		{"abc", "", false},
	}
	for _, tc := range cases {
		if e, ok := ChangeIDEpoch(tc.id); e != tc.epoch || ok != tc.ok {
			t.Errorf("ChangeIDEpoch(%q) = %q, %v", tc.id, e, ok)
		}
	}
}

// Any changeId splits into an epoch that, with the rest, rebuilds it; no
// epoch is found in what has no separator after it.
func FuzzChangeIDEpoch(f *testing.F) {
	f.Add("52 05 a2 ce 6d 6d c9 59-d3 2e ad 19 e3 96 73 6d/5")
	f.Add("*")
	f.Add("a/b/c")
	f.Fuzz(func(t *testing.T, id string) {
		e, ok := ChangeIDEpoch(id)
		if !ok {
			if e != "" || (strings.LastIndexByte(id, '/') > 0) {
				t.Fatalf("%q: no epoch found, yet it has one", id)
			}
			return
		}
		if e == "" || !strings.HasPrefix(id, e+"/") || strings.Contains(id[len(e)+1:], "/") {
			t.Fatalf("%q: epoch %q", id, e)
		}
	})
}
