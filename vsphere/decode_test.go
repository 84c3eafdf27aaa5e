package vsphere

import (
	"bytes"
	stdxml "encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"

	"github.com/cbtscope/cbtscope/heatmap"
)

// govmomiDecode is the reference: govmomi's own decoder, reading the reply
// of the FCD method or, with vm, of the VM one.
func govmomiDecode(body []byte, vm bool) (*changeInfo, error) {
	var (
		fcd methods.VstorageObjectVCenterQueryChangedDiskAreasBody
		vmb methods.QueryChangedDiskAreasBody
		res soap.HasFault = &fcd
	)
	if vm {
		res = &vmb
	}
	env := soap.Envelope{Body: res}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.TypeFunc = types.TypeFunc()
	if err := dec.Decode(&env); err != nil {
		return nil, err
	}
	var r *types.DiskChangeInfo
	switch {
	case !vm && fcd.Res != nil:
		r = &fcd.Res.Returnval
	case vm && vmb.Res != nil:
		r = &vmb.Res.Returnval
	default:
		return nil, fmt.Errorf("no result")
	}
	ci := &changeInfo{StartOffset: r.StartOffset, Length: r.Length}
	for _, a := range r.ChangedArea {
		ci.Areas = append(ci.Areas, heatmap.Extent{Start: a.Start, Length: a.Length})
	}
	return ci, nil
}

// encodeReply writes a reply the way govmomi (and so vcsim) does.
func encodeReply(ci changeInfo) []byte {
	info := types.DiskChangeInfo{StartOffset: ci.StartOffset, Length: ci.Length}
	for _, a := range ci.Areas {
		info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: a.Start, Length: a.Length})
	}
	body := methods.VstorageObjectVCenterQueryChangedDiskAreasBody{Res: &types.VstorageObjectVCenterQueryChangedDiskAreasResponse{Returnval: info}}
	b, err := xml.Marshal(soap.Envelope{Body: &body})
	if err != nil {
		panic(err)
	}
	return append([]byte(xml.Header), b...)
}

const vcenterStyleReply = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"
 xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsd="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<soapenv:Body>
<VstorageObjectVCenterQueryChangedDiskAreasResponse xmlns="urn:vim25"><returnval><startOffset>0</startOffset><length>1073741824</length><changedArea><start>0</start><length>65536</length></changedArea><changedArea><start>131072</start><length>
  196608 </length></changedArea></returnval></VstorageObjectVCenterQueryChangedDiskAreasResponse>
