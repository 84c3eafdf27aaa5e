package simulator

import (
	"context"
	"testing"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

func TestParseTrigger(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Trigger
		bad  bool
	}{
		{in: "", want: Trigger{}},
		{in: "off", want: Trigger{}},
		{in: "3", want: Trigger{Nth: 3}},
		{in: "nth=2,every=5", want: Trigger{Nth: 2, Every: 5}},
		{in: "p=0.25", want: Trigger{Probability: 0.25}},
		{in: "p=2", bad: true},
		{in: "nth=0", bad: true},
		{in: "often", bad: true},
		{in: "when=3", bad: true},
	} {
		got, err := ParseTrigger(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("ParseTrigger(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.bad)
		}
		if !tc.bad {
			if back, err := ParseTrigger(got.String()); err != nil || back != got {
				t.Errorf("%+v does not round-trip through %q", got, got.String())
			}
		}
	}
}

func TestTriggerCounts(t *testing.T) {
	var k knobState
	k.set(Knobs{HTTP500: Trigger{Nth: 2}, ZeroLengthPage: Trigger{Every: 3}})
	var got []injection
	for range 6 {
		got = append(got, k.next())
	}
	want := []injection{injectNone, injectHTTP500, injectZeroLength, injectNone, injectNone, injectZeroLength}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("calls 1-6 suffer %v, want %v", got, want)
		}
	}
	// A seeded probability repeats exactly.
	draw := func() []injection {
		k.set(Knobs{OverlappingExtents: Trigger{Probability: 0.5}, Seed: 7})
		var out []injection
		for range 32 {
			out = append(out, k.next())
		}
		return out
	}
	a, b := draw(), draw()
	hits := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same seed, different draws")
		}
		if a[i] == injectOverlap {
			hits++
		}
	}
	if hits == 0 || hits == 32 {
		t.Errorf("p=0.5 fired %d times in 32", hits)
	}
}

