package simulator

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// The test knobs act on VI/JSON calls as on SOAP ones: each, set to spoil
// the second query, is seen by a govmomi VI/JSON client on that query, and
// the third is clean.
func TestJSONKnobs(t *testing.T) {
	s := start(t, Options{PageExtents: 100})
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
				t.Errorf("want a non-fault error, got %v", err)
			}
		}},
		{"zero-length page", Knobs{ZeroLengthPage: Trigger{Nth: 2}}, func(t *testing.T, info types.DiskChangeInfo, err error) {
			if err != nil || info.Length != 0 || info.StartOffset != off {
				t.Errorf("want length 0 at %d, got %+v, %v", off, info, err)
			}
		}},
		{"extent outside its window", Knobs{ExtentOutsideWindow: Trigger{Nth: 2}}, func(t *testing.T, info types.DiskChangeInfo, err error) {
			if err != nil || checkPage(info, off, d.CapacityBytes, 1<<30) == nil {
				t.Errorf("want a page breaking the contract, got %d extents, %v", len(info.ChangedArea), err)
			}
		}},
		{"session expiry", Knobs{SessionExpiry: Trigger{Nth: 2}}, func(t *testing.T, _ types.DiskChangeInfo, err error) {
			wantFault(t, err, &types.NotAuthenticated{}, "vim.fault.NotAuthenticated")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connectJSON(t, s)
			s.SetKnobs(tc.knobs)
			defer s.SetKnobs(Knobs{})
			before := injected(s)
			if _, err := query(ctx, c, q, off); err != nil {
				t.Fatalf("call 1 should be clean: %v", err)
			}
			info, err := query(ctx, c, q, off)
			tc.check(t, info, err)
			if tc.knobs.SessionExpiry.Enabled() {
				if _, err := query(ctx, c, q, off); !soap.IsSoapFault(err) {
					t.Fatalf("retry without login: %v, want NotAuthenticated", err)
				}
				if err := session.NewManager(c).Login(ctx, s.URL().User); err != nil {
					t.Fatal(err)
				}
			}
			info, err = query(ctx, c, q, off)
			if err == nil {
				err = checkPage(info, off, d.CapacityBytes, 100)
			}
			if err != nil {
				t.Errorf("call 3 should be clean: %v", err)
			}
			if n := injected(s) - before; n != 1 {
				t.Errorf("%d faults injected, want 1", n)
			}
		})
	}
}

func injected(s *Server) (n int64) {
	for _, v := range s.Stats().Injected {
		n += v
	}
	return n
}

// The latency knob holds VI/JSON calls too: with an hour of latency a call
// runs into its client's deadline.
func TestJSONLatencyKnob(t *testing.T) {
	s := start(t, Options{})
	c := connectJSON(t, s)
	d, ds := lookup(t, s, DemoLog)
	q := target{ds: ds, disk: d, snapshot: d.Snapshots[0].ID, changeID: "*"}
	s.SetKnobs(Knobs{Latency: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := query(ctx, c, q, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with an hour of latency: %v, want the deadline", err)
	}
	s.SetKnobs(Knobs{})
	if _, err := query(context.Background(), c, q, 0); err != nil {
		t.Fatal(err)
	}
}
