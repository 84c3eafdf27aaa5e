package vsphere

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A reader that stops at the end of the envelope leaves the rest of the body
// unread; only draining on Close lets the connection be reused.
func TestDrainingKeepsConnectionsAlive(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, "<Envelope>"+strings.Repeat(" ", 64<<10)+"</Envelope>\n\n")
	}))
	defer srv.Close()
	for _, drain := range []bool{false, true} {
		var conns atomic.Int64
		base := srv.Client().Transport
		var rt http.RoundTripper = base
		if drain {
			rt = guardTransport{base: base, timeout: time.Minute, limit: DefaultMaxReply, url: srv.URL}
		}
		client := &http.Client{Transport: countingTransport{rt, &conns}}
		for range 10 {
			res, err := client.Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			// Read only the start, as a decoder that found what it wanted.
			if _, err := io.ReadFull(res.Body, make([]byte, 100)); err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		}
		switch n := conns.Load(); {
		case drain && n != 1:
			t.Fatalf("with draining, 10 calls opened %d connections, want 1", n)
		case !drain && n < 5:
			t.Fatalf("without draining, 10 calls opened only %d connections: the test shows nothing", n)
		}
	}
}
