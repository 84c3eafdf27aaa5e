package simulator_test

// This file speaks VI/JSON with nothing but the standard library and the
// documented shapes, as a client in any language would: no govmomi.

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// viClient is a bare VI/JSON client.
type viClient struct {
	t       *testing.T
	http    *http.Client
	base    string // {scheme}://{host}/sdk/vim25/{release}
	session string
}

func newVIClient(t *testing.T, s *simulator.Server) *viClient {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	hc := &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	t.Cleanup(hc.CloseIdleConnections)
	return &viClient{t: t, http: hc, base: s.Describe().JSONURL}
}

// reply is one answer: status, the session header and the body.
type reply struct {
	status  int
	session string
	ctype   string
	body    []byte
}

// call POSTs params (nil: no body) to {base}/{Type}/{moId}/{Method}.
func (c *viClient) call(typ, id, method string, params any) reply {
	c.t.Helper()
	var body io.Reader
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			c.t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	return c.post(c.base+"/"+typ+"/"+id+"/"+method, "application/json", body)
}

func (c *viClient) post(url, ctype string, body io.Reader) reply {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if c.session != "" {
		req.Header.Set("vmware-api-session-id", c.session)
	}
	return c.do(req)
}

func (c *viClient) do(req *http.Request) reply {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		c.t.Fatal(err)
	}
	return reply{status: res.StatusCode, session: res.Header.Get("vmware-api-session-id"), ctype: res.Header.Get("Content-Type"), body: b}
}

// decode reads a 200 reply of the given _typeName into v.
func (r reply) decode(t *testing.T, typeName string, v any) {
	t.Helper()
	if r.status != http.StatusOK || r.ctype != "application/json" {
		t.Fatalf("status %d, content type %q, want 200 application/json: %s", r.status, r.ctype, r.body)
	}
	var head struct {
		TypeName string `json:"_typeName"`
	}
	if err := json.Unmarshal(r.body, &head); err != nil || head.TypeName != typeName {
		t.Fatalf("reply _typeName %q (%v), want %s: %s", head.TypeName, err, typeName, r.body)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("reply %s: %v", r.body, err)
	}
}

// moRef is a managed object reference as VI/JSON writes it.
type moRef struct {
	TypeName string `json:"_typeName,omitempty"`
	Type     string `json:"type"`
	Value    string `json:"value"`
}

type vimID struct {
	TypeName string `json:"_typeName"`
	ID       string `json:"id"`
}

// viFault is a fault object: its type, its messages, and its properties.
type viFault struct {
	TypeName     string `json:"_typeName"`
	FaultMessage []struct {
		Key     string `json:"key"`
		Message string `json:"message"`
	} `json:"faultMessage"`
	InvalidProperty string `json:"invalidProperty"`
}

// fault reads a fault reply of the given status and _typeName.
func (r reply) fault(t *testing.T, status int, typeName string) viFault {
	t.Helper()
	var f viFault
	if r.status != status || r.ctype != "application/json" {
		t.Fatalf("status %d, content type %q, want %d application/json: %s", r.status, r.ctype, status, r.body)
	}
	if err := json.Unmarshal(r.body, &f); err != nil {
		t.Fatalf("fault %s: %v", r.body, err)
	}
	if f.TypeName != typeName {
		t.Fatalf("fault %s, want %s: %s", f.TypeName, typeName, r.body)
	}
	return f
}

func (f viFault) hasMessage(key string) bool {
	for _, m := range f.FaultMessage {
		if m.Key == key && m.Message != "" {
			return true
		}
	}
	return false
}

type changedAreasParams struct {
	ID          vimID  `json:"id"`
	Datastore   moRef  `json:"datastore"`
	SnapshotID  vimID  `json:"snapshotId"`
	StartOffset int64  `json:"startOffset"`
	ChangeID    string `json:"changeId"`
}

type diskChangeInfo struct {
	StartOffset int64 `json:"startOffset"`
	Length      int64 `json:"length"`
	ChangedArea []struct {
		Start  int64 `json:"start"`
		Length int64 `json:"length"`
	} `json:"changedArea"`
}

