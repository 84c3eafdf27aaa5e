package vsphere

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// The backoff grows exponentially up to Max, and its jitter spreads each
// wait over [half, whole] of the step, never below half.
func TestBackoffHasBoundedJitter(t *testing.T) {
	for _, pick := range []struct {
		name string
		f    func(n int64) int64
		want func(step time.Duration) time.Duration
	}{
		{"lowest", func(int64) int64 { return 0 }, func(d time.Duration) time.Duration { return d / 2 }},
		{"highest", func(n int64) int64 { return n - 1 }, func(d time.Duration) time.Duration { return d }},
	} {
		p := RetryPolicy{Base: 100 * time.Millisecond, Max: time.Second, Rand: pick.f}.withDefaults()
		for attempt, step := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second} {
			if got, want := p.backoff(attempt), pick.want(step); got != want {
				t.Errorf("%s draw, attempt %d: waits %v, want %v", pick.name, attempt, got, want)
			}
		}
	}
	// With the real source, two workers failing together rarely wait alike.
	p := RetryPolicy{Base: time.Second, Max: time.Second}.withDefaults()
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[p.backoff(0)] = true
	}
	if len(seen) < 2 {
		t.Fatal("20 backoffs all alike: no jitter")
	}
}

// Network failures are told apart from answers by their type, not their text.
func TestNetworkErrorClassification(t *testing.T) {
	fault := soap.WrapSoapFault(&soap.Fault{Code: "ServerFaultCode", String: "connection reset", Detail: struct {
		Fault types.AnyType `xml:",any,typeattr"`
	}{Fault: &types.NotFound{}}})
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"connection reset", fmt.Errorf("read: %w", &net.OpError{Op: "read", Err: syscall.ECONNRESET}), true},
		{"bare ECONNRESET", fmt.Errorf("x: %w", syscall.ECONNRESET), true},
		{"reply cut short", fmt.Errorf("reading reply: %w", io.ErrUnexpectedEOF), true},
		{"timeout", &TimeoutError{Limit: time.Second, URL: "https://vc/sdk"}, true},
		{"fault whose text looks like the network", fault, false},
		{"oversized reply", &ReplyTooLargeError{Limit: 1 << 20, URL: "https://vc/sdk"}, false},
		{"contract violation", &ContractError{Offset: 0, Reason: "connection reset EOF timeout"}, false},
		{"text that mentions EOF", errors.New("unexpected EOF in the middle of a name"), false},
		{"cancelled", fmt.Errorf("x: %w", context.Canceled), false},
	}
	for _, tc := range cases {
		if got := isNetworkError(tc.err); got != tc.want {
			t.Errorf("%s: isNetworkError = %v, want %v", tc.name, got, tc.want)
		}
	}
}
