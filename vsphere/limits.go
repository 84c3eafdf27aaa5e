package vsphere

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultTimeout bounds one call to vCenter (connect, TLS handshake, request,
// and reading the whole reply) when Settings.Timeout is zero.
const DefaultTimeout = 2 * time.Minute

// DefaultMaxReply bounds one reply's size after decompression. The largest
// honest reply (2000 extents) is well under a megabyte; an inventory reply of
// a big site is tens of megabytes.
const DefaultMaxReply = 256 << 20

// maxReply is the reply cap new clients get; tests lower it.
var maxReply int64 = DefaultMaxReply

// ReplyTooLargeError is a reply that grew past the cap: a misbehaving server,
// a compression bomb, an endless body. It is not retried.
type ReplyTooLargeError struct {
	Limit int64
	URL   string
}

func (e *ReplyTooLargeError) Error() string {
	return fmt.Sprintf("reply from %s larger than %s; stopped reading", e.URL, formatBytes(e.Limit))
}

// TimeoutError is a call that got no complete reply within its deadline. It
// is transient: the fetcher retries it from its offset.
type TimeoutError struct {
	Limit time.Duration
	URL   string
	// Partial is true when the reply had begun (a body dripping too slowly).
	Partial bool
	// Call names the call, e.g. "VstorageObjectVCenterQueryChangedDiskAreas
	// at startOffset 1234", when the caller knows it.
	Call string
}

func (e *TimeoutError) Error() string {
	what := "no reply"
	if e.Partial {
		what = "reply not finished"
	}
	msg := fmt.Sprintf("%s in %v from %s", what, e.Limit, e.URL)
	if e.Call != "" {
		msg += " (" + e.Call + ")"
	}
	return msg
}

// Timeout lets net.Error-style checks see it as a timeout.
func (e *TimeoutError) Timeout() bool { return true }

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// guardTransport gives every request its own deadline, covering the reply's
// body too, and caps the body's size; it also drains a body that was read
// without error before closing it, so the connection can be reused.
//
// It sits above http.Transport, which undoes gzip itself: the cap counts
// decompressed bytes, so a small compression bomb cannot get past it.
type guardTransport struct {
	base    http.RoundTripper
	timeout time.Duration
	limit   int64
	url     string // the endpoint, without credentials, for messages
}

func (t guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	ctx, cancel := context.WithTimeout(parent, t.timeout)
	res, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		// The dialer's and the handshake's timeouts are this same limit and
		// may fire a moment before ctx's.
		var netErr net.Error
		timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
			(errors.As(err, &netErr) && netErr.Timeout())
		if parent.Err() == nil && timedOut {
			return nil, &TimeoutError{Limit: t.timeout, URL: t.url}
		}
		return nil, err
	}
	if res.Body == nil {
		cancel()
		return res, nil
	}
	res.Body = &guardedBody{body: res.Body, t: &t, ctx: ctx, parent: parent, cancel: cancel, left: t.limit}
	return res, nil
}

// guardedBody enforces the cap and turns a read cut by the deadline into a
// TimeoutError.
type guardedBody struct {
	body   io.ReadCloser
	t      *guardTransport
	ctx    context.Context
	parent context.Context
	cancel context.CancelFunc

	mu     sync.Mutex
	left   int64 // bytes still allowed
	failed bool  // a read failed or hit the cap: do not drain
}

func (b *guardedBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left <= 0 {
		// At the cap: anything more is too much, the end of the body is not.
		var one [1]byte
		n, err := b.body.Read(one[:])
		if n > 0 {
			b.failed = true
			return 0, &ReplyTooLargeError{Limit: b.t.limit, URL: b.t.url}
		}
		return 0, b.readErr(err)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	return n, b.readErr(err)
}

func (b *guardedBody) readErr(err error) error {
	if err == nil {
		return nil
	}
	// Cut by the deadline, a body may also end in a clean io.EOF (seen over
	// TLS): a body whose deadline passed is never taken as complete.
	timedOut := b.parent.Err() == nil && errors.Is(b.ctx.Err(), context.DeadlineExceeded)
	if err == io.EOF && !timedOut {
		return err
	}
	b.failed = true
	if timedOut {
		return &TimeoutError{Limit: b.t.timeout, URL: b.t.url, Partial: true}
	}
	return err
}

// maxDrain bounds what is read to save a connection: past this, a new
// connection is cheaper than reading on.
const maxDrain = 256 << 10

func (b *guardedBody) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	defer b.cancel()
	if !b.failed {
		// govmomi closes bodies after decoding the envelope, without reading
		// what follows it; an HTTP/1.1 connection whose body was not read to
		// the end cannot be reused, so over TLS nearly every call would pay a
		// new handshake.
		_, _ = io.CopyN(io.Discard, b.body, maxDrain)
	}
	return b.body.Close()
}

// callError strips the *url.Error that http.Client puts around a timeout or
// an oversized reply, whose message would repeat the method and URL.
func callError(err error) error {
	var te *TimeoutError
	if errors.As(err, &te) {
		return te
	}
	var big *ReplyTooLargeError
	if errors.As(err, &big) {
		return big
	}
	return err
}
