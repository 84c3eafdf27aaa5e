package simulator

import (
	"bytes"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/vmware/govmomi/vim25/types"
)

const cbtMethod = "VstorageObjectVCenterQueryChangedDiskAreas"

// changeInfoReply is a reply envelope as vcsim writes it around
// encodeChangeInfo's returnval.
func changeInfoReply(method string, info types.DiskChangeInfo) []byte {
	b := []byte(soapReplyHead + "<" + method + `Response xmlns="urn:vim25">`)
	b = encodeChangeInfo(b, info)
	return append(b, "</"+method+"Response></soapenv:Body></soapenv:Envelope>"...)
}

func randomChangeInfo(r *rand.Rand) types.DiskChangeInfo {
	info := types.DiskChangeInfo{StartOffset: r.Int64N(1 << 40), Length: r.Int64N(1 << 40)}
	for range r.IntN(4) * r.IntN(100) {
		info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: r.Int64(), Length: r.Int64N(1 << 30)})
	}
	return info
}

// The fast path reads and writes exactly what govmomi's decoder and
// encoder do, for every shape of page: empty, full, extreme values.
func TestChangeInfoFastPathMatchesGovmomi(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	infos := []types.DiskChangeInfo{
		{},
		{StartOffset: math.MaxInt64, Length: math.MinInt64, ChangedArea: []types.DiskChangeExtent{{Start: math.MinInt64, Length: math.MaxInt64}}},
	}
	for range 200 {
		infos = append(infos, randomChangeInfo(r))
	}
	for i, info := range infos {
		for _, method := range []string{cbtMethod, "QueryChangedDiskAreas"} {
			body := changeInfoReply(method, info)
			got, ok := scanChangeInfo(method, body)
			if !ok || !reflect.DeepEqual(got, info) {
				t.Fatalf("info %d: scanned %v (ok %v), want %+v", i, got, ok, info)
			}
			res := reflect.New(responseTypes[method])
			if f, err := decodeSOAPReply(body, res.Interface()); err != nil || f != nil {
				t.Fatalf("info %d: govmomi decodes %v, %v", i, f, err)
			}
			if want := res.Elem().FieldByName("Returnval").Interface(); !reflect.DeepEqual(got, want) {
				t.Fatalf("info %d: scanned %+v, govmomi decodes %+v", i, got, want)
			}
		}
		var want bytes.Buffer
		if err := newReplyEncoder(&want).Encode(info); err != nil {
			t.Fatal(err)
		}
		if got := appendChangeInfoJSON(nil, info); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("info %d: fast JSON\n%s\ngovmomi's\n%s", i, got, want.Bytes())
		}
	}
}

// The fast path sees the simulator's real replies, for both methods:
// were vcsim to change its envelope, this fails rather than the bridge
// quietly slowing down.
func TestChangedAreasTakeTheFastPath(t *testing.T) {
	s := start(t, Options{})
	c := connectJSON(t, s)
	d, ds := lookup(t, s, DemoDatabase)
	vm, _ := s.VM(DemoVMSQL)
	calls := []struct {
		method string
		req    any
	}{
		{cbtMethod, &types.VstorageObjectVCenterQueryChangedDiskAreas{
			This: *c.ServiceContent.VStorageObjectManager, Id: types.ID{Id: d.ID}, Datastore: ds,
			SnapshotId: types.ID{Id: d.Snapshots[1].ID}, ChangeId: "*",
		}},
		{"QueryChangedDiskAreas", &types.QueryChangedDiskAreas{
			This: vm.Moref, Snapshot: &vm.Snapshots[1].Moref, DeviceKey: vm.Disks[0].Key, ChangeId: "*",
		}},
	}
	for _, call := range calls {
		env, err := soapEnvelope(call.method, call.req)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/sdk", bytes.NewReader(env))
		req.Header.Set("Cookie", "vmware_soap_session="+c.Client.Cookie().Value)
		rec := httptest.NewRecorder()
		s.model.Service.ServeSDK(rec, req)
		info, ok := scanChangeInfo(call.method, rec.Body.Bytes())
		if rec.Code != http.StatusOK || !ok || len(info.ChangedArea) == 0 {
			t.Errorf("%s: status %d, fast path %v, %d extents: %.300s", call.method, rec.Code, ok, len(info.ChangedArea), rec.Body.String())
		}
	}
}

// Whatever the bytes, the fast path either declines or agrees with
// govmomi's decoder: it never reads a reply govmomi would refuse or read
// differently.
func FuzzScanChangeInfo(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 5 {
		f.Add(changeInfoReply(cbtMethod, randomChangeInfo(r)))
	}
	f.Add(changeInfoReply(cbtMethod, types.DiskChangeInfo{}))
	f.Add([]byte(soapReplyHead + "<" + cbtMethod + `Response xmlns="urn:vim25"><returnval><startOffset>-0</startOffset><length>9223372036854775808</length></returnval>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := scanChangeInfo(cbtMethod, body)
		if !ok {
			return
		}
		res := reflect.New(responseTypes[cbtMethod])
		if fault, err := decodeSOAPReply(body, res.Interface()); err != nil || fault != nil {
			t.Fatalf("fast path read %+v from a reply govmomi refuses (%v, %v)", got, fault, err)
		}
		if want := res.Elem().FieldByName("Returnval").Interface(); !reflect.DeepEqual(got, want) {
			t.Fatalf("fast path %+v, govmomi %+v", got, want)
		}
	})
}
