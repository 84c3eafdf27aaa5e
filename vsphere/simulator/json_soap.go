package simulator

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// soapReply is what vcsim answered to one bridged call.
type soapReply struct {
	value   reflect.Value // Returnval; invalid for a void or unset result
	fault   *soap.Fault
	session string // the session cookie Login set, if any
}

// dispatchSOAP sends call as a SOAP request through vcsim's SOAP handler,
// in-process, and decodes what it answers. The JSON session header becomes
// the session cookie vcsim reads; no other cookie is passed on, so a JSON
// client's session is the header alone.
func (s *Server) dispatchSOAP(r *http.Request, call jsonCall, req any) (soapReply, error) {
	env, err := soapEnvelope(call.method, req)
	if err != nil {
		return soapReply{}, fmt.Errorf("%s: encoding the SOAP request: %w", call.method, err)
	}
	inner, err := http.NewRequestWithContext(r.Context(), http.MethodPost, s.url.Path, bytes.NewReader(env))
	if err != nil {
		return soapReply{}, fmt.Errorf("%s: %w", call.method, err)
	}
	inner.RemoteAddr = r.RemoteAddr
	inner.Header.Set("Content-Type", "text/xml; charset=utf-8")
	inner.Header.Set("User-Agent", r.UserAgent())
	if id := r.Header.Get(sessionHeader); id != "" {
		inner.AddCookie(&http.Cookie{Name: soap.SessionCookieName, Value: id})
	}
	rec := &replyRecorder{header: make(http.Header)}
	s.model.Service.ServeSDK(rec, inner)

	var reply soapReply
	for _, c := range (&http.Response{Header: rec.header}).Cookies() {
		if c.Name == soap.SessionCookieName {
			reply.session = c.Value
		}
	}
	switch rec.status {
	case http.StatusOK, http.StatusInternalServerError:
	default:
		return soapReply{}, fmt.Errorf("%s: the SOAP handler answered %d %s", call.method, rec.status, http.StatusText(rec.status))
	}
	if rec.status == http.StatusOK && returnsChangeInfo(call.resType) {
		if info, ok := scanChangeInfo(call.method, rec.body.Bytes()); ok {
			reply.value = reflect.ValueOf(info)
			return reply, nil
		}
	}
	res := reflect.New(call.resType)
	if reply.fault, err = decodeSOAPReply(rec.body.Bytes(), res.Interface()); err != nil {
		return soapReply{}, fmt.Errorf("%s: decoding the SOAP reply: %w", call.method, err)
	}
	if reply.fault == nil {
		reply.value = returnval(res.Elem())
	}
	return reply, nil
}

// returnval is a response's Returnval, or the invalid Value when the
// method is void or returned nothing (a nil pointer, slice or interface).
func returnval(res reflect.Value) reflect.Value {
	v := res.FieldByName("Returnval")
	if !v.IsValid() {
		return v
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Interface, reflect.Map:
		if v.IsNil() {
			return reflect.Value{}
		}
	}
	return v
}

// soapEnvelope is req as govmomi's SOAP client sends it: the request type
// encoded as the element {urn:vim25}Method, xsi:type on interface values.
func soapEnvelope(method string, req any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>`)
	e := xml.NewEncoder(&b)
	if err := e.EncodeElement(req, xml.StartElement{Name: xml.Name{Space: "urn:vim25", Local: method}}); err != nil {
		return nil, err
	}
	if err := e.Flush(); err != nil {
		return nil, err
	}
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	return b.Bytes(), nil
}

const soapEnvNS = "http://schemas.xmlsoap.org/soap/envelope/"

// decodeSOAPReply decodes the element inside the envelope's Body into res,
// or returns the fault it holds.
func decodeSOAPReply(body []byte, res any) (*soap.Fault, error) {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.TypeFunc = types.TypeFunc()
	inBody := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("no reply element: %w", err)
		}
		start, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if !inBody {
			inBody = start.Name.Space == soapEnvNS && start.Name.Local == "Body"
			continue
		}
		if start.Name.Space == soapEnvNS && start.Name.Local == "Fault" {
			f := new(soap.Fault)
			if err := dec.DecodeElement(f, &start); err != nil {
				return nil, fmt.Errorf("fault: %w", err)
			}
			return f, nil
		}
		return nil, dec.DecodeElement(res, &start)
	}
}

// replyRecorder holds what vcsim's SOAP handler writes.
type replyRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *replyRecorder) Header() http.Header { return r.header }

func (r *replyRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *replyRecorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(p)
}
