package vsphere

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

func TestParseTransport(t *testing.T) {
	for in, want := range map[string]string{"": "auto", "auto": "auto", "SOAP": "soap", " json ": "json"} {
		if got, err := ParseTransport(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"rest", "jsonx", "s0ap"} {
		if _, err := ParseTransport(in); !errors.Is(err, ErrTransport) {
			t.Errorf("%q: %v", in, err)
		}
	}
	_, err := Settings{URL: "vc.example.com", Transport: "grpc"}.Check()
	if !errors.Is(err, ErrTransport) || !strings.Contains(err.Error(), `"grpc"`) {
		t.Fatalf("Check: %v", err)
	}
	s, err := Settings{URL: "vc.example.com"}.Check()
	if err != nil || s.Transport != TransportAuto {
		t.Fatalf("Check: %q, %v", s.Transport, err)
	}
	if got := SettingsFromEnv(func(k string) string { return map[string]string{"CBTSCOPE_TRANSPORT": "json"}[k] }).Transport; got != "json" {
		t.Fatalf("CBTSCOPE_TRANSPORT read as %q", got)
	}
}

func TestPickRelease(t *testing.T) {
	doc := func(ns, version string, prior ...string) string {
		var p strings.Builder
		for _, v := range prior {
			fmt.Fprintf(&p, "<version>%s</version>", v)
		}
		return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8" ?><namespaces version="1.0"><namespace><name>%s</name><version>%s</version><priorVersions>%s</priorVersions></namespace></namespaces>`, ns, version, p.String())
	}
	for _, tc := range []struct {
		doc, want string
		json      bool
	}{
		{doc("urn:vim25", "8.0.3.0", "8.0.2.0", "8.0.1.0", "7.0"), "8.0.3.0", true},
		{doc("urn:vim25", "8.0.1.0"), "8.0.1.0", true},
		{doc("urn:vim25", "8.0.0.1", "7.0.3.0"), "8.0.0.1", false},
		{doc("urn:vim25", "7.0.3.0", "6.7"), "7.0.3.0", false},
		{doc("urn:vim25", "6.5", "6.0", "5.5"), "6.5", false},
		// A server listing its versions out of order still gets its newest.
		{doc("urn:vim25", "8.0.1.0", "8.0.10.0"), "8.0.10.0", true},
		// Anything that is not a release cannot reach a URL path.
		{doc("urn:vim25", "../../admin", "8.0.2.0"), "8.0.2.0", true},
		{doc("urn:vim25", "9.0.0.0/x", "7.0"), "7.0", false},
		{doc("vim25", " 8.0.3.0 "), "8.0.3.0", true},
	} {
		got, err := pickRelease([]byte(tc.doc))
		if err != nil || got != tc.want || servesJSON(got) != tc.json {
			t.Errorf("%s: %q (JSON %v), %v", tc.doc, got, servesJSON(got), err)
		}
	}
	for _, bad := range []string{"", "<html>not found</html>", doc("urn:vsan", "8.0.3.0"), doc("urn:vim25", "latest"), "<namespaces"} {
		var nv *NoVersionsError
		if got, err := pickRelease([]byte(bad)); !errors.As(err, &nv) {
			t.Errorf("%q: %q, %v", bad, got, err)
		}
	}
}

func FuzzPickRelease(f *testing.F) {
	f.Add([]byte(`<namespaces><namespace><name>urn:vim25</name><version>8.0.3.0</version><priorVersions><version>7.0</version></priorVersions></namespace></namespaces>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		rel, err := pickRelease(doc)
		if err != nil {
			return
		}
		if _, ok := parseRelease(rel); !ok || strings.Trim(rel, "0123456789.") != "" {
			t.Fatalf("%q picked %q", doc, rel)
		}
	})
}

// versionsFront is a plain-HTTP server that answers vimServiceVersions.xml
// itself (with versions, or with status when versions is empty) and proxies
// everything else to the simulator. It records the paths it is asked for.
type versionsFront struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []string
}

func startVersionsFront(t *testing.T, status int, versions string) *versionsFront {
	t.Helper()
	sim, err := simulator.Start(simulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	target := *sim.URL()
	target.User, target.Path = nil, ""
	proxy := httputil.NewSingleHostReverseProxy(&target)
	f := &versionsFront{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.got = append(f.got, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		if r.URL.Path == "/sdk/vimServiceVersions.xml" {
			if versions == "" {
				http.Error(w, "no", status)
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8" ?><namespaces version="1.0"><namespace><name>urn:vim25</name><version>%s</version><priorVersions><version>6.5</version></priorVersions></namespace></namespaces>`, versions)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *versionsFront) settings(transport string) Settings {
	return Settings{URL: f.srv.URL + "/sdk", Username: "admin", Password: NewSecret("s3cret-Passw0rd"), Timeout: 20 * time.Second, Transport: transport}
}

func (f *versionsFront) paths() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

// A server advertising only 7.0 is spoken to in SOAP, in its own release,
// and everything works; forcing VI/JSON on it is a clear configuration
// error before any vim25 call.
func TestTransportOnA70Server(t *testing.T) {
	f := startVersionsFront(t, 0, "7.0.3.0")
	c, err := Connect(context.Background(), f.settings(TransportAuto))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(context.Background())
	if c.Transport() != TransportSOAP || c.Release() != "7.0.3.0" || c.Protocol() != "SOAP 7.0.3.0" {
		t.Fatalf("transport %s, release %q, %s", c.Transport(), c.Release(), c.Protocol())
	}
	if c.vim.Client.Version != "7.0.3.0" {
		t.Fatalf("SOAP calls are sent as release %s", c.vim.Client.Version)
	}
	if _, err := c.Datastores(context.Background()); err != nil {
		t.Fatal(err)
	}

	before := len(f.paths())
	_, err = Connect(context.Background(), f.settings(TransportJSON))
	var ce *ConnectError
	if !errors.As(err, &ce) || !ce.Config || ce.Stage != "api" ||
		!strings.Contains(err.Error(), "7.0.3.0") || !strings.Contains(err.Error(), "--transport soap") {
		t.Fatalf("forced json on 7.0: %v", err)
	}
	if got := f.paths()[before:]; len(got) != 1 || got[0] != "GET /sdk/vimServiceVersions.xml" {
		t.Fatalf("forced json on 7.0 sent %v", got)
	}
}

// A server without vimServiceVersions.xml is spoken to in SOAP under auto,
// and refuses a forced VI/JSON clearly.
func TestTransportWithoutServiceVersions(t *testing.T) {
	f := startVersionsFront(t, http.StatusNotFound, "")
	c, err := Connect(context.Background(), f.settings(""))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(context.Background())
	if c.Transport() != TransportSOAP || c.Release() != "" {
		t.Fatalf("transport %s, release %q", c.Transport(), c.Release())
	}
	_, err = Connect(context.Background(), f.settings(TransportJSON))
	var ce *ConnectError
	var nv *NoVersionsError
	if !errors.As(err, &ce) || !ce.Config || !errors.As(err, &nv) || !strings.Contains(err.Error(), "404") {
		t.Fatalf("forced json without versions: %v", err)
	}
}

// Forced SOAP asks nothing first: the client behaves as before VI/JSON.
func TestTransportSOAPForcedAsksNoVersions(t *testing.T) {
	f := startVersionsFront(t, 0, "8.0.3.0")
	c, err := Connect(context.Background(), f.settings(TransportSOAP))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Logout(context.Background())
	for _, p := range f.paths() {
		if strings.Contains(p, "vimServiceVersions") || strings.Contains(p, "/vim25/") {
			t.Fatalf("forced SOAP sent %s", p)
		}
	}
	if c.Transport() != TransportSOAP || c.Protocol() != "SOAP" {
		t.Fatalf("transport %s", c.Protocol())
	}
}

// On a server advertising 8.0.3.0, auto's first vim25 call is VI/JSON, in
// the server's release rather than govmomi's newer default.
func TestTransportAutoPicksJSONOn803(t *testing.T) {
	f := startVersionsFront(t, 0, "8.0.3.0")
	// The simulator behind this front may not serve VI/JSON: only the
	// first call's path matters here.
	_, _ = Connect(context.Background(), f.settings(TransportAuto))
	got := f.paths()
	if len(got) < 2 || got[0] != "GET /sdk/vimServiceVersions.xml" ||
		got[1] != "POST /sdk/vim25/8.0.3.0/ServiceInstance/ServiceInstance/RetrieveServiceContent" {
		t.Fatalf("calls: %v", got)
	}
}

// An oversized or hanging vimServiceVersions.xml is bounded like any call.
func TestServiceVersionsBounded(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/huge/"):
			w.Write([]byte("<namespaces>"))
			w.Write([]byte(strings.Repeat(" ", maxServiceVersions+1)))
		default:
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	}))
	defer srv.Close()
	defer close(release)

	_, err := Connect(context.Background(), Settings{URL: srv.URL + "/huge/sdk", Transport: TransportJSON, Timeout: 10 * time.Second})
	var nv *NoVersionsError
	if !errors.As(err, &nv) || !strings.Contains(err.Error(), "larger than 64 KiB") {
		t.Fatalf("huge versions: %v", err)
	}
	_, err = Connect(context.Background(), Settings{URL: srv.URL + "/hang/sdk", Transport: TransportAuto, Timeout: 300 * time.Millisecond})
	var ce *ConnectError
	var te *TimeoutError
	if !errors.As(err, &ce) || ce.Stage != "network" || !errors.As(err, &te) {
		t.Fatalf("hanging versions: %v", err)
	}
}
