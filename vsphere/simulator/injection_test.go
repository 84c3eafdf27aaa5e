package simulator

import (
	"context"
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// hostileValues are strings a user could type as a changeId, a snapshot or a
// disk ID that name the simulator's fault injections or look like its
// internals. A real vCenter answers each as a malformed or unknown value.
var hostileValues = []string{
	"cbtscope-sim-inject:http500",
	"cbtscope-sim-inject:dropConnection",
	"cbtscope-sim-inject:reply:1",
	"cbtscope-sim-inject:reply:",
	"cbtscope-sim-inject:sessionExpiry",
	"52 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00/cbtscope-sim-inject:http500",
	"x cbtscope-sim-inject:dropConnection x cbtscope-sim-inject:http500",
	"<![CDATA[cbtscope-sim-inject:http500]]>",
	"http500",
	"dropConnection",
}

// No request content can make the simulator do what only a knob may: each
// hostile changeId comes back as the InvalidArgument fault of the design's
// fault table, naming the changeId exactly as sent, over a real client and
// a real listener, and the next call on the same connection is served.
func TestRequestContentCannotInjectFaults(t *testing.T) {
	for _, tls := range []bool{false, true} {
		s := start(t, Options{TLS: tls})
		c := connect(t, s)
		ctx := context.Background()
		d, ds := lookup(t, s, DemoDatabase)
		good := target{ds: ds, disk: d, snapshot: d.Snapshots[3].ID, changeID: d.Snapshots[0].ChangeID}
		for _, v := range hostileValues {
			t.Run(fmt.Sprintf("tls=%v/%s", tls, v), func(t *testing.T) {
				q := good
				q.changeID = v
				_, err := query(ctx, c, q, 0)
				f := wantFault(t, err, &types.InvalidArgument{}, KeyInvalidChangeID)
				if p := f.(*types.InvalidArgument).InvalidProperty; p != "changeId" {
					t.Errorf("invalidProperty %q", p)
				}
				if !messageArg(f, KeyInvalidChangeID, "changeId", v) {
					t.Errorf("faultMessage %+v does not name the changeId", f.GetMethodFault().FaultMessage)
				}
				if _, err := query(ctx, c, good, 0); err != nil {
					t.Fatalf("a good query after it fails: %v", err)
				}
			})
		}
		if n := total(s.Stats().Injected); n != 0 {
			t.Errorf("tls=%v: %d injections with every knob off: %v", tls, n, s.Stats().Injected)
		}
	}
}

// The same holds for the other values a user types: a snapshot or disk ID
// carrying a marker is simply not found.
func TestRequestIDsCannotInjectFaults(t *testing.T) {
	s := start(t, Options{})
	c := connect(t, s)
	ctx := context.Background()
	d, ds := lookup(t, s, DemoDatabase)
	good := target{ds: ds, disk: d, snapshot: d.Snapshots[3].ID, changeID: "*"}
	for _, v := range hostileValues {
		t.Run(v, func(t *testing.T) {
			q := good
			q.snapshot = v
			_, err := query(ctx, c, q, 0)
			wantFault(t, err, &types.NotFound{}, KeySnapshotNotFound)

			q = good
			q.disk.ID = v
			_, err = query(ctx, c, q, 0)
			wantFault(t, err, &types.NotFound{}, KeyObjectNotFound)
		})
	}
	if n := total(s.Stats().Injected); n != 0 {
		t.Errorf("%d injections with every knob off: %v", n, s.Stats().Injected)
	}
}

// messageArg reports whether f has a faultMessage with key whose argument
// name has exactly value.
func messageArg(f types.BaseMethodFault, key, name, value string) bool {
	for _, m := range f.GetMethodFault().FaultMessage {
		if m.Key != key {
			continue
		}
		for _, a := range m.Arg {
			if a.Key == name && a.Value == value {
				return true
			}
		}
	}
	return false
}

func total(m map[string]int64) (n int64) {
	for _, v := range m {
		n += v
	}
	return n
}

// Any changeId at all, sent by a real client, gets a reply or a SOAP fault,
// never a transport failure; one the simulator cannot parse gets the
// InvalidArgument changeId fault, naming the value as it arrived.
func FuzzChangeIDOverTheWire(f *testing.F) {
	s := start(f, Options{})
	c := connect(f, s)
	d, ds := lookup(f, s, DemoDatabase)
	good := target{ds: ds, disk: d, snapshot: d.Snapshots[3].ID}
	for _, v := range hostileValues {
		f.Add(v)
	}
	for _, snap := range d.Snapshots {
		f.Add(snap.ChangeID)
	}
	f.Add("*")
	f.Add(" *")
	f.Add("52 00/1\r\n")
	f.Fuzz(func(t *testing.T, v string) {
		q := good
		q.changeID = v
		_, err := query(context.Background(), c, q, 0)
		if err != nil && !soap.IsSoapFault(err) {
			t.Fatalf("changeId %q: not a SOAP reply: %v", v, err)
		}
		if _, perr := parseChangeID(v); perr == nil {
			return
		}
		got := wantFault(t, err, &types.InvalidArgument{}, KeyInvalidChangeID)
		if p := got.(*types.InvalidArgument).InvalidProperty; p != "changeId" {
			t.Errorf("changeId %q: invalidProperty %q", v, p)
		}
		if xmlSafe(v) && !messageArg(got, KeyInvalidChangeID, "changeId", v) {
			t.Errorf("changeId %q: faultMessage %+v does not name it", v, got.GetMethodFault().FaultMessage)
		}
	})
}

// xmlSafe reports whether XML can carry s unchanged: valid UTF-8 made of
// characters XML 1.0 allows. Others are replaced on the way, by design of
// XML, not by the simulator.
func xmlSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		ok := r == '\t' || r == '\n' || r == '\r' ||
			(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
		if !ok {
			return false
		}
	}
	return true
}
