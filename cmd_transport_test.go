package main

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/vsphere"
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
				code int
				errs string
				exp  *vsphere.Export
			}
			var got [2]result
			for i, transport := range []string{"soap", "json"} {
				code, out, errs := runCLI(t, exportArgs(t, append([]string{"--transport", transport}, args...)...)...)
				got[i] = result{code: code, errs: errs}
				if out == "" {
					continue
				}
				e := readJSONExport(t, out)
				if e.Transport != transport {
					t.Fatalf("export over %s says %q", transport, e.Transport)
				}
				// How many pages the map took depends on how the adaptive
				// workers shared the disk out, not on the transport.
				e.Transport, e.Stats.Pages, e.Stats.ReportedExtents = "", 0, 0
				got[i].exp = e
			}
			if got[0].code != got[1].code || got[0].errs != got[1].errs || !reflect.DeepEqual(got[0].exp, got[1].exp) {
				t.Fatalf("SOAP: exit %d, stderr %q, export %+v\nVI/JSON: exit %d, stderr %q, export %+v",
					got[0].code, got[0].errs, got[0].exp, got[1].code, got[1].errs, got[1].exp)
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
