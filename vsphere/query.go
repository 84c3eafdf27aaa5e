package vsphere

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// TransientError is a failure worth retrying: the network, an HTTP 5xx
// without a SOAP fault, a reply cut short.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// queryChangedAreas makes one call of the query's kind:
// VstorageObjectVCenterQueryChangedDiskAreas for a First Class Disk,
// VirtualMachine.QueryChangedDiskAreas for a VM's disk, over the client's
// transport (soapQuery or jsonQuery build the request and read the reply).
func (c *Client) queryChangedAreas(ctx context.Context, q *Query, offset int64, out *changeInfo) error {
	build := c.soapQuery
	if c.json {
		build = c.jsonQuery
	}
	hreq, read, err := build(q, offset)
	if err != nil {
		return err
	}
	buf := bodyPool.Get().(*bytes.Buffer)
	defer bodyPool.Put(buf)
	buf.Reset()
	err = c.vim.Client.Do(ctx, hreq, func(res *http.Response) error {
		// The transport caps the body (guardTransport); ReadFrom stops there.
		if _, err := buf.ReadFrom(res.Body); err != nil {
			return fmt.Errorf("reading reply: %w", err)
		}
		return read(res, buf.Bytes(), q, out)
	})
	if err == nil {
		return nil
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		te.Call = fmt.Sprintf("%s at startOffset %d", q.method(), offset)
		if ctx.Err() == nil {
			return &TransientError{te} // without the *url.Error around it, which repeats the URL
		}
	}
	if ctx.Err() == nil && isNetworkError(err) {
		return &TransientError{err}
	}
	return err
}

// replyReader interprets a reply to a changed-areas call, its body read.
type replyReader func(res *http.Response, body []byte, q *Query, out *changeInfo) error

// soapQuery is the call of queryChangedAreas over SOAP. The request is
// marshalled by govmomi; a successful reply is decoded by decodeChangeInfo,
// a fault by govmomi's decoder so it arrives typed.
func (c *Client) soapQuery(q *Query, offset int64) (*http.Request, replyReader, error) {
	env := soap.Envelope{Body: q.request(c.vsom, offset)}
	sc := c.vim.Client
	if sc.Cookie != nil {
		env.Header = &soap.Header{Cookie: sc.Cookie()}
	}
	b, err := xml.Marshal(env)
	if err != nil {
		return nil, nil, fmt.Errorf("marshal query: %w", err)
	}
	hreq, err := http.NewRequest(http.MethodPost, sc.URL().String(), io.MultiReader(strings.NewReader(xml.Header), bytes.NewReader(b)))
	if err != nil {
		return nil, nil, err
	}
	hreq.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	hreq.Header.Set("SOAPAction", sc.Namespace+"/"+sc.Version)
	return hreq, c.readSOAPReply, nil
}

// readSOAPReply interprets a SOAP reply.
func (c *Client) readSOAPReply(res *http.Response, body []byte, q *Query, out *changeInfo) error {
	switch {
	case res.StatusCode == http.StatusOK:
		return c.decodeReply(body, q.VM != nil, out)
	case res.StatusCode == http.StatusInternalServerError:
		if err := decodeFault(body); soap.IsSoapFault(err) {
			return err
		}
		return &TransientError{fmt.Errorf("HTTP %s", res.Status)}
	case res.StatusCode >= 500:
		return &TransientError{fmt.Errorf("HTTP %s", res.Status)}
	}
	return fmt.Errorf("HTTP %s", res.Status)
}

// decodeReply decodes a 200 reply: with the fast decoder when it can, else
// with govmomi's, so a well-formed reply the fast one does not understand
// (CDATA, character references, unexpected nesting) still counts.
func (c *Client) decodeReply(body []byte, vm bool, out *changeInfo) error {
	out.Areas = out.Areas[:0]
	fastErr := decodeChangeInfo(body, out)
	if fastErr == nil {
		return nil
	}
	if errors.Is(fastErr, errFaultBody) {
		return decodeFault(body)
	}
	out.Areas = out.Areas[:0]
	if err := decodeChangeInfoGovmomi(body, vm, out); err != nil {
		if soap.IsSoapFault(err) {
			return err
		}
		return fmt.Errorf("decoding reply: %w (fast decoder: %v)", err, fastErr)
	}
	c.fallbacks.Add(1)
	return nil
}

// FallbackDecodes counts the changed-areas replies decoded by govmomi's
// decoder because the fast one did not understand them.
func (c *Client) FallbackDecodes() int64 { return c.fallbacks.Load() }

// decodeFault decodes a fault envelope with govmomi's type registry, so the
// fault keeps its concrete type.
func decodeFault(body []byte) error {
	var res methods.VstorageObjectVCenterQueryChangedDiskAreasBody
	env := soap.Envelope{Body: &res}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.TypeFunc = typeFunc
	if err := dec.Decode(&env); err != nil {
		return fmt.Errorf("decoding fault: %w", err)
	}
	if f := res.Fault(); f != nil {
		return soap.WrapSoapFault(f)
	}
	return errors.New("reply is neither a result nor a fault")
}

// request is the body of the query's call at offset.
func (q *Query) request(vsom types.ManagedObjectReference, offset int64) any {
	if q.VM != nil {
		req := types.QueryChangedDiskAreas{
			This:        q.VM.VM,
			DeviceKey:   q.VM.DeviceKey,
			StartOffset: offset,
			ChangeId:    q.ChangeID,
		}
		if q.Snapshot != "" {
			req.Snapshot = &types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: q.Snapshot}
		}
		return &methods.QueryChangedDiskAreasBody{Req: &req}
	}
	return &methods.VstorageObjectVCenterQueryChangedDiskAreasBody{Req: &types.VstorageObjectVCenterQueryChangedDiskAreas{
		This:        vsom,
		Id:          types.ID{Id: q.Disk.ID},
		Datastore:   q.Disk.Datastore,
		SnapshotId:  types.ID{Id: q.Snapshot},
		StartOffset: offset,
		ChangeId:    q.ChangeID,
	}}
}

// method names the query's vSphere method, for messages.
func (q *Query) method() string {
	if q.VM != nil {
		return "QueryChangedDiskAreas"
	}
	return "VstorageObjectVCenterQueryChangedDiskAreas"
}

// isNetworkError reports whether err is the network failing (worth a retry)
// rather than the server answering.
func isNetworkError(err error) bool {
	var te *TransientError
	if errors.As(err, &te) {
		return false // already classified
	}
	if soap.IsSoapFault(err) || errors.Is(err, context.Canceled) {
		return false
	}
	var tooLarge *ReplyTooLargeError
	if errors.As(err, &tooLarge) {
		return false // the same request would bring the same reply
	}
	var timeout *TimeoutError
	var netErr net.Error
	var opErr *net.OpError
	var urlErr *url.Error
	switch {
	case errors.As(err, &timeout), errors.As(err, &opErr),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return true
	case errors.As(err, &netErr) && netErr.Timeout():
		return true
	case errors.As(err, &urlErr):
		// http.Client.Do wraps every failure to get a reply (a connection
		// closed by the server, a broken transport) in a *url.Error; a reply
		// we could not use never is.
		return true
	}
	return false
}
