package simulator

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

// Transport faults cannot be produced inside vcsim's SOAP dispatch, which
// always answers with a well-formed envelope. So the CBT method, when a knob
// says so, answers with a fault carrying a marker, and the middleware that
// wraps vcsim's handlers replaces that reply with the damage. Only replies
// with status 500 (SOAP faults) are held back and inspected; good replies
// stream straight through.

const markerPrefix = "cbtscope-sim-inject:"

func transportMarker(i injection) string { return markerPrefix + i.String() }

// middleware adds the latency knob and turns marked replies into transport
// faults.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := s.knobs.latency(); d > 0 && r.Method == http.MethodPost {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		iw := &injectWriter{ResponseWriter: w, s: s}
		next.ServeHTTP(iw, r)
		iw.finish()
	})
}

// injectWriter passes a reply through unless its status is 500, which it
// holds until the handler returns.
type injectWriter struct {
	http.ResponseWriter
	s    *Server
	held bool
	buf  bytes.Buffer
}

func (w *injectWriter) WriteHeader(code int) {
	if code == http.StatusInternalServerError {
		w.held = true
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *injectWriter) Write(p []byte) (int, error) {
	if w.held {
		return w.buf.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// partialReply is the start of a DiskChangeInfo reply: what a client has
// read when the connection drops mid-reply.
const partialReply = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><VstorageObjectVCenterQueryChangedDiskAreasResponse xmlns="urn:vim25"><returnval><startOffset>`

const proxyError = "<html><head><title>500 Internal Server Error</title></head><body><h1>500 Internal Server Error</h1><p>injected by cbtscope sim</p></body></html>\n"

func (w *injectWriter) finish() {
	if !w.held {
		return
	}
	body := w.buf.Bytes()
	if i := bytes.Index(body, []byte(replyMarker)); i >= 0 {
		token := body[i+len(replyMarker):]
		if j := bytes.IndexFunc(token, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
			token = token[:j]
		}
		if info, ok := w.s.replies.take(string(token)); ok {
			reply := encodeReply(info)
			h := w.Header()
			h.Set("Content-Type", "text/xml; charset=utf-8")
			h.Set("Content-Length", strconv.Itoa(len(reply)))
			w.ResponseWriter.WriteHeader(http.StatusOK)
			_, _ = w.ResponseWriter.Write(reply)
			return
		}
	}
	switch {
	case bytes.Contains(body, []byte(transportMarker(injectDrop))):
		// Promise a full reply, send a third of it, then hang up: the
		// client reads a truncated body (unexpected EOF), not a clean error.
		h := w.Header()
		h.Set("Content-Type", "text/xml; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(3*len(partialReply)))
		w.ResponseWriter.WriteHeader(http.StatusOK)
		_, _ = w.ResponseWriter.Write([]byte(partialReply))
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		panic(http.ErrAbortHandler) // net/http closes the connection without logging
	case bytes.Contains(body, []byte(transportMarker(injectHTTP500))):
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(proxyError)))
		w.ResponseWriter.WriteHeader(http.StatusInternalServerError)
		_, _ = w.ResponseWriter.Write([]byte(proxyError))
	default:
		w.ResponseWriter.WriteHeader(http.StatusInternalServerError)
		_, _ = w.ResponseWriter.Write(body)
	}
}
