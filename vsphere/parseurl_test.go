package vsphere

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		raw, endpoint, user, pass string
	}{
		{"vc.example.com", "https://vc.example.com/sdk", "", ""},
		{"  http://vc:8080  ", "http://vc:8080/sdk", "", ""},
		{"HTTPS://vc/", "https://vc/sdk", "", ""},
		{"https://vc/custom/sdk", "https://vc/custom/sdk", "", ""},
		{"admin:pw@vc", "https://vc/sdk", "admin", "pw"},
		{"https://administrator@vsphere.local:pw@vc/sdk", "https://vc/sdk", "administrator@vsphere.local", "pw"},
		{"https://admin:1234?Zz-secret@vc/sdk", "https://vc/sdk", "admin", "1234?Zz-secret"},
		{"https://admin:a#b/c?d@e:f@vc:443/sdk", "https://vc:443/sdk", "admin", "a#b/c?d@e:f"},
		{"https://admin:p%40ss%25@vc", "https://vc/sdk", "admin", "p@ss%"},
		{"https://admin@vc", "https://vc/sdk", "admin", ""},
		{"https://:pw@[::1]:9443/sdk", "https://[::1]:9443/sdk", "", "pw"},
	}
	for _, tc := range cases {
		p, err := ParseURL(tc.raw)
		if err != nil {
			t.Errorf("%q: %v", tc.raw, err)
			continue
		}
		if p.Endpoint.String() != tc.endpoint || p.Endpoint.User != nil || p.Username != tc.user || p.Password.Reveal() != tc.pass {
			t.Errorf("%q: %s, user %q, password %q; want %s, %q, %q", tc.raw, p.Endpoint, p.Username, p.Password.Reveal(), tc.endpoint, tc.user, tc.pass)
		}
	}
	for _, bad := range []string{"", "ftp://vc", "https://", "https://admin:pw@", "https://vc:99999", "https://vc:0", "https://vc:http",
		"https://vc:+443", "https://vc:", "https://vc/sdk?x=1", "https://vc/sdk#top", "https://v c/sdk", "https://[::1/sdk",
		"https://[vc]/sdk", "https://admin:100%@vc", "https://vc\x00/sdk"} {
		if p, err := ParseURL(bad); err == nil || !errors.Is(err, ErrURL) {
			t.Errorf("%q: accepted as %v (err %v)", bad, p.Endpoint, err)
		}
	}
}

func TestSettingsCheck(t *testing.T) {
	s, err := Settings{URL: "u1:urlpass@vc", Thumbprint: strings.Repeat("ab", 20)}.Check()
	if err != nil || s.URL != "https://vc/sdk" || s.Username != "u1" || s.Password.Reveal() != "urlpass" ||
		s.Thumbprint != strings.TrimSuffix(strings.Repeat("AB:", 20), ":") {
		t.Fatalf("%+v %v", s, err)
	}
	// Credentials given separately win, as in govc.
	s, err = Settings{URL: "u1:urlpass@vc", Username: "u2", Password: NewSecret("flagpass")}.Check()
	if err != nil || s.Username != "u2" || s.Password.Reveal() != "flagpass" {
		t.Fatalf("%+v %v", s, err)
	}
	if _, err := (Settings{}).Check(); !errors.Is(err, ErrNoURL) {
		t.Fatalf("no URL: %v", err)
	}
	if _, err := (Settings{URL: "vc", Thumbprint: "ab:cd"}).Check(); !errors.Is(err, ErrThumbprint) {
		t.Fatalf("bad thumbprint: %v", err)
	}
}

