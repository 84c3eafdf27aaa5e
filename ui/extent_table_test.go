package ui

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/cbtscope/cbtscope/heatmap"
	"github.com/cbtscope/cbtscope/keymap"
)

const sparseExtents = 1_200_000

// sparseMap is an 8 TiB disk with 1,200,000 changed extents, absorbed as a
// server pages them: 2,000 extents per reply.
func sparseMap(t *testing.T) *heatmap.ChangeMap {
	t.Helper()
	const capacity, stride = int64(8) << 40, int64(6) << 20
	m, err := heatmap.NewChangeMap(capacity)
	if err != nil {
		t.Fatal(err)
	}
	for first := 0; first < sparseExtents; first += 2000 {
		p := heatmap.Page{Start: int64(first) * stride, Length: 2000 * stride}
		for i := first; i < first+2000; i++ {
			p.Extents = append(p.Extents, heatmap.Extent{Start: int64(i) * stride, Length: int64(1+i%4) * 64 << 10})
		}
		if err := m.Absorb(p); err != nil {
			t.Fatal(err)
		}
	}
	if m.Len() != sparseExtents {
		t.Fatalf("map has %d extents", m.Len())
	}
	return m
}

var (
	fieldEnd = regexp.MustCompile(`\S(\s|$)`)
	unit     = regexp.MustCompile(`(\d) ((?:[KMGTPE]i)?B)\b`)
)

// columnEnds is where each right-aligned field of a line ends; "64 KiB"
// is one field.
func columnEnds(line string) []int {
	line = unit.ReplaceAllString(line, "${1}_$2")
	var ends []int
	for _, m := range fieldEnd.FindAllStringIndex(line, -1) {
		ends = append(ends, len([]rune(line[:m[0]])))
	}
	return ends
}

// The table's columns line up on every line, from row 1 to row 1,200,000,
// and each row's numbers tell its start and end apart from every other's.
func TestExtentTableAlignedAtAMillionRows(t *testing.T) {
	m := sparseMap(t)
	tb := NewExtentTable(testStyles(), keymap.Default().Extents)
	tb.SetMap(m)
	for _, mode := range []string{"", "b", "x", "bx"} {
		for _, w := range []int{100, 60} {
			tb.SetSize(w, 20)
			for _, k := range mode {
				tb.Update(keyPress(string(k)))
			}
			var want []int
			for _, move := range []string{"home", "pgdown", "end", "pgup", "up"} {
				tb.Update(keyPress(move))
				view := tb.View()
				checkExact(t, view, w, 20)
				lines := strings.Split(ansi.Strip(view), "\n")[1:] // below the title
				prevStart := ""
				for i, l := range lines {
					ends := columnEnds(l)
					if want == nil {
						want = ends
					}
					if !slices.Equal(ends, want) {
						t.Fatalf("mode %q width %d after %s: line %d %q has columns ending at %v, the header at %v", mode, w, move, i, l, ends, want)
					}
					if i == 0 {
						continue
					}
					f := strings.Fields(l)
					if len(f) >= 4 && f[1] == f[3] {
						t.Fatalf("mode %q: row %q: start and end read the same", mode, l)
					}
					if f[1] == prevStart {
						t.Fatalf("mode %q: two rows start at %q", mode, f[1])
					}
					prevStart = f[1]
				}
			}
			for _, k := range mode { // back to the default form
				tb.Update(keyPress(string(k)))
			}
		}
	}
}

// Offsets are exact in every form: grouped bytes, or hex with 'x'; 'b'
// makes lengths exact too.
func TestExtentTableNumberForms(t *testing.T) {
	m, _ := heatmap.NewChangeMap(128 << 30)
	if err := m.Absorb(heatmap.Page{Start: 0, Length: 128 << 30, Extents: []heatmap.Extent{{Start: 120 << 30, Length: 64 << 10}}}); err != nil {
		t.Fatal(err)
	}
	tb := NewExtentTable(testStyles(), keymap.Default().Extents)
	tb.SetMap(m)
	tb.SetSize(80, 5)
	row := func() []string { return strings.Fields(strings.Split(ansi.Strip(tb.View()), "\n")[2]) }
	want := func(mode string, fields ...string) {
		t.Helper()
		if got := row(); !slices.Equal(got, fields) {
			t.Fatalf("%s: row reads %q, want %q", mode, got, fields)
		}
	}
	want("default", "1", "128,849,018,880", "64", "KiB", "128,849,084,416")
	tb.Update(keyPress("b"))
	want("exact", "1", "128,849,018,880", "65,536", "128,849,084,416")
	tb.Update(keyPress("x"))
	want("exact hex", "1", "0x1e00000000", "65,536", "0x1e00010000")
	tb.Update(keyPress("b"))
	want("hex", "1", "0x1e00000000", "64", "KiB", "0x1e00010000")
}

func TestExtentTableLooks(t *testing.T) {
	tb := NewExtentTable(testStyles(), keymap.Default().Extents)
	tb.SetMap(sparseMap(t))
	for _, size := range [][2]int{{80, 8}, {50, 8}} {
		tb.SetSize(size[0], size[1])
		tb.Update(keyPress("end"))
		t.Logf("%d×%d:\n%s", size[0], size[1], ansi.Strip(tb.View()))
	}
}
