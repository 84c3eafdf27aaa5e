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
func decodeChangeInfoGovmomi(body []byte, vm bool, out *changeInfo) error {
	var (
		fcd   methods.VstorageObjectVCenterQueryChangedDiskAreasBody
		vmb   methods.QueryChangedDiskAreasBody
		res   soap.HasFault = &fcd
		what                = "VstorageObjectVCenterQueryChangedDiskAreasResponse"
		reply *types.DiskChangeInfo
	)
	if vm {
		res, what = &vmb, "QueryChangedDiskAreasResponse"
	}
	env := soap.Envelope{Body: res}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.TypeFunc = typeFunc
	if err := dec.Decode(&env); err != nil {
		return err
	}
	if f := res.Fault(); f != nil {
		return soap.WrapSoapFault(f)
	}
	switch {
	case !vm && fcd.Res != nil:
		reply = &fcd.Res.Returnval
	case vm && vmb.Res != nil:
		reply = &vmb.Res.Returnval
	default:
		return errors.New("reply holds no " + what)
	}
	out.StartOffset, out.Length = reply.StartOffset, reply.Length
	for _, a := range reply.ChangedArea {
		out.Areas = append(out.Areas, heatmap.Extent{Start: a.Start, Length: a.Length})
	}
	return nil
}
