package vsphere

import "time"

// The pace controller chooses how many workers a fetch runs when the user
// did not fix the count. Against a distant vCenter each call mostly waits on
// the network, so throughput grows with concurrency until the server itself
// saturates; past that point more workers only lengthen the queue at the
// server. The controller watches the calls' latency the way TCP Vegas
// watches round trips: while latency stays near the lowest seen, the server
// is not queueing and more workers pay; when latency rises with concurrency,
// the workers beyond what the server serves at that lowest latency are only
// queueing, so it shrinks to that many; a transient failure (a dropped
// connection, a 5xx, a timeout) halves the count at once.
//
// It is a pure type fed with the calls' start and end times, so its
// behaviour is tested with synthetic latencies; the fetcher serialises
// calls to it.

const (
	// paceMin and paceMax bound the adaptive worker count; paceStart is
	// where it begins: the old fixed default, so no fetch starts slower.
	paceMin, paceStart, paceMax = 1, 4, 32
	// paceQueueing is how much the latency may exceed the lowest seen
	// before the server counts as queueing: loose enough for the jitter of
	// a real network, tight enough to stop well before latency doubles.
	paceQueueing = 1.4
	// paceGain is the least rise in throughput a growth must buy to be
	// kept: below it, something other than latency (the client, the
	// reader of the events) is the limit.
	paceGain = 1.1
)

// callSample is one call as the fetcher saw it.
type callSample struct {
	Start, End time.Time
	// Failed is a transient failure: a sign the server or the path to it
	// is overloaded. Server faults and expired sessions are not samples.
	Failed bool
}

// paceController is the adaptive worker count. The zero value is not
// usable: make one with newPaceController.
type paceController struct {
	n        int  // the worker count it asks for
	slow     bool // slow start: doubling until the first sign of a limit
	min, max int

	base time.Duration // the lowest epoch latency seen: the unloaded server

	// The current epoch: calls started since the count last changed.
	epoch   time.Time
	calls   int
	latency time.Duration // their summed latency
	last    time.Time     // the latest end among them

	// grew is set when the last change was a growth from prevN, which ran
	// at prevRate calls per second: the growth is kept only if it paid.
	grew     bool
	prevN    int
	prevRate float64
}

func newPaceController(start time.Time) *paceController {
	return &paceController{n: paceStart, slow: true, min: paceMin, max: paceMax, epoch: start}
}

// workers is the count the controller asks for now.
func (p *paceController) workers() int { return p.n }

// observe takes one finished call and returns the worker count to run.
// Calls that started before the count last changed are ignored: they
// measured the old count.
func (p *paceController) observe(s callSample) int {
	if s.Start.Before(p.epoch) {
		return p.n
	}
	if s.Failed {
		p.set(max(p.min, p.n/2), s.End)
		p.slow = false
		return p.n
	}
	p.calls++
	p.latency += s.End.Sub(s.Start)
	if s.End.After(p.last) {
		p.last = s.End
	}
	// An epoch closes once every worker has made about two calls at the
	// current count: enough to average out one slow page.
	if p.calls < 2*p.n {
		return p.n
	}
	lat := p.latency / time.Duration(p.calls)
	rate := 0.0
	if d := p.last.Sub(p.epoch); d > 0 {
		rate = float64(p.calls) / d.Seconds()
	}
	if p.base == 0 || lat < p.base {
		p.base = lat
	}
	switch {
	case float64(lat) > paceQueueing*float64(p.base):
		// Little's law: the server serves about n·base/lat calls at the
		// unloaded latency; the rest of the workers wait in its queue.
		fit := int(float64(p.n) * float64(p.base) / float64(lat))
		p.set(max(p.min, min(fit, p.n-1)), p.last)
		p.slow = false
	case p.grew && rate < paceGain*p.prevRate:
		p.set(p.prevN, p.last)
		p.slow = false
	case p.n < p.max:
		prevN, prevRate := p.n, rate
		next := p.n + 1
		if p.slow {
			next = 2 * p.n
		}
		p.set(min(p.max, next), p.last)
		p.grew, p.prevN, p.prevRate = true, prevN, prevRate
	default:
		p.set(p.n, p.last) // at the bound: keep measuring
	}
	return p.n
}

// set changes the count and starts a new epoch at t.
func (p *paceController) set(n int, t time.Time) {
	p.n = n
	p.epoch, p.calls, p.latency, p.last = t, 0, 0, t
	p.grew = false
}
