package vsphere

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vmware/govmomi/vim25/types"

	"github.com/cbtscope/cbtscope/heatmap"
)

// errJSONUnusual is a reply the fast JSON decoder does not take on itself
// (an escaped or differently cased key, a repeated key, deep nesting, a
// missing field): govmomi's decoder has the last word on it.
var errJSONUnusual = errors.New("reply in a form the fast decoder leaves to govmomi's")

// maxSkipDepth bounds the nesting of values the fast decoder skips.
const maxSkipDepth = 64

// decodeChangeInfoJSON parses a VI/JSON DiskChangeInfo:
//
//	{"_typeName":"DiskChangeInfo","startOffset":N,"length":N,
//	 "changedArea":[{"_typeName":"DiskChangeExtent","start":N,"length":N},…]}
//
// with keys in any order and unknown keys skipped. It exists for the same
// reason as decodeChangeInfo: thousands of extents per reply, and a
// reflective decoder costs more per extent than the rest of the client. It
// appends to out.Areas and allocates nothing per extent. Anything it is not
// sure of is an error; the caller then asks govmomi's decoder.
func decodeChangeInfoJSON(body []byte, out *changeInfo) error {
	s := jsonScanner{b: body}
	var haveStart, haveLen, haveAreas, haveType bool
	err := s.object(func(key []byte) error {
		switch string(key) {
		case "_typeName":
			return s.typeName(&haveType, "DiskChangeInfo")
		case "startOffset":
			return s.once(&haveStart, func() (err error) { out.StartOffset, err = s.int64(); return })
		case "length":
			return s.once(&haveLen, func() (err error) { out.Length, err = s.int64(); return })
		case "changedArea":
			return s.once(&haveAreas, func() error { return s.areas(out) })
		}
		return s.unknown(key, "_typename", "startoffset", "length", "changedarea")
	})
	if err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.b) {
		return fmt.Errorf("text after the reply at byte %d", s.i)
	}
	if !haveStart || !haveLen {
		return fmt.Errorf("%w: DiskChangeInfo lacks startOffset or length", errJSONUnusual)
	}
	return nil
}

// areas reads the changedArea array.
func (s *jsonScanner) areas(out *changeInfo) error {
	s.ws()
	if s.peek() == 'n' {
		return errJSONUnusual // null: no extents, but rare enough to leave
	}
	if err := s.expect('['); err != nil {
		return err
	}
	s.ws()
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for {
		var a heatmap.Extent
		var haveStart, haveLen, haveType bool
		err := s.object(func(key []byte) error {
			switch string(key) {
			case "_typeName":
				return s.typeName(&haveType, "DiskChangeExtent")
			case "start":
				return s.once(&haveStart, func() (err error) { a.Start, err = s.int64(); return })
			case "length":
				return s.once(&haveLen, func() (err error) { a.Length, err = s.int64(); return })
			}
			return s.unknown(key, "_typename", "start", "length")
		})
		if err != nil {
			return err
		}
		if !haveStart || !haveLen {
			return fmt.Errorf("%w: changedArea %d lacks start or length", errJSONUnusual, len(out.Areas))
		}
		out.Areas = append(out.Areas, a)
		s.ws()
		switch s.next() {
		case ',':
			continue
		case ']':
			return nil
		}
		return s.syntax("',' or ']' in changedArea")
	}
}

// jsonScanner reads JSON from a byte slice without building values.
type jsonScanner struct {
	b []byte
	i int
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScanner) next() byte {
	c := s.peek()
	if s.i < len(s.b) {
		s.i++
	}
	return c
}

func (s *jsonScanner) syntax(want string) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("reply ends where %s was expected", want)
	}
	return fmt.Errorf("expected %s at byte %d", want, s.i)
}

func (s *jsonScanner) expect(c byte) error {
	s.ws()
	if s.peek() != c {
		return s.syntax("'" + string(c) + "'")
	}
	s.i++
	return nil
}

