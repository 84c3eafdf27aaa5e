package vsphere

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Settings say how to reach a vCenter. They follow govc: flags default to
// the GOVC_* environment variables, so an admin's shell already works.
type Settings struct {
	// URL is the SDK endpoint, as "host", "https://host" or
	// "https://user:password@host/sdk".
	URL      string
	Username string
	Password string
	// Insecure skips TLS verification.
	Insecure bool
	// CACerts is a PEM file (or several, colon-separated) of CAs to trust.
	CACerts string
	// Thumbprint is the server certificate's SHA-1 thumbprint to trust.
	Thumbprint string
	// Timeout bounds each call to vCenter: connecting, the TLS handshake,
	// and the whole reply; DefaultTimeout when zero.
	Timeout time.Duration
}

// SettingsFromEnv reads the GOVC_* variables through getenv.
func SettingsFromEnv(getenv func(string) string) Settings {
	insecure, _ := strconv.ParseBool(getenv("GOVC_INSECURE"))
	return Settings{
		URL:        getenv("GOVC_URL"),
		Username:   getenv("GOVC_USERNAME"),
		Password:   getenv("GOVC_PASSWORD"),
		Insecure:   insecure,
		CACerts:    getenv("GOVC_TLS_CA_CERTS"),
		Thumbprint: getenv("GOVC_TLS_KNOWN_HOSTS_THUMBPRINT"),
	}
}

// Endpoint parses the URL the way govc does: a bare host gets https:// and
// /sdk; credentials given separately win over those in the URL. The result
// carries the credentials; never print it, print Redacted instead.
func (s Settings) Endpoint() (*url.URL, error) {
	raw := strings.TrimSpace(s.URL)
	if raw == "" {
		return nil, fmt.Errorf("no vCenter URL: set --url or GOVC_URL")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse quotes the input, password included: say less.
		return nil, fmt.Errorf("vCenter URL %q is not a URL", redactRawURL(raw))
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("vCenter URL %s: scheme %q is not http or https", RedactURL(u), u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("vCenter URL %s has no host", RedactURL(u))
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/sdk"
	}
	user, pass := "", ""
	if u.User != nil {
		user = u.User.Username()
		pass, _ = u.User.Password()
	}
	if s.Username != "" {
		user = s.Username
	}
	if s.Password != "" {
		pass = s.Password
	}
	if user != "" || pass != "" {
		u.User = url.UserPassword(user, pass)
	}
	return u, nil
}

// Secrets lists the strings that must never be shown: the password, from the
// settings or inside the URL.
func (s Settings) Secrets() []string {
	var out []string
	if s.Password != "" {
		out = append(out, s.Password)
	}
	if u, err := url.Parse(s.URL); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p)
		}
	} else if i := strings.Index(s.URL, "@"); i > 0 {
		// Unparseable: treat whatever sits between "user:" and "@" as secret.
		head := s.URL[:i]
		if j := strings.LastIndex(head, ":"); j >= 0 && j+1 < len(head) {
			out = append(out, head[j+1:])
		}
	}
	return out
}

// RedactURL prints u without its password.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User(c.User.Username())
	}
	return c.String()
}

func redactRawURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		userinfo := rest[:at]
		if user, _, hasPass := strings.Cut(userinfo, ":"); hasPass {
			rest = user + ":xxxxx" + rest[at:]
		}
	}
	return scheme + "://" + rest
}

// Redactor scrubs secrets from text that may reach a user.
type Redactor struct{ secrets []string }

// NewRedactor scrubs the given secrets (empty ones are ignored), also in
// their URL-escaped forms.
func NewRedactor(secrets ...string) *Redactor {
	r := &Redactor{}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		r.secrets = append(r.secrets, s, url.QueryEscape(s), url.PathEscape(s), url.UserPassword("", s).String()[1:])
	}
	return r
}

// String returns s with every secret replaced by "xxxxx".
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	for _, sec := range r.secrets {
		if len(sec) > 0 {
			s = strings.ReplaceAll(s, sec, "xxxxx")
		}
	}
	return s
}

// Error wraps err so its message is scrubbed; errors.Is and As still see the
// original.
func (r *Redactor) Error(err error) error {
	if err == nil || r == nil || len(r.secrets) == 0 {
		return err
	}
	return &redactedError{msg: r.String(err.Error()), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
