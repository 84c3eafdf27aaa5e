package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// Every demo disk exported over SOAP and over VI/JSON: the same map, the
// same exit code and the same diagnosis; each export names its transport.
func TestExportSameOverBothTransports(t *testing.T) {
	s, _ := exportSim()
	epoch, _ := s.Disk(simulator.DemoEpochReset)
	cases := [][]string{
		{"--disk", simulator.DemoDatabase},
		{"--disk", simulator.DemoLog, "--change-id", "*"},
		{"--disk", simulator.DemoFreshFS},
		{"--disk", simulator.DemoBootStorm, "--change-id", "*"},
		{"--disk", simulator.DemoSparse},
		{"--disk", simulator.DemoCBTOff, "--change-id", "*"},
		{"--disk", simulator.DemoCorruptCTK},
		{"--disk", simulator.DemoEpochReset, "--base-snapshot", epoch.Snapshots[0].ID},
		{"--disk", simulator.DemoDatabase, "--change-id", "52 zz/1"},
		{"--datastore", "ds-archive", "--disk", simulator.DemoOffline},
		{"--vm", simulator.DemoVMSQL, "--disk", "2001"},
		{"--vm", simulator.DemoVMCorrupt, "--disk", "2001"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			type result struct {
				code      int
				out, errs string
			}
			var got [2]result
			for i, transport := range []string{"soap", "json"} {
				code, out, errs := runCLI(t, exportArgs(t, append([]string{"--transport", transport}, args...)...)...)
				if out != "" {
					e := readJSONExport(t, out)
					if e.Transport != transport {
						t.Fatalf("export over %s says %q", transport, e.Transport)
					}
					out = strings.Replace(out, fmt.Sprintf(`"transport": %q`, transport), "", 1)
				}
				got[i] = result{code, out, errs}
			}
			if got[0] != got[1] {
				t.Fatalf("SOAP: exit %d, stderr %q, %d bytes out; VI/JSON: exit %d, stderr %q, %d bytes out",
					got[0].code, got[0].errs, len(got[0].out), got[1].code, got[1].errs, len(got[1].out))
			}
		})
	}
}

// A --transport that is none of soap, json and auto is a usage error, from
// the flag and from CBTSCOPE_TRANSPORT alike.
func TestTransportUsageError(t *testing.T) {
	code, _, errs := runCLI(t, exportArgs(t, "--transport", "rest", "--disk", simulator.DemoDatabase)...)
	if code != exitUsage || !strings.Contains(errs, "--transport") || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	old := getenv
	getenv = func(k string) string {
		if k == "CBTSCOPE_TRANSPORT" {
			return "grpc"
		}
		return ""
	}
	defer func() { getenv = old }()
	code, _, errs = runCLI(t, exportArgs(t, "--disk", simulator.DemoDatabase)...)
	if code != exitUsage || !strings.Contains(errs, `"grpc"`) {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}
