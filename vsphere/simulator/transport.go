package simulator

import (
	"net/http"
	"strconv"
	"time"
)

// Transport faults cannot be produced inside vcsim's SOAP dispatch, which
// always answers with a well-formed envelope, and a vcsim method has no
// handle on the HTTP response. So the CBT method, when a knob says so,
// panics with a transportFault; the panic unwinds through vcsim (which
// holds no lock of ours at that point: cbtManager opts out of vcsim's object
// locks) to the middleware, which recovers it and does the damage. A panic
// value is a Go value: nothing a client sends can produce one, so only the
// knobs choose transport faults. Every reply vcsim writes, good or fault,
// streams straight through untouched.

// transportFault is what the CBT method panics with to ask the middleware
// for a transport fault instead of a reply.
type transportFault struct{ inj injection }

// middleware adds the latency and concurrency knobs and turns a transportFault raised by the
// CBT method into the damage it names.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			defer s.stats.enter()()
			release, ok := s.knobs.admit(r.Context().Done())
			if !ok {
				return
			}
			defer release()
		}
		if d := s.knobs.latency(); d > 0 && r.Method == http.MethodPost {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		defer func() {
			if v := recover(); v != nil {
				tf, ok := v.(transportFault)
				if !ok {
					panic(v)
				}
				damage(w, tf.inj)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// partialReply is the start of a DiskChangeInfo reply: what a client has
// read when the connection drops mid-reply.
const partialReply = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><VstorageObjectVCenterQueryChangedDiskAreasResponse xmlns="urn:vim25"><returnval><startOffset>`

const proxyError = "<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1><p>injected by cbtscope sim</p></body></html>\n"

// dropMidReply promises a full reply, sends partial (a third of it), then
// hangs up: the client reads a truncated body (unexpected EOF), not a clean
// error.
func dropMidReply(w http.ResponseWriter, contentType, partial string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(3*len(partial)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(partial))
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler) // net/http closes the connection without logging
}

// damage answers in place of vcsim, which has written nothing yet: the
// method panicked before vcsim wrote a status or a byte.
func damage(w http.ResponseWriter, inj injection) {
	h := w.Header()
	switch inj {
	case injectDrop:
		dropMidReply(w, "text/xml; charset=utf-8", partialReply)
	case injectHTTP500:
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(proxyError)))
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(proxyError))
	default:
		panic("simulator: no transport fault for injection " + inj.String())
	}
}
