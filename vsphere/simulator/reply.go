package simulator

import (
	"strconv"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// A changed-areas reply holds up to thousands of extents, and vcsim encodes
// replies by reflection at about a microsecond per extent: on a 2-core
// machine the simulator, not the client, would set the pace of a parallel
// fetch. So the CBT method answers with a body type of its own whose
// response element carries its content pre-encoded, as inner XML that vcsim's
// encoder copies verbatim. vcsim still authenticates, dispatches and writes
// the envelope; only the encoding of the DiskChangeInfo is ours, and the
// reply travels as a Go value from the method to the encoder, never as text
// anyone inspects.

// changedAreasBody is methods.VstorageObjectVCenterQueryChangedDiskAreasBody
// with the response encoded by encodeChangeInfo. vcsim's encoder finds the
// response through the field named Res and its tag, as for any method body.
type changedAreasBody struct {
	Res    *changedAreasResponse `xml:"urn:vim25 VstorageObjectVCenterQueryChangedDiskAreasResponse,omitempty"`
	Fault_ *soap.Fault           `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *changedAreasBody) Fault() *soap.Fault { return b.Fault_ }

// changedAreasResponse is the content of the response element: one
// returnval holding the DiskChangeInfo.
type changedAreasResponse struct {
	Returnval []byte `xml:",innerxml"`
}

func changedAreasReply(info types.DiskChangeInfo) *changedAreasBody {
	return &changedAreasBody{Res: &changedAreasResponse{Returnval: encodeChangeInfo(info)}}
}

// encodeChangeInfo writes a DiskChangeInfo as the returnval element vCenter
// sends. Only integers go in, so nothing needs escaping.
func encodeChangeInfo(info types.DiskChangeInfo) []byte {
	b := make([]byte, 0, 96+80*len(info.ChangedArea))
	b = append(b, "<returnval><startOffset>"...)
	b = strconv.AppendInt(b, info.StartOffset, 10)
	b = append(b, "</startOffset><length>"...)
	b = strconv.AppendInt(b, info.Length, 10)
	b = append(b, "</length>"...)
	for _, a := range info.ChangedArea {
		b = append(b, "<changedArea><start>"...)
		b = strconv.AppendInt(b, a.Start, 10)
		b = append(b, "</start><length>"...)
		b = strconv.AppendInt(b, a.Length, 10)
		b = append(b, "</length></changedArea>"...)
	}
	return append(b, "</returnval>"...)
}