func TestVIJSONWithPlainHTTP(t *testing.T) {
	const pageExtents = 150
	s, err := simulator.Start(simulator.Options{TLS: true, PageExtents: pageExtents})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := newVIClient(t, s)
	desc := s.Describe()

	// The release in the JSON URL is the one the server advertises.
	u := strings.TrimSuffix(desc.URL, "/sdk") + "/sdk/vimServiceVersions.xml"
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	var versions struct {
		Namespace []struct {
			Name    string `xml:"name"`
			Version string `xml:"version"`
		} `xml:"namespace"`
	}
	if r := c.do(req); r.status != http.StatusOK || xml.Unmarshal(r.body, &versions) != nil || len(versions.Namespace) == 0 {
		t.Fatalf("vimServiceVersions.xml: %d %s", r.status, r.body)
	}
	if ns := versions.Namespace[0]; ns.Name != "urn:vim25" || ns.Version != path.Base(desc.JSONURL) {
		t.Fatalf("advertised %s %s, JSON URL %s", ns.Name, ns.Version, desc.JSONURL)
	}

	var content struct {
		SessionManager        moRef `json:"sessionManager"`
		VStorageObjectManager moRef `json:"vStorageObjectManager"`
	}
	c.call("ServiceInstance", "ServiceInstance", "RetrieveServiceContent", nil).decode(t, "ServiceContent", &content)
	vsom := content.VStorageObjectManager
	if vsom.Type != "VcenterVStorageObjectManager" || content.SessionManager.Value == "" {
		t.Fatalf("service content %+v", content)
	}

	var d simulator.DiskInfo
	for _, di := range desc.Disks {
		if di.Name == simulator.DemoDatabase {
			d = di
		}
	}
	var ds moRef
	for _, di := range desc.Datastores {
		if di.Name == d.Datastore {
			ds = moRef{TypeName: "ManagedObjectReference", Type: di.Moref.Type, Value: di.Moref.Value}
		}
	}
	snap := d.Snapshots[len(d.Snapshots)-1]
	base := d.Snapshots[len(d.Snapshots)-2]
	params := func(off int64, changeID string) changedAreasParams {
		return changedAreasParams{
			ID: vimID{"ID", d.ID}, Datastore: ds, SnapshotID: vimID{"ID", snap.ID},
			StartOffset: off, ChangeID: changeID,
		}
	}
	query := func(off int64, changeID string) reply {
		return c.call(vsom.Type, vsom.Value, "VstorageObjectVCenterQueryChangedDiskAreas", params(off, changeID))
	}

	// Without a session: NotAuthenticated, as any fault.
	query(0, base.ChangeID).fault(t, http.StatusInternalServerError, "NotAuthenticated")

	login := c.call(content.SessionManager.Type, content.SessionManager.Value, "Login", map[string]string{"userName": "someone", "password": "anything"})
	var us struct {
		Key      string `json:"key"`
		UserName string `json:"userName"`
	}
	login.decode(t, "UserSession", &us)
	if login.session == "" || us.UserName != "someone" {
		t.Fatalf("login: session header %q, user %q", login.session, us.UserName)
	}
	c.session = login.session

	// Page the changes since the previous snapshot: next offset is
	// startOffset + length, until the disk is covered.
	type extent struct{ start, length int64 }
	var got []extent
	pages := 0
	for off := int64(0); off < d.CapacityBytes; pages++ {
		var info diskChangeInfo
		query(off, base.ChangeID).decode(t, "DiskChangeInfo", &info)
		if info.StartOffset != off || info.Length <= 0 || len(info.ChangedArea) > pageExtents {
			t.Fatalf("page at %d: starts at %d, length %d, %d extents", off, info.StartOffset, info.Length, len(info.ChangedArea))
		}
		for _, a := range info.ChangedArea {
			got = append(got, extent{a.Start, a.Length})
		}
		off = info.StartOffset + info.Length
	}
	truth, err := s.GroundTruth(d.ID, snap.ID, base.ChangeID)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]extent, len(truth))
	for i, e := range truth {
		want[i] = extent{e.Start, e.Length}
	}
	if pages < 2 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%d pages, %d extents; ground truth %d extents", pages, len(got), len(want))
	}

	// Faults: a status, a _typeName, faultMessage entries.
	f := query(0, "not a change id").fault(t, http.StatusInternalServerError, "InvalidArgument")
	if f.InvalidProperty != "changeId" || !f.hasMessage(simulator.KeyInvalidChangeID) {
		t.Errorf("bad changeId: %+v", f)
	}
	p := params(0, "*")
	p.SnapshotID.ID = "no-such-snapshot"
	f = c.call(vsom.Type, vsom.Value, "VstorageObjectVCenterQueryChangedDiskAreas", p).fault(t, http.StatusInternalServerError, "NotFound")
	if !f.hasMessage(simulator.KeySnapshotNotFound) {
		t.Errorf("unknown snapshot: %+v", f)
	}

	// Logout is void (204); the session is gone after it.
	if r := c.call(content.SessionManager.Type, content.SessionManager.Value, "Logout", nil); r.status != http.StatusNoContent || len(r.body) != 0 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	query(0, base.ChangeID).fault(t, http.StatusInternalServerError, "NotAuthenticated")
}

