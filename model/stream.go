package model

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/cbtscope/cbtscope/vsphere"
)

// How a fetch's events reach the screen.
//
// Bubble Tea calls View after every Update, and its renderer writes the
// latest view to the terminal on its own ticker (60 times a second). A
// fetch of millions of extents sends thousands of pages a second, so one
// message per page would spend the UI thread on Updates, and one frame per
// message on Views nobody sees. Instead:
//
//   - a page's message absorbs every event already waiting on the channel
//     (without blocking, for at most drainBudget, so that a key queued
//     behind it waits no longer than that);
//   - fetch messages do not invalidate the root's frame (they are
//     streamed): View hands Bubble Tea the frame it drew last;
//   - the first absorbed event after a frame schedules one frameMsg
//     frameEvery later, which brings the statistics up to date and, being
//     an ordinary message, has the next View draw afresh.
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

func (fetchMsg) streamed()       {}
func (fetchClosedMsg) streamed() {}

// frameMsg is the explorer's frame tick while pages arrive. It carries no
// fetch generation: whichever fetch scheduled it, it is the one tick due.
type frameMsg struct{ owner *explorer }

func frameLater(e *explorer) tea.Cmd {
	return tea.Tick(frameEvery, func(time.Time) tea.Msg { return frameMsg{e} })
}

// absorb applies ev and every event already waiting behind it, then asks
// for the next event and, unless one is due, a frame.
func (e *explorer) absorb(ev vsphere.Event) tea.Cmd {
	var cmds []tea.Cmd
	deadline := time.Now().Add(e.drainBudget)
	for {
		if cmd := e.onFetchEvent(ev); cmd != nil {
			cmds = append(cmds, cmd)
		}
		if e.events == nil || !time.Now().Before(deadline) {
			break
		}
		next, ok := e.pending()
		if !ok {
			break
		}
		if next == nil { // closed
			e.events = nil
			break
		}
		ev = next
	}
	cmds = append(cmds, waitEvent(e, e.gen, e.events))
	if !e.frameDue {
		e.frameDue = true
		cmds = append(cmds, frameLater(e))
	}
	return tea.Batch(cmds...)
}

// pending reads an event already waiting: ok is false when none is, and
// the event is nil when the channel has closed.
func (e *explorer) pending() (ev vsphere.Event, ok bool) {
	select {
	case ev, open := <-e.events:
		if !open {
			return nil, true
		}
		return ev, true
	default:
		return nil, false
	}
}

// onFrame draws what the events since the last frame brought: the root
// redraws after any message that is not streamed; the statistics are
// brought up to date here.
func (e *explorer) onFrame() {
	e.frameDue = false
	e.refreshSummary()
}
