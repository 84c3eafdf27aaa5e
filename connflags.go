package main

import (
	"flag"
	"os"

	"github.com/cbtscope/cbtscope/vsphere"
)

// connFlags registers the connection flags on fs, each defaulting to its
// govc environment variable, and returns the settings they fill in.
func connFlags(fs *flag.FlagSet, getenv func(string) string) *vsphere.Settings {
	env := vsphere.SettingsFromEnv(getenv)
	s := &vsphere.Settings{}
	fs.StringVar(&s.URL, "url", env.URL, "vCenter `URL` (GOVC_URL), e.g. https://vcenter.example.com/sdk")
	fs.StringVar(&s.Username, "username", env.Username, "user `name` (GOVC_USERNAME)")
	fs.StringVar(&s.Password, "password", env.Password, "`password` (GOVC_PASSWORD); never shown")
	fs.BoolVar(&s.Insecure, "insecure", env.Insecure, "skip TLS certificate verification (GOVC_INSECURE)")
	fs.StringVar(&s.CACerts, "ca-certs", env.CACerts, "PEM `file` of CAs to trust (GOVC_TLS_CA_CERTS)")
	fs.StringVar(&s.Thumbprint, "thumbprint", env.Thumbprint, "SHA-1 `thumbprint` of the server certificate to trust (GOVC_TLS_KNOWN_HOSTS_THUMBPRINT)")
	return s
}

// getenv is os.Getenv, replaceable in tests.
var getenv = os.Getenv
