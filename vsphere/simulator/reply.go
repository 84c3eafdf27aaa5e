package simulator

import (
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/vmware/govmomi/vim25/types"
)

// A changed-areas reply holds up to thousands of extents, and vcsim encodes
// replies by reflection at about a microsecond per extent: on a 2-core
// machine the simulator, not the client, would set the pace of a parallel
// fetch. So the CBT method files its DiskChangeInfo here under a token and
// answers with a marked fault; the middleware, seeing the marker, writes the
// reply itself with a plain byte encoder. vcsim still authenticates and
// dispatches the call; only the encoding is ours.

const replyMarker = markerPrefix + "reply:"

type replyStore struct {
	next atomic.Uint64
	m    sync.Map // token string -> types.DiskChangeInfo
}

func (r *replyStore) put(info types.DiskChangeInfo) string {
	token := strconv.FormatUint(r.next.Add(1), 10)
	r.m.Store(token, info)
	return token
}

func (r *replyStore) take(token string) (types.DiskChangeInfo, bool) {
	v, ok := r.m.LoadAndDelete(token)
	if !ok {
		return types.DiskChangeInfo{}, false
	}
	return v.(types.DiskChangeInfo), true
}

const (
	replyHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
		`<soapenv:Body><VstorageObjectVCenterQueryChangedDiskAreasResponse xmlns="urn:vim25"><returnval>`
	replyTail = `</returnval></VstorageObjectVCenterQueryChangedDiskAreasResponse></soapenv:Body></soapenv:Envelope>`
)

// encodeReply writes a DiskChangeInfo envelope as vCenter does.
func encodeReply(info types.DiskChangeInfo) []byte {
	b := make([]byte, 0, len(replyHead)+len(replyTail)+64+80*len(info.ChangedArea))
	b = append(b, replyHead...)
	b = append(b, "<startOffset>"...)
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
	return append(b, replyTail...)
}