// object reads an object, calling member for each key with the scanner
// before the member's value; member must consume the value.
func (s *jsonScanner) object(member func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	s.ws()
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		key, err := s.plainString()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		s.ws()
		switch s.next() {
		case ',':
			continue
		case '}':
			return nil
		}
		return s.syntax("',' or '}'")
	}
}

// once reads a member that may appear only once: encoding/json would keep
// the last of repeated keys, which the fast decoder leaves to govmomi's.
func (s *jsonScanner) once(seen *bool, read func() error) error {
	if *seen {
		return errJSONUnusual
	}
	*seen = true
	return read()
}

// typeName reads a _typeName member, which must name want.
func (s *jsonScanner) typeName(seen *bool, want string) error {
	return s.once(seen, func() error {
		s.ws()
		v, err := s.plainString()
		if err != nil {
			return err
		}
		if string(v) != want {
			return fmt.Errorf("%w: _typeName %q where %s was expected", errJSONUnusual, SafeText(string(v), 60), want)
		}
		return nil
	})
}

// unknown skips the value of a key the decoder does not use. A key that
// matches a known one but for case is left to govmomi's decoder, which
// matches keys as encoding/json does.
func (s *jsonScanner) unknown(key []byte, known ...string) error {
	for _, k := range known {
		if bytes.EqualFold(key, []byte(k)) {
			return errJSONUnusual
		}
	}
	return s.skip(0)
}

// plainString reads a string and returns its bytes; one with an escape is
// left to govmomi's decoder.
func (s *jsonScanner) plainString() ([]byte, error) {
	if s.peek() != '"' {
		return nil, s.syntax("a string")
	}
	start := s.i + 1
	for i := start; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return s.b[start:i], nil
		case c == '\\':
			return nil, errJSONUnusual
		case c < 0x20:
			return nil, fmt.Errorf("control character in a string at byte %d", i)
		}
	}
	return nil, s.syntax("the end of a string")
}

// int64 reads an integer as JSON writes it (no fraction, no exponent, no
// leading zero) that fits an int64.
func (s *jsonScanner) int64() (int64, error) {
	s.ws()
	start := s.i
	neg := s.peek() == '-'
	if neg {
		s.i++
	}
	digits := s.i
	var n uint64
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		d := uint64(s.b[s.i] - '0')
		if n > (1<<63)/10 || n*10 > 1<<63-d {
			return 0, fmt.Errorf("number at byte %d overflows int64", start)
		}
		n = n*10 + d
		s.i++
	}
	switch {
	case s.i == digits:
		return 0, s.syntax("a number")
	case s.b[digits] == '0' && s.i-digits > 1:
		return 0, fmt.Errorf("number with a leading zero at byte %d", start)
	case s.i < len(s.b) && (s.b[s.i] == '.' || s.b[s.i] == 'e' || s.b[s.i] == 'E'):
		return 0, fmt.Errorf("number at byte %d is not an integer", start)
	case !neg && n > 1<<63-1:
		return 0, fmt.Errorf("number at byte %d overflows int64", start)
	}
	if neg {
		return int64(-n), nil // n ≤ 1<<63, and -(1<<63) is an int64
	}
	return int64(n), nil
}

// skip validates and passes over one value of any kind.
func (s *jsonScanner) skip(depth int) error {
	if depth > maxSkipDepth {
		return errJSONUnusual
	}
	s.ws()
	switch c := s.peek(); {
	case c == '{':
		return s.object(func([]byte) error { return s.skip(depth + 1) })
	case c == '[':
		s.i++
		s.ws()
		if s.peek() == ']' {
			s.i++
			return nil
		}
		for {
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			s.ws()
			switch s.next() {
			case ',':
				continue
			case ']':
				return nil
			}
			return s.syntax("',' or ']'")
		}
	case c == '"':
		return s.skipString()
	case c == '-' || '0' <= c && c <= '9':
		return s.skipNumber()
	}
	for _, lit := range []string{"true", "false", "null"} {
		if bytes.HasPrefix(s.b[s.i:], []byte(lit)) {
			s.i += len(lit)
			return nil
		}
	}
	return s.syntax("a value")
}

