package vsphere

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// A server that accepts the connection and never answers, at each stage of
// connecting, ends Connect with a timeout error naming the limit.
func TestConnectToSilentServerTimesOut(t *testing.T) {
	const limit = 300 * time.Millisecond
	t.Run("never speaks TLS", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		var held []net.Conn
		var mu sync.Mutex
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		}()
		defer func() {
			mu.Lock()
			defer mu.Unlock()
			for _, c := range held {
				c.Close()
			}
		}()
		var err2 error
		guardHang(t, "Connect", func() {
			_, err2 = Connect(context.Background(), Settings{URL: "https://" + ln.Addr().String() + "/sdk", Username: "admin", Password: NewSecret("s3cret-Passw0rd"), Insecure: true, Timeout: limit})
		})
		var te *TimeoutError
		if !errors.As(err2, &te) || te.Limit != limit {
			t.Fatalf("got %v, want a timeout after %v", err2, limit)
		}
	})
	for _, method := range []string{"RetrieveServiceContent", "Login"} {
		t.Run("never answers "+method, func(t *testing.T) {
			h := startHostile(t, simulator.Options{})
			h.on(method, h.hang)
			var err error
			guardHang(t, "Connect", func() { _, err = Connect(context.Background(), h.settings(limit)) })
			var te *TimeoutError
			var ce *ConnectError
			if !errors.As(err, &te) || !errors.As(err, &ce) || te.Limit != limit {
				t.Fatalf("got %v, want a ConnectError with a timeout after %v", err, limit)
			}
			// Under load a healthy call before it may be the one cut, so
			// "no reply" or "reply not finished": either names limit and server.
			if !strings.Contains(err.Error(), " in 300ms from https://127.0.0.1") {
				t.Fatalf("message %q does not name the limit and the server", err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("message %q shows the password", err)
			}
		})
	}
}

// Cancelling the context ends a Connect that waits on a silent server, long
// before its own deadline.
func TestConnectHonoursCancellation(t *testing.T) {
	for _, method := range []string{"RetrieveServiceContent", "Login"} {
		t.Run(method, func(t *testing.T) {
			h := startHostile(t, simulator.Options{})
			entered := make(chan struct{}, 1)
			h.on(method, func(w http.ResponseWriter, r *http.Request) {
				entered <- struct{}{}
				h.hang(w, r)
			})
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-entered; cancel() }()
			var err error
			guardHang(t, "Connect", func() { _, err = Connect(ctx, h.settings(time.Hour)) })
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want context.Canceled", err)
			}
		})
	}
}

// hostileQuery connects through h and returns the database disk's query
// from its first snapshot to its newest, and the ground truth.
func hostileQuery(t *testing.T, h *hostile, c *Client) (Query, []simulator.Extent) {
	t.Helper()
	d, snaps := findDisk(t, c, simulator.DemoDatabase)
	newest := snaps[len(snaps)-1]
	want, err := h.sim.GroundTruth(d.ID, newest.ID, snaps[0].ChangeID)
	if err != nil {
		t.Fatal(err)
	}
	return Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: snaps[0].ChangeID}, want
}

// A CBT call that gets no reply, or a reply that drips too slowly to finish,
// is retried from its offset and then reported with the limit, the server and
// the offset.
func TestSlowCBTCallsTimeOut(t *testing.T) {
	const limit = time.Second
	cases := map[string]struct {
		handler func(h *hostile) http.HandlerFunc
		want    string
	}{
		"never answers":      {func(h *hostile) http.HandlerFunc { return h.hang }, "no reply in 1s from https://127.0.0.1"},
		"one byte per 100ms": {func(h *hostile) http.HandlerFunc { return h.drip(100 * time.Millisecond) }, "reply not finished in 1s from https://127.0.0.1"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := startHostile(t, simulator.Options{PageExtents: 300})
			c := connectHostile(t, h, limit)
			q, _ := hostileQuery(t, h, c)
			h.on("VstorageObjectVCenterQueryChangedDiskAreas", tc.handler(h))
			retry := RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond}
			var done *DoneEvent
			var faults []*FaultEvent
			guardHang(t, "fetch", func() { _, done, faults = fetchMap(t, c, q, FetchOptions{Workers: 1, Retry: retry}) })
			if done.Complete || len(faults) != 1 {
				t.Fatalf("done %+v, faults %v", done, faults)
			}
			err := faults[0].Err
			var te *TimeoutError
			if !errors.As(err, &te) || te.Limit != limit {
				t.Fatalf("got %v, want a timeout after %v", err, limit)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "(VstorageObjectVCenterQueryChangedDiskAreas at startOffset 0)") {
				t.Fatalf("message %q: want %q and the call with its offset", msg, tc.want)
			}
			if done.Progress.Calls != 2 || done.Progress.Retries != 1 {
				t.Fatalf("%d calls, %d retries: a timeout must be retried once with 2 attempts", done.Progress.Calls, done.Progress.Retries)
			}
		})
	}
}

