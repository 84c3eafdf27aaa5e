package vsphere

import (
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

// recordTrip answers every request with a reply that names a session, and
// records the session header each request carried.
type recordTrip struct{ got map[string]string }

func (r recordTrip) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got[req.URL.Host+req.URL.Path] = req.Header.Get(sessionHeader)
	h := http.Header{}
	h.Set(sessionHeader, "from-"+req.URL.Host+req.URL.Path)
	return &http.Response{StatusCode: http.StatusOK, Header: h, Body: http.NoBody, Request: req}, nil
}

// The VI/JSON session id goes only to the vCenter it came from (never to a
// host a redirect points at), and is taken only from a login's reply, so a
// late reply to an older call cannot replace the id a relogin set.
func TestJSONSessionStaysWithItsHost(t *testing.T) {
	rec := recordTrip{got: map[string]string{}}
	var id atomic.Pointer[string]
	tr := jsonSession{base: rec, id: &id, host: "vc.example.com"}
	call := func(url string) {
		req, err := http.NewRequest(http.MethodPost, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tr.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	}
	const login = "/sdk/vim25/8.0.3.0/SessionManager/SessionManager/Login"
	const query = "/sdk/vim25/8.0.3.0/VirtualMachine/vm-1/QueryChangedDiskAreas"
	call("https://vc.example.com" + login)
	want := "from-vc.example.com" + login
	if got := id.Load(); got == nil || *got != want {
		t.Fatalf("after login the session is %v, want %q", got, want)
	}
	call("https://vc.example.com" + query)
	if got := rec.got["vc.example.com"+query]; got != want {
		t.Fatalf("a call to vCenter carried session %q, want %q", got, want)
	}
	if got := *id.Load(); got != want {
		t.Fatalf("a reply to a call that is not a login replaced the session with %q", got)
	}
	call("https://elsewhere.example.net" + query)
	if got := rec.got["elsewhere.example.net"+query]; got != "" {
		t.Fatalf("a request to another host carried the session %q", got)
	}
}

// A managed object id from the server cannot move a VI/JSON call out of
// its path, not even as "." or "..".
func TestJSONURLKeepsEachPartOneSegment(t *testing.T) {
	c := &Client{vim: &vim25.Client{Client: soap.NewClient(&url.URL{Scheme: "https", Host: "vc", Path: "/sdk"}, false)}, release: "8.0.3.0"}
	for moID, want := range map[string]string{
		"..":     "https://vc/sdk/vim25/8.0.3.0/Datastore/%2E%2E/Method",
		".":      "https://vc/sdk/vim25/8.0.3.0/Datastore/%2E/Method",
		"a/../b": "https://vc/sdk/vim25/8.0.3.0/Datastore/a%2F..%2Fb/Method",
		"ds-1":   "https://vc/sdk/vim25/8.0.3.0/Datastore/ds-1/Method",
		"x?y#z":  "https://vc/sdk/vim25/8.0.3.0/Datastore/x%3Fy%23z/Method",
	} {
		if got := c.jsonURL("Datastore", moID, "Method"); got != want {
			t.Errorf("moID %q: %s, want %s", moID, got, want)
		}
	}
}
