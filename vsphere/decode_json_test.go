package vsphere

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/cbtscope/cbtscope/heatmap"
)

// jsonReply is a DiskChangeInfo as govmomi's VI/JSON encoder writes it.
func jsonReply(t testing.TB, start, length int64, areas ...heatmap.Extent) []byte {
	t.Helper()
	info := types.DiskChangeInfo{StartOffset: start, Length: length}
	for _, a := range areas {
		info.ChangedArea = append(info.ChangedArea, types.DiskChangeExtent{Start: a.Start, Length: a.Length})
	}
	var b bytes.Buffer
	if err := types.NewJSONEncoder(&b).Encode(&info); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestDecodeChangeInfoJSONReadsWhatGovmomiWrites(t *testing.T) {
	for _, areas := range [][]heatmap.Extent{
		nil,
		{{Start: 0, Length: 1}},
		{{Start: 4096, Length: 65536}, {Start: 1 << 40, Length: 1 << 20}, {Start: 1<<62 - 1, Length: 1}},
	} {
		body := jsonReply(t, 0, 1<<41, areas...)
		var got changeInfo
		if err := decodeChangeInfoJSON(body, &got); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got.StartOffset != 0 || got.Length != 1<<41 || !slices.Equal(got.Areas, areas) {
			t.Fatalf("%s: decoded %+v", body, got)
		}
	}
}

// Forms a server may write that the fast decoder reads itself: keys in any
// order, members it does not know (of every kind), whitespace anywhere.
func TestDecodeChangeInfoJSONForms(t *testing.T) {
	want := changeInfo{StartOffset: 1024, Length: 8192, Areas: []heatmap.Extent{{Start: 1024, Length: 512}, {Start: 4096, Length: 4096}}}
	for _, body := range []string{
		`{"changedArea":[{"length":512,"start":1024},{"start":4096,"length":4096,"_typeName":"DiskChangeExtent"}],"length":8192,"startOffset":1024}`,
		` { "_typeName" : "DiskChangeInfo" ,
		   "startOffset" : 1024 , "length" : 8192 ,
		   "changedArea" : [ { "start" : 1024 , "length" : 512 } ,
		                     { "start" : 4096 , "length" : 4096 } ] }
		`,
		`{"x":{"a":[1,-2.5e+3,true,false,null,"s\"\\\/\b\f\n\r\t\u00e9"],"b":{}},"startOffset":1024,"y":[],"length":8192,` +
			`"changedArea":[{"start":1024,"note":"\u2603","length":512,"deep":[[[{}]]]},{"start":4096,"length":4096}],"z":"é"}`,
	} {
		var got changeInfo
		if err := decodeChangeInfoJSON([]byte(body), &got); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got.StartOffset != want.StartOffset || got.Length != want.Length || !slices.Equal(got.Areas, want.Areas) {
			t.Fatalf("%s: decoded %+v", body, got)
		}
	}
}

// Valid replies the fast decoder leaves to govmomi's: the client still
// decodes them, and counts them.
func TestDecodeJSONReplyFallsBackOnUnusualForms(t *testing.T) {
	deep := strings.Repeat("[", maxSkipDepth+2) + strings.Repeat("]", maxSkipDepth+2)
	for _, tc := range []struct {
		body string
		want changeInfo
	}{
		{`{"\u0073tartOffset":5,"length":10,"changedArea":[{"start":5,"length":1}]}`, changeInfo{5, 10, []heatmap.Extent{{Start: 5, Length: 1}}}},
		{`{"StartOffset":5,"Length":10}`, changeInfo{5, 10, nil}},
		{`{"startOffset":5,"length":3,"length":10}`, changeInfo{5, 10, nil}},
		{`{"startOffset":5,"length":10,"changedArea":null}`, changeInfo{5, 10, nil}},
		{`{"startOffset":5,"length":10,"x":` + deep + `}`, changeInfo{5, 10, nil}},
		{`{"_typeName":"Disk\u0043hangeInfo","startOffset":5,"length":10}`, changeInfo{5, 10, nil}},
	} {
		var fast changeInfo
		if err := decodeChangeInfoJSON([]byte(tc.body), &fast); !errors.Is(err, errJSONUnusual) {
			t.Fatalf("%s: fast decoder says %v, want errJSONUnusual", tc.body, err)
		}
		c := &Client{}
		var got changeInfo
		if err := c.decodeJSONReply([]byte(tc.body), &got); err != nil {
			t.Fatalf("%s: %v", tc.body, err)
		}
		if got.StartOffset != tc.want.StartOffset || got.Length != tc.want.Length || !slices.Equal(got.Areas, tc.want.Areas) {
			t.Fatalf("%s: decoded %+v, want %+v", tc.body, got, tc.want)
		}
		if c.FallbackDecodes() != 1 {
			t.Fatalf("%s: %d fallbacks counted", tc.body, c.FallbackDecodes())
		}
	}
}

// Replies no decoder may take: each is an error, never a map with invented
// or lost extents.
func TestDecodeJSONReplyRejects(t *testing.T) {
	for _, body := range []string{
		``,
		`<soapenv:Envelope/>`,
		`{"startOffset":0,"length":10,"changedArea":[{"start":0,"length":1}`,
		`{"startOffset":0,"length":10,"changedArea":[{"start":0,"length":1}]} {"x":1}`,
		`{"startOffset":0,"length":10,"changedArea":[{"start":0,"length":1},]}`,
		`{"startOffset":0.5,"length":10}`,
		`{"startOffset":1e3,"length":10}`,
		`{"startOffset":01,"length":10}`,
		`{"startOffset":9223372036854775808,"length":10}`,
		`{"startOffset":"0","length":10}`,
		`{"length":10}`,
		`{"startOffset":0}`,
		`{"startOffset":0,"length":10,"changedArea":[{"start":0}]}`,
		`{"startOffset":0,"length":10,"changedArea":[{"length":4}]}`,
		`{"_typeName":"InvalidArgument","invalidProperty":"startOffset"}`,
		`{"_typeName":"DiskChangeInfo","startOffset":0,"length":10,"changedArea":[{"_typeName":"KeyValue","start":0,"length":4}]}`,
		"{\"startOffset\":0,\"length\":10,\"x\":\"a\x01b\"}",
		`{"startOffset":0,"length":10,"x":"\q"}`,
		`[]`,
		`null`,
	} {
		c := &Client{}
		var got changeInfo
		if err := c.decodeJSONReply([]byte(body), &got); err == nil {
			t.Errorf("%q: decoded as %+v", body, got)
		}
	}
}

func TestDecodeChangeInfoJSONInt64Range(t *testing.T) {
	for _, tc := range []struct {
		text string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-0", 0, true}, {"9223372036854775807", 1<<63 - 1, true},
		{"-9223372036854775808", -1 << 63, true}, {"9223372036854775808", 0, false},
		{"-9223372036854775809", 0, false}, {"99999999999999999999", 0, false}, {"-", 0, false}, {"00", 0, false},
	} {
		body := `{"startOffset":` + tc.text + `,"length":1}`
		var got changeInfo
		err := decodeChangeInfoJSON([]byte(body), &got)
		if (err == nil) != tc.ok || tc.ok && got.StartOffset != tc.want {
			t.Errorf("%s: got %d, %v", tc.text, got.StartOffset, err)
		}
	}
}

// The fast decoder allocates nothing per extent: a reused slice with room
// takes a 2000-extent reply without an allocation.
func TestDecodeChangeInfoJSONAllocatesNothingPerExtent(t *testing.T) {
	areas := make([]heatmap.Extent, 2000)
	for i := range areas {
		areas[i] = heatmap.Extent{Start: int64(i) * 1 << 20, Length: 65536}
	}
	body := jsonReply(t, 0, 2000<<20, areas...)
	out := changeInfo{Areas: make([]heatmap.Extent, 0, len(areas))}
	allocs := testing.AllocsPerRun(20, func() {
		out.Areas = out.Areas[:0]
		if err := decodeChangeInfoJSON(body, &out); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 || len(out.Areas) != len(areas) {
		t.Fatalf("%v allocations for %d extents", allocs, len(out.Areas))
	}
}

// FuzzDecodeChangeInfoJSON holds the fast decoder to govmomi's (with the
// presence check): whatever the fast one accepts, the reference accepts
// with the same values; whatever the reference refuses, the fast one
// refuses too.
func FuzzDecodeChangeInfoJSON(f *testing.F) {
	f.Add(jsonReply(f, 0, 1<<30, heatmap.Extent{Start: 0, Length: 4096}, heatmap.Extent{Start: 1 << 20, Length: 1 << 16}))
	f.Add([]byte(`{"changedArea":[{"length":512,"start":1024}],"length":8192,"startOffset":1024,"x":[1,{"y":"\u00e9"}]}`))
	f.Add([]byte(`{"StartOffset":5,"length":10,"length":11,"changedArea":null}`))
	f.Add([]byte(`{"_typeName":"FileFault","faultMessage":[{"key":"k","message":"m"}]}`))
	f.Add([]byte(`{"startOffset":-1,"length":1e3}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var fast, ref changeInfo
		fastErr := decodeChangeInfoJSON(body, &fast)
		refErr := decodeChangeInfoJSONGovmomi(body, &ref)
		if fastErr == nil && refErr != nil {
			t.Fatalf("%q: fast decoder accepts what govmomi's refuses (%v)", body, refErr)
		}
		if fastErr == nil && (fast.StartOffset != ref.StartOffset || fast.Length != ref.Length || !slices.Equal(fast.Areas, ref.Areas)) {
			t.Fatalf("%q: fast %+v, govmomi %+v", body, fast, ref)
		}
	})
}

// A well-formed reply of any size is decoded by the fast decoder itself.
func TestDecodeChangeInfoJSONNeedsNoFallbackForGovmomisOutput(t *testing.T) {
	for n := range 50 {
		areas := make([]heatmap.Extent, n)
		for i := range areas {
			areas[i] = heatmap.Extent{Start: int64(i*n) << 12, Length: int64(i+1) << 9}
		}
		body := jsonReply(t, int64(n), int64(n)<<30, areas...)
		c := &Client{}
		var got changeInfo
		if err := c.decodeJSONReply(body, &got); err != nil || c.FallbackDecodes() != 0 || !slices.Equal(got.Areas, areas) {
			t.Fatal(fmt.Sprint(n, err, c.FallbackDecodes()))
		}
	}
}
