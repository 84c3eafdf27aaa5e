package vsphere

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// TimelineReport is a timeline as `cbtscope timeline` writes it: per
// interval, what changed (bytes, extents, share of the disk), whether the
// map is complete, why not, and its flags; then every flag of the chain.
type TimelineReport struct {
	VM        *ExportVM        `json:"vm,omitempty"`
	Disk      ExportDisk       `json:"disk"`
	Intervals []IntervalReport `json:"intervals"`
	// Allocated sums up '*' of the newest snapshot, when it was fetched.
	Allocated *AllocatedReport `json:"allocated,omitempty"`
	Flags     []Flag           `json:"flags"`
	// Complete is true when every interval (and Allocated) is complete
	// and clean.
	Complete bool `json:"complete"`
}

// SnapshotRef is a snapshot as a report names it: for a VM, Snapshot is
// its moref value.
type SnapshotRef struct {
	Snapshot   string    `json:"snapshot"`
	Name       string    `json:"name"`
	CreateTime time.Time `json:"createTime"`
	ChangeID   string    `json:"changeId"`
}

// IntervalReport is one interval of a TimelineReport.
type IntervalReport struct {
	Index int         `json:"index"`
	From  SnapshotRef `json:"from"`
	To    SnapshotRef `json:"to"`
	// ChangedBytes and Extents count the scanned ranges only when the map
	// is not complete.
	ChangedBytes int64   `json:"changedBytes"`
	Extents      int     `json:"extents"`
	ChangedShare float64 `json:"changedShare"`
	// Complete is true when every byte of the disk was scanned; Fault or
	// Error may still say something failed on a range other pages covered.
	Complete bool `json:"complete"`
	// NotQueried is why the interval was not fetched.
	NotQueried string `json:"notQueried,omitempty"`
	Fault      *Fault `json:"fault,omitempty"`
	// Error is a failure that is not a server fault (or an interruption).
	Error string `json:"error,omitempty"`
	Flags []Flag `json:"flags"`
}

// AllocatedReport sums up the allocated areas of the newest snapshot.
type AllocatedReport struct {
	Snapshot       SnapshotRef `json:"snapshot"`
	AllocatedBytes int64       `json:"allocatedBytes"`
	Extents        int         `json:"extents"`
	Complete       bool        `json:"complete"`
	NotQueried     string      `json:"notQueried,omitempty"`
	Fault          *Fault      `json:"fault,omitempty"`
	Error          string      `json:"error,omitempty"`
}

func snapshotRef(s Snapshot) SnapshotRef {
	return SnapshotRef{Snapshot: s.ID, Name: s.Description, CreateTime: s.CreateTime, ChangeID: s.ChangeID}
}

// Report sums up the timeline of disk d (of vm, for a VM disk).
func (tl *Timeline) Report(d ExportDisk, vm *ExportVM) *TimelineReport {
	r := &TimelineReport{VM: vm, Disk: d, Intervals: []IntervalReport{}, Flags: tl.Flags(), Complete: tl.Failure() == nil}
	if r.Flags == nil {
		r.Flags = []Flag{}
	}
	for i, iv := range tl.Intervals {
		ir := IntervalReport{Index: i, From: snapshotRef(iv.From), To: snapshotRef(iv.To), Flags: []Flag{}, NotQueried: iv.NotQueryable}
		if iv.Queried() {
			m := iv.Sweep.Map
			ir.ChangedBytes, ir.Extents, ir.Complete = m.ChangedBytes(0, m.Capacity()), m.Len(), m.Complete()
			ir.ChangedShare = float64(ir.ChangedBytes) / float64(m.Capacity())
			ir.Fault, ir.Error = failureOf(iv.Sweep)
		}
		for _, f := range r.Flags {
			if f.Interval == i {
				ir.Flags = append(ir.Flags, f)
			}
		}
		r.Intervals = append(r.Intervals, ir)
	}
	if a := tl.Allocated; a != nil {
		ar := &AllocatedReport{Snapshot: snapshotRef(a.To), NotQueried: a.NotQueryable}
		if a.Queried() {
			m := a.Sweep.Map
			ar.AllocatedBytes, ar.Extents, ar.Complete = m.ChangedBytes(0, m.Capacity()), m.Len(), m.Complete()
			ar.Fault, ar.Error = failureOf(a.Sweep)
		}
		r.Allocated = ar
	}
	return r
}

// failureOf is a sweep's failure as a report holds it: the server fault,
// or any other failure's text.
func failureOf(s *Sweep) (*Fault, string) {
	err := s.Failure()
	if err == nil {
		return nil, ""
	}
	if s.Fault != nil {
		return s.Fault, ""
	}
	return nil, OneLine(err)
}

// Write writes the report in format "json" or "csv".
func (r *TimelineReport) Write(w io.Writer, format string) error {
	if format == "csv" {
		return r.WriteCSV(w)
	}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return err
	}
	return bw.Flush()
}

// timelineCSVHeader names the CSV columns.
var timelineCSVHeader = []string{
	"interval", "from_snapshot", "from_name", "from_create_time", "from_change_id",
	"to_snapshot", "to_name", "to_create_time", "to_change_id",
	"changed_bytes", "extents", "changed_share", "complete", "status", "flags",
}

// WriteCSV writes one row per interval after a header row. status is "ok",
// or says why the interval is not complete; flags lists the kinds of its
// flags, separated by ';'. Text from the server is made safe to print.
func (r *TimelineReport) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(timelineCSVHeader); err != nil {
		return err
	}
	snap := func(s SnapshotRef) []string {
		return []string{SafeText(s.Snapshot, 200), SafeText(s.Name, 200), s.CreateTime.UTC().Format(time.RFC3339), SafeText(s.ChangeID, 200)}
	}
	for _, iv := range r.Intervals {
		row := []string{strconv.Itoa(iv.Index)}
		row = append(row, snap(iv.From)...)
		row = append(row, snap(iv.To)...)
		var kinds []string
		for _, f := range iv.Flags {
			kinds = append(kinds, string(f.Kind))
		}
		row = append(row, strconv.FormatInt(iv.ChangedBytes, 10), strconv.Itoa(iv.Extents),
			strconv.FormatFloat(iv.ChangedShare, 'f', 6, 64), strconv.FormatBool(iv.Complete), iv.status(), strings.Join(kinds, ";"))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// status is an interval's state in one phrase.
func (iv IntervalReport) status() string {
	switch {
	case iv.NotQueried != "":
		return "not queried: " + SafeText(iv.NotQueried, 300)
	case iv.Fault != nil:
		return fmt.Sprintf("fault: %s: %s", SafeText(iv.Fault.Type, 100), iv.Fault.Diagnosis.Title)
	case iv.Error != "":
		return "error: " + SafeText(iv.Error, 300)
	case !iv.Complete:
		return "incomplete"
	}
	return "ok"
}