func TestNormalizeThumbprint(t *testing.T) {
	sha1 := "5C:43:B9:34:D2:99:9F:19:EA:A0:F9:03:0B:8A:1F:EC:FB:4F:CB:AC"
	for _, in := range []string{sha1, strings.ToLower(sha1), strings.ReplaceAll(sha1, ":", ""), " " + strings.ToLower(strings.ReplaceAll(sha1, ":", "")) + "\n"} {
		if got, err := NormalizeThumbprint(in); err != nil || got != sha1 {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	sha256 := strings.TrimSuffix(strings.Repeat("0F:", 32), ":")
	if got, err := NormalizeThumbprint(strings.ReplaceAll(sha256, ":", "")); err != nil || got != sha256 {
		t.Errorf("sha256: %q %v", got, err)
	}
	for _, bad := range []string{"", "AB", sha1 + ":00", sha1[:58] + "GG", "5:C43" + sha1[5:], strings.Repeat("a", 41), sha1 + "\x1b"} {
		if got, err := NormalizeThumbprint(bad); err == nil || !errors.Is(err, ErrThumbprint) {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}

// printed is everything a caller might print about a parse: the endpoint,
// the settings in every form, and the error.
func printed(raw string) string {
	var out []string
	if p, err := ParseURL(raw); err != nil {
		out = append(out, err.Error())
	} else {
		out = append(out, p.Endpoint.String(), p.Endpoint.Redacted(), fmt.Sprintf("%v %#v %+v %#v", p.Endpoint, *p.Endpoint, p.Password, p.Password))
	}
	s, err := Settings{URL: raw, Thumbprint: "zz"}.Check()
	if err != nil {
		out = append(out, err.Error())
	}
	s.Username = "" // a user name is not a secret; only the password is checked
	p := s
	p.URL = ""
	b, _ := json.Marshal(p)
	out = append(out, fmt.Sprintf("%v|%+v|%#v|%s", p, p, p, b))
	if u, err := (Settings{URL: raw}).Endpoint(); err == nil {
		out = append(out, u.String())
	} else {
		out = append(out, err.Error())
	}
	return strings.Join(out, "\n")
}

// FuzzParseURLNeverPrintsThePassword: a URL whose userinfo holds a password
// (any bytes, '?', '#', '/', '@' and ':' included) prints the same as the
// URL with another password. What is printed is independent of the
// password, so it cannot contain it.
func FuzzParseURLNeverPrintsThePassword(f *testing.F) {
	f.Add("https://", "admin", "1234?Zz-secret", "vc/sdk")
	f.Add("", "administrator@vsphere.local", "a#b/c@d:e", "127.0.0.1:443")
	f.Add("http://", "u", "%41%zz", "[::1]:99999/sdk")
	f.Add("https://", "", "p", "vc:8443")
	f.Add("HTTPS://", "a", "x@y", "vc?q#f")
	f.Fuzz(func(t *testing.T, scheme, user, pass, rest string) {
		switch {
		case strings.Contains(user, ":"), strings.Contains(rest, "@"), pass == "":
			t.Skip("not a URL with a password in its userinfo under the rule")
		case scheme != "https://" && scheme != "http://" && scheme != "":
			t.Skip()
		case scheme == "" && schemeLen(user+":"+pass) > 0:
			t.Skip("the userinfo itself reads as a scheme")
		case strings.TrimSpace(user) != user || strings.TrimRight(rest, " \t\r\n\v\f") != rest:
			t.Skip("surrounding spaces are trimmed off the URL")
		}
		// The other password is always valid and decodes to itself, so a
		// difference can only come from ours being misparsed.
		const other = "Q"
		mine := printed(scheme + user + ":" + pass + "@" + rest)
		theirs := printed(scheme + user + ":" + other + "@" + rest)
		if _, err := ParseURL(scheme + user + ":" + pass + "@" + rest); errors.Is(err, errUserinfoEscape) {
			theirs = printed(scheme + user + ":" + other + "%zz@" + rest)
		}
		if mine != theirs {
			t.Fatalf("the output depends on the password %q:\n%s\n--- with password %q:\n%s", pass, mine, other, theirs)
		}
		decoded, _ := url.PathUnescape(pass)
		for _, secret := range []string{pass, decoded} {
			if len(secret) > 3 && strings.Contains(mine, secret) && !strings.Contains(theirs, secret) {
				t.Fatalf("password %q printed:\n%s", secret, mine)
			}
		}
	})
}
