package simulator

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// The hand-written reply must read back, through govmomi's own decoder, as
// exactly the DiskChangeInfo it was written from.
func TestEncodeReplyDecodesAsWritten(t *testing.T) {
	for _, info := range []types.DiskChangeInfo{
		{StartOffset: 0, Length: 1 << 40},
		{StartOffset: 1 << 30, Length: 1 << 29, ChangedArea: []types.DiskChangeExtent{{Start: 1 << 30, Length: 65536}, {Start: 1<<30 + 1<<20, Length: 1 << 21}}},
	} {
		var res methods.VstorageObjectVCenterQueryChangedDiskAreasBody
		dec := xml.NewDecoder(bytes.NewReader(encodeReply(info)))
		dec.TypeFunc = types.TypeFunc()
		if err := dec.Decode(&soap.Envelope{Body: &res}); err != nil {
			t.Fatal(err)
		}
		if res.Res == nil || !reflect.DeepEqual(res.Res.Returnval, info) {
			t.Fatalf("decoded %+v, wrote %+v", res.Res, info)
		}
	}
}
