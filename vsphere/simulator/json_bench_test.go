package simulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkServeExtentsJSON is BenchmarkServeExtents over VI/JSON: the
// server's cost per extent served, the bridge (JSON decoding, the SOAP
// round trip in-process, JSON encoding) included.
func BenchmarkServeExtentsJSON(b *testing.B) {
	s := start(b, Options{})
	c := connectJSON(b, s)
	id := c.Client.Cookie().Value
	d, ds := lookup(b, s, DemoSparse)
	newest := d.Snapshots[len(d.Snapshots)-1].ID
	if _, err := s.GroundTruth(d.ID, newest, "*"); err != nil { // warm the cache
		b.Fatal(err)
	}
	path := fmt.Sprintf("%s%s/VcenterVStorageObjectManager/%s/VstorageObjectVCenterQueryChangedDiskAreas", jsonPath, JSONRelease, c.ServiceContent.VStorageObjectManager.Value)
	body := func(off int64) string {
		return fmt.Sprintf(`{"id":{"_typeName":"ID","id":%q},"datastore":{"_typeName":"ManagedObjectReference","type":"Datastore","value":%q},`+
			`"snapshotId":{"_typeName":"ID","id":%q},"startOffset":%d,"changeId":"*"}`, d.ID, ds.Value, newest, off)
	}
	h := s.http.Handler
	before := s.Stats().ExtentsServed
	off := int64(0)
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body(off)))
		req.Header.Set(sessionHeader, id)
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
