package simulator

import (
	"maps"
	"sync"
)

// Stats counts what the server did since it started.
type Stats struct {
	// Calls is SOAP calls by method name, every method vcsim serves included.
	Calls map[string]int64 `json:"calls"`
	// Pages is replies to VstorageObjectVCenterQueryChangedDiskAreas that
	// carried a DiskChangeInfo; ExtentsServed the extents in them.
	Pages         int64 `json:"pages"`
	ExtentsServed int64 `json:"extentsServed"`
	// Injected is faults injected by knob name (dropConnection, http500, …).
	Injected map[string]int64 `json:"injected"`
	// PeakConcurrent is the most calls (POSTs, SOAP or VI/JSON) served at
	// once, queued ones included: how hard a client pressed the server.
	PeakConcurrent int64 `json:"peakConcurrent"`
}

type stats struct {
	mu       sync.Mutex
	calls    map[string]int64
	pages    int64
	extents  int64
	injected map[string]int64
	inflight int64
	peak     int64
}

// enter counts a call in flight; the returned func counts it out.
func (s *stats) enter() func() {
	s.mu.Lock()
	s.inflight++
	s.peak = max(s.peak, s.inflight)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}
}

func (s *stats) call(method string) {
	s.mu.Lock()
	if s.calls == nil {
		s.calls = make(map[string]int64)
	}
	s.calls[method]++
	s.mu.Unlock()
}

func (s *stats) page(extents int) {
	s.mu.Lock()
	s.pages++
	s.extents += int64(extents)
	s.mu.Unlock()
}

func (s *stats) inject(i injection) {
	s.mu.Lock()
	if s.injected == nil {
		s.injected = make(map[string]int64)
	}
	s.injected[i.String()]++
	s.mu.Unlock()
}

func (s *stats) snapshot() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Calls: maps.Clone(s.calls), Pages: s.pages, ExtentsServed: s.extents, Injected: maps.Clone(s.injected), PeakConcurrent: s.peak}
	if out.Calls == nil {
		out.Calls = map[string]int64{}
	}
	if out.Injected == nil {
		out.Injected = map[string]int64{}
	}
	return out
}
