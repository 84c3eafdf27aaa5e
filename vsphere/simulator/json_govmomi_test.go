package simulator

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
)

// connectJSON logs a govmomi client in over VI/JSON, the release read from
// the server's vimServiceVersions.xml as a client must.
func connectJSON(t testing.TB, s *Server) *vim25.Client {
	t.Helper()
	ctx := context.Background()
	u := s.URL()
	sc := soap.NewClient(u, false)
	if s.Certificate() != nil {
		sc.SetThumbprint(u.Host, s.Thumbprint())
	}
	if err := sc.UseServiceVersion(); err != nil {
		t.Fatal(err)
	}
	if sc.Version != JSONRelease {
		t.Fatalf("advertised release %q, want %q", sc.Version, JSONRelease)
	}
	sc.UseJSON(true)
	// Every call must take the JSON front: a SOAP POST fails the request.
	sc.Client.Transport = jsonOnly{sc.Client.Transport}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := session.NewManager(c).Login(ctx, u.User); err != nil {
		t.Fatal(err)
	}
	return c
}

// jsonOnly refuses any POST outside the VI/JSON front.
type jsonOnly struct{ next http.RoundTripper }

func (j jsonOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && !strings.HasPrefix(r.URL.Path, jsonPath+JSONRelease+"/") {
		return nil, fmt.Errorf("POST %s is not a VI/JSON call", r.URL.Path)
	}
	return j.next.RoundTrip(r)
}

func TestJSONServiceContentEqualsSOAP(t *testing.T) {
	s := start(t, Options{TLS: true})
	soapC, jsonC := connect(t, s), connectJSON(t, s)
	if !reflect.DeepEqual(jsonC.ServiceContent, soapC.ServiceContent) {
		t.Errorf("service content over JSON:\n%+v\nover SOAP:\n%+v", jsonC.ServiceContent, soapC.ServiceContent)
	}
	// The service content names the release the versions file advertises.
	if got := jsonC.ServiceContent.About.ApiVersion; got != JSONRelease {
		t.Errorf("About.ApiVersion = %q, want the advertised %q", got, JSONRelease)
	}
	us, err := session.NewManager(jsonC).UserSession(context.Background())
	if err != nil || us == nil {
		t.Fatalf("current session over JSON: %v, %v", us, err)
	}
}

func TestJSONChangedAreasEqualSOAP(t *testing.T) {
	s := start(t, Options{PageExtents: 300})
	soapC, jsonC := connect(t, s), connectJSON(t, s)
	ctx := context.Background()
	for _, name := range []string{DemoDatabase, DemoLog} {
		d, ds := lookup(t, s, name)
		for i, sn := range d.Snapshots {
			q := target{ds: ds, disk: d, snapshot: sn.ID, changeID: "*"}
			if i > 0 {
				q.changeID = d.Snapshots[i-1].ChangeID
			}
			viaJSON, _, err := sweep(ctx, jsonC, q, 300)
			if err != nil {
				t.Fatal(err)
			}
			viaSOAP, _, err := sweep(ctx, soapC, q, 300)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.GroundTruth(d.ID, sn.ID, q.changeID)
			if err != nil {
				t.Fatal(err)
			}
			if err := equalExtents(viaJSON, viaSOAP); err != nil {
				t.Errorf("%v: JSON vs SOAP: %v", q, err)
			}
			if err := equalExtents(viaJSON, want); err != nil {
				t.Errorf("%v: JSON vs ground truth: %v", q, err)
			}
		}
	}
}
