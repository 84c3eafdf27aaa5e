package vsphere

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// vmodlFault is a fault envelope as some servers write it: the detail's
// xsi:type spelled with its vmodl package, "vmodl.fault.InvalidArgument"
// rather than "InvalidArgument".
func vmodlFault(typ, prop string) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>A specified parameter was not correct: %s</faultstring><detail><InvalidArgumentFault xmlns="urn:vim25" xsi:type="%s"><invalidProperty>%s</invalidProperty></InvalidArgumentFault></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`, prop, typ, prop)
}

func TestVmodlPrefixedFaultsAreDecodedAsTheFault(t *testing.T) {
	h := startHostile(t, simulator.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Connect(ctx, h.settings(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.FindDisk(ctx, "", simulator.DemoLog)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"vmodl.fault.InvalidArgument", "InvalidArgument"} {
		t.Run(typ, func(t *testing.T) {
			fault := func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				fmt.Fprint(w, vmodlFault(typ, "startOffset"))
			}
			// The paging query, with its own decoder.
			h.on("VstorageObjectVCenterQueryChangedDiskAreas", fault)
			defer h.on("VstorageObjectVCenterQueryChangedDiskAreas", nil)
			q := Query{Disk: d.Ref(), Capacity: d.CapacityBytes, Snapshot: "s", ChangeID: "*"}
			_, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 1})
			if done.Complete || len(faults) != 1 || faults[0].Fault == nil {
				t.Fatalf("done %+v, faults %+v", done, faults)
			}
			f := faults[0].Fault
			if f.Type != "InvalidArgument" || f.InvalidProperty != "startOffset" || f.Diagnosis.Title != "startOffset past the end of the disk" {
				t.Fatalf("fault %q invalidProperty %q diagnosis %q", f.Type, f.InvalidProperty, f.Diagnosis.Title)
			}
			// Any other call, through govmomi's decoder.
			h.on("RetrieveSnapshotDetails", fault)
			defer h.on("RetrieveSnapshotDetails", nil)
			_, err := c.Snapshots(ctx, d)
			f, ok := AsFault(err, nil)
			if !ok || f.Type != "InvalidArgument" || f.InvalidProperty != "startOffset" {
				t.Fatalf("listing snapshots: %v (fault %+v)", err, f)
			}
		})
	}
}
