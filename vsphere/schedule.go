package vsphere

import (
	"sync"
	"sync/atomic"
)

// A fetch's range is shared out as spans, one per worker. Equal slices
// finish unevenly (a dense region needs many more pages than a sparse one),
// so a worker whose span is done takes the upper part of the span with the
// most calls left, split at an aligned point beyond what its owner's call in
// flight can reach; the owner then stops at the split. Pages past a span's
// end overlap the next span harmlessly: every byte is scanned at least once
// and counted exactly once.
//
// With an adaptive worker count the plan also starts workers when the pace
// controller asks for more (each takes part of a span) and parks the span of
// a worker that leaves when it asks for fewer, for another to take up.

// span is one worker's share: it pages [next, end).
type span struct {
	next, end int64
	// stride is the bytes its last page covered: how far its owner's call
	// in flight may reach, and how big one call of it is.
	stride int64
	owned  bool
	// dead marks the span of a worker that stopped on a fault: nobody
	// queries it again, but pages running into it still count what they
	// cover, so the progress equals what the map has scanned.
	dead bool
}

// plan shares a range out among workers. Its methods are safe for
// concurrent use.
type plan struct {
	mu     sync.Mutex
	align  int64
	spans  []*span // unfinished spans, owned or parked
	active int     // workers running
	target int     // workers wanted
	pace   *paceController
	// running mirrors active for progress reports, read without the lock.
	running atomic.Int64
}

// newPlan shares [start, end) out as n equal spans, aligned, for n workers;
// pace, when not nil, sets the worker count from then on.
func newPlan(start, end int64, n int, align int64, pace *paceController) *plan {
	p := &plan{align: align, target: n, pace: pace}
	if end <= start {
		return p
	}
	per := ((end-start)/int64(n) + align - 1) / align * align
	for w := range int64(n) {
		s := start + w*per
		e := min(s+per, end)
		if w == int64(n)-1 {
			e = end
		}
		if s < e {
			p.spans = append(p.spans, &span{next: s, end: e})
		}
	}
	return p
}

// start claims a span for each first worker.
func (p *plan) start() []*span {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*span
	for range p.target {
		sp := p.claimLocked()
		if sp == nil {
			break
		}
		out = append(out, sp)
	}
	p.setActive(len(out))
	return out
}

func (p *plan) setActive(n int) {
	p.active = n
	p.running.Store(int64(n))
}

// next returns where the worker holding sp queries next, moving it to
// another span when sp is done. ok is false when the worker is to leave:
// nothing is left to claim, or the pace controller wants fewer workers
// (its span is then parked for another).
func (p *plan) next(sp *span) (_ *span, off int64, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sp != nil && sp.next >= sp.end {
		p.remove(sp)
		sp = nil
	}
	if p.active > p.target {
		if sp != nil {
			sp.owned = false
		}
		p.setActive(p.active - 1)
		return nil, 0, false
	}
	if sp == nil {
		if sp = p.claimLocked(); sp == nil {
			p.setActive(p.active - 1)
			return nil, 0, false
		}
	}
	return sp, sp.next, true
}

// done records the page [off, off+length) of sp and the call that brought
// it. It returns the bytes of the range the page newly covers, and spans
// for workers to start when the pace controller wants more.
//
// A page may run past sp into the spans after it (a server answers a
// sparse region with a long window): every span whose next offset it
// reaches is covered up to the page's end, so no worker queries that part
// again and nobody splits it. A span's next offset only grows, and only
// bytes from it onwards are counted, so a byte is counted once even when
// the call in flight of a covered span's owner comes back.
func (p *plan) done(sp *span, off, length int64, call callSample) (scanned int64, more []*span) {
	p.mu.Lock()
	defer p.mu.Unlock()
	reach := off + length
	sp.stride = length
	scanned = p.cover(sp, reach)
	for i := 0; i < len(p.spans); i++ {
		s := p.spans[i]
		if s == sp || s.next < off || s.next >= reach {
			continue
		}
		scanned += p.cover(s, reach)
		if (!s.owned || s.dead) && s.next >= s.end {
			// A parked or dead span now done: nobody may claim it, and no
			// owner will drop it. (An owned one is dropped by its owner's
			// next call of next.)
			p.remove(s)
			i--
		}
	}
	if p.pace != nil {
		p.target = p.pace.observe(call)
		for p.active < p.target {
			s := p.claimLocked()
			if s == nil {
				break
			}
			more = append(more, s)
			p.setActive(p.active + 1)
		}
	}
	return scanned, more
}

// cover moves s's next offset up to reach and returns the bytes of s it
// newly covers.
func (p *plan) cover(s *span, reach int64) int64 {
	if reach <= s.next {
		return 0
	}
	n := max(0, min(reach, s.end)-s.next)
	s.next = reach
	return n
}

// failed tells the pace controller of a call that failed transiently.
func (p *plan) failed(call callSample) {
	if p.pace == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.target = p.pace.observe(call)
}

// abandon ends sp where a fault stopped its worker: nobody will scan the
// rest. It returns what is left unscanned, [start, end) (start is past the
// failed call's offset when another worker's page covered that far), and a
// span for a worker to start in its place when it was the last worker and
// parked spans remain.
func (p *plan) abandon(sp *span) (start, end int64, adopt *span) {
	p.mu.Lock()
	defer p.mu.Unlock()
	start, end = sp.next, sp.end
	if start < end {
		sp.dead = true // owned for good: never claimed nor split
	} else {
		p.remove(sp)
	}
	if p.active--; p.active == 0 {
		for _, s := range p.spans {
			if !s.owned {
				s.owned, adopt = true, s
				p.active++
				break
			}
		}
	}
	p.running.Store(int64(p.active))
	return start, end, adopt
}

// leave lets a worker go when the fetch is cancelled.
func (p *plan) leave() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setActive(p.active - 1)
}

// workers is the count running now.
func (p *plan) workers() int { return int(p.running.Load()) }

// claimLocked gives a worker a parked span if there is one, else splits the
// span with the most calls left.
func (p *plan) claimLocked() *span {
	for _, s := range p.spans {
		if !s.owned {
			s.owned = true
			return s
		}
	}
	var victim *span
	var most int64 = 1 // worth a split: two calls or more beyond the one in flight
	for _, s := range p.spans {
		if s.stride == 0 || s.dead {
			// Its owner's first call is still out: its reply may well
			// cover the whole span, so nothing is known to be left.
			continue
		}
		if c := (s.end - (s.next + s.stride)) / max(s.stride, p.align); c > most {
			victim, most = s, c
		}
	}
	if victim == nil {
		return nil
	}
	ahead := victim.next + victim.stride
	mid := (ahead + (victim.end-ahead)/2 + p.align - 1) / p.align * p.align
	if mid <= ahead || mid >= victim.end {
		return nil
	}
	t := &span{next: mid, end: victim.end, stride: victim.stride, owned: true}
	victim.end = mid
	p.spans = append(p.spans, t)
	return t
}

func (p *plan) remove(sp *span) {
	for i, s := range p.spans {
		if s == sp {
			p.spans[i] = p.spans[len(p.spans)-1]
			p.spans[len(p.spans)-1] = nil
			p.spans = p.spans[:len(p.spans)-1]
			return
		}
	}
}
