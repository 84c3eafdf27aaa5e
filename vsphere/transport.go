package vsphere

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/vmware/govmomi/vim25/soap"
)

// The transports a client can speak to vCenter.
const (
	// TransportSOAP is the vim25 SOAP API, which every vCenter serves.
	TransportSOAP = "soap"
	// TransportJSON is VI/JSON: POST /sdk/vim25/{release}/{Type}/{moId}/{Method}
	// with JSON bodies, served from vSphere 8.0 U1 (release 8.0.1.0) on.
	TransportJSON = "json"
	// TransportAuto speaks VI/JSON when the server advertises a release
	// that serves it, SOAP otherwise.
	TransportAuto = "auto"
)

// jsonSince is the first vim25 release that serves VI/JSON (vSphere 8.0 U1).
var jsonSince = release{8, 0, 1, 0}

// ErrTransport is the class of a --transport (CBTSCOPE_TRANSPORT) value
// that is none of soap, json and auto.
var ErrTransport = errors.New("--transport (CBTSCOPE_TRANSPORT) must be soap, json or auto")

// ParseTransport returns the transport v names, in canonical form; empty
// means auto.
func ParseTransport(v string) (string, error) {
	t := strings.ToLower(strings.TrimSpace(v))
	switch t {
	case "":
		return TransportAuto, nil
	case TransportSOAP, TransportJSON, TransportAuto:
		return t, nil
	}
	return "", fmt.Errorf("%w, not \"%s\"", ErrTransport, SafeText(v, 40))
}

// release is a vim25 release such as 8.0.3.0, compared part by part.
type release [4]int

// parseRelease accepts one to four dot-separated decimal parts. The release
// becomes part of every VI/JSON URL, so nothing else may get through.
func parseRelease(s string) (release, bool) {
	var r release
	parts := strings.Split(s, ".")
	if len(parts) > len(r) {
		return r, false
	}
	for i, p := range parts {
		if p == "" || len(p) > 6 || strings.TrimLeft(p, "0123456789") != "" {
			return r, false
		}
		r[i], _ = strconv.Atoi(p)
	}
	return r, true
}

func (r release) less(o release) bool {
	for i := range r {
		if r[i] != o[i] {
			return r[i] < o[i]
		}
	}
	return false
}

// maxServiceVersions bounds /sdk/vimServiceVersions.xml: a real one is well
// under a kilobyte.
const maxServiceVersions = 64 << 10

// serviceVersions is /sdk/vimServiceVersions.xml.
type serviceVersions struct {
	Namespaces []struct {
		Name    string   `xml:"name"`
		Version string   `xml:"version"`
		Prior   []string `xml:"priorVersions>version"`
	} `xml:"namespace"`
}

// NoVersionsError is a server that did not say which vim25 releases it
// serves: no usable /sdk/vimServiceVersions.xml.
type NoVersionsError struct{ Reason string }

func (e *NoVersionsError) Error() string {
	return "the server does not list its vim25 releases (/sdk/vimServiceVersions.xml): " + e.Reason
}

