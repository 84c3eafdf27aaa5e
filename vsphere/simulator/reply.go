package simulator

import (
	"slices"
	"strconv"
	"sync"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// A changed-areas reply holds up to thousands of extents, and vcsim encodes
// replies by reflection at about a microsecond per extent: on a 2-core
// machine the simulator, not the client, would set the pace of a parallel
// fetch. So the CBT method answers with a body type of its own holding the
// DiskChangeInfo as a Go value, and that type encodes itself (MarshalXML)
// with a plain byte encoder, handing the bytes to vcsim's encoder as inner
// XML it copies verbatim. vcsim still authenticates, dispatches and writes
// the envelope. The reply never travels as text that anyone inspects, so no
// request content can change what is sent.

// changedAreasBody is methods.VstorageObjectVCenterQueryChangedDiskAreasBody
// with a self-encoding response. vcsim's encoder finds the response through
// the field named Res and its tag, as for any method body.
type changedAreasBody struct {
	Res    *changedAreasResponse `xml:"urn:vim25 VstorageObjectVCenterQueryChangedDiskAreasResponse,omitempty"`
	Fault_ *soap.Fault           `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault,omitempty"`
}

func (b *changedAreasBody) Fault() *soap.Fault { return b.Fault_ }

func changedAreasReply(info types.DiskChangeInfo) *changedAreasBody {
	return &changedAreasBody{Res: &changedAreasResponse{Returnval: info}}
}

// changedAreasResponse is the response element: one returnval.
type changedAreasResponse struct {
	Returnval types.DiskChangeInfo
}

// innerXML is written by the encoder exactly as it is.
type innerXML struct {
	XML []byte `xml:",innerxml"`
}

// encodeBuffers recycles encoding buffers: a full page is about 160 KB, and
// allocating (and zeroing) one per reply was a tenth of the server's cost.
var encodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuffer keeps the pool from holding on to the buffer of an
// unusually large page (--page-extents far above vCenter's 2000).
const maxPooledBuffer = 1 << 20

// MarshalXML encodes the response with encodeChangeInfo. The buffer goes
// back to the pool once the encoder has copied it (Write does not retain
// its argument).
func (r *changedAreasResponse) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	bp := encodeBuffers.Get().(*[]byte)
	*bp = encodeChangeInfo((*bp)[:0], r.Returnval)
	err := e.EncodeElement(innerXML{*bp}, start)
	if cap(*bp) <= maxPooledBuffer {
		encodeBuffers.Put(bp)
	}
	return err
}

// encodeChangeInfo appends a DiskChangeInfo to b as the returnval element
// vCenter sends. Only integers go in, so nothing needs escaping.
func encodeChangeInfo(b []byte, info types.DiskChangeInfo) []byte {
	b = slices.Grow(b, 96+80*len(info.ChangedArea))
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
