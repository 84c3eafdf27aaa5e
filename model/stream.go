package model

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/vsphere"
)

// How a fetch's events reach the screen, for every view that streams one
// (the explorer's map, the timeline's chain).
//
// Bubble Tea calls View after every Update, and its renderer writes the
// latest view to the terminal on its own ticker (60 times a second). A
// fetch of millions of extents sends thousands of pages a second, so one
// message per page would spend the UI thread on Updates, and one frame per
// message on Views nobody sees. Instead:
//
//   - an event's message absorbs every event already waiting on the
//     channel (drain: without blocking, for at most drainBudget, so that a
//     key queued behind it waits no longer than that);
//   - event messages do not invalidate the root's frame (they are
//     streamed): View hands Bubble Tea the frame it drew last;
//   - the first absorbed event after a frame schedules one frameMsg
//     frameEvery later (frameClock), which, being an ordinary message, has
//     the next View draw afresh; whatever a view shows of the fetch
//     (statistics, rows) it brings up to date when it draws.
//
// Any other message (a key, a click, a resize) invalidates the frame, so
// its effect is drawn by the View that follows it, at once.
const (
	frameEvery  = 16 * time.Millisecond
	drainBudget = 4 * time.Millisecond
)

// streamed marks the messages that only bring data of a running fetch:
// what they change is drawn by the next frameMsg, not by the View after
// them.
type streamed interface{ streamed() }

func (fetchMsg) streamed()          {}
func (fetchClosedMsg) streamed()    {}
func (timelineEventMsg) streamed()  {}
func (timelineClosedMsg) streamed() {}

// framed is a view that streams a fetch: the owner of its frame ticks.
type framed interface{ onFrame() }

// frameMsg is a streaming view's frame tick. It carries no fetch
// generation: whichever fetch scheduled it, it is the one tick due.
type frameMsg struct{ owner framed }

// frameClock schedules a view's frame ticks, one at a time.
type frameClock struct{ due bool }

// request is the tick that draws what owner absorbed, unless one is already
// on its way.
func (c *frameClock) request(owner framed) tea.Cmd {
	if c.due {
		return nil
	}
	c.due = true
	return tea.Tick(frameEvery, func(time.Time) tea.Msg { return frameMsg{owner} })
}

// ticked notes that the tick arrived: the next event asks for another.
func (c *frameClock) ticked() { c.due = false }

// drain applies ev and every event already waiting behind it on *ch, for
// at most budget, and gives back the commands apply returned. When the
// channel turns out closed, *ch is set to nil and closed is true. apply may
// set *ch to nil itself (the fetch was stopped); drain stops there.
func drain[T any](ch *<-chan T, budget time.Duration, ev T, apply func(T) tea.Cmd) (cmds []tea.Cmd, closed bool) {
	deadline := time.Now().Add(budget)
	for {
		if cmd := apply(ev); cmd != nil {
			cmds = append(cmds, cmd)
		}
		if *ch == nil || !time.Now().Before(deadline) {
			return cmds, false
		}
		select {
		case next, open := <-*ch:
			if !open {
				*ch = nil
				return cmds, true
			}
			ev = next
		default:
			return cmds, false
		}
	}
}

// absorb applies ev and every event already waiting behind it, then asks
// for the next event and, unless one is due, a frame.
func (e *explorer) absorb(ev vsphere.Event) tea.Cmd {
	cmds, _ := drain(&e.events, e.drainBudget, ev, e.onFetchEvent)
	return tea.Batch(append(cmds, waitEvent(e, e.gen, e.events), e.frames.request(e))...)
}

// onFrame is the frame tick: the View after it draws afresh, and the
// statistics are brought up to date here.
func (e *explorer) onFrame() {
	e.frames.ticked()
	e.refreshSummary()
}