// Requests the bridge cannot take get the status vCenter uses and a JSON
// InvalidRequest fault saying why, in one line.
func TestVIJSONBadRequests(t *testing.T) {
	s, err := simulator.Start(simulator.Options{TLS: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := newVIClient(t, s)
	root := strings.TrimSuffix(c.base, simulator.JSONRelease)
	for _, tc := range []struct {
		name, url, method, body string
		status                  int
	}{
		{"unknown method", c.base + "/ServiceInstance/ServiceInstance/NoSuchMethod", "POST", "{}", http.StatusNotFound},
		{"a data type is no method", c.base + "/ServiceInstance/ServiceInstance/DiskChangeInfo", "POST", "{}", http.StatusNotFound},
		{"unknown type", c.base + "/NoSuchType/x/RetrieveServiceContent", "POST", "{}", http.StatusNotFound},
		{"release not served", root + "9.1.0.0/ServiceInstance/ServiceInstance/RetrieveServiceContent", "POST", "{}", http.StatusNotFound},
		{"SOAP-only release", root + "7.0.3.0/ServiceInstance/ServiceInstance/RetrieveServiceContent", "POST", "{}", http.StatusNotFound},
		{"too few segments", c.base + "/ServiceInstance/RetrieveServiceContent", "POST", "{}", http.StatusNotFound},
		{"malformed JSON", c.base + "/SessionManager/SessionManager/Login", "POST", `{"userName": "a",`, http.StatusBadRequest},
		{"wrong parameter type", c.base + "/SessionManager/SessionManager/Login", "POST", `{"userName": 7}`, http.StatusBadRequest},
		{"body for another method", c.base + "/SessionManager/SessionManager/Login", "POST", `{"_typeName": "Logout"}`, http.StatusBadRequest},
		{"typed value without _value", c.base + "/Folder/group-d1/CreateFolder", "POST", `{"name": {"_typeName": "int"}}`, http.StatusBadRequest},
		{"two objects", c.base + "/SessionManager/SessionManager/Login", "POST", `{} {}`, http.StatusBadRequest},
		{"GET", c.base + "/ServiceInstance/ServiceInstance/RetrieveServiceContent", "GET", "", http.StatusMethodNotAllowed},
		{"too large", c.base + "/SessionManager/SessionManager/Login", "POST", `{"userName": "` + strings.Repeat("a", 5<<20) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequest(tc.method, tc.url, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			var f struct {
				TypeName    string `json:"_typeName"`
				FaultString string `json:"faultstring"`
			}
			r := c.do(req)
			r.fault(t, tc.status, "InvalidRequest")
			if err := json.Unmarshal(r.body, &f); err != nil || f.FaultString == "" || strings.Contains(f.FaultString, "\n") {
				t.Errorf("faultstring %q (%v), want one line", f.FaultString, err)
			}
		})
	}
}
