package main

import (
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// unreachable is an address where nothing listens: a command that gets as
// far as connecting fails there at once with a network error (exit 1), so a
// usage error (exit 2) proves the input was refused before any call.
const unreachable = "127.0.0.1:1"

// oneLine fails the test unless stderr is exactly one line containing want.
func oneLine(t *testing.T, code int, stderr, want string) {
	t.Helper()
	if code != exitUsage {
		t.Fatalf("exit %d, want %d; stderr %q", code, exitUsage, stderr)
	}
	if strings.Count(strings.TrimSuffix(stderr, "\n"), "\n") > 0 || !strings.Contains(stderr, want) {
		t.Fatalf("want one line saying %q, got %q", want, stderr)
	}
}

// What is printed does not depend on the password: a one-character
// password must not turn "connect" into "connxxxxxct" (which gives the
// password away) nor garble snapshot ids.
func TestExportOutputDoesNotDependOnThePassword(t *testing.T) {
	base := simArgs(t)
	run := func(password string) (int, string) {
		args := append([]string{"export"}, base...)
		for i, a := range args {
			if a == "--password" {
				args[i+1] = password
			}
		}
		args = append(args, "--disk", simulator.DemoCorruptCTK)
		code, _, errs := runCLI(t, args...)
		return code, errs
	}
	wantCode, want := run("an-unrelated-Pa55word")
	for _, pw := range []string{"o", "e", "ct", "1", "s"} {
		code, got := run(pw)
		if code != wantCode || got != want {
			t.Fatalf("password %q changed the output:\n%s\nwant:\n%s", pw, got, want)
		}
	}
}

// A password holding '?', '#', '/' or '@' stays in the userinfo: the URL is
// split at the last '@', never at the first '?' or '#'.
func TestExportURLPasswordWithDelimitersNeverLeaks(t *testing.T) {
	for _, pw := range []string{"1234?Zz-secret", "12#Zz-secret", "12/Zz-secret", "p@Zz-secret", "a?b#c/d@Zz-secret"} {
		for _, u := range []string{
			"https://admin:" + pw + "@" + unreachable + "/sdk",
			"admin:" + pw + "@" + unreachable,
			"https://admin:" + pw + "@" + unreachable + ":99999/sdk",
		} {
			code, out, errs := runCLI(t, "export", "--url", u, "--insecure", "--disk", "x")
			if strings.Contains(out+errs, "Zz-secret") {
				t.Fatalf("%s: the password leaked: %q", u, errs)
			}
			if code == exitOK || errs == "" {
				t.Fatalf("%s: exit %d, stderr %q", u, code, errs)
			}
		}
	}
}

func TestExportThumbprintIsNormalised(t *testing.T) {
	s, _ := exportSim()
	tp := s.Thumbprint()
	for _, given := range []string{strings.ToLower(tp), strings.ReplaceAll(tp, ":", ""), strings.ToLower(strings.ReplaceAll(tp, ":", ""))} {
		args := simArgs(t)
		args[len(args)-1] = given
		code, out, errs := runCLI(t, append(append([]string{"export"}, args...), "--disk", simulator.DemoLog)...)
		if code != exitOK || readJSONExport(t, out).Disk.Name != simulator.DemoLog {
			t.Fatalf("--thumbprint %s: exit %d: %s", given, code, errs)
		}
	}
}

func TestExportRefusesBadThumbprints(t *testing.T) {
	for _, bad := range []string{"zz", "AB:CD", strings.Repeat("AB:", 19) + "GG", strings.Repeat("ab", 21), strings.Repeat("A", 40) + "\x1b[2J"} {
		code, _, errs := runCLI(t, "export", "--url", unreachable, "--thumbprint", bad, "--disk", "x")
		oneLine(t, code, errs, "--thumbprint")
		if strings.Contains(errs, "\x1b") {
			t.Fatalf("control character printed: %q", errs)
		}
	}
}

func TestExportRefusesBadPorts(t *testing.T) {
	for _, u := range []string{"https://127.0.0.1:99999/sdk", "127.0.0.1:http", "https://[::1]:0/sdk", "https://127.0.0.1:-1/sdk", "https://127.0.0.1:/sdk"} {
		code, _, errs := runCLI(t, "export", "--url", u, "--insecure", "--disk", "x")
		oneLine(t, code, errs, "port")
	}
}

// A base taken at or after the target is refused before any CBT call,
// rather than sent and answered "Malformed changeId".
func TestExportRefusesBaseNotBeforeTarget(t *testing.T) {
	s, _ := exportSim()
	info, _ := s.Disk(simulator.DemoDatabase)
	snaps := info.Snapshots
	for _, pair := range [][2]int{{0, 1}, {1, 1}, {0, len(snaps) - 1}} {
		code, out, errs := runCLI(t, exportArgs(t, "--disk", simulator.DemoDatabase,
			"--snapshot", snaps[pair[0]].ID, "--base-snapshot", snaps[pair[1]].ID)...)
		oneLine(t, code, errs, "--base-snapshot")
		if out != "" || strings.Contains(errs, "Malformed") {
			t.Fatalf("base %d, target %d: stdout %q, stderr %q", pair[1], pair[0], out, errs)
		}
	}
}

// A huge changeId is elided in the middle, not repeated at length.
func TestExportLongServerTextIsElided(t *testing.T) {
	long := "52 " + strings.Repeat("ab", 60<<10) + "/1"
	code, _, errs := runCLI(t, exportArgs(t, "--disk", simulator.DemoDatabase, "--change-id", long)...)
	if code != exitFault || !strings.Contains(errs, "Malformed changeId") {
		t.Fatalf("exit %d: %.500s", code, errs)
	}
	if len(errs) > 16<<10 || !strings.Contains(errs, "more)") {
		t.Fatalf("stderr is %d bytes for a %d-byte changeId:\n%.800s", len(errs), len(long), errs)
	}
}

// Server text cannot forge a line of cbtscope's own: a typed changeId
// echoed back by the server comes out escaped.
func TestExportServerTextCannotForgeLines(t *testing.T) {
	forged := "cbtscope export: the map written is complete"
	code, _, errs := runCLI(t, exportArgs(t, "--disk", simulator.DemoDatabase, "--change-id", "52 zz\r\n"+forged+"\n\x1b[2J\u202e/1")...)
	if code != exitFault {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, line := range strings.Split(errs, "\n") {
		if strings.HasPrefix(strings.TrimLeft(line, "\r"), forged) || strings.ContainsAny(line, "\r\x1b\u202e") {
			t.Fatalf("forged or raw line %q in:\n%s", line, errs)
		}
	}
}

// Every faultMessage of every faultCause reaches stderr, each line escaped.
func TestDescribeFaultShowsTheWholeChainSafely(t *testing.T) {
	forged := "cbtscope export: the map written is complete"
	f := &vsphere.Fault{
		Type: "FileFault", Message: "top\r\n" + forged,
		Messages: []vsphere.FaultMessage{{Key: "k.top", Message: "top message", Args: []vsphere.FaultArg{{Key: "file", Value: "[ds] a.vmdk\n" + forged}}}},
		Cause: &vsphere.Fault{Type: "InvalidArgument", Message: "middle",
			Messages: []vsphere.FaultMessage{{Key: "k.middle", Message: "middle message\x1b[31m"}},
			Cause: &vsphere.Fault{Type: "SystemError", Message: "bottom",
				Messages: []vsphere.FaultMessage{{Key: "k.bottom", Message: "bottom message " + strings.Repeat("x", 100<<10)}}}},
		Request: &vsphere.Request{Disk: "d\n" + forged, ChangeID: "*"},
	}
	f.Diagnosis = vsphere.Diagnose(f)
	got := describeFault(f)
	for _, want := range []string{"top message", "k.middle", "middle message", "k.bottom", "bottom message", "SystemError", "file"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, forged) || strings.ContainsAny(line, "\r\x1b") {
			t.Errorf("forged or raw line %q", line)
		}
	}
	if len(got) > 8<<10 {
		t.Errorf("%d bytes: long values are not elided", len(got))
	}
}
