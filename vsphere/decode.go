package vsphere

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/cbtscope/cbtscope/heatmap"
)

// changeInfo is one decoded DiskChangeInfo.
type changeInfo struct {
	StartOffset int64
	Length      int64
	Areas       []heatmap.Extent
}

// errFaultBody means the envelope holds a SOAP fault: decode it with the
// general decoder, which knows every fault type.
var errFaultBody = errors.New("SOAP fault in body")

// decodeChangeInfo parses a VstorageObjectVCenterQueryChangedDiskAreas or
// QueryChangedDiskAreas response envelope.
//
// It exists for speed: a reply holds up to thousands of extents, and the
// reflective decoder costs more per extent than everything else the client
// does. It is strict where it matters (tags must nest and match, numbers must
// be numbers, every changedArea needs exactly one start and one length) and
// ignores elements it does not know, as a SOAP client should. It appends to
// out.Areas, so callers can reuse the slice.
func decodeChangeInfo(body []byte, out *changeInfo) error {
	var d scanner
	d.buf = body
	var stack, qstack [8][]byte
	depth := 0
	var haveStart, haveLen, areaStart, areaLen bool
	var area heatmap.Extent
	sawReturn, inResponse := false, false
	// leaf is true while the last token was a start tag with nothing after
	// it: a number's text must be all of its element's content.
	leaf := false
	for {
		tok, err := d.next()
		if err != nil {
			return err
		}
		if depth == 0 && tok.kind != tokEOF && len(bytes.TrimSpace(d.lastText)) > 0 {
			return errors.New("text outside the envelope")
		}
		switch tok.kind {
		case tokEOF:
			if depth != 0 {
				return fmt.Errorf("response ends inside <%s>", stack[depth-1])
			}
			if !sawReturn {
				return errors.New("response has no returnval")
			}
			if !haveStart || !haveLen {
				return errors.New("returnval lacks startOffset or length")
			}
			return nil
		case tokStart:
			leaf = !tok.selfClosing
			if depth == len(stack) {
				return errors.New("response nests too deep")
			}
			stack[depth], qstack[depth] = tok.name, tok.qname
			depth++
			switch {
			case depth == 1:
				if string(tok.name) != "Envelope" || !declares(tok.attrs, tok.qname, soapEnvelopeNS) {
					return errors.New("root element is not a SOAP envelope")
				}
			case depth == 3 && string(tok.name) == "Fault":
				return errFaultBody
			case depth == 3 && isResponse(tok.name):
				inResponse = true
			case depth == 4 && inResponse && string(tok.name) == "returnval":
				if sawReturn {
					return errors.New("response has two returnval elements")
				}
				sawReturn = true
			case depth == 5 && isReturn(stack[:]) && string(tok.name) == "changedArea":
				areaStart, areaLen = false, false
			}
			if tok.selfClosing {
				if depth == 5 && isReturn(stack[:]) && string(tok.name) == "changedArea" {
					return errors.New("empty changedArea")
				}
				depth--
			} else if depth == 5 && string(tok.qname) == "changedArea" && len(tok.attrs) == 0 && isReturn(stack[:]) {
				// The common case: a run of areas in the one shape servers
				// send, read without the tag scanner. It consumes whole
				// elements only, the first one's end tag included.
				if used, n := fastAreas(d.buf[d.pos:], &out.Areas); n > 0 {
					d.pos += used
					depth--
					leaf = false
				}
			}
		case tokEnd:
			if depth == 0 || !bytes.Equal(qstack[depth-1], tok.qname) {
				return fmt.Errorf("unexpected </%s>", tok.qname)
			}
			whole := leaf && !tok.skipped
			leaf = false
			name := tok.name
			switch {
			case depth == 5 && isReturn(stack[:]):
				switch string(name) {
				case "startOffset", "length":
					if !whole {
						return fmt.Errorf("returnval %s holds markup", name)
					}
					v, err := parseInt(tok.text)
					if err != nil {
						return fmt.Errorf("returnval %s: %w", name, err)
					}
					if string(name) == "startOffset" {
						if haveStart {
							return errors.New("returnval has two startOffset elements")
						}
						out.StartOffset, haveStart = v, true
					} else {
						if haveLen {
							return errors.New("returnval has two length elements")
						}
						out.Length, haveLen = v, true
					}
				case "changedArea":
					if !areaStart || !areaLen {
						return errors.New("changedArea lacks start or length")
					}
					out.Areas = append(out.Areas, area)
				}
			case depth == 6 && isReturn(stack[:]) && string(stack[4]) == "changedArea":
				switch string(name) {
				case "start", "length":
					if !whole {
						return fmt.Errorf("changedArea %s holds markup", name)
					}
					v, err := parseInt(tok.text)
					if err != nil {
						return fmt.Errorf("changedArea %s: %w", name, err)
					}
					if string(name) == "start" {
						if areaStart {
							return errors.New("changedArea has two start elements")
						}
						area.Start, areaStart = v, true
					} else {
						if areaLen {
							return errors.New("changedArea has two length elements")
						}
						area.Length, areaLen = v, true
					}
				}
			}
			if depth == 3 {
				inResponse = false
			}
			depth--
		}
	}
}

