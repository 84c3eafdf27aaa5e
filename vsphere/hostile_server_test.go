package vsphere

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// hostile is a TLS server in front of the simulator that forwards every
// SOAP call to it, except those a test hands to a misbehaving handler.
type hostile struct {
	srv     *httptest.Server
	sim     *simulator.Server
	client  *http.Client
	release chan struct{} // closed at cleanup: handlers that hang return

	mu    sync.Mutex
	hooks map[string]http.HandlerFunc // by SOAP method name
}

// soapMethods are the calls a hook can take over, found in the request body.
var soapMethods = []string{"VstorageObjectVCenterQueryChangedDiskAreas", "QueryChangedDiskAreas", "RetrieveServiceContent", "Login", "RetrieveSnapshotDetails"}

func startHostile(t testing.TB, opts simulator.Options) *hostile {
	t.Helper()
	opts.TLS = true
	sim, err := simulator.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	h := &hostile{
		sim:     sim,
		release: make(chan struct{}),
		hooks:   map[string]http.HandlerFunc{},
		client: &http.Client{Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{InsecureSkipVerify: true},
			MaxIdleConnsPerHost: 32,
		}},
	}
	h.srv = httptest.NewTLSServer(http.HandlerFunc(h.serve))
	// Cleanups run last first: release hanging handlers, then close.
	t.Cleanup(sim.Close)
	t.Cleanup(h.srv.Close)
	t.Cleanup(func() { close(h.release) })
	return h
}

// on hands calls of method to handler (nil: forward them again).
func (h *hostile) on(method string, handler http.HandlerFunc) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hooks[method] = handler
}

func (h *hostile) settings(timeout time.Duration) Settings {
	return Settings{URL: h.srv.URL + "/sdk", Username: "admin", Password: NewSecret("s3cret-Passw0rd"), Insecure: true, Timeout: timeout}
}

func (h *hostile) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h.mu.Lock()
	var hook http.HandlerFunc
	for _, m := range soapMethods {
		if bytes.Contains(body, []byte("<"+m+">")) || bytes.Contains(body, []byte("<"+m+" ")) {
			hook = h.hooks[m]
			break
		}
	}
	h.mu.Unlock()
	if hook != nil {
		hook(w, r)
		return
	}
	res, body, err := h.forward(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeReply(w, res, body)
}

// forward sends r to the simulator and returns its whole reply.
func (h *hostile) forward(r *http.Request) (*http.Response, []byte, error) {
	u := *h.sim.URL()
	u.User = nil
	req, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), r.Body)
	if err != nil {
		return nil, nil, err
	}
	for _, k := range []string{"Content-Type", "SOAPAction", "Cookie", "User-Agent"} {
		if v := r.Header.Values(k); len(v) > 0 {
			req.Header[k] = v
		}
	}
	res, err := h.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

func writeReply(w http.ResponseWriter, res *http.Response, body []byte) {
	for _, k := range []string{"Content-Type", "Set-Cookie"} {
		if v := res.Header.Values(k); len(v) > 0 {
			w.Header()[k] = v
		}
	}
	w.WriteHeader(res.StatusCode)
	w.Write(body)
}

// hang answers nothing until the client leaves or the test ends.
func (h *hostile) hang(w http.ResponseWriter, r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-h.release:
	}
}

// drip starts a reply and then sends one byte per tick, forever.
func (h *hostile) drip(tick time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`)
		w.(http.Flusher).Flush()
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-h.release:
				return
			case <-t.C:
			}
			if _, err := io.WriteString(w, " "); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
}

// endless answers 200 with a body of n bytes of whitespace inside an
// envelope that never closes (n < 0: without end). It records how much it
// managed to send.
func (h *hostile) endless(n int64, sent *int64, mu *sync.Mutex) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`)
		chunk := []byte(strings.Repeat(" ", 64<<10))
		for total := int64(0); n < 0 || total < n; total += int64(len(chunk)) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			mu.Lock()
			*sent += int64(len(chunk))
			mu.Unlock()
			select {
			case <-h.release:
				return
			default:
			}
		}
	}
}

// guardHang fails the test if f has not returned within a generous bound:
// a hang detector, not a speed check.
func guardHang(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s still running after a minute: hung", what)
	}
}

// connectHostile connects through h, failing the test on error.
func connectHostile(t *testing.T, h *hostile, timeout time.Duration) *Client {
	t.Helper()
	c, err := Connect(context.Background(), h.settings(timeout))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Logout(context.Background()) })
	return c
}