// newestRelease asks the server which vim25 releases it serves and returns
// the newest, as the server spells it. It goes through sc's transport, so
// the call has the client's deadline, size cap and TLS rules. A failure to
// get any answer (network, TLS, deadline) is returned as it came, for the
// caller to classify; an answer that lists no release is a *NoVersionsError.
func newestRelease(ctx context.Context, sc *soap.Client) (string, error) {
	u := sc.URL()
	u.Path = strings.TrimSuffix(u.Path, "/") + "/vimServiceVersions.xml"
	u.RawQuery, u.Fragment = "", ""
	req, err := http.NewRequest(http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	var newest string
	err = sc.Do(ctx, req, func(res *http.Response) error {
		if res.StatusCode != http.StatusOK {
			return &NoVersionsError{Reason: "HTTP " + res.Status}
		}
		body, err := io.ReadAll(io.LimitReader(res.Body, maxServiceVersions+1))
		if err != nil {
			return err
		}
		if len(body) > maxServiceVersions {
			return &NoVersionsError{Reason: "larger than " + formatBytes(maxServiceVersions)}
		}
		newest, err = pickRelease(body)
		return err
	})
	if err != nil {
		var nv *NoVersionsError
		if errors.As(err, &nv) {
			return "", nv
		}
		return "", err
	}
	return newest, nil
}

// pickRelease reads a vimServiceVersions.xml document and returns the
// newest release of the vim25 namespace.
func pickRelease(doc []byte) (string, error) {
	var sv serviceVersions
	if err := xml.Unmarshal(doc, &sv); err != nil {
		return "", &NoVersionsError{Reason: "not XML: " + SafeText(err.Error(), 100)}
	}
	var best string
	var bestR release
	for _, ns := range sv.Namespaces {
		if strings.TrimPrefix(strings.TrimSpace(ns.Name), "urn:") != "vim25" {
			continue
		}
		for _, v := range append([]string{ns.Version}, ns.Prior...) {
			v = strings.TrimSpace(v)
			r, ok := parseRelease(v)
			if !ok {
				continue
			}
			if best == "" || bestR.less(r) {
				best, bestR = v, r
			}
		}
	}
	if best == "" {
		return "", &NoVersionsError{Reason: "no vim25 release listed"}
	}
	return best, nil
}

// servesJSON reports whether vim25 release rel serves VI/JSON.
func servesJSON(rel string) bool {
	r, ok := parseRelease(rel)
	return ok && !r.less(jsonSince)
}

// sessionHeader carries the VI/JSON session: the server names it in the
// vmware-api-session-id header of the login's reply, and every later call
// sends it back.
const sessionHeader = "vmware-api-session-id"

// jsonSession is the VI/JSON session id, kept by the transport rather than
// by govmomi: govmomi stores it by replacing soap.Client.Cookie, a field
// every worker reads while a relogin would write it.
//
// The id goes only to host, the vCenter it came from: the header is added
// below the HTTP client's redirect handling, which would otherwise carry it
// to wherever a redirect points. It is taken only from a login's reply, so
// a late reply to a call made with an older session cannot replace the id
// a relogin has just set.
type jsonSession struct {
	base http.RoundTripper
	id   *atomic.Pointer[string]
	host string
}

func (t jsonSession) RoundTrip(req *http.Request) (*http.Response, error) {
	ours := req.URL.Host == t.host
	if id := t.id.Load(); id != nil && ours {
		req = req.Clone(req.Context())
		req.Header.Set(sessionHeader, *id)
	}
	res, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if id := res.Header.Get(sessionHeader); id != "" {
		if ours && strings.HasPrefix(path.Base(req.URL.Path), "Login") {
			t.id.Store(&id)
		}
		res.Header.Del(sessionHeader) // so govmomi does not store it too
	}
	return res, nil
}

// Transport is the protocol the client speaks: TransportSOAP or
// TransportJSON.
func (c *Client) Transport() string {
	if c.json {
		return TransportJSON
	}
	return TransportSOAP
}

// Release is the vim25 release the client speaks, as the server advertised
// it; empty when the server was not asked (--transport soap) or did not say.
func (c *Client) Release() string { return c.release }

// Protocol describes the transport for people: "VI/JSON 8.0.3.0", "SOAP".
func (c *Client) Protocol() string {
	name := "SOAP"
	if c.json {
		name = "VI/JSON"
	}
	if c.release != "" {
		name += " " + c.release
	}
	return name
}

// jsonURL is the VI/JSON URL of method on the managed object typ/moID.
// Each part is escaped as one path segment: a managed object id comes from
// the server and must not be able to change the path.
func (c *Client) jsonURL(typ, moID, method string) string {
	base := c.vim.Client.URL()
	p := strings.TrimSuffix(base.EscapedPath(), "/") + "/vim25/" + segment(c.release) + "/" +
		segment(typ) + "/" + segment(moID) + "/" + segment(method)
	return base.Scheme + "://" + base.Host + p
}

// segment escapes s as one path segment, dots included: "." and ".." are
// segments a server or proxy would resolve, moving the call elsewhere.
func segment(s string) string {
	if strings.Trim(s, ".") == "" {
		return strings.ReplaceAll(s, ".", "%2E")
	}
	return url.PathEscape(s)
}

// chooseTransport settles the transport before any vim25 call: it asks the
// server for its releases (unless SOAP is forced), speaks the newest one,
// and switches sc to VI/JSON when that release serves it and mode allows.
// govmomi's default release is newer than most servers: sent to an older
// one over VI/JSON, every call would be refused. A failure to reach the
// server is returned as it came, for classify; a server that cannot speak
// the forced transport is a *ConnectError.
func (c *Client) chooseTransport(ctx context.Context, sc *soap.Client, mode string) error {
	if mode == TransportSOAP {
		return nil
	}
	noJSON := func(err error) error {
		return &ConnectError{Stage: "api", Config: true, URL: c.where, Err: err,
			Hint: "VI/JSON needs vCenter 8.0 U1 (release 8.0.1.0) or later; use --transport soap or auto"}
	}
	rel, err := newestRelease(ctx, sc)
	var nv *NoVersionsError
	switch {
	case errors.As(err, &nv) && mode == TransportJSON:
		return noJSON(fmt.Errorf("--transport json: %w", err))
	case errors.As(err, &nv):
		return nil // an older or unusual server: SOAP with govmomi's release
	case err != nil:
		return err
	}
	c.release, sc.Version = rel, rel
	if !servesJSON(rel) {
		if mode == TransportJSON {
			return noJSON(fmt.Errorf("--transport json: the server's newest vim25 release is %s, which does not serve VI/JSON", rel))
		}
		return nil
	}
	c.json = true
	sc.UseJSON(true)
	sc.Client.Transport = jsonSession{base: sc.Client.Transport, id: &c.session, host: sc.URL().Host}
	return nil
}
