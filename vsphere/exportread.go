package vsphere

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/cbtscope/cbtscope/heatmap"
)

// DefaultExportLimit is the most ReadExport reads: far beyond any real
// export (10 M extents take about 400 MB), far below what would exhaust a
// laptop.
const DefaultExportLimit int64 = 4 << 30

// maxWhitespaceRun is the longest run of JSON whitespace accepted. An export
// has a few bytes of indentation at a time; a megabyte of it is junk, and
// encoding/json would buffer all of it (a 1 GB file of spaces cost 3 GB).
const maxWhitespaceRun = 1 << 20

var (
	// ErrCSVExport means the input is a CSV export, which cannot be
	// read back: it has no disk, snapshot or scanned ranges.
	ErrCSVExport = errors.New("this is a CSV export")
	// ErrExportTooLarge means the input is larger than the limit.
	ErrExportTooLarge = errors.New("larger than the limit for an export")
	// ErrNotExport means the input is not a cbtscope JSON export at all.
	ErrNotExport = errors.New("not a cbtscope JSON export")
)

// readExportJSON decodes an export, streaming: the header fields are small
// and decoded as a whole; changedArea is read one extent at a time. It
// refuses at once what is plainly no export (empty, CSV, binary), runs of
// whitespace past maxWhitespaceRun, anything past limit bytes, a key given
// twice and data after the export.
func readExportJSON(r io.Reader, limit int64) (*Export, error) {
	g := &guardedReader{r: r, limit: limit}
	br := bufio.NewReaderSize(g, 1<<16)
	if err := checkStart(br); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(br)
	fail := func(err error) (*Export, error) {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("reading export at byte %d: %w", dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != nil { // '{', as checkStart saw
		return fail(err)
	}
	header := map[string]json.RawMessage{}
	var area []heatmap.Extent
	seenArea := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		if strings.EqualFold(key, "changedArea") {
			if seenArea {
				return fail(errors.New("changedArea appears twice"))
			}
			seenArea = true
			if area, err = readExtents(dec); err != nil {
				return fail(err)
			}
			continue
		}
		lk := strings.ToLower(key)
		if _, dup := header[lk]; dup {
			return fail(fmt.Errorf("%q appears twice", SafeText(key, 100)))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fail(err)
		}
		header[lk] = raw
	}
	if _, err := dec.Token(); err != nil { // '}'
		return fail(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the export")
		}
		return fail(err)
	}
	hb, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("reading export: %w", err)
	}
	var e Export
	if err := json.Unmarshal(hb, &e); err != nil {
		return nil, fmt.Errorf("reading export: %w", err)
	}
	e.ChangedArea = area
	return &e, nil
}

// readExtents reads changedArea's array (or null) one extent at a time.
func readExtents(dec *json.Decoder) ([]heatmap.Extent, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return nil, errors.New("changedArea is not a list")
	}
	var out []heatmap.Extent
	for dec.More() {
		var x heatmap.Extent
		if err := dec.Decode(&x); err != nil {
			return nil, fmt.Errorf("changedArea %d: %w", len(out), err)
		}
		out = append(out, x)
	}
	_, err = dec.Token() // ']'
	return out, err
}

// checkStart reads past leading whitespace to the first byte, which must
// open a JSON object, and says what the input is when it does not.
func checkStart(br *bufio.Reader) error {
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return fmt.Errorf("%w: the input is empty", ErrNotExport)
		}
		if err != nil {
			return fmt.Errorf("reading export: %w", err)
		}
		if isJSONSpace(c) {
			continue
		}
		br.UnreadByte()
		if c == '{' {
			return nil
		}
		head, _ := br.Peek(64)
		if bytes.HasPrefix(head, []byte("start,length,end")) || bytes.HasPrefix(head, []byte("# complete=")) {
			return ErrCSVExport
		}
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			head = head[:i]
		}
		head = head[:min(len(head), 16)]
		return fmt.Errorf("%w: it begins \"%s\"", ErrNotExport, SafeText(string(head), 16))
	}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// guardedReader stops with an error past limit bytes, or at a run of more
// than maxWhitespaceRun whitespace bytes, rather than let a decoder buffer
// either.
type guardedReader struct {
	r     io.Reader
	limit int64
	read  int64
	space int // the current run of whitespace
}

func (g *guardedReader) Read(p []byte) (int, error) {
	if g.read >= g.limit {
		// One byte more than the limit tells a file of exactly the limit
		// from a larger one.
		var one [1]byte
		if n, _ := io.ReadFull(g.r, one[:]); n == 0 {
			return 0, io.EOF
		}
		return 0, fmt.Errorf("%w (%s): stopped reading", ErrExportTooLarge, heatmap.FormatBytes(g.limit))
	}
	if rem := g.limit - g.read; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := g.r.Read(p)
	for i, c := range p[:n] {
		if !isJSONSpace(c) {
			g.space = 0
			continue
		}
		if g.space++; g.space > maxWhitespaceRun {
			return 0, fmt.Errorf("%w: over %s of whitespace from byte %d", ErrNotExport, heatmap.FormatBytes(maxWhitespaceRun), g.read+int64(i)-maxWhitespaceRun)
		}
	}
	g.read += int64(n)
	return n, err
}
