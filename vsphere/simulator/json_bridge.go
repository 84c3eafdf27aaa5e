package simulator

//go:generate go run json_gen.go

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/vim25/json"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The VI/JSON front is a bridge, not a second server: a call
//
//	POST /sdk/vim25/{release}/{Type}/{moId}/{Method}
//
// is decoded into the method's request type (found by name in govmomi's
// type registry), re-expressed as the SOAP request govmomi would send, and
// handed in-process to vcsim's own SOAP handler; its reply is decoded into
// the method's typed response and written back as VI/JSON. So every method
// the simulator answers over SOAP it answers over JSON too, through the same
// authentication, the same Registry.Handler hook, the same journal and the
// same knobs, and nothing here names a method.

// sessionHeader carries the VI/JSON session: Login's reply sets it and
// every later request sends it. Its value is vcsim's SOAP session cookie.
const sessionHeader = "vmware-api-session-id"

// maxJSONRequest caps a request body. vim25 requests are parameter lists:
// the largest real ones (a VM spec, a property filter over many types) are
// tens of KiB.
const maxJSONRequest = 4 << 20

// jsonCall is one parsed VI/JSON request line.
type jsonCall struct {
	release string
	this    types.ManagedObjectReference
	method  string
	reqType reflect.Type // types.<Method>: the request, This included
	resType reflect.Type // types.<Method>Response
}

// parseJSONPath reads {release}/{Type}/{moId}/{Method} after jsonPath and
// checks that the release is served and that Type and Method exist in
// vim25. Whether the object exists is vcsim's to say, as a fault.
func parseJSONPath(escaped string) (jsonCall, error) {
	rest, ok := strings.CutPrefix(escaped, jsonPath)
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 4 {
		return jsonCall{}, fmt.Errorf("path %q: want %s{release}/{Type}/{moId}/{Method}", escaped, jsonPath)
	}
	for i, p := range parts {
		u, err := url.PathUnescape(p)
		if err != nil || u == "" {
			return jsonCall{}, fmt.Errorf("path %q: segment %d is empty or badly escaped", escaped, i+1)
		}
		parts[i] = u
	}
	c := jsonCall{release: parts[0], this: types.ManagedObjectReference{Type: parts[1], Value: parts[2]}, method: parts[3]}
	if !servesJSON(c.release) {
		return c, fmt.Errorf("release %q is not served over VI/JSON (served: %s)", c.release, strings.Join(jsonReleases, ", "))
	}
	if !mo.IsManagedObjectType(c.this.Type) {
		return c, fmt.Errorf("unknown managed object type %q", c.this.Type)
	}
	c.resType, ok = responseTypes[c.method]
	if ok {
		c.reqType, ok = types.TypeFunc()(c.method)
	}
	if !ok {
		return c, fmt.Errorf("unknown method %q", c.method)
	}
	if f, ok := c.reqType.FieldByName("This"); !ok || f.Type != reflect.TypeFor[types.ManagedObjectReference]() {
		return c, fmt.Errorf("%q is not a method", c.method)
	}
	return c, nil
}

// serveJSON answers one VI/JSON call.
func (s *Server) serveJSON(w http.ResponseWriter, r *http.Request) {
	call, err := parseJSONPath(r.URL.EscapedPath())
	if err != nil {
		writeRequestFault(w, http.StatusNotFound, err.Error())
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeRequestFault(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s: use POST, not %s", call.method, r.Method))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxJSONRequest))
	if err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		writeRequestFault(w, status, fmt.Sprintf("%s: reading the request body: %v", call.method, err))
		return
	}
	req, err := decodeJSONRequest(call, body)
	if err != nil {
		writeRequestFault(w, http.StatusBadRequest, err.Error())
		return
	}

	// A transport-fault knob fires inside vcsim's dispatch (transport.go);
	// answer it here, where the damage can look like a broken JSON reply.
	defer func() {
		if v := recover(); v != nil {
			tf, ok := v.(transportFault)
			if !ok {
				panic(v)
			}
			jsonDamage(w, tf.inj)
		}
	}()
	reply, err := s.dispatchSOAP(r, call, req)
	if err != nil {
		writeFault(w, http.StatusInternalServerError, &types.SystemError{Reason: err.Error()}, err.Error())
		return
	}
	if reply.session != "" {
		w.Header().Set(sessionHeader, reply.session)
	}
	switch {
	case reply.fault != nil:
		writeFault(w, http.StatusInternalServerError, reply.fault.VimFault(), reply.fault.String)
	case !reply.value.IsValid():
		w.WriteHeader(http.StatusNoContent)
	default:
		writeValue(w, reply.value)
	}
}

// decodeJSONRequest decodes body into a new call.reqType with govmomi's
// VI/JSON decoder (which resolves _typeName) and sets This from the path.
// An empty body is a method without parameters.
func decodeJSONRequest(call jsonCall, body []byte) (any, error) {
	ptr := reflect.New(call.reqType)
	if len(bytes.TrimSpace(body)) > 0 {
		var root struct {
			TypeName string `json:"_typeName"`
		}
		if err := stdjson.Unmarshal(body, &root); err != nil {
			return nil, fmt.Errorf("%s: request body: %v", call.method, err)
		}
		// The VI/JSON decoder takes a struct's _typeName as a hint only; a
		// body naming another type was meant for another method.
		if root.TypeName != "" && root.TypeName != call.method {
			return nil, fmt.Errorf("%s: request body is a %q", call.method, root.TypeName)
		}
		dec := types.NewJSONDecoder(bytes.NewReader(body))
		if err := decodeGuarded(dec, ptr.Interface()); err != nil {
			return nil, fmt.Errorf("%s: request body: %v", call.method, err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, fmt.Errorf("%s: request body: data after the parameters object", call.method)
		}
	}
	ptr.Elem().FieldByName("This").Set(reflect.ValueOf(call.this))
	return ptr.Interface(), nil
}

// decodeGuarded is dec.Decode, with a panic turned into an error: govmomi's
// VI/JSON decoder panics on some malformed input (a primitive's _typeName
// without its _value), which is the client's mistake, not the server's.
func decodeGuarded(dec *json.Decoder, v any) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("malformed VI/JSON (%v)", p)
		}
	}()
	return dec.Decode(v)
}
