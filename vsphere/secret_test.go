package vsphere

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretNeverPrints(t *testing.T) {
	const pw = "Pa55-w0rd"
	s := NewSecret(pw)
	holder := struct {
		Exported Secret
		hidden   Secret
		Settings Settings
	}{s, s, Settings{URL: "https://vc/sdk", Username: "u", Password: s}}
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3s", "%T"} {
		out = append(out, fmt.Sprintf(verb, s), fmt.Sprintf(verb, holder), fmt.Sprintf(verb, &holder))
	}
	out = append(out, fmt.Sprint(s, holder), fmt.Sprintln(&holder))
	for _, v := range []any{s, holder} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
		if b, err = xml.Marshal(v); err == nil {
			out = append(out, string(b))
		}
	}
	var log bytes.Buffer
	slog.New(slog.NewTextHandler(&log, nil)).Info("login", "password", s, "settings", holder.Settings)
	slog.New(slog.NewJSONHandler(&log, nil)).Info("login", "password", s, "settings", holder.Settings)
	out = append(out, log.String())
	all := strings.Join(out, "\n")
	if strings.Contains(all, pw) || strings.Contains(all, fmt.Sprintf("%x", pw)) || strings.Contains(all, fmt.Sprintf("%X", pw)) {
		t.Fatalf("the password was printed:\n%s", all)
	}
	if !strings.Contains(all, redacted) {
		t.Fatalf("nothing says the secret is there:\n%s", all)
	}
	if s.Reveal() != pw || NewSecret("").Reveal() != "" || !NewSecret("").IsZero() || s.IsZero() {
		t.Fatal("Reveal does not give the password back")
	}
}
