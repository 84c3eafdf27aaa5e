package vsphere

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// jsonHostile is a server in front of the simulator that passes every
// request on, except VI/JSON calls of a method a test hands to a
// misbehaving handler.
type jsonHostile struct {
	srv   *httptest.Server
	mu    sync.Mutex
	hooks map[string]http.HandlerFunc // by method, the last path segment
}

func startJSONHostile(t *testing.T) *jsonHostile {
	t.Helper()
	sim, err := simulator.Start(simulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	target := *sim.URL()
	target.User, target.Path = nil, ""
	proxy := httputil.NewSingleHostReverseProxy(&target)
	h := &jsonHostile{hooks: map[string]http.HandlerFunc{}}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		hook := h.hooks[path.Base(r.URL.Path)]
		h.mu.Unlock()
		if hook != nil && strings.Contains(r.URL.Path, "/sdk/vim25/") {
			hook(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *jsonHostile) on(method string, f http.HandlerFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hooks[method] = f
}

// connect connects over VI/JSON and finds a healthy disk's query.
func (h *jsonHostile) connect(t *testing.T) (*Client, Query) {
	t.Helper()
	c, err := Connect(context.Background(), Settings{URL: h.srv.URL + "/sdk", Username: "admin", Password: NewSecret("s3cret-Passw0rd"),
		Timeout: 10 * time.Second, Transport: TransportJSON})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Logout(context.Background()) })
	// The disk is found over SOAP, through the same front.
	sc, err := Connect(context.Background(), Settings{URL: h.srv.URL + "/sdk", Username: "admin", Password: NewSecret("s3cret-Passw0rd"), Transport: TransportSOAP})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Logout(context.Background())
	d, snaps := findDisk(t, sc, simulator.DemoDatabase)
	return c, Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: snaps[len(snaps)-1].ID, ChangeID: "*"}
}

const fcdQuery = "VstorageObjectVCenterQueryChangedDiskAreas"

// Each way a VI/JSON reply can be wrong ends the fetch with an error that
// says what was wrong, after retrying only what is worth retrying; none
// gives a map.
func TestJSONHostileReplies(t *testing.T) {
	fast := FetchOptions{Workers: 1, Retry: RetryPolicy{Attempts: 3, Base: time.Millisecond, Max: time.Millisecond}}
	for _, tc := range []struct {
		name      string
		handler   http.HandlerFunc
		transient bool   // retried before giving up
		want      string // in the error
	}{
		{"non-JSON body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html><body>maintenance</body></html>")
		}, false, "decoding reply"},
		{"truncated body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"_typeName":"DiskChangeInfo","startOffset":0,"length":1048576,"changedArea":[{"start":0,`)
		}, false, "decoding reply"},
		{"connection cut mid-body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, `{"_typeName":"DiskChangeInfo","startOffset":0,`)
		}, true, "unexpected EOF"},
		{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, false, "HTTP 404"},
		{"500 with garbage", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"_typeName":"NoSuchType","x":`)
		}, true, "HTTP 500"},
		{"500 HTML page", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "<h1>Internal Server Error</h1>", http.StatusInternalServerError)
		}, true, "HTTP 500"},
		{"503", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}, true, "HTTP 503"},
		{"reply of another type", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"_typeName":"ManagedObjectReference","type":"Datastore","value":"ds-1"}`)
		}, false, "decoding reply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := startJSONHostile(t)
			c, q := h.connect(t)
			var calls int
			var mu sync.Mutex
			h.on(fcdQuery, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls++
				mu.Unlock()
				tc.handler(w, r)
			})
			_, done, faults := fetchMap(t, c, q, fast)
			if done.Complete || done.Err == nil || !strings.Contains(done.Err.Error(), tc.want) {
				t.Fatalf("done %+v (err %v), faults %v", done, done.Err, faults)
			}
			mu.Lock()
			defer mu.Unlock()
			if tc.transient != (calls == 3) || !tc.transient && calls != 1 {
				t.Fatalf("%d calls (transient %v)", calls, tc.transient)
			}
		})
	}
}

// A VI/JSON reply past the size cap is cut off and not retried.
func TestJSONHugeReplyIsCapped(t *testing.T) {
	old := maxReply
	maxReply = 1 << 20
	defer func() { maxReply = old }()
	h := startJSONHostile(t)
	c, q := h.connect(t)
	h.on(fcdQuery, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"_typeName":"DiskChangeInfo","startOffset":0,"length":1,"x":"`)
		chunk := strings.Repeat("a", 64<<10)
		for range 64 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	_, done, _ := fetchMap(t, c, q, FetchOptions{Workers: 1})
	var big *ReplyTooLargeError
	if done.Complete || !errors.As(done.Err, &big) {
		t.Fatalf("done %+v, err %v", done, done.Err)
	}
}

// A reply that never finishes is bounded by the call's deadline.
func TestJSONSlowReplyTimesOut(t *testing.T) {
	h := startJSONHostile(t)
	_, q := h.connect(t)
	release := make(chan struct{})
	defer close(release)
	h.on(fcdQuery, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	// The timeout is the transport's: set it the way Connect does.
	c2, err := Connect(context.Background(), Settings{URL: h.srv.URL + "/sdk", Username: "a", Password: NewSecret("b"), Timeout: 200 * time.Millisecond, Transport: TransportJSON})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Logout(context.Background())
	_, done, _ := fetchMap(t, c2, q, FetchOptions{Workers: 1, Retry: RetryPolicy{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond}})
	var te *TimeoutError
	if done.Complete || !errors.As(done.Err, &te) || !strings.Contains(te.Call, fcdQuery) {
		t.Fatalf("done %+v, err %v", done, done.Err)
	}
}

// A VI/JSON fault of a type this client does not know (newer than its
// vSphere types), or with no type at all, is a fault as over SOAP, with
// the server's text: not a transient failure retried until it gives up.
func TestJSONFaultOfUnknownTypeIsAFault(t *testing.T) {
	res := &http.Response{StatusCode: http.StatusInternalServerError, Status: "500 Internal Server Error",
		Header: http.Header{"Content-Type": {"application/json"}}}
	for _, body := range []string{
		`{"_typeName":"VslmBrandNewFault","faultstring":"The operation is not allowed in the current state.","faultMessage":[]}`,
		`{"faultstring":"The operation is not allowed in the current state."}`,
	} {
		err := (&Client{vim: &vim25.Client{Client: soap.NewClient(&url.URL{Scheme: "https", Host: "vc"}, false)}}).readJSONReply(res, []byte(body), nil, &changeInfo{})
		var te *TransientError
		if errors.As(err, &te) {
			t.Fatalf("%s: transient: %v", body, err)
		}
		f, ok := AsFault(err, nil)
		if !ok || f.Message != "The operation is not allowed in the current state." {
			t.Fatalf("%s: fault %+v, %v (err %v)", body, f, ok, err)
		}
	}
}