// A timeout that happens once is survived: the page is asked again from the
// same offset and the map is exact.
func TestOneTimeoutIsRetried(t *testing.T) {
	h := startHostile(t, simulator.Options{PageExtents: 300})
	c := connectHostile(t, h, time.Second)
	q, want := hostileQuery(t, h, c)
	var once sync.Once
	h.on("VstorageObjectVCenterQueryChangedDiskAreas", func(w http.ResponseWriter, r *http.Request) {
		hung := false
		once.Do(func() { hung = true; h.hang(w, r) })
		if hung {
			return
		}
		res, body, err := h.forward(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		writeReply(w, res, body)
	})
	m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 4, Retry: fastRetry})
	if !done.Complete || len(faults) > 0 {
		t.Fatalf("done %+v, faults %v", done, faults)
	}
	if got := extentsOf(m); !slices.Equal(got, want) {
		t.Fatalf("%d extents, ground truth has %d", len(got), len(want))
	}
	if done.Progress.Retries == 0 {
		t.Fatal("no retry: did the hang happen?")
	}
}

// gzipBomb is a gzip stream of n bytes of spaces, after an envelope's start.
func gzipBomb(t testing.TB, n int64) []byte {
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write([]byte(`<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for i := int64(0); i < n>>20; i++ {
		zw.Write(chunk)
	}
	zw.Close()
	return b.Bytes()
}

func serveBomb(bomb []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}
}

// With the cap at 1 MiB, a 100 MiB reply (plain, endless, or a gzip bomb of
// a few hundred KiB) ends the call with an error naming the cap, on the CBT
// path and on govmomi's own calls alike, and is not retried.
func TestOversizedRepliesStopAtTheCap(t *testing.T) {
	defer func(old int64) { maxReply = old }(maxReply)
	maxReply = 1 << 20
	bomb := gzipBomb(t, 100<<20)
	if len(bomb) > 1<<20 {
		t.Fatalf("the bomb is %d bytes compressed: it tests nothing", len(bomb))
	}

	for name, mk := range map[string]func(h *hostile, sent *int64, mu *sync.Mutex) http.HandlerFunc{
		"100 MiB body": func(h *hostile, sent *int64, mu *sync.Mutex) http.HandlerFunc { return h.endless(100<<20, sent, mu) },
		"endless body": func(h *hostile, sent *int64, mu *sync.Mutex) http.HandlerFunc { return h.endless(-1, sent, mu) },
		"gzip bomb":    func(h *hostile, sent *int64, mu *sync.Mutex) http.HandlerFunc { return serveBomb(bomb) },
	} {
		t.Run("CBT call/"+name, func(t *testing.T) {
			h := startHostile(t, simulator.Options{PageExtents: 300})
			c := connectHostile(t, h, 10*time.Second)
			q, _ := hostileQuery(t, h, c)
			var sent int64
			var mu sync.Mutex
			h.on("VstorageObjectVCenterQueryChangedDiskAreas", mk(h, &sent, &mu))
			var done *DoneEvent
			var faults []*FaultEvent
			guardHang(t, "fetch", func() { _, done, faults = fetchMap(t, c, q, FetchOptions{Workers: 1, Retry: fastRetry}) })
			if done.Complete || len(faults) != 1 {
				t.Fatalf("done %+v, faults %v", done, faults)
			}
			var big *ReplyTooLargeError
			if !errors.As(faults[0].Err, &big) || !strings.Contains(faults[0].Err.Error(), "larger than 1 MiB") {
				t.Fatalf("got %v, want the cap named", faults[0].Err)
			}
			if done.Progress.Calls != 1 {
				t.Fatalf("%d calls: an oversized reply must not be asked for again", done.Progress.Calls)
			}
		})
		t.Run("connect/"+name, func(t *testing.T) {
			h := startHostile(t, simulator.Options{})
			var sent int64
			var mu sync.Mutex
			h.on("RetrieveServiceContent", mk(h, &sent, &mu))
			var err error
			guardHang(t, "Connect", func() { _, err = Connect(context.Background(), h.settings(10*time.Second)) })
			var big *ReplyTooLargeError
			if !errors.As(err, &big) || !strings.Contains(err.Error(), "larger than 1 MiB") {
				t.Fatalf("got %v, want the cap named", err)
			}
		})
	}
}

// The cap counts decompressed bytes: Go's transport undoes gzip below it.
func TestReplyCapCountsDecompressedBytes(t *testing.T) {
	bomb := gzipBomb(t, 8<<20)
	srv := httptest.NewServer(serveBomb(bomb))
	defer srv.Close()
	for _, limit := range []int64{1 << 20, 16 << 20} {
		client := &http.Client{Transport: guardTransport{base: http.DefaultTransport, timeout: time.Minute, limit: limit, url: srv.URL}}
		res, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		var big *ReplyTooLargeError
		switch {
		case limit < 8<<20 && (!errors.As(err, &big) || n != limit):
			t.Fatalf("cap %d: read %d bytes, error %v; want exactly the cap and the cap's error", limit, n, err)
		case limit > 8<<20 && (err != nil || n < 8<<20):
			t.Fatalf("cap %d: read %d bytes, error %v; want the whole reply", limit, n, err)
		}
	}
}
