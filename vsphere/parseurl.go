package vsphere

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// ParsedURL is a vCenter URL taken apart: the endpoint, which holds no
// credentials and is safe to print, and the credentials it carried.
type ParsedURL struct {
	Endpoint *url.URL
	Username string
	Password Secret
}

// ErrURL is the class of every error ParseURL returns.
var ErrURL = errors.New("vCenter URL")

// urlError is a ParseURL error: a fixed text that never quotes the input's
// user name or password.
type urlError struct{ msg string }

func (e *urlError) Error() string        { return "vCenter URL: " + e.msg }
func (e *urlError) Is(target error) bool { return target == ErrURL }

var errUserinfoEscape = &urlError{"the user name or password in it has a '%' that is not a %XX escape; " +
	"escape '%' as %25, or give the password with --password or GOVC_PASSWORD"}

// ParseURL reads a vCenter URL the way an admin's shell writes it, and
// never lets a password leak through a misreading. The rule:
//
//  1. Surrounding spaces are dropped. A scheme is recognised only at the
//     very start ("[a-zA-Z][a-zA-Z0-9+.-]*://"); without one, https:// is
//     assumed. The scheme must be http or https.
//  2. Userinfo is everything before the LAST '@'. A password may hold any
//     of '@', ':', '/', '?' and '#' (a generated one often does), while a
//     vCenter SDK URL never has '@' in its path, so splitting at the first
//     '/', '?' or '#' as RFC 3986 does (and url.Parse) would put part of the
//     password in the host, path or query, and print it.
//  3. The userinfo splits at its FIRST ':' into user name and password: a
//     user name may hold '@' (administrator@vsphere.local), not ':'. Both
//     are percent-decoded as govc does (p%40ss is p@ss); a '%' that does
//     not start a %XX escape is an error, rather than a guess.
//  4. What follows the userinfo is host[:port] up to the first '/', '?' or
//     '#', then the path (default /sdk). A query or fragment is an error:
//     an SDK URL has none. The port, when given, is 1 to 65535.
//
// Errors quote nothing of the input but the scheme.
func ParseURL(raw string) (ParsedURL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ParsedURL{}, &urlError{"empty"}
	}
	scheme, rest := "https", raw
	if n := schemeLen(raw); n > 0 {
		scheme, rest = strings.ToLower(raw[:n]), raw[n+len("://"):]
	}
	if scheme != "https" && scheme != "http" {
		return ParsedURL{}, &urlError{"scheme \"" + SafeText(scheme, 20) + "\" is not http or https"}
	}
	var p ParsedURL
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		userinfo := rest[:at]
		rest = rest[at+1:]
		user, pass, _ := strings.Cut(userinfo, ":")
		var err1, err2 error
		p.Username, err1 = url.PathUnescape(user)
		pass, err2 = url.PathUnescape(pass)
		if err1 != nil || err2 != nil {
			return ParsedURL{}, errUserinfoEscape
		}
		p.Password = NewSecret(pass)
	}
	hostport, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		hostport, path = rest[:i], rest[i:]
	}
	if strings.ContainsAny(path, "?#") {
		return ParsedURL{}, &urlError{"an SDK URL has no query or fragment; give one like https://vcenter.example.com/sdk"}
	}
	host, err := checkHostPort(hostport)
	if err != nil {
		return ParsedURL{}, err
	}
	if path == "" || path == "/" {
		path = "/sdk"
	}
	u, err := url.Parse(scheme + "://" + hostport + path)
	if err != nil || u.Hostname() != host {
		return ParsedURL{}, &urlError{"the host or path holds characters a URL cannot (spaces, controls, a stray '%'); give one like https://vcenter.example.com/sdk"}
	}
	p.Endpoint = u
	return p, nil
}

// schemeLen is the length of the scheme raw starts with, before "://", or
// 0 when it does not start with one.
func schemeLen(raw string) int {
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && strings.HasPrefix(raw[i:], "://"):
			return i
		default:
			return 0
		}
	}
	return 0
}

// checkHostPort checks "host", "host:port", "[v6]" or "[v6]:port" and
// returns the host.
func checkHostPort(hostport string) (string, error) {
	host, port := hostport, ""
	if strings.HasPrefix(hostport, "[") {
		end := strings.IndexByte(hostport, ']')
		if end < 0 {
			return "", &urlError{"an IPv6 address in it lacks its closing ']'"}
		}
		host, port = hostport[1:end], hostport[end+1:]
		if port != "" && port[0] != ':' {
			return "", &urlError{"something other than :port follows the IPv6 address"}
		}
		if net.ParseIP(host) == nil {
			return "", &urlError{"the address in [ ] is not an IPv6 address"}
		}
	} else if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		host, port = hostport[:i], hostport[i:]
	}
	if host == "" {
		return "", &urlError{"it has no host; give one like https://vcenter.example.com/sdk"}
	}
	if port != "" {
		n, err := strconv.Atoi(port[1:])
		if err != nil || n < 1 || n > 65535 || port[1] == '+' || port[1] == '-' {
			return "", &urlError{"the port must be a number from 1 to 65535"}
		}
	}
	return host, nil
}
