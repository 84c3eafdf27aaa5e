package vsphere

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// countingReader serves n bytes of b and counts what was read.
type countingReader struct {
	b    byte
	n    int64
	read int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	if r.read >= r.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n-r.read)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.read += k
	return int(k), nil
}

// Junk is refused after at most a little more than maxWhitespaceRun bytes,
// however long the input.
func TestReadExportStopsEarlyOnWhitespace(t *testing.T) {
	for _, b := range []byte{' ', '\n'} {
		r := &countingReader{b: b, n: 64 << 20}
		_, _, err := ReadExport(r)
		if !errors.Is(err, ErrNotExport) || !strings.Contains(err.Error(), "whitespace") {
			t.Fatalf("err %v", err)
		}
		if r.read > maxWhitespaceRun+1<<17 {
			t.Fatalf("read %d bytes of whitespace before giving up", r.read)
		}
	}
}

func TestReadExportLimit(t *testing.T) {
	data := exportOf(t, true)
	n := int64(len(data))
	if _, _, err := ReadExportLimited(strings.NewReader(data), n); err != nil {
		t.Fatalf("an export of exactly the limit: %v", err)
	}
	_, _, err := ReadExportLimited(strings.NewReader(data), n-1)
	if !errors.Is(err, ErrExportTooLarge) {
		t.Fatalf("one byte over the limit: %v", err)
	}
	r := &countingReader{b: 'a', n: 1 << 30}
	if _, _, err := ReadExportLimited(io.MultiReader(strings.NewReader(`{"x":"`), r), 1<<20); !errors.Is(err, ErrExportTooLarge) || r.read > 1<<20 {
		t.Fatalf("read %d bytes: %v", r.read, err)
	}
}

func TestReadExportSaysWhatItIsNot(t *testing.T) {
	cases := map[string]error{
		"start,length,end\n0,1,1\n":        ErrCSVExport,
		"\n# complete=false scanned=0 …\n": ErrCSVExport,
		"":                                 ErrNotExport,
		"   \n\t ":                         ErrNotExport,
		"\x00\x01binary\x1b[2J":            ErrNotExport,
		"[1,2,3]":                          ErrNotExport,
	}
	for in, want := range cases {
		_, _, err := ReadExport(strings.NewReader(in))
		if !errors.Is(err, want) || strings.ContainsAny(err.Error(), "\x00\x1b") {
			t.Errorf("%q: %v, want %v", in, err, want)
		}
	}
	for _, in := range []string{`{"changedArea":[],"changedArea":[]}`, `{"disk":{},"Disk":{}}`, exportOf(t, true) + "{}", `{"changedArea":{}}`, `{"changedArea":[{"start":1,"length":1}`} {
		if _, _, err := ReadExport(strings.NewReader(in)); err == nil {
			t.Errorf("%.60q accepted", in)
		}
	}
}
