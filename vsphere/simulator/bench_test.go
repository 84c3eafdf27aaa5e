package simulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkDemoInventory is the cost of Start (vcsim, datastores, VM, ten
// FCDs, histories) and Close: what `go run .` waits for before its first
// screen. Patterns are not expanded here; see BenchmarkFirstQuerySparse.
func BenchmarkDemoInventory(b *testing.B) {
	for b.Loop() {
		s, err := Start(Options{})
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// BenchmarkFirstQuerySparse is the one-off cost of the first query on the
// million-extent disk: expanding its writes and merging them. Each round
// starts a fresh server (not timed) so nothing is cached.
func BenchmarkFirstQuerySparse(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s, err := Start(Options{})
		if err != nil {
			b.Fatal(err)
		}
		d, _ := s.Disk(DemoSparse)
		b.StartTimer()
		if _, err := s.GroundTruth(d.ID, d.Snapshots[len(d.Snapshots)-1].ID, "*"); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkServeExtents is the server's cost per extent served: SOAP
// decoding of the request, the page cut from the cached map, and XML
// encoding of 2000 extents, through the same handler the listener uses but
// without a network or a client.
func BenchmarkServeExtents(b *testing.B) {
	s := start(b, Options{})
	c := connect(b, s)
	var cookie string
	for _, ck := range c.Jar.Cookies(s.URL()) {
		cookie = ck.Name + "=" + ck.Value
	}
	d, ds := lookup(b, s, DemoSparse)
	newest := d.Snapshots[len(d.Snapshots)-1].ID
	if _, err := s.GroundTruth(d.ID, newest, "*"); err != nil { // warm the cache
		b.Fatal(err)
	}
	body := func(off int64) string {
		return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`+
			`<VstorageObjectVCenterQueryChangedDiskAreas xmlns="urn:vim25"><_this type="VcenterVStorageObjectManager">%s</_this>`+
			`<id><id>%s</id></id><datastore type="Datastore">%s</datastore><snapshotId><id>%s</id></snapshotId>`+
			`<startOffset>%d</startOffset><changeId>*</changeId></VstorageObjectVCenterQueryChangedDiskAreas></soapenv:Body></soapenv:Envelope>`,
			c.ServiceContent.VStorageObjectManager.Value, d.ID, ds.Value, newest, off)
	}
	h := s.http.Handler
	before := s.Stats().ExtentsServed
	off := int64(0)
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/sdk", strings.NewReader(body(off)))
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String()[:min(rec.Body.Len(), 500)])
		}
		off += 1 << 30 // keep pages full: about 2000 extents per GiB on this disk
		if off >= d.CapacityBytes {
			off = 0
		}
	}
	served := s.Stats().ExtentsServed - before
	if served == 0 {
		b.Fatal("no extents served")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(served), "ns/extent")
	b.ReportMetric(float64(served)/float64(b.N), "extents/op")
}
