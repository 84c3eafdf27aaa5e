package main

import (
	"flag"
	"os"

	"github.com/cbtscope/cbtscope/vsphere"
)

// connOptions are the connection flags. Their defaults come from govc's
// environment variables, but only after parsing: a flag default is printed
// by --help and by every usage error, and GOVC_PASSWORD must never be.
type connOptions struct {
	fs     *flag.FlagSet
	getenv func(string) string
	flags  vsphere.Settings
}

// connFlags registers the connection flags on fs.
func connFlags(fs *flag.FlagSet, getenv func(string) string) *connOptions {
	c := &connOptions{fs: fs, getenv: getenv}
	fs.StringVar(&c.flags.URL, "url", "", "vCenter `URL`, e.g. https://vcenter.example.com/sdk (default $GOVC_URL)")
	fs.StringVar(&c.flags.Username, "username", "", "user `name` (default $GOVC_USERNAME)")
	fs.Var(secretFlag{&c.flags.Password}, "password", "`password`, never shown (default $GOVC_PASSWORD)")
	fs.BoolVar(&c.flags.Insecure, "insecure", false, "skip TLS certificate verification (default $GOVC_INSECURE)")
	fs.StringVar(&c.flags.CACerts, "ca-certs", "", "PEM `file` of CAs to trust (default $GOVC_TLS_CA_CERTS)")
	fs.StringVar(&c.flags.Thumbprint, "thumbprint", "", "SHA-1 `thumbprint` of the server certificate to trust, AB:CD:… or abcd… (default $GOVC_TLS_KNOWN_HOSTS_THUMBPRINT)")
	fs.DurationVar(&c.flags.Timeout, "timeout", vsphere.DefaultTimeout, "longest wait for each call to vCenter: connecting, TLS, the whole reply")
	fs.StringVar(&c.flags.Transport, "transport", "", "`protocol` to speak to vCenter: soap, json (VI/JSON, vSphere 8.0 U1+) or auto, JSON when the server serves it (default $CBTSCOPE_TRANSPORT, else auto)")
	return c
}

// Settings are the flags given, and the environment for the rest, checked:
// credentials taken out of the URL, the thumbprint normalised. An error is
// a usage error (exit 2) and never quotes the password. Call it after
// parsing; with no URL configured it returns the settings unchecked, for
// the explorer's demo.
func (c *connOptions) Settings() (vsphere.Settings, error) {
	s := vsphere.SettingsFromEnv(c.getenv)
	s.Timeout = c.flags.Timeout
	c.fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "url":
			s.URL = c.flags.URL
		case "username":
			s.Username = c.flags.Username
		case "password":
			s.Password = c.flags.Password
		case "insecure":
			s.Insecure = c.flags.Insecure
		case "ca-certs":
			s.CACerts = c.flags.CACerts
		case "thumbprint":
			s.Thumbprint = c.flags.Thumbprint
		case "transport":
			s.Transport = c.flags.Transport
		}
	})
	if s.URL == "" {
		// The demo is reached with these settings too: only the transport
		// is checked.
		t, err := vsphere.ParseTransport(s.Transport)
		s.Transport = t
		return s, err
	}
	return s.Check()
}

// secretFlag puts a flag's value straight into a Secret, so the password
// never sits in a plain string, and the flag package never shows it.
type secretFlag struct{ s *vsphere.Secret }

func (f secretFlag) Set(v string) error { *f.s = vsphere.NewSecret(v); return nil }
func (f secretFlag) String() string     { return "" }

// getenv is os.Getenv, replaceable in tests.
var getenv = os.Getenv