// fastAreas decodes changedArea elements in the fixed shape
// <changedArea><start>N</start><length>N</length></changedArea>, N plain
// digits, from b, which starts right after the first one's start tag (the
// caller read it). It stops at the first byte that departs from the shape
// and returns the bytes and the areas it consumed: whole elements only, so
// the general decoder resumes at an element boundary and judges anything
// unusual (space, comments, a sign, a prefix) itself.
func fastAreas(b []byte, out *[]heatmap.Extent) (used, n int) {
	const (
		openArea     = "<changedArea>"
		openStart    = "<start>"
		startToLen   = "</start><length>"
		closeLenArea = "</length></changedArea>"
	)
	for {
		j := used
		if n > 0 {
			if !bytes.HasPrefix(b[j:], []byte(openArea)) {
				return used, n
			}
			j += len(openArea)
		}
		if !bytes.HasPrefix(b[j:], []byte(openStart)) {
			return used, n
		}
		start, j, ok := plainDigits(b, j+len(openStart))
		if !ok || !bytes.HasPrefix(b[j:], []byte(startToLen)) {
			return used, n
		}
		length, j, ok := plainDigits(b, j+len(startToLen))
		if !ok || !bytes.HasPrefix(b[j:], []byte(closeLenArea)) {
			return used, n
		}
		*out = append(*out, heatmap.Extent{Start: start, Length: length})
		used, n = j+len(closeLenArea), n+1
	}
}

// plainDigits reads 1 to 18 decimal digits (no sign, no space: anything
// else is for the general decoder) from b at i, and where they end.
func plainDigits(b []byte, i int) (v int64, end int, ok bool) {
	end = i
	for end < len(b) && end-i < 19 && b[end] >= '0' && b[end] <= '9' {
		v = v*10 + int64(b[end]-'0')
		end++
	}
	if end == i || end-i > 18 {
		return 0, i, false
	}
	return v, end, true
}

const (
	soapEnvelopeNS = "http://schemas.xmlsoap.org/soap/envelope/"
	// The two methods answer with the same DiskChangeInfo under their own
	// response elements.
	responseName   = "VstorageObjectVCenterQueryChangedDiskAreasResponse"
	vmResponseName = "QueryChangedDiskAreasResponse"
)

func isResponse(name []byte) bool {
	return string(name) == responseName || string(name) == vmResponseName
}

// declares reports whether a tag's attributes bind the tag's own prefix (or
// the default namespace, for an unprefixed tag) to ns.
func declares(attrs, qname []byte, ns string) bool {
	want := "xmlns"
	if k := bytes.IndexByte(qname, ':'); k >= 0 {
		want = "xmlns:" + string(qname[:k])
	}
	for len(attrs) > 0 {
		attrs = bytes.TrimLeft(attrs, " \t\r\n")
		eq := bytes.IndexByte(attrs, '=')
		if eq < 0 {
			return false
		}
		name := string(bytes.TrimSpace(attrs[:eq]))
		rest := bytes.TrimLeft(attrs[eq+1:], " \t\r\n")
		if len(rest) == 0 || (rest[0] != '"' && rest[0] != '\'') {
			return false
		}
		end := bytes.IndexByte(rest[1:], rest[0])
		if end < 0 {
			return false
		}
		if name == want && string(rest[1:1+end]) == ns {
			return true
		}
		attrs = rest[end+2:]
	}
	return false
}

func isReturn(stack [][]byte) bool {
	return string(stack[1]) == "Body" && isResponse(stack[2]) && string(stack[3]) == "returnval"
}

func parseInt(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return 0, errors.New("empty number")
	}
	// The common case, digits only, without allocating.
	var v int64
	neg := b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) > 0 && len(digits) <= 18 {
		ok := true
		for _, c := range digits {
			if c < '0' || c > '9' {
				ok = false
				break
			}
			v = v*10 + int64(c-'0')
		}
		if ok {
			if neg {
				v = -v
			}
			return v, nil
		}
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a whole number", b)
	}
	return v, nil
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
)

