package vsphere

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"reflect"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// jsonQuery is the call of queryChangedAreas over VI/JSON: the same call,
// POSTed to /sdk/vim25/{release}/{Type}/{moId}/{Method} with the session in
// its header (added by the jsonSession transport). The request is encoded
// by govmomi; a 200 reply is decoded by decodeChangeInfoJSON, a fault (HTTP
// 500 with a JSON object) by govmomi's decoder, into the same SOAP fault
// error a SOAP reply gives, so AsFault and the diagnosis cannot tell them
// apart.
func (c *Client) jsonQuery(q *Query, offset int64) (*http.Request, replyReader, error) {
	this, req := q.jsonRequest(c.vsom, offset)
	var body bytes.Buffer
	if err := types.NewJSONEncoder(&body).Encode(req); err != nil {
		return nil, nil, fmt.Errorf("encode query: %w", err)
	}
	hreq, err := http.NewRequest(http.MethodPost, c.jsonURL(this.Type, this.Value, q.method()), &body)
	if err != nil {
		return nil, nil, err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	return hreq, c.readJSONReply, nil
}

// readJSONReply interprets a VI/JSON reply whose body is in buf.
func (c *Client) readJSONReply(res *http.Response, body []byte, _ *Query, out *changeInfo) error {
	switch {
	case res.StatusCode == http.StatusOK:
		return c.decodeJSONReply(body, out)
	case res.StatusCode == http.StatusInternalServerError:
		if isJSON(res) {
			if err := decodeJSONFault(body, c.vim.Client.Namespace); soap.IsSoapFault(err) {
				return err
			}
		}
		return &TransientError{fmt.Errorf("HTTP %s without a fault", res.Status)}
	case res.StatusCode >= 500:
		return &TransientError{fmt.Errorf("HTTP %s", res.Status)}
	}
	return fmt.Errorf("HTTP %s", res.Status)
}

// isJSON reports whether the reply says it is JSON.
func isJSON(res *http.Response) bool {
	mt, _, err := mime.ParseMediaType(res.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// decodeJSONReply decodes a 200 reply with the fast decoder when it can,
// else with govmomi's (counted).
func (c *Client) decodeJSONReply(body []byte, out *changeInfo) error {
	out.Areas = out.Areas[:0]
	fastErr := decodeChangeInfoJSON(body, out)
	if fastErr == nil {
		return nil
	}
	out.Areas = out.Areas[:0]
	if err := decodeChangeInfoJSONGovmomi(body, out); err != nil {
		// %v: a body that ends early decodes to io.ErrUnexpectedEOF, which
		// must not pass for the network cutting the reply (the whole body
		// was read): the same request would bring the same body.
		return fmt.Errorf("decoding reply: %v (fast decoder: %v)", err, fastErr)
	}
	c.fallbacks.Add(1)
	return nil
}

// decodeJSONFault decodes a VI/JSON fault object, as govmomi's VI/JSON
// client does, into a SOAP fault error: the same value a SOAP fault
// becomes, so both transports give one diagnosis.
//
// A fault object of a type govmomi does not know (one newer than its
// vSphere types) or of no type becomes a fault with the server's text and
// no detail, as the same fault over SOAP does: it is still the server
// refusing, not a failure to retry.
func decodeJSONFault(body []byte, namespace string) error {
	var text struct {
		FaultString *string `json:"faultstring"`
	}
	if err := json.Unmarshal(body, &text); err != nil {
		return fmt.Errorf("decoding fault: %w", err)
	}
	f := &soap.Fault{XMLName: xml.Name{Space: namespace, Local: "Fault"}, Code: "ServerFaultCode"}
	if text.FaultString != nil {
		f.String = *text.FaultString
	}
	var v any
	if err := types.NewJSONDecoder(bytes.NewReader(body)).Decode(&v); err == nil && asMethodFault(v) != nil {
		f.XMLName.Local = reflect.TypeOf(v).Name() + "Fault"
		f.Detail.Fault = v
	} else if text.FaultString == nil {
		return fmt.Errorf("decoding fault: neither a known fault nor a faultstring")
	}
	return soap.WrapSoapFault(f)
}

// jsonRequest is the managed object the query's call goes to and its
// parameters, as VI/JSON takes them: the object is in the path, the rest
// (govmomi leaves This out of the JSON) in the body.
func (q *Query) jsonRequest(vsom types.ManagedObjectReference, offset int64) (types.ManagedObjectReference, any) {
	switch b := q.request(vsom, offset).(type) {
	case *methods.QueryChangedDiskAreasBody:
		return b.Req.This, b.Req
	case *methods.VstorageObjectVCenterQueryChangedDiskAreasBody:
		return b.Req.This, b.Req
	}
	panic("vsphere: a query of no known kind")
}
