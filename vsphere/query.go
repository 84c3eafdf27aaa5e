package vsphere

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/vmware/govmomi/vim25/xml"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// TransientError is a failure worth retrying: the network, an HTTP 5xx
// without a SOAP fault, a reply cut short.
type TransientError struct{ Err error }

func (e *TransientError) Error() string { return e.Err.Error() }
func (e *TransientError) Unwrap() error { return e.Err }

var bodyPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// queryChangedAreas makes one VstorageObjectVCenterQueryChangedDiskAreas
// call. The request is marshalled by govmomi; a successful reply is decoded
// by decodeChangeInfo, a fault by govmomi's decoder so it arrives typed.
func (c *Client) queryChangedAreas(ctx context.Context, q *Query, offset int64, out *changeInfo) error {
	req := types.VstorageObjectVCenterQueryChangedDiskAreas{
		This:        c.vsom,
		Id:          types.ID{Id: q.Disk.ID},
		Datastore:   q.Disk.Datastore,
		SnapshotId:  types.ID{Id: q.Snapshot},
		StartOffset: offset,
		ChangeId:    q.ChangeID,
	}
	env := soap.Envelope{Body: &methods.VstorageObjectVCenterQueryChangedDiskAreasBody{Req: &req}}
	sc := c.vim.Client
	if sc.Cookie != nil {
		env.Header = &soap.Header{Cookie: sc.Cookie()}
	}
	b, err := xml.Marshal(env)
	if err != nil {
		return fmt.Errorf("marshal query: %w", err)
	}
	hreq, err := http.NewRequest(http.MethodPost, sc.URL().String(), io.MultiReader(strings.NewReader(xml.Header), bytes.NewReader(b)))
	if err != nil {
		return err
	}
	hreq.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	hreq.Header.Set("SOAPAction", sc.Namespace+"/"+sc.Version)

	buf := bodyPool.Get().(*bytes.Buffer)
	defer bodyPool.Put(buf)
	buf.Reset()
	err = sc.Do(ctx, hreq, func(res *http.Response) error {
		if _, err := buf.ReadFrom(res.Body); err != nil {
			return &TransientError{fmt.Errorf("reading reply: %w", err)}
		}
		switch {
		case res.StatusCode == http.StatusOK:
			out.Areas = out.Areas[:0]
			if err := decodeChangeInfo(buf.Bytes(), out); err != nil {
				if errors.Is(err, errFaultBody) {
					return decodeFault(buf.Bytes())
				}
				return fmt.Errorf("decoding reply: %w", err)
			}
			return nil
		case res.StatusCode == http.StatusInternalServerError:
			if err := decodeFault(buf.Bytes()); soap.IsSoapFault(err) {
				return err
			}
			return &TransientError{fmt.Errorf("HTTP %s", res.Status)}
		case res.StatusCode >= 500:
			return &TransientError{fmt.Errorf("HTTP %s", res.Status)}
		}
		return fmt.Errorf("HTTP %s", res.Status)
	})
	if err != nil && ctx.Err() == nil && isNetworkError(err) {
		return &TransientError{err}
	}
	return err
}

// decodeFault decodes a fault envelope with govmomi's type registry, so the
// fault keeps its concrete type.
func decodeFault(body []byte) error {
	var res methods.VstorageObjectVCenterQueryChangedDiskAreasBody
	env := soap.Envelope{Body: &res}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.TypeFunc = types.TypeFunc()
	if err := dec.Decode(&env); err != nil {
		return fmt.Errorf("decoding fault: %w", err)
	}
	if f := res.Fault(); f != nil {
		return soap.WrapSoapFault(f)
	}
	return errors.New("reply is neither a result nor a fault")
}

func isNetworkError(err error) bool {
	var te *TransientError
	if errors.As(err, &te) {
		return false // already classified
	}
	if soap.IsSoapFault(err) {
		return false
	}
	msg := err.Error()
	for _, s := range []string{"EOF", "connection reset", "connection refused", "broken pipe", "timeout", "closed network connection", "server closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
