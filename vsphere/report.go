package vsphere

import (
	"fmt"
	"strings"
)

// Limits on server text in a report: every value is elided in the middle
// past these many runes, and a hostile server's thousand faultMessages or
// endlessly nested causes cost a few lines, not a flood.
const (
	reportValueRunes   = 200
	reportMessageRunes = 600
	reportMaxMessages  = 16
	reportMaxArgs      = 16
	reportMaxDepth     = 8
)

// Report is the fault for a terminal: the diagnosis, then everything the
// server said (faultstring, each faultMessage with its args, the whole
// faultCause chain with their messages) and the request, one item a line.
// Every line starts with prefix (its first) or with spaces, and all server
// text is escaped and elided, so no part of it can start a line of its own
// or drive the terminal.
func (f *Fault) Report(prefix string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s: %s\n", prefix, SafeText(f.Type, reportValueRunes), SafeText(f.Diagnosis.Title, reportMessageRunes))
	fmt.Fprintf(&b, "  cause:  %s\n  remedy: %s\n", SafeText(f.Diagnosis.Cause, reportMessageRunes), SafeText(f.Diagnosis.Remedy, reportMessageRunes))
	f.reportBody(&b, "  ", 0)
	if r := f.Request; r != nil && r.VM != "" {
		fmt.Fprintf(&b, "  request: vm %s, disk %d, snapshot %s, changeId \"%s\", startOffset %d\n",
			SafeText(r.VM, reportValueRunes), r.DeviceKey,
			SafeText(r.Snapshot, reportValueRunes), SafeText(r.ChangeID, reportValueRunes), r.StartOffset)
	} else if r != nil {
		fmt.Fprintf(&b, "  request: disk %s, datastore %s, snapshot %s, changeId \"%s\", startOffset %d\n",
			SafeText(r.Disk, reportValueRunes), SafeText(r.Datastore, reportValueRunes),
			SafeText(r.Snapshot, reportValueRunes), SafeText(r.ChangeID, reportValueRunes), r.StartOffset)
	}
	return b.String()
}

func (f *Fault) reportBody(b *strings.Builder, indent string, depth int) {
	if f.Message != "" {
		fmt.Fprintf(b, "%sfaultstring: %s\n", indent, SafeText(f.Message, reportMessageRunes))
	}
	if f.InvalidProperty != "" {
		fmt.Fprintf(b, "%sinvalidProperty: %s\n", indent, SafeText(f.InvalidProperty, reportValueRunes))
	}
	for i, m := range f.Messages {
		if i == reportMaxMessages {
			fmt.Fprintf(b, "%s… %d more faultMessages\n", indent, len(f.Messages)-i)
			break
		}
		fmt.Fprintf(b, "%sfaultMessage %s: %s%s\n", indent, SafeText(m.Key, reportValueRunes),
			SafeText(m.Message, reportMessageRunes), reportArgs(m.Args))
	}
	if f.Cause == nil {
		return
	}
	if depth == reportMaxDepth {
		n := 0
		for c := f.Cause; c != nil; c = c.Cause {
			n++
		}
		fmt.Fprintf(b, "%s… %d deeper faultCauses\n", indent, n)
		return
	}
	fmt.Fprintf(b, "%sfaultCause %s:\n", indent, SafeText(f.Cause.Type, reportValueRunes))
	f.Cause.reportBody(b, indent+"  ", depth+1)
}

func reportArgs(args []FaultArg) string {
	if len(args) == 0 {
		return ""
	}
	var parts []string
	for i, a := range args {
		if i == reportMaxArgs {
			parts = append(parts, fmt.Sprintf("… %d more", len(args)-i))
			break
		}
		parts = append(parts, SafeText(a.Key, reportValueRunes)+"="+SafeText(a.Value, reportValueRunes))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// OneLine is err's message made safe for a terminal: one line, control
// characters escaped, elided in the middle past a few thousand runes.
// Errors can carry server or file text (a changeId, a disk name).
func OneLine(err error) string {
	if err == nil {
		return ""
	}
	return SafeText(err.Error(), 2000)
}