// Each knob, set to spoil one call, is seen by a govmomi client exactly on
// that call, and the next call is clean again.
func TestKnobsAreObservableFromAClient(t *testing.T) {
	s := start(t, Options{})
	ctx := context.Background()
	d, ds := lookup(t, s, DemoDatabase)
	q := target{ds: ds, disk: d, snapshot: d.Snapshots[3].ID, changeID: d.Snapshots[0].ChangeID}
	const off = 1 << 30

	for _, tc := range []struct {
		name  string
		knobs Knobs
		check func(t *testing.T, info types.DiskChangeInfo, err error)
	}{
		{"dropped connection", Knobs{DropConnection: Trigger{Nth: 2}}, func(t *testing.T, _ types.DiskChangeInfo, err error) {
			if err == nil || soap.IsSoapFault(err) {
				t.Errorf("want a transport error, got %v", err)
			}
		}},
		{"HTTP 500", Knobs{HTTP500: Trigger{Nth: 2}}, func(t *testing.T, _ types.DiskChangeInfo, err error) {
			if err == nil || soap.IsSoapFault(err) {
				t.Errorf("want a non-SOAP error, got %v", err)
			}
		}},
		{"zero-length page", Knobs{ZeroLengthPage: Trigger{Nth: 2}}, func(t *testing.T, info types.DiskChangeInfo, err error) {
			if err != nil || info.Length != 0 || info.StartOffset != off {
				t.Errorf("want length 0 at %d, got %+v, %v", off, info, err)
			}
		}},
		{"extent outside its window", Knobs{ExtentOutsideWindow: Trigger{Nth: 2}}, func(t *testing.T, info types.DiskChangeInfo, err error) {
			if err != nil {
				t.Fatal(err)
			}
			if err := checkPage(info, off, d.CapacityBytes, 1<<30); err == nil {
				t.Errorf("page passes the contract: %d extents in [%d, +%d)", len(info.ChangedArea), info.StartOffset, info.Length)
			}
			last := info.ChangedArea[len(info.ChangedArea)-1]
			if last.Start < info.StartOffset+info.Length {
				t.Errorf("last extent %+v is inside the window", last)
			}
		}},
		{"overlapping extents", Knobs{OverlappingExtents: Trigger{Nth: 2}}, func(t *testing.T, info types.DiskChangeInfo, err error) {
			if err != nil {
				t.Fatal(err)
			}
			overlap := false
			for i := 1; i < len(info.ChangedArea); i++ {
				if info.ChangedArea[i].Start < info.ChangedArea[i-1].Start+info.ChangedArea[i-1].Length {
					overlap = true
				}
			}
			if !overlap {
				t.Error("no overlapping extents")
			}
		}},
		{"session expiry", Knobs{SessionExpiry: Trigger{Nth: 2}}, func(t *testing.T, _ types.DiskChangeInfo, err error) {
			wantFault(t, err, &types.NotAuthenticated{}, "vim.fault.NotAuthenticated")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t, s)
			s.SetKnobs(tc.knobs)
			before := s.Stats().Injected
			if _, err := query(ctx, c, q, off); err != nil {
				t.Fatalf("call 1 should be clean: %v", err)
			}
			info, err := query(ctx, c, q, off)
			tc.check(t, info, err)
			if tc.knobs.SessionExpiry.Enabled() {
				// The session is really gone: retry fails until a new login.
				_, err := query(ctx, c, q, off)
				if err == nil || !soap.IsSoapFault(err) {
					t.Fatalf("retry without login: %v, want NotAuthenticated", err)
				}
				if _, ok := soap.ToSoapFault(err).VimFault().(types.NotAuthenticated); !ok {
					t.Fatalf("retry without login: %v, want NotAuthenticated", err)
				}
				if err := session.NewManager(c).Login(ctx, s.URL().User); err != nil {
					t.Fatal(err)
				}
			}
			info, err = query(ctx, c, q, off)
			if err == nil {
				err = checkPage(info, off, d.CapacityBytes, defaultPageExtents)
			}
			if err != nil {
				t.Errorf("call 3 should be clean: %v", err)
			}
			after := s.Stats().Injected
			total := func(m map[string]int64) (n int64) {
				for _, v := range m {
					n += v
				}
				return n
			}
			if total(after)-total(before) != 1 {
				t.Errorf("injected %v -> %v, want one more", before, after)
			}
			s.SetKnobs(Knobs{})
		})
	}
}

func TestLatencyKnob(t *testing.T) {
	s := start(t, Options{Latency: 30 * time.Millisecond})
	c := connect(t, s)
	d, ds := lookup(t, s, DemoLog)
	q := target{ds: ds, disk: d, snapshot: d.Snapshots[0].ID, changeID: "*"}
	t0 := time.Now()
	if _, err := query(context.Background(), c, q, 0); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took < 30*time.Millisecond {
		t.Errorf("call took %v with 30ms latency", took)
	}
	s.SetKnobs(Knobs{})
	t0 = time.Now()
	if _, err := query(context.Background(), c, q, 0); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(t0); took >= 30*time.Millisecond {
		t.Logf("call took %v after latency was cleared (slow machine?)", took)
	}
}

// MaxConcurrent admits that many calls at once; the next waits for a slot
// (or gives up when its request ends), and a new setting frees it.
func TestMaxConcurrentQueuesCallsBeyondTheLimit(t *testing.T) {
	var k knobState
	k.set(Knobs{MaxConcurrent: 2})
	gone := make(chan struct{})
	close(gone) // a request whose client has left
	var releases []func()
	for i := range 2 {
		release, ok := k.admit(nil)
		if !ok {
			t.Fatalf("call %d of 2 was not admitted", i+1)
		}
		releases = append(releases, release)
	}
	if _, ok := k.admit(gone); ok {
		t.Fatal("a third call was admitted beside two under MaxConcurrent 2")
	}
	releases[0]()
	release, ok := k.admit(gone)
	if !ok {
		t.Fatal("a call was not admitted after a slot was released")
	}
	release()
	releases[1]()
	k.set(Knobs{})
	for range 10 {
		if _, ok := k.admit(gone); !ok {
			t.Fatal("a call was queued with no limit set")
		}
	}
}
