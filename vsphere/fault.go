package vsphere

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Fault is a vSphere fault as a value: everything the server said, the
// request that caused it, and what it most likely means.
type Fault struct {
	// Type is the fault's type name, e.g. "FileFault".
	Type string `json:"type"`
	// Message is the SOAP faultstring.
	Message  string         `json:"faultstring"`
	Messages []FaultMessage `json:"faultMessage,omitempty"`
	// InvalidProperty is set for InvalidArgument faults.
	InvalidProperty string `json:"invalidProperty,omitempty"`
	// Cause is the faultCause, itself a fault.
	Cause     *Fault    `json:"faultCause,omitempty"`
	Request   *Request  `json:"request,omitempty"`
	Diagnosis Diagnosis `json:"diagnosis"`

	// Fault is the decoded fault itself, for errors.As-style inspection.
	Fault types.BaseMethodFault `json:"-"`
}

// FaultMessage is one faultMessage entry.
type FaultMessage struct {
	Key     string     `json:"key"`
	Message string     `json:"message"`
	Args    []FaultArg `json:"args,omitempty"`
}

// FaultArg is one argument of a faultMessage.
type FaultArg struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Request is the query a fault answered. For a VM's disk, VM and
// DeviceKey name the disk and Snapshot holds the snapshot's moref value.
type Request struct {
	Disk        string `json:"disk"`
	Datastore   string `json:"datastore"`
	VM          string `json:"vm,omitempty"`
	DeviceKey   int32  `json:"deviceKey,omitempty"`
	Snapshot    string `json:"snapshotId"`
	ChangeID    string `json:"changeId"`
	StartOffset int64  `json:"startOffset"`
}

// requestOf is the Request of query q at offset.
func requestOf(q *Query, offset int64) *Request {
	r := &Request{Disk: q.Disk.ID, Datastore: q.Disk.Datastore.Value, Snapshot: q.Snapshot, ChangeID: q.ChangeID, StartOffset: offset}
	if q.VM != nil {
		r.VM, r.DeviceKey = q.VM.VM.Value, q.VM.DeviceKey
	}
	return r
}

// what names the disk and snapshot asked about.
func (r *Request) what() string {
	if r.VM != "" {
		snap := r.Snapshot
		if snap == "" {
			snap = "none" // a powered-off VM's disk as it is now
		}
		return fmt.Sprintf("vm %s, disk %d, snapshot %s", r.VM, r.DeviceKey, snap)
	}
	return fmt.Sprintf("disk %s, snapshot %s", r.Disk, r.Snapshot)
}

func (f *Fault) Error() string {
	msg := f.Type
	if f.Message != "" {
		msg += ": " + f.Message
	}
	if f.Request != nil {
		msg += fmt.Sprintf(" (%s, changeId %q, startOffset %d)", f.Request.what(), f.Request.ChangeID, f.Request.StartOffset)
	}
	return msg
}

// HasKey reports whether any faultMessage of the fault or its causes has
// the key.
func (f *Fault) HasKey(key string) bool {
	for g := f; g != nil; g = g.Cause {
		for _, m := range g.Messages {
			if m.Key == key {
				return true
			}
		}
	}
	return false
}

// text is everything the fault says, for keyword matching.
func (f *Fault) text() string {
	var b strings.Builder
	for g := f; g != nil; g = g.Cause {
		b.WriteString(g.Message)
		for _, m := range g.Messages {
			b.WriteString(" " + m.Message)
		}
	}
	return strings.ToLower(b.String())
}

// AsFault extracts the server fault from err, diagnosed, with req as the
// request (nil when unknown). It reports false for errors that are not
// server faults (network, HTTP, contract violations).
func AsFault(err error, req *Request) (*Fault, bool) {
	var f *Fault
	if errors.As(err, &f) {
		return f, true
	}
	for err != nil && !soap.IsSoapFault(err) {
		err = errors.Unwrap(err)
	}
	if err == nil {
		return nil, false
	}
	sf := soap.ToSoapFault(err)
	f = fromMethodFault(asMethodFault(sf.VimFault()), sf.String)
	f.Request = req
	f.Diagnosis = Diagnose(f)
	return f, true
}

// asMethodFault accepts a decoded fault whether it came as a value or a
// pointer: govmomi's decoder yields values, whose methods need an address.
func asMethodFault(v any) types.BaseMethodFault {
	if mf, ok := v.(types.BaseMethodFault); ok {
		return mf
	}
	if v == nil {
		return nil
	}
	p := reflect.New(reflect.TypeOf(v))
	p.Elem().Set(reflect.ValueOf(v))
	mf, _ := p.Interface().(types.BaseMethodFault)
	return mf
}

func fromMethodFault(mf types.BaseMethodFault, text string) *Fault {
	f := &Fault{Type: "Fault", Message: text, Fault: mf}
	if mf == nil || reflect.ValueOf(mf).IsNil() {
		return f
	}
	t := reflect.TypeOf(mf)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	f.Type = t.Name()
	m := mf.GetMethodFault()
	for _, lm := range m.FaultMessage {
		fm := FaultMessage{Key: lm.Key, Message: lm.Message}
		for _, a := range lm.Arg {
			fm.Args = append(fm.Args, FaultArg{Key: a.Key, Value: fmt.Sprint(a.Value)})
		}
		f.Messages = append(f.Messages, fm)
	}
	if ia, ok := mf.(*types.InvalidArgument); ok {
		f.InvalidProperty = ia.InvalidProperty
	}
	if m.FaultCause != nil {
		f.Cause = fromMethodFault(asMethodFault(m.FaultCause.Fault), m.FaultCause.LocalizedMessage)
	}
	return f
}