type token struct {
	kind        tokKind
	name        []byte // local name, without a namespace prefix
	qname       []byte // name as written, prefix included
	attrs       []byte // a start tag's attributes, unparsed
	skipped     bool   // a comment or processing instruction came just before
	selfClosing bool
	text        []byte // for an end tag: the text right before it
}

// scanner splits an XML document into start and end tags. It skips the
// declaration, processing instructions and comments, keeps the text before
// each end tag, and rejects what a SOAP reply has no business holding (DTDs,
// CDATA, entities in numbers are caught by the number parser).
type scanner struct {
	buf []byte
	pos int
	// lastText is the text between the previous token and this one.
	lastText []byte
}

func (s *scanner) next() (token, error) {
	textStart := s.pos
	skipped := false
	for {
		i := bytes.IndexByte(s.buf[s.pos:], '<')
		if i < 0 {
			if len(bytes.TrimSpace(s.buf[s.pos:])) != 0 {
				return token{}, errors.New("text after the document")
			}
			s.pos = len(s.buf)
			return token{kind: tokEOF}, nil
		}
		lt := s.pos + i
		rest := s.buf[lt:]
		switch {
		case len(rest) > 1 && rest[1] != '?' && rest[1] != '!':
			// an element tag: the common case, scanned below
		case bytes.HasPrefix(rest, []byte("<?")):
			end := bytes.Index(rest, []byte("?>"))
			if end < 0 {
				return token{}, errors.New("unterminated processing instruction")
			}
			s.pos = lt + end + 2
			textStart = s.pos
			skipped = true
			continue
		case bytes.HasPrefix(rest, []byte("<!--")):
			end := bytes.Index(rest[4:], []byte("-->"))
			if end < 0 {
				return token{}, errors.New("unterminated comment")
			}
			s.pos = lt + 4 + end + 3
			textStart = s.pos
			skipped = true
			continue
		case bytes.HasPrefix(rest, []byte("<!")):
			return token{}, errors.New("unexpected <! in response")
		}
		// A tag, scanned in one pass: its name (and prefix), its
		// attributes, and the '>' that ends it outside quoted values.
		n := len(s.buf)
		j := lt + 1
		t := token{kind: tokStart}
		if j < n && s.buf[j] == '/' {
			t.kind = tokEnd
			j++
		}
		nameStart, nameEnd, colon, gt := j, -1, -1, -1
	scan:
		for ; j < n; j++ {
			switch c := s.buf[j]; c {
			case '>':
				gt = j
				break scan
			case '<':
				return token{}, errors.New("'<' inside a tag")
			case '"', '\'':
				if nameEnd < 0 {
					return token{}, errors.New("quote in a tag name")
				}
				q := bytes.IndexByte(s.buf[j+1:], c)
				if q < 0 {
					return token{}, errors.New("unterminated attribute value")
				}
				if bytes.IndexByte(s.buf[j+1:j+1+q], '<') >= 0 {
					return token{}, errors.New("'<' in an attribute value")
				}
				j += q + 1
			case ':':
				if nameEnd < 0 && colon < 0 {
					colon = j
				}
			case ' ', '\t', '\r', '\n':
				if nameEnd < 0 {
					nameEnd = j
				}
			}
		}
		if gt < 0 {
			return token{}, errors.New("unterminated tag")
		}
		tagEnd := gt
		if t.kind == tokStart && tagEnd > nameStart && s.buf[tagEnd-1] == '/' {
			t.selfClosing = true
			tagEnd--
		}
		if nameEnd < 0 || nameEnd > tagEnd {
			nameEnd = tagEnd
		}
		if nameEnd <= nameStart {
			return token{}, errors.New("tag without a name")
		}
		if t.kind == tokEnd && len(trimSpaceRight(s.buf[nameEnd:tagEnd])) > 0 {
			return token{}, errors.New("attributes in an end tag")
		}
		s.lastText = s.buf[textStart:lt]
		if t.kind == tokEnd {
			t.text = s.lastText
		}
		s.pos = gt + 1
		t.skipped = skipped
		t.qname = s.buf[nameStart:nameEnd]
		t.name = t.qname
		if colon >= 0 && colon < nameEnd {
			t.name = s.buf[colon+1 : nameEnd]
		}
		t.attrs = s.buf[nameEnd:tagEnd]
		return t, nil
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimSpaceRight(b []byte) []byte {
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
