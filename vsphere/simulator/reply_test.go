package simulator

import (
	"bytes"
	"io"
	"math"
	"reflect"
	"testing"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// The reply body, put through govmomi's XML encoder as vcsim does, must read
// back through govmomi's own decoder as exactly the DiskChangeInfo it was
// made from.
func TestChangedAreasReplyDecodesAsWritten(t *testing.T) {
	for _, info := range []types.DiskChangeInfo{
		{StartOffset: 0, Length: 1 << 40},
		{StartOffset: 1 << 30, Length: 1 << 29, ChangedArea: []types.DiskChangeExtent{{Start: 1 << 30, Length: 65536}, {Start: 1<<30 + 1<<20, Length: 1 << 21}}},
		{StartOffset: math.MaxInt64 - 2, Length: 2, ChangedArea: []types.DiskChangeExtent{{Start: math.MaxInt64 - 2, Length: 1}}},
	} {
		var out bytes.Buffer
		if err := xml.NewEncoder(&out).Encode(&soap.Envelope{Body: changedAreasReply(info)}); err != nil {
			t.Fatal(err)
		}
		var res methods.VstorageObjectVCenterQueryChangedDiskAreasBody
		dec := xml.NewDecoder(&out)
		dec.TypeFunc = types.TypeFunc()
		if err := dec.Decode(&soap.Envelope{Body: &res}); err != nil {
			t.Fatal(err)
		}
		if res.Res == nil || !reflect.DeepEqual(res.Res.Returnval, info) {
			t.Fatalf("decoded %+v, wrote %+v", res.Res, info)
		}
	}
}

// The reply encodes itself rather than through vcsim's reflection, which
// costs allocations per extent: a full page must cost a handful in all.
func TestChangedAreasReplyBypassesReflection(t *testing.T) {
	info := types.DiskChangeInfo{Length: 1 << 40}
	for i := range defaultPageExtents {
		info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: int64(i) << 20, Length: 65536})
	}
	body := changedAreasReply(info)
	allocs := testing.AllocsPerRun(20, func() {
		if err := xml.NewEncoder(io.Discard).Encode(&soap.Envelope{Body: body}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 50 {
		t.Errorf("encoding %d extents allocates %.0f times: not the byte encoder", len(info.ChangedArea), allocs)
	}
}
