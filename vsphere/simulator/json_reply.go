package simulator

import (
	"bytes"
	stdjson "encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"

	"github.com/vmware/govmomi/vim25/json"
	"github.com/vmware/govmomi/vim25/types"
)

const jsonContentType = "application/json"

// newReplyEncoder encodes a reply as vCenter does: every object with its
// _typeName, and a value in an anyType slot as {"_typeName", "_value"}.
// Unlike types.NewJSONEncoder (made for requests, whose root is always the
// parameters object) it leaves a root array or primitive bare: a method
// returning ID[] answers [{"_typeName":"ID",...}], one returning a string
// answers "...".
func newReplyEncoder(w io.Writer) *json.Encoder {
	e := json.NewEncoder(w)
	e.SetDiscriminator("_typeName", "_value", json.DiscriminatorEncodeTypeNameAllObjects)
	e.SetTypeToDiscriminatorFunc(types.VmomiTypeName)
	return e
}

// writeValue answers 200 with v as VI/JSON: every object carries its
// _typeName, as vCenter sends it.
func writeValue(w http.ResponseWriter, v reflect.Value) {
	if v.Type() == changeInfoType {
		bp := encodeBuffers.Get().(*[]byte)
		*bp = appendChangeInfoJSON((*bp)[:0], v.Interface().(types.DiskChangeInfo))
		writeJSON(w, http.StatusOK, *bp)
		if cap(*bp) <= maxPooledBuffer {
			encodeBuffers.Put(bp)
		}
		return
	}
	var b bytes.Buffer
	if err := newReplyEncoder(&b).Encode(v.Interface()); err != nil {
		writeFault(w, http.StatusInternalServerError, &types.SystemError{Reason: err.Error()}, "encoding the reply: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, b.Bytes())
}

// writeFault answers status with the fault object vCenter sends:
// {"_typeName": ..., "faultCause": ..., "faultMessage": [...], ...}, plus
// "faultstring" (the SOAP faultstring) when msg is set, which govmomi's
// VI/JSON client reads as the error's text. govmomi decodes a fault only
// from a 500; vCenter answers method faults with 500.
func writeFault(w http.ResponseWriter, status int, fault any, msg string) {
	if fault == nil {
		fault = &types.SystemError{Reason: msg}
	}
	var b bytes.Buffer
	if err := newReplyEncoder(&b).Encode(fault); err != nil {
		b.Reset()
		b.WriteString(`{"_typeName":"SystemError"}`)
		msg = "encoding the fault: " + err.Error()
	}
	out := bytes.TrimSpace(b.Bytes())
	if msg != "" && len(out) >= 2 && out[len(out)-1] == '}' {
		s, _ := stdjson.Marshal(msg) // a string always marshals
		out = append(out[:len(out)-1:len(out)-1], `,"faultstring":`...)
		out = append(append(out, s...), '}')
	}
	writeJSON(w, status, out)
}

// writeRequestFault answers a request the bridge cannot take (unknown
// method or release, bad JSON, too large) with an InvalidRequest fault.
func writeRequestFault(w http.ResponseWriter, status int, msg string) {
	f := &types.InvalidRequest{}
	f.FaultMessage = []types.LocalizableMessage{{Key: "cbtscope.sim.json.invalidRequest", Message: msg}}
	writeFault(w, status, f, msg)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", jsonContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// partialJSONReply is the start of a DiskChangeInfo reply: what a client
// has read when the connection drops mid-reply.
const partialJSONReply = `{"_typeName":"DiskChangeInfo","startOffset":`

// jsonDamage is damage (transport.go) for a VI/JSON call: a dropped
// connection cuts a JSON reply short; an HTTP 500 is the same HTML page a
// proxy sends whatever the protocol.
func jsonDamage(w http.ResponseWriter, inj injection) {
	if inj != injectDrop {
		damage(w, inj)
		return
	}
	dropMidReply(w, jsonContentType, partialJSONReply)
}
