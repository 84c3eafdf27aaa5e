package vsphere

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// connectOver connects to s over transport, trusting it by its CA.
func connectOver(t testing.TB, s *simulator.Server, transport string) *Client {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CertificatePEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	u := s.URL()
	u.User = nil
	c, err := Connect(context.Background(), Settings{URL: u.String(), Username: "admin", Password: NewSecret("s3cret-Passw0rd"), CACerts: ca, Transport: transport})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Logout(context.Background()) })
	return c
}

// startSimBoth serves the demo over HTTPS and connects to it twice: over
// SOAP and over VI/JSON.
func startSimBoth(t testing.TB, opts simulator.Options) (*simulator.Server, *Client, *Client) {
	t.Helper()
	opts.TLS = true
	s, err := simulator.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	sc, jc := connectOver(t, s, TransportSOAP), connectOver(t, s, TransportJSON)
	if sc.Transport() != TransportSOAP || jc.Transport() != TransportJSON || jc.Release() != "8.0.3.0" {
		t.Fatalf("transports: %s and %s %s", sc.Transport(), jc.Transport(), jc.Release())
	}
	return s, sc, jc
}

// outcome is everything a fetch tells: the map, whether it is complete, and
// each fault as the user sees it (type, messages, cause chain, diagnosis).
type outcome struct {
	extents  []simulator.Extent
	complete bool
	faults   []string
}

func fetchOutcome(t *testing.T, c *Client, q Query, workers int) outcome {
	t.Helper()
	m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: workers})
	o := outcome{extents: extentsOf(m), complete: done.Complete}
	for _, f := range faults {
		if f.Fault == nil {
			o.faults = append(o.faults, fmt.Sprint(f.Err))
			continue
		}
		b, err := json.Marshal(f.Fault)
		if err != nil {
			t.Fatal(err)
		}
		o.faults = append(o.faults, string(b))
	}
	if done.Err != nil && len(faults) == 0 {
		o.faults = append(o.faults, done.Err.Error())
	}
	slices.Sort(o.faults) // workers meet faults in any order
	return o
}

func sameOutcome(t *testing.T, what string, soap, js outcome) {
	t.Helper()
	if soap.complete != js.complete || !slices.Equal(soap.extents, js.extents) || !slices.Equal(soap.faults, js.faults) {
		t.Fatalf("%s: SOAP complete %v, %d extents, faults %v; VI/JSON complete %v, %d extents, faults %v",
			what, soap.complete, len(soap.extents), soap.faults, js.complete, len(js.extents), js.faults)
	}
}

// Every demo First Class Disk, every base, healthy or faulting: the map,
// its completeness and each fault with its diagnosis are the same over
// VI/JSON as over SOAP, and the healthy maps equal the ground truth. The
// disks are found over SOAP; only the changed-areas calls differ.
func TestJSONFetchMatchesSOAPOnEveryDemoDisk(t *testing.T) {
	s, sc, jc := startSimBoth(t, simulator.Options{})
	for _, name := range []string{simulator.DemoDatabase, simulator.DemoLog, simulator.DemoFreshFS, simulator.DemoBootStorm, simulator.DemoSparse,
		simulator.DemoCBTOff, simulator.DemoCorruptCTK, simulator.DemoEpochReset, simulator.DemoLateCBT} {
		d, snaps := findDisk(t, sc, name)
		newest := snaps[len(snaps)-1]
		bases := []string{snaps[0].ChangeID, "*", "not-a-change-id"}
		if len(snaps) > 1 {
			bases = append(bases, snaps[len(snaps)-2].ChangeID)
		}
		if name == simulator.DemoSparse && testing.Short() {
			bases = bases[3:]
		}
		for _, base := range bases {
			q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: base}
			what := fmt.Sprintf("%s since %q", name, base)
			soap, js := fetchOutcome(t, sc, q, 4), fetchOutcome(t, jc, q, 4)
			sameOutcome(t, what, soap, js)
			if js.complete {
				want, err := s.GroundTruth(d.ID, newest.ID, base)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(js.extents, want) {
					t.Fatalf("%s: VI/JSON map differs from the ground truth", what)
				}
			}
		}
	}
	// A snapshot that does not exist, and a disk on an inaccessible
	// datastore.
	d, _ := findDisk(t, sc, simulator.DemoDatabase)
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: "00000000-0000-0000-0000-000000000000", ChangeID: "*"}
	sameOutcome(t, "unknown snapshot", fetchOutcome(t, sc, q, 2), fetchOutcome(t, jc, q, 2))
	off, err := sc.FindDisk(t.Context(), "ds-archive", simulator.DemoOffline)
	if err != nil {
		t.Fatal(err)
	}
	q = Query{Disk: off.Ref(), Capacity: off.CapacityBytes, Snapshot: "any", ChangeID: "*"}
	soap, js := fetchOutcome(t, sc, q, 1), fetchOutcome(t, jc, q, 1)
	sameOutcome(t, "inaccessible datastore", soap, js)
	if len(js.faults) != 1 || !strings.Contains(js.faults[0], `"type":"InvalidDatastore"`) {
		t.Fatalf("inaccessible datastore: %v", js.faults)
	}
	if n := jc.FallbackDecodes(); n != 0 {
		t.Fatalf("%d VI/JSON replies needed govmomi's decoder", n)
	}
}

