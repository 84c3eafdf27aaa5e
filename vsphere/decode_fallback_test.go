package vsphere

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/vsphere/simulator"
)

// Well-formed replies the fast decoder does not understand are decoded by
// govmomi's decoder, counted, and read exactly as govmomi reads them.
func TestDecodeFallsBackToGovmomi(t *testing.T) {
	good := string(encodeReply(changeInfo{StartOffset: 0, Length: 100, Areas: []heatmap.Extent{{Start: 0, Length: 10}, {Start: 50, Length: 5}}}))
	deep := "<Header>" + strings.Repeat("<a>", 10) + "x" + strings.Repeat("</a>", 10) + "</Header>"
	cases := map[string]string{
		"CDATA number":        strings.Replace(good, "<length>100</length>", "<length><![CDATA[100]]></length>", 1),
		"character reference": strings.Replace(good, "<start>50</start>", "<start>&#53;0</start>", 1),
		"deep header":         strings.Replace(good, "<Body>", deep+"<Body>", 1),
		"comment in a number": strings.Replace(good, "<length>100</length>", "<length>1<!-- x -->00</length>", 1),
	}
	if !strings.Contains(good, "<Body>") {
		t.Fatalf("the reply's shape changed: %s", good)
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			if body == good {
				t.Fatal("the case changes nothing")
			}
			var fast changeInfo
			if err := decodeChangeInfo([]byte(body), &fast); err == nil {
				t.Fatal("the fast decoder accepts it: the case tests no fallback")
			}
			ref, err := govmomiDecode([]byte(body), false)
			if err != nil {
				t.Fatalf("govmomi rejects it too: %v", err)
			}
			var c Client
			got := changeInfo{Areas: []heatmap.Extent{{Start: 1, Length: 1}}} // stale, to be dropped
			if err := c.decodeReply([]byte(body), false, &got); err != nil {
				t.Fatal(err)
			}
			if got.StartOffset != ref.StartOffset || got.Length != ref.Length || !slices.Equal(got.Areas, ref.Areas) {
				t.Fatalf("read %+v, govmomi %+v", got, *ref)
			}
			if c.FallbackDecodes() != 1 {
				t.Fatalf("%d fallback decodes counted, want 1", c.FallbackDecodes())
			}
		})
	}
}

// A reply neither decoder accepts is an error, and not counted.
func TestDecodeRejectsWhatNeitherAccepts(t *testing.T) {
	good := string(encodeReply(changeInfo{StartOffset: 0, Length: 100}))
	for name, body := range map[string]string{
		"truncated":    good[:len(good)-20],
		"not a number": strings.Replace(good, "<length>100</length>", "<length>1e2</length>", 1),
		"no response":  `<?xml version="1.0"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body></Body></Envelope>`,
	} {
		t.Run(name, func(t *testing.T) {
			var c Client
			var got changeInfo
			if err := c.decodeReply([]byte(body), false, &got); err == nil {
				t.Fatalf("accepted as %+v", got)
			}
			if c.FallbackDecodes() != 0 {
				t.Fatal("a rejected reply was counted as a fallback decode")
			}
		})
	}
}

// A server whose numbers come as CDATA still yields the exact map.
func TestFetchDecodesCDATARepliesExactly(t *testing.T) {
	h := startHostile(t, simulator.Options{PageExtents: 300})
	c := connectHostile(t, h, 0)
	q, want := hostileQuery(t, h, c)
	number := regexp.MustCompile(`<(start|startOffset|length)>(-?[0-9]+)</`)
	h.on("VstorageObjectVCenterQueryChangedDiskAreas", func(w http.ResponseWriter, r *http.Request) {
		res, body, err := h.forward(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		writeReply(w, res, number.ReplaceAll(body, []byte("<$1><![CDATA[$2]]></")))
	})
	m, done, faults := fetchMap(t, c, q, FetchOptions{Workers: 4, Retry: fastRetry})
	if !done.Complete || len(faults) > 0 {
		t.Fatalf("done %+v, faults %v", done, faults)
	}
	if got := extentsOf(m); !slices.Equal(got, want) {
		t.Fatalf("%d extents, ground truth has %d", len(got), len(want))
	}
	if c.FallbackDecodes() != done.Progress.Pages {
		t.Fatalf("%d fallback decodes for %d pages", c.FallbackDecodes(), done.Progress.Pages)
	}
}
