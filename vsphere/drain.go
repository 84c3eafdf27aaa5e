package vsphere

import (
	"io"
	"net/http"
)

// drainTransport makes every response body drain before it closes.
//
// govmomi closes response bodies after decoding the envelope, without
// reading what follows it (the tail of a chunked body, its final chunk). An
// HTTP/1.1 connection whose body was not read to the end cannot be reused,
// so over TLS nearly every call would pay a new handshake. Draining a
// bounded amount first keeps the connection in the pool.
type drainTransport struct {
	base http.RoundTripper
}

// maxDrain bounds what is read to save a connection: past this, a new
// connection is cheaper than reading on.
const maxDrain = 256 << 10

func (t drainTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(req)
	if err != nil || res.Body == nil {
		return res, err
	}
	res.Body = &drainingBody{ReadCloser: res.Body}
	return res, nil
}

type drainingBody struct {
	io.ReadCloser
}

func (b *drainingBody) Close() error {
	_, _ = io.CopyN(io.Discard, b.ReadCloser, maxDrain)
	return b.ReadCloser.Close()
}
