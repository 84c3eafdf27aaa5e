package simulator

import (
	"bytes"
	"reflect"
	"strconv"

	"github.com/vmware/govmomi/vim25/types"
)

// A changed-areas page holds up to thousands of extents. Bridged
// generically, its reply is decoded from XML and encoded to JSON by
// reflection at over 4 µs per extent: on a 2-core machine the bridge, not
// the client, would set the pace of a parallel fetch over VI/JSON, as
// reply.go explains for SOAP. So a DiskChangeInfo, the return value of both
// changed-areas methods, takes a fast path both ways: scanChangeInfo reads
// the reply in exactly the form encodeChangeInfo writes it (anything else
// falls back to govmomi's decoder), and appendChangeInfoJSON writes the
// bytes govmomi's encoder would.

var changeInfoType = reflect.TypeFor[types.DiskChangeInfo]()

// returnsChangeInfo reports whether a response type's Returnval is a
// DiskChangeInfo.
func returnsChangeInfo(resType reflect.Type) bool {
	f, ok := resType.FieldByName("Returnval")
	return ok && f.Type == changeInfoType
}

// soapReplyHead is how vcsim opens every reply envelope.
const soapReplyHead = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
	`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`

// scanChangeInfo reads method's SOAP reply when it is exactly vcsim's
// envelope around encodeChangeInfo's returnval; ok is false otherwise.
func scanChangeInfo(method string, body []byte) (info types.DiskChangeInfo, ok bool) {
	p, ok := expect(body, soapReplyHead)
	if p, ok = expect(p, "<"+method+`Response xmlns="urn:vim25"><returnval>`); !ok {
		return info, false
	}
	if info.StartOffset, p, ok = scanInt(p, "startOffset"); !ok {
		return info, false
	}
	if info.Length, p, ok = scanInt(p, "length"); !ok {
		return info, false
	}
	for bytes.HasPrefix(p, []byte("<changedArea>")) {
		var e types.DiskChangeExtent
		p = p[len("<changedArea>"):]
		if e.Start, p, ok = scanInt(p, "start"); !ok {
			return info, false
		}
		if e.Length, p, ok = scanInt(p, "length"); !ok {
			return info, false
		}
		if p, ok = expect(p, "</changedArea>"); !ok {
			return info, false
		}
		info.ChangedArea = append(info.ChangedArea, e)
	}
	p, ok = expect(p, "</returnval></"+method+"Response></soapenv:Body></soapenv:Envelope>")
	return info, ok && len(p) == 0
}

// expect returns p after prefix, if p starts with it.
func expect(p []byte, prefix string) ([]byte, bool) {
	if !bytes.HasPrefix(p, []byte(prefix)) {
		return p, false
	}
	return p[len(prefix):], true
}

// scanInt reads <name>N</name>, N an optionally negative decimal int64.
func scanInt(p []byte, name string) (int64, []byte, bool) {
	p, ok := expect(p, "<"+name+">")
	if !ok {
		return 0, p, false
	}
	end := bytes.IndexByte(p, '<')
	if end <= 0 {
		return 0, p, false
	}
	digits, neg := p[:end], false
	if digits[0] == '-' {
		digits, neg = digits[1:], true
	}
	if len(digits) == 0 || len(digits) > 19 {
		return 0, p, false
	}
	var n uint64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, p, false
		}
		n = n*10 + uint64(c-'0')
	}
	limit := uint64(1<<63 - 1)
	if neg {
		limit++
	}
	if n > limit {
		return 0, p, false
	}
	v := int64(n)
	if neg {
		v = -v
	}
	p, ok = expect(p[end:], "</"+name+">")
	return v, p, ok
}

// appendChangeInfoJSON appends info as newReplyEncoder writes it, newline
// included. Only integers go in, so nothing needs escaping.
func appendChangeInfoJSON(b []byte, info types.DiskChangeInfo) []byte {
	b = append(b, `{"_typeName":"DiskChangeInfo","startOffset":`...)
	b = strconv.AppendInt(b, info.StartOffset, 10)
	b = append(b, `,"length":`...)
	b = strconv.AppendInt(b, info.Length, 10)
	if len(info.ChangedArea) > 0 {
		b = append(b, `,"changedArea":[`...)
		for i, e := range info.ChangedArea {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"_typeName":"DiskChangeExtent","start":`...)
			b = strconv.AppendInt(b, e.Start, 10)
			b = append(b, `,"length":`...)
			b = strconv.AppendInt(b, e.Length, 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, "}\n"...)
}
