package vsphere

import (
	"fmt"
	"log/slog"
)

// redacted is what a Secret prints as, whatever the verb or encoder.
const redacted = "xxxxx"

// Secret holds a password so that it cannot be printed by accident: every
// way Go turns a value into text (fmt verbs, %#v, JSON, text encoders,
// slog) gives "xxxxx". The value sits behind a pointer, so even printing a
// struct that holds a Secret in an unexported field (where fmt cannot call
// methods) shows an address, not the password. Only Reveal gives it back,
// and only the login request calls it.
type Secret struct{ p *string }

// NewSecret wraps a password. The empty string is the zero Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	return Secret{&s}
}

// IsZero reports whether no password was given.
func (s Secret) IsZero() bool { return s.p == nil }

// Reveal returns the password: for building the login request, nothing else.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

func (s Secret) String() string   { return redacted }
func (s Secret) GoString() string { return `vsphere.Secret("` + redacted + `")` }

// Format prints "xxxxx" for every verb, so that %x or %q cannot reveal it.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'v':
		if f.Flag('#') {
			f.Write([]byte(s.GoString()))
			return
		}
	case 'q':
		f.Write([]byte(`"` + redacted + `"`))
		return
	}
	f.Write([]byte(redacted))
}

func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
func (s Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
