package vsphere

import (
	"bytes"
	"errors"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"

	"github.com/cbtscope/cbtscope/heatmap"
)

// decodeChangeInfoGovmomi decodes a reply with govmomi's reflective decoder:
// the reference for what a valid reply is, and the way back for replies the
// fast decoder does not understand. A fault in the body is returned as a
// SOAP fault error.
func decodeChangeInfoGovmomi(body []byte, out *changeInfo) error {
	var res methods.VstorageObjectVCenterQueryChangedDiskAreasBody
	env := soap.Envelope{Body: &res}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.TypeFunc = types.TypeFunc()
	if err := dec.Decode(&env); err != nil {
		return err
	}
	if f := res.Fault(); f != nil {
		return soap.WrapSoapFault(f)
	}
	if res.Res == nil {
		return errors.New("reply holds no VstorageObjectVCenterQueryChangedDiskAreasResponse")
	}
	r := res.Res.Returnval
	out.StartOffset, out.Length = r.StartOffset, r.Length
	for _, a := range r.ChangedArea {
		out.Areas = append(out.Areas, heatmap.Extent{Start: a.Start, Length: a.Length})
	}
	return nil
}