</soapenv:Body>
</soapenv:Envelope>`

func TestDecodeChangeInfo(t *testing.T) {
	want := changeInfo{StartOffset: 1 << 30, Length: 1 << 29, Areas: []heatmap.Extent{{Start: 1 << 30, Length: 4096}, {Start: 1<<30 + 8192, Length: 1 << 20}}}
	cases := map[string][]byte{
		"govmomi's encoding": encodeReply(want),
		"vCenter's encoding": []byte(vcenterStyleReply),
		"no extents":         encodeReply(changeInfo{StartOffset: 5, Length: 7}),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			ref, err := govmomiDecode(body, false)
			if err != nil {
				t.Fatal(err)
			}
			var got changeInfo
			if err := decodeChangeInfo(body, &got); err != nil {
				t.Fatal(err)
			}
			if got.StartOffset != ref.StartOffset || got.Length != ref.Length || !slices.Equal(got.Areas, ref.Areas) {
				t.Fatalf("decoded %+v, govmomi decodes %+v", got, ref)
			}
		})
	}
}

func TestDecodeChangeInfoRejects(t *testing.T) {
	good := string(encodeReply(changeInfo{StartOffset: 0, Length: 100, Areas: []heatmap.Extent{{Start: 0, Length: 10}}}))
	cases := map[string]string{
		"truncated":            good[:len(good)-20],
		"not a number":         strings.Replace(good, "<length>100</length>", "<length>1e2</length>", 1),
		"area without length":  strings.Replace(good, "<length>10</length>", "", 1),
		"two starts":           strings.Replace(good, "<start>0</start>", "<start>0</start><start>5</start>", 1),
		"mismatched tags":      strings.Replace(good, "</changedArea>", "</changedAreas>", 1),
		"no returnval":         strings.Replace(strings.Replace(good, "<returnval>", "<x>", 1), "</returnval>", "</x>", 1),
		"overflowing number":   strings.Replace(good, "<length>100</length>", "<length>99999999999999999999</length>", 1),
		"text after document":  good + "junk",
		"doctype":              strings.Replace(good, "<Envelope", "<!DOCTYPE x><Envelope", 1),
		"window without start": strings.Replace(good, "<startOffset>0</startOffset>", "", 1),
		"comment in a number":  strings.Replace(good, "<length>100</length>", "<length>1<!-- x -->00</length>", 1),
		"PI in a number":       strings.Replace(good, "<length>10</length>", "<length>1<?pi?>0</length>", 1),
		"element in a number":  strings.Replace(good, "<length>10</length>", "<length>1<b/>0</length>", 1),
		"body renamed":         strings.Replace(strings.Replace(good, "<Body>", "<Bodie>", 1), "</Body>", "</Bodie>", 1),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			var got changeInfo
			if err := decodeChangeInfo([]byte(body), &got); err == nil {
				t.Fatalf("accepted %q as %+v", body, got)
			}
		})
	}
}

func wellFormed(body []byte) bool {
	dec := stdxml.NewDecoder(bytes.NewReader(body))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// FuzzDecodeChangeInfo checks both directions. Whatever govmomi's decoder
// accepts, decodeReply (fast or fallback) reads the same numbers from; what
// the fast decoder accepts in a well-formed document, govmomi accepts and
// reads alike; only what neither accepts is an error.
func FuzzDecodeChangeInfo(f *testing.F) {
	good := encodeReply(changeInfo{StartOffset: 0, Length: 100, Areas: []heatmap.Extent{{Start: 0, Length: 10}, {Start: 50, Length: 5}}})
	f.Add(good)
	f.Add([]byte(vcenterStyleReply))
	f.Add(encodeReply(changeInfo{StartOffset: 7, Length: 0}))
	f.Add(bytes.Replace(good, []byte("<length>100</length>"), []byte("<length><![CDATA[100]]></length>"), 1))
	f.Add(bytes.Replace(good, []byte("<start>50</start>"), []byte("<start>&#53;0</start>"), 1))
	// The VM method's reply: the same DiskChangeInfo under its own name.
	f.Add(bytes.ReplaceAll(good, []byte("VstorageObjectVCenterQueryChangedDiskAreasResponse"), []byte("QueryChangedDiskAreasResponse")))
	f.Add([]byte(strings.ReplaceAll(vcenterStyleReply, "VstorageObjectVCenterQueryChangedDiskAreasResponse", "QueryChangedDiskAreasResponse")))
	// Areas in the fixed shape the fast path reads, mixed with others.
	mixed, _ := mixedReply()
	f.Add(mixed)
	f.Fuzz(func(t *testing.T, body []byte) {
		refs := map[bool]*changeInfo{}
		for _, vm := range []bool{false, true} {
			var c Client
			var got changeInfo
			pathErr := c.decodeReply(body, vm, &got)
			ref, refErr := govmomiDecode(body, vm)
			if refErr != nil {
				continue
			}
			refs[vm] = ref
			if pathErr != nil {
				t.Fatalf("govmomi accepts %q as %+v (vm %v), our path rejects it: %v", body, *ref, vm, pathErr)
			}
			if got.StartOffset != ref.StartOffset || got.Length != ref.Length || !slices.Equal(got.Areas, ref.Areas) {
				t.Fatalf("our path read %+v, govmomi %+v (vm %v), from %q", got, *ref, vm, body)
			}
		}
		var fast changeInfo
		if err := decodeChangeInfo(body, &fast); err != nil {
			return
		}
		// The fast decoder is lenient about syntax no server sends (an
		// attribute without a value, say); what it must never do is read
		// different numbers from a document that is well formed.
		if !wellFormed(body) {
			return
		}
		if len(refs) == 0 {
			t.Fatalf("fast decoder accepted what govmomi rejects as either reply: %q", body)
		}
		for vm, ref := range refs {
			if fast.StartOffset != ref.StartOffset || fast.Length != ref.Length || !slices.Equal(fast.Areas, ref.Areas) {
				t.Fatalf("fast decoder read %+v, govmomi %+v (vm %v), from %q", fast, *ref, vm, body)
			}
		}
	})
}

func heatmapExtent(start, length int64) heatmap.Extent {
	return heatmap.Extent{Start: start, Length: length}
}