func (s *jsonScanner) skipString() error {
	for i := s.i + 1; i < len(s.b); i++ {
		switch c := s.b[i]; {
		case c == '"':
			s.i = i + 1
			return nil
		case c < 0x20:
			return fmt.Errorf("control character in a string at byte %d", i)
		case c == '\\':
			i++
			if i >= len(s.b) {
				break
			}
			switch s.b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(s.b) || !isHexDigits(s.b[i+1:i+5]) {
					return fmt.Errorf("bad \\u escape at byte %d", i)
				}
				i += 4
			default:
				return fmt.Errorf("bad escape at byte %d", i)
			}
		}
	}
	return s.syntax("the end of a string")
}

func isHexDigits(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// skipNumber passes over a number in JSON's grammar.
func (s *jsonScanner) skipNumber() error {
	start := s.i
	if s.peek() == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	first := s.i
	n := digits()
	if n == 0 || s.b[first] == '0' && n > 1 {
		return fmt.Errorf("bad number at byte %d", start)
	}
	if s.peek() == '.' {
		s.i++
		if digits() == 0 {
			return fmt.Errorf("bad number at byte %d", start)
		}
	}
	if c := s.peek(); c == 'e' || c == 'E' {
		s.i++
		if c := s.peek(); c == '+' || c == '-' {
			s.i++
		}
		if digits() == 0 {
			return fmt.Errorf("bad number at byte %d", start)
		}
	}
	return nil
}

// decodeChangeInfoJSONGovmomi decodes a reply with govmomi's VI/JSON
// decoder: the reference for what a valid reply is, and the way back for
// replies the fast decoder leaves. govmomi reads a missing number as zero
// (which would invent an extent at offset 0) and ignores a _typeName that
// names another type; so the reply must also hold every field, and name
// its types right, as encoding/json reads it.
func decodeChangeInfoJSONGovmomi(body []byte, out *changeInfo) error {
	var reply types.DiskChangeInfo
	if err := types.NewJSONDecoder(bytes.NewReader(body)).Decode(&reply); err != nil {
		return err
	}
	var present struct {
		TypeName    *string `json:"_typeName"`
		StartOffset *int64  `json:"startOffset"`
		Length      *int64  `json:"length"`
		ChangedArea []struct {
			TypeName *string `json:"_typeName"`
			Start    *int64  `json:"start"`
			Length   *int64  `json:"length"`
		} `json:"changedArea"`
	}
	if err := json.Unmarshal(body, &present); err != nil {
		return err
	}
	if present.TypeName != nil && *present.TypeName != "DiskChangeInfo" {
		return fmt.Errorf("reply is a %s, not a DiskChangeInfo", SafeText(*present.TypeName, 60))
	}
	if present.StartOffset == nil || present.Length == nil {
		return errors.New("DiskChangeInfo lacks startOffset or length")
	}
	if len(present.ChangedArea) != len(reply.ChangedArea) {
		return errors.New("changedArea read two ways differs")
	}
	for i, a := range present.ChangedArea {
		if a.TypeName != nil && *a.TypeName != "DiskChangeExtent" {
			return fmt.Errorf("changedArea %d is a %s, not a DiskChangeExtent", i, SafeText(*a.TypeName, 60))
		}
		if a.Start == nil || a.Length == nil {
			return fmt.Errorf("changedArea %d lacks start or length", i)
		}
	}
	out.StartOffset, out.Length = reply.StartOffset, reply.Length
	for _, a := range reply.ChangedArea {
		out.Areas = append(out.Areas, heatmap.Extent{Start: a.Start, Length: a.Length})
	}
	return nil
}
