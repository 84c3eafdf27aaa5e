package vsphere

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/vmware/govmomi/fault"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Client is a logged-in connection to vCenter. It is safe for concurrent
// use; when the session expires, the first caller to notice logs in again.
type Client struct {
	vim      *vim25.Client
	endpoint *url.URL // without credentials
	settings Settings // checked; the password only ever goes to login
	vsom     types.ManagedObjectReference
	timeout  time.Duration // per call
	where    string        // the endpoint without credentials, for messages

	sess sessionState

	json    bool                   // VI/JSON rather than SOAP
	release string                 // the vim25 release the server advertised; "" if not asked
	session atomic.Pointer[string] // the VI/JSON session id

	conns     atomic.Int64 // new TCP connections opened, to watch connection reuse
	fallbacks atomic.Int64 // replies the fast decoder left to govmomi's
}

// ConnectError says why connecting failed and what to do about it. It never
// holds a password.
type ConnectError struct {
	// Stage is "url", "tls", "network", "login" or "api".
	Stage string
	// Config is true when what the user configured is wrong (the URL, the
	// trust settings, the credentials, an endpoint that is not vCenter),
	// rather than the server or the network failing.
	Config bool
	URL    string // without the password
	Err    error
	Hint   string
}

func (e *ConnectError) Error() string {
	msg := e.Err.Error()
	if e.URL != "" {
		msg = fmt.Sprintf("connect to %s: %s", e.URL, msg)
	}
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *ConnectError) Unwrap() error { return e.Err }

// Connect logs in to the vCenter the settings name. Every error it returns
// is a *ConnectError; none can hold the password, which only the login
// request ever sees.
func Connect(ctx context.Context, s Settings) (*Client, error) {
	fail := func(stage string, u *url.URL, err error, hint string) error {
		ce := &ConnectError{Stage: stage, Err: err, Hint: hint}
		if u != nil {
			ce.URL = u.String()
		}
		ce.Config = stage == "url" || stage == "tls"
		return ce
	}
	s, err := s.Check()
	if err != nil {
		return nil, fail("url", nil, err, "")
	}
	u, err := s.Endpoint()
	if err != nil {
		return nil, fail("url", nil, err, "")
	}
	sc := soap.NewClient(u, s.Insecure)
	sc.Types = typeFunc
	if s.CACerts != "" {
		if err := sc.SetRootCAs(s.CACerts); err != nil {
			return nil, fail("tls", u, fmt.Errorf("reading CA certificates %s: %w", s.CACerts, err), "")
		}
	}
	if s.Thumbprint != "" {
		sc.SetThumbprint(u.Host, s.Thumbprint)
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout < 0 {
		return nil, fail("url", u, fmt.Errorf("timeout %v is not positive", timeout), "")
	}
	c := &Client{endpoint: u, settings: s, timeout: timeout, where: u.String()}
	tuneTransport(sc, c)
	if err := c.chooseTransport(ctx, sc, s.Transport); err != nil {
		var ce *ConnectError
		if errors.As(err, &ce) {
			return nil, ce
		}
		return nil, c.classify(ctx, s, u, err, fail)
	}

	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, c.classify(ctx, s, u, err, fail)
	}
	c.vim = vc
	if err := c.login(ctx); err != nil {
		if ctx.Err() != nil {
			// Cancelled: whatever the connection said as it was torn down
			// (EOF, a reset) is not the reason.
			return nil, fail("login", u, fmt.Errorf("stopped before vCenter answered: %w (%v)", ctx.Err(), err), "")
		}
		if fault.Is(err, &types.InvalidLogin{}) {
			ce := fail("login", u, errors.New("the user name or password was refused"),
				"check --username and --password, or GOVC_USERNAME and GOVC_PASSWORD")
			ce.(*ConnectError).Config = true
			return nil, ce
		}
		return nil, fail("login", u, err, "")
	}
	if vc.ServiceContent.VStorageObjectManager == nil {
		ce := fail("api", u, errors.New("this endpoint has no VStorageObjectManager"),
			"cbtscope needs vCenter, not an ESXi host")
		ce.(*ConnectError).Config = true
		return nil, ce
	}
	c.vsom = *vc.ServiceContent.VStorageObjectManager
	return c, nil
}

