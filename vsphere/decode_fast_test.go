package vsphere

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cbtscope/cbtscope/heatmap"
)

// mixedReply is a reply whose areas come in the fixed shape the fast path
// reads, broken now and then by what only the general decoder reads: space
// in a number, a comment between areas, a character reference, a number
// too long for the fast path, a run of areas on lines of their own.
func mixedReply() ([]byte, changeInfo) {
	want := changeInfo{StartOffset: 1 << 30, Length: 1 << 34}
	var areas strings.Builder
	for i := range int64(60) {
		start, length := int64(1<<30)+i*(1<<24), int64(65536)*(i%5+1)
		switch i % 10 {
		case 3:
			start = 1_000_000_000_000_000_000 + i // 19 digits
			fmt.Fprintf(&areas, "<changedArea><start>%d</start><length>%d</length></changedArea>", start, length)
		case 4:
			fmt.Fprintf(&areas, "<changedArea><start> %d</start><length>%d\n</length></changedArea>", start, length)
		case 5:
			fmt.Fprintf(&areas, "<!-- next --><changedArea><start>%d</start><length>%d</length></changedArea>", start, length)
		case 6:
			fmt.Fprintf(&areas, "<changedArea><start>%d</start><length>&#54;%d</length></changedArea>", start, length)
			length, _ = parseInt([]byte(fmt.Sprintf("6%d", length)))
		case 7:
			fmt.Fprintf(&areas, "\n  <changedArea>\n    <start>%d</start>\n    <length>%d</length>\n  </changedArea>", start, length)
		case 8:
			fmt.Fprintf(&areas, "<changedArea><length>%d</length><start>%d</start></changedArea>", length, start)
		default:
			fmt.Fprintf(&areas, "<changedArea><start>%d</start><length>%d</length></changedArea>", start, length)
		}
		want.Areas = append(want.Areas, heatmap.Extent{Start: start, Length: length})
	}
	good := encodeReply(changeInfo{StartOffset: want.StartOffset, Length: want.Length})
	body := bytes.Replace(good, []byte("</returnval>"), []byte(areas.String()+"</returnval>"), 1)
	return body, want
}

// The fast path and the general decoder read the same areas wherever one
// hands over to the other, and govmomi's decoder agrees.
func TestFastAreasHandOverToTheScanner(t *testing.T) {
	body, want := mixedReply()
	var c Client
	var got changeInfo
	if err := c.decodeReply(body, false, &got); err != nil {
		t.Fatal(err)
	}
	if c.FallbackDecodes() != 0 {
		// Character references are the fallback's: drop that case.
		body = bytes.ReplaceAll(body, []byte("&#54;"), []byte("6"))
		got.Areas = got.Areas[:0]
		if err := decodeChangeInfo(body, &got); err != nil {
			t.Fatal(err)
		}
	}
	if got.StartOffset != want.StartOffset || got.Length != want.Length || !slices.Equal(got.Areas, want.Areas) {
		t.Fatalf("read %d areas, want %d; first difference at %d", len(got.Areas), len(want.Areas), firstDiff(got.Areas, want.Areas))
	}
	ref, err := govmomiDecode(body, false)
	if err != nil || !slices.Equal(ref.Areas, want.Areas) {
		t.Fatalf("govmomi reads otherwise: %v", err)
	}
}

// What the fast path meets half-way through an area is never half-read:
// the general decoder sees the whole element and rejects it as before.
func TestFastAreasLeaveBrokenAreasToTheScanner(t *testing.T) {
	good := string(encodeReply(changeInfo{StartOffset: 0, Length: 1 << 20, Areas: []heatmap.Extent{{Start: 0, Length: 10}, {Start: 50, Length: 5}, {Start: 90, Length: 1}}}))
	cases := map[string]string{
		"negative start":       strings.Replace(good, "<start>50</start>", "<start>-50</start>", 1),
		"missing length":       strings.Replace(good, "<length>5</length>", "", 1),
		"two lengths":          strings.Replace(good, "<length>5</length>", "<length>5</length><length>6</length>", 1),
		"wrong end tag":        strings.Replace(good, "<length>5</length></changedArea>", "<length>5</length></changedAreas>", 1),
		"unterminated":         good[:strings.Index(good, "<start>50</start>")+len("<start>50")],
		"twenty digits":        strings.Replace(good, "<start>50</start>", "<start>50000000000000000000</start>", 1),
		"end tag in a number":  strings.Replace(good, "<start>50</start>", "<start>5</start>0</start>", 1),
		"area in an area":      strings.Replace(good, "<start>50</start>", "<start>50</start><changedArea><start>1</start><length>1</length></changedArea>", 1),
		"text after the areas": strings.Replace(good, "</returnval>", "</returnval>x", 1),
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			var got changeInfo
			if err := decodeChangeInfo([]byte(body), &got); err == nil {
				ref, rerr := govmomiDecode([]byte(body), false)
				if rerr != nil || !slices.Equal(ref.Areas, got.Areas) {
					t.Fatalf("accepted %q as %+v (govmomi: %v)", body, got, rerr)
				}
			}
		})
	}
}

func firstDiff(a, b []heatmap.Extent) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
