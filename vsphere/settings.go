package vsphere

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Settings say how to reach a vCenter. They follow govc: flags default to
// the GOVC_* environment variables, so an admin's shell already works.
//
// The password is a Secret, kept apart from the URL: nothing that prints a
// Settings, an endpoint or an error can show it.
type Settings struct {
	// URL is the SDK endpoint, as "host", "https://host/sdk" or, as govc
	// allows, "https://user:password@host/sdk". Check moves credentials
	// out of it (see ParseURL for the rule) and into Username and Password.
	URL      string
	Username string
	Password Secret
	// Insecure skips TLS verification.
	Insecure bool
	// CACerts is a PEM file (or several, colon-separated) of CAs to trust.
	CACerts string
	// Thumbprint is the server certificate's SHA-1 (or SHA-256)
	// thumbprint to trust; Check puts it in govmomi's form, AB:CD:….
	Thumbprint string
	// Timeout bounds each call to vCenter: connecting, the TLS handshake,
	// and the whole reply; DefaultTimeout when zero.
	Timeout time.Duration
	// Transport is the protocol spoken to vCenter: TransportSOAP,
	// TransportJSON or TransportAuto (the default when empty), which speaks
	// VI/JSON when the server advertises a release serving it.
	Transport string
}

// SettingsFromEnv reads the GOVC_* variables through getenv.
func SettingsFromEnv(getenv func(string) string) Settings {
	insecure, _ := strconv.ParseBool(getenv("GOVC_INSECURE"))
	return Settings{
		URL:        getenv("GOVC_URL"),
		Username:   getenv("GOVC_USERNAME"),
		Password:   NewSecret(getenv("GOVC_PASSWORD")),
		Insecure:   insecure,
		CACerts:    getenv("GOVC_TLS_CA_CERTS"),
		Thumbprint: getenv("GOVC_TLS_KNOWN_HOSTS_THUMBPRINT"),
		Transport:  getenv("CBTSCOPE_TRANSPORT"),
	}
}

// ErrNoURL is returned by Check when no vCenter URL is configured.
var ErrNoURL = errors.New("no vCenter URL: set --url or GOVC_URL")

// Check validates settings as a user gave them and returns them in their
// canonical form: URL without credentials (a user name and password found
// in it fill Username and Password unless those were given separately,
// which win, as in govc), a default https scheme and /sdk path, the
// thumbprint upper-case and colon-separated, and the transport in lower
// case (auto when empty). Its errors never quote a password.
func (s Settings) Check() (Settings, error) {
	if strings.TrimSpace(s.URL) == "" {
		return s, ErrNoURL
	}
	u, err := ParseURL(s.URL)
	if err != nil {
		return s, err
	}
	s.URL = u.Endpoint.String()
	if s.Username == "" {
		s.Username = u.Username
	}
	if s.Password.IsZero() {
		s.Password = u.Password
	}
	if s.Thumbprint != "" {
		tp, err := NormalizeThumbprint(s.Thumbprint)
		if err != nil {
			return s, err
		}
		s.Thumbprint = tp
	}
	t, err := ParseTransport(s.Transport)
	if err != nil {
		return s, err
	}
	s.Transport = t
	return s, nil
}

// Endpoint is the SDK URL the settings name, without credentials: safe to
// print.
func (s Settings) Endpoint() (*url.URL, error) {
	if strings.TrimSpace(s.URL) == "" {
		return nil, ErrNoURL
	}
	u, err := ParseURL(s.URL)
	if err != nil {
		return nil, err
	}
	return u.Endpoint, nil
}

// userinfo is the credentials for the login request. Only the login calls
// it, and builds the request from it at once.
func (s Settings) userinfo() *url.Userinfo {
	if s.Username == "" && s.Password.IsZero() {
		return nil
	}
	return url.UserPassword(s.Username, s.Password.Reveal())
}

// NormalizeThumbprint accepts a certificate thumbprint as 20 (SHA-1) or 32
// (SHA-256) bytes of hex, in either case, with or without a colon between
// bytes, and returns it as govmomi compares it: upper case, colon-separated.
func NormalizeThumbprint(tp string) (string, error) {
	hex := strings.ToUpper(strings.TrimSpace(tp))
	if strings.Contains(hex, ":") {
		groups := strings.Split(hex, ":")
		for _, g := range groups {
			if len(g) != 2 {
				return "", thumbprintError(tp)
			}
		}
		hex = strings.Join(groups, "")
	}
	if len(hex) != 40 && len(hex) != 64 {
		return "", thumbprintError(tp)
	}
	var b strings.Builder
	for i := 0; i < len(hex); i += 2 {
		if !isHex(hex[i]) || !isHex(hex[i+1]) {
			return "", thumbprintError(tp)
		}
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(hex[i : i+2])
	}
	return b.String(), nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// ErrThumbprint is the class of a malformed --thumbprint.
var ErrThumbprint = errors.New("--thumbprint (GOVC_TLS_KNOWN_HOSTS_THUMBPRINT) must be the certificate's SHA-1 fingerprint, 20 bytes of hex such as AB:CD:…:EF")

func thumbprintError(tp string) error {
	return fmt.Errorf("%w, not \"%s\"", ErrThumbprint, SafeText(tp, 100))
}