// tuneTransport keeps connections alive for parallel workers, bounds every
// call in time and size, drains bodies so they can be reused, and counts new
// connections.
func tuneTransport(sc *soap.Client, c *Client) {
	t := sc.DefaultTransport()
	t.MaxIdleConnsPerHost = 32
	t.MaxIdleConns = 64
	t.IdleConnTimeout = 90 * time.Second
	bindTransport(sc, t, c.timeout)
	base := sc.Client.Transport
	if base == nil {
		base = t
	}
	guard := guardTransport{base: base, timeout: c.timeout, limit: maxReply, url: c.where}
	sc.Client.Transport = countingTransport{guard, &c.conns}
}

// countingTransport counts connections that were not reused.
type countingTransport struct {
	base  http.RoundTripper
	conns *atomic.Int64
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
		if !info.Reused {
			t.conns.Add(1)
		}
	}}
	return t.base.RoundTrip(req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
}

// NewConnections is the number of TCP connections opened so far.
func (c *Client) NewConnections() int64 { return c.conns.Load() }

func (c *Client) login(ctx context.Context) error {
	sm := session.NewManager(c.vim)
	var err error
	// A login sent with a session cookie that is still alive is refused as
	// InvalidLogin. With parallel workers that happens when the session is
	// replaced, or ended by the server, while the request is on its way:
	// then the session we have is good, or a second try finds it gone. Only
	// a refusal that stands is the credentials' fault.
	for range loginTries {
		if err = sm.Login(ctx, c.settings.userinfo()); err == nil {
			break
		}
		// The first login has no session to collide with: a refusal there
		// is the credentials', and is not repeated (repeated failures can
		// lock an account).
		if !fault.Is(err, &types.InvalidLogin{}) || ctx.Err() != nil || c.sess.gen.Load() == 0 {
			return err
		}
		if us, uerr := sm.UserSession(ctx); uerr == nil && us != nil {
			err = nil
			break
		}
	}
	if err != nil {
		return err
	}
	c.sess.gen.Add(1)
	return nil
}

// loginTries bounds the logins of one renewal that are refused while a
// session is alive.
const loginTries = 3

// Logout ends the session; errors are of no interest to a closing program.
func (c *Client) Logout(ctx context.Context) {
	_ = session.NewManager(c.vim).Logout(ctx)
	c.vim.CloseIdleConnections()
}

// classify turns a failure to reach the API into a ConnectError with advice.
func (c *Client) classify(ctx context.Context, s Settings, u *url.URL, err error,
	fail func(string, *url.URL, error, string) error) error {
	if ctx.Err() != nil {
		return fail("network", u, fmt.Errorf("stopped before vCenter answered: %w", ctx.Err()), "")
	}
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var pin *ThumbprintMismatchError
	isTLS := errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &pin)
	if isTLS {
		hint := "trust its CA with --ca-certs FILE (GOVC_TLS_CA_CERTS)"
		if tp := peerThumbprint(ctx, u.Host); tp != "" {
			hint += ", pin this certificate with --thumbprint " + tp
		}
		hint += ", or skip verification with --insecure (GOVC_INSECURE=1)"
		return fail("tls", u, fmt.Errorf("the server's TLS certificate is not trusted: %w", err), hint)
	}
	var timeout *TimeoutError
	if errors.As(err, &timeout) {
		return fail("network", u, timeout, "is vCenter overloaded, or is something else listening there? --timeout sets the limit")
	}
	var opErr *net.OpError
	var dnsErr *net.DNSError
	if errors.As(err, &opErr) || errors.As(err, &dnsErr) || errors.Is(err, context.DeadlineExceeded) {
		return fail("network", u, err, "check the host name and port, and that vCenter is reachable from here")
	}
	return fail("api", u, err, "is this a vCenter SDK URL?")
}

// peerThumbprint fetches the certificate a TLS server presents, without
// trusting it, to tell the user what --thumbprint would pin.
func peerThumbprint(ctx context.Context, host string) string {
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "443")
	}
	d := tls.Dialer{Config: &tls.Config{InsecureSkipVerify: true}}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return ""
	}
	defer conn.Close()
	certs := conn.(*tls.Conn).ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return ""
	}
	return soap.ThumbprintSHA1(certs[0])
}
