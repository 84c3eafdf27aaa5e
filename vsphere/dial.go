package vsphere

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/vmware/govmomi/vim25/soap"
)

// ThumbprintMismatchError is a server whose certificate is neither trusted
// nor the one pinned with --thumbprint.
type ThumbprintMismatchError struct {
	Host, Want string
}

func (e *ThumbprintMismatchError) Error() string {
	return fmt.Sprintf("host %s presents a certificate whose thumbprint does not match %s", e.Host, e.Want)
}

// bindTransport puts the connect and TLS handshake timeouts on govmomi's
// transport. govmomi dials TLS with tls.Dial, which ignores the request's
// context and has no handshake timeout: a server that accepts the
// connection and never speaks TLS would hold the caller forever.
func bindTransport(sc *soap.Client, t *http.Transport, timeout time.Duration) {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	t.DialContext = d.DialContext
	t.TLSHandshakeTimeout = timeout
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialTLS(ctx, d, sc, t.TLSClientConfig, timeout, network, addr)
	}
}

// dialTLS is govmomi's TLS dial (verify, and on an untrusted certificate
// accept one whose thumbprint was pinned) bound by ctx and timeout.
func dialTLS(ctx context.Context, d *net.Dialer, sc *soap.Client, cfg *tls.Config, timeout time.Duration, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	handshake := func(cfg *tls.Config) (*tls.Conn, error) {
		raw, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c := cfg.Clone()
		if c.ServerName == "" {
			host, _, err := net.SplitHostPort(addr)
			if err != nil {
				host = addr
			}
			c.ServerName = host
		}
		conn := tls.Client(raw, c)
		if err := conn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		return conn, nil
	}
	conn, err := handshake(cfg)
	if err == nil || !soap.IsCertificateUntrusted(err) {
		return conn, err
	}
	want := sc.Thumbprint(addr)
	if want == "" {
		return nil, err
	}
	conn, err = handshake(&tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return nil, err
	}
	if certs := conn.ConnectionState().PeerCertificates; len(certs) > 0 &&
		(want == soap.ThumbprintSHA256(certs[0]) || want == soap.ThumbprintSHA1(certs[0])) {
		return conn, nil
	}
	conn.Close()
	return nil, &ThumbprintMismatchError{Host: addr, Want: want}
}