// VM disks too: every demo VM's disks, since '*' and since the previous
// snapshot, faults included.
func TestJSONFetchMatchesSOAPOnVMDisks(t *testing.T) {
	_, sc, jc := startSimBoth(t, simulator.Options{})
	vms, err := sc.VMs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	faulted := 0
	for _, vm := range vms {
		snaps, err := sc.VMSnapshots(context.Background(), vm)
		if err != nil {
			t.Fatal(err)
		}
		if len(snaps) == 0 {
			continue
		}
		newest := &snaps[len(snaps)-1]
		for _, d := range vm.Disks {
			bases := []string{"*"}
			if len(snaps) > 1 && snaps[len(snaps)-2].ChangeIDs[d.Key] != "" {
				bases = append(bases, snaps[len(snaps)-2].ChangeIDs[d.Key])
			}
			for _, base := range bases {
				q, err := VMQuery(vm, d, newest, base)
				if err != nil {
					t.Fatal(err)
				}
				soap, js := fetchOutcome(t, sc, q, 2), fetchOutcome(t, jc, q, 2)
				sameOutcome(t, fmt.Sprintf("%s disk %d since %q", vm.Name, d.Key, base), soap, js)
				if len(js.faults) > 0 {
					faulted++
				}
			}
		}
	}
	if faulted == 0 {
		t.Fatal("no VM disk faulted: the fault paths were not compared")
	}
}

// A session that ends under a VI/JSON fetch is renewed over VI/JSON (the
// new id read from the login's header) and the map is still whole.
func TestJSONReloginAfterSessionExpiry(t *testing.T) {
	s, sc, jc := startSimBoth(t, simulator.Options{PageExtents: 20})
	d, snaps := findDisk(t, sc, simulator.DemoFreshFS)
	newest := snaps[len(snaps)-1]
	s.SetKnobs(simulator.Knobs{SessionExpiry: simulator.Trigger{Every: 5}})
	before := jc.generation()
	first := jc.session.Load()
	q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: "*"}
	js := fetchOutcome(t, jc, q, 4)
	want, err := s.GroundTruth(d.ID, newest.ID, "*")
	if err != nil {
		t.Fatal(err)
	}
	if !js.complete || len(js.faults) > 0 || !slices.Equal(js.extents, want) {
		t.Fatalf("complete %v, faults %v, %d extents of %d", js.complete, js.faults, len(js.extents), len(want))
	}
	if s.Stats().Injected["sessionExpiry"] == 0 {
		t.Fatal("no session expired")
	}
	if jc.generation() == before || first == nil || jc.session.Load() == nil || *jc.session.Load() == *first {
		t.Fatalf("no relogin over VI/JSON: generation %d → %d", before, jc.generation())
	}
}

// Injected transient failures (a connection dropped mid-reply, an HTTP 500
// page that is not a fault) are retried over VI/JSON as over SOAP.
func TestJSONSurvivesTransientFailures(t *testing.T) {
	s, sc, jc := startSimBoth(t, simulator.Options{PageExtents: 100})
	d, snaps := findDisk(t, sc, simulator.DemoFreshFS)
	newest := snaps[len(snaps)-1]
	want, err := s.GroundTruth(d.ID, newest.ID, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []simulator.Knobs{
		{DropConnection: simulator.Trigger{Every: 3}},
		{HTTP500: simulator.Trigger{Every: 3}},
	} {
		s.SetKnobs(k)
		q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: newest.ID, ChangeID: "*"}
		m, done, faults := fetchMap(t, jc, q, FetchOptions{Workers: 2, Retry: RetryPolicy{Attempts: 5, Base: time.Millisecond, Max: 5 * time.Millisecond}})
		if !done.Complete || len(faults) > 0 || done.Progress.Retries == 0 || !slices.Equal(extentsOf(m), want) {
			t.Fatalf("%+v: complete %v, faults %v, retries %d", k, done.Complete, faults, done.Progress.Retries)
		}
	}
}
