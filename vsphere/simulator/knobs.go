package simulator

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Trigger says which CBT queries a knob spoils. Calls are counted from the
// moment the knobs were set, starting at 1; a trigger fires when any of its
// conditions holds. The zero Trigger never fires.
type Trigger struct {
	// Nth fires on exactly the Nth query: one transient failure, placed
	// deterministically.
	Nth int `json:"nth,omitempty"`
	// Every fires on every Every-th query.
	Every int `json:"every,omitempty"`
	// Probability fires on each query with this chance, drawn from a source
	// seeded by Knobs.Seed, so a sequential client sees the same sequence on
	// every run.
	Probability float64 `json:"probability,omitempty"`
}

// Enabled reports whether the trigger can ever fire.
func (t Trigger) Enabled() bool { return t.Nth > 0 || t.Every > 0 || t.Probability > 0 }

func (t Trigger) fires(n uint64, rng *rand.Rand) bool {
	hit := (t.Nth > 0 && n == uint64(t.Nth)) || (t.Every > 0 && n%uint64(t.Every) == 0)
	if t.Probability > 0 && rng.Float64() < t.Probability {
		hit = true // draw even when already hit, so one knob does not shift another's sequence
	}
	return hit
}

func (t Trigger) String() string {
	var parts []string
	if t.Nth > 0 {
		parts = append(parts, "nth="+strconv.Itoa(t.Nth))
	}
	if t.Every > 0 {
		parts = append(parts, "every="+strconv.Itoa(t.Every))
	}
	if t.Probability > 0 {
		parts = append(parts, "p="+strconv.FormatFloat(t.Probability, 'g', -1, 64))
	}
	return strings.Join(parts, ",")
}

// ParseTrigger reads the flag form of a Trigger: a comma-separated list of
// nth=N, every=N and p=FLOAT; a bare number N means nth=N. "" and "off" are
// the zero Trigger.
func ParseTrigger(s string) (Trigger, error) {
	var t Trigger
	if s == "" || s == "off" {
		return t, nil
	}
	for part := range strings.SplitSeq(s, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			key, val = "nth", key
		}
		switch key {
		case "nth", "every":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 {
				return Trigger{}, fmt.Errorf("trigger %q: %s wants a positive whole number, not %q", s, key, val)
			}
			if key == "nth" {
				t.Nth = n
			} else {
				t.Every = n
			}
		case "p":
			p, err := strconv.ParseFloat(val, 64)
			if err != nil || p < 0 || p > 1 {
				return Trigger{}, fmt.Errorf("trigger %q: p wants a probability in [0, 1], not %q", s, val)
			}
			t.Probability = p
		default:
			return Trigger{}, fmt.Errorf("trigger %q: unknown condition %q (want nth=N, every=N or p=FLOAT)", s, key)
		}
	}
	return t, nil
}

// Knobs are the test knobs, all off in the zero value. The fault knobs act
// on VstorageObjectVCenterQueryChangedDiskAreas only; Latency on every SOAP
// call. When several fire on one call, the first in field order wins.
type Knobs struct {
	// Latency is added to every SOAP call, outside any lock, so parallel
	// clients overlap their waits as they would against a distant vCenter.
	Latency time.Duration `json:"latency,omitempty"`
	// MaxConcurrent serves at most this many SOAP calls at once (latency
	// included); the rest queue, so latency rises with concurrency as on a
	// saturated vCenter. 0 means no limit.
	MaxConcurrent int `json:"maxConcurrent,omitempty"`
	// DropConnection sends the start of a reply, then closes the connection.
	DropConnection Trigger `json:"dropConnection,omitzero"`
	// HTTP500 answers 500 Internal Server Error with an HTML body, as a
	// reverse proxy in front of vCenter does.
	HTTP500 Trigger `json:"http500,omitzero"`
	// SessionExpiry logs the session out and answers NotAuthenticated: the
	// client must log in again.
	SessionExpiry Trigger `json:"sessionExpiry,omitzero"`
	// ZeroLengthPage answers length 0, with no extents, before the disk's end.
	ZeroLengthPage Trigger `json:"zeroLengthPage,omitzero"`
	// ExtentOutsideWindow adds an extent past the end of the reply's window.
	ExtentOutsideWindow Trigger `json:"extentOutsideWindow,omitzero"`
	// OverlappingExtents adds an extent overlapping another in the reply.
	OverlappingExtents Trigger `json:"overlappingExtents,omitzero"`
	// Seed seeds the Probability draws.
	Seed uint64 `json:"seed,omitempty"`
}

// injection is what one CBT query suffers.
type injection int

const (
	injectNone injection = iota
	injectDrop
	injectHTTP500
	injectSessionExpiry
	injectZeroLength
	injectOutside
	injectOverlap
)

var injectionNames = [...]string{"", "dropConnection", "http500", "sessionExpiry", "zeroLengthPage", "extentOutsideWindow", "overlappingExtents"}

func (i injection) String() string { return injectionNames[i] }

// knobState holds the knobs in force and counts the queries they act on.
type knobState struct {
	mu    sync.Mutex
	knobs Knobs
	calls uint64
	rng   *rand.Rand
	// slots holds a token per call being served under MaxConcurrent; nil
	// when there is no limit. Calls keep the channel they took a token
	// from, so changing the knob mid-call is safe.
	slots chan struct{}
}

func (k *knobState) set(kn Knobs) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.knobs = kn
	k.calls = 0
	k.rng = rand.New(rand.NewPCG(kn.Seed, 0x5eed))
	k.slots = nil
	if kn.MaxConcurrent > 0 {
		k.slots = make(chan struct{}, kn.MaxConcurrent)
	}
}

// admit waits for a slot under MaxConcurrent and returns its release;
// ok is false when done closed first.
func (k *knobState) admit(done <-chan struct{}) (release func(), ok bool) {
	k.mu.Lock()
	slots := k.slots
	k.mu.Unlock()
	if slots == nil {
		return func() {}, true
	}
	select {
	case slots <- struct{}{}: // a free slot wins over a request that just ended
		return func() { <-slots }, true
	default:
	}
	select {
	case slots <- struct{}{}:
		return func() { <-slots }, true
	case <-done:
		return nil, false
	}
}

func (k *knobState) get() Knobs {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.knobs
}

func (k *knobState) latency() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.knobs.Latency
}

// next counts one CBT query and decides what it suffers.
func (k *knobState) next() injection {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.calls++
	order := []struct {
		t Trigger
		i injection
	}{
		{k.knobs.DropConnection, injectDrop},
		{k.knobs.HTTP500, injectHTTP500},
		{k.knobs.SessionExpiry, injectSessionExpiry},
		{k.knobs.ZeroLengthPage, injectZeroLength},
		{k.knobs.ExtentOutsideWindow, injectOutside},
		{k.knobs.OverlappingExtents, injectOverlap},
	}
	got := injectNone
	for _, o := range order {
		if o.t.Enabled() && o.t.fires(k.calls, k.rng) && got == injectNone {
			got = o.i
		}
	}
	return got
}
