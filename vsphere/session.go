package vsphere

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
)

// maxLoginsWithoutProgress bounds logins in a row with no page getting
// through in between: a server that ends every session must still end the
// fetch.
var maxLoginsWithoutProgress int64 = 5

// SessionLostError is a vCenter that kept ending the session faster than
// any page could get through.
type SessionLostError struct{ Times int64 }

func (e *SessionLostError) Error() string {
	return fmt.Sprintf("vCenter ended the session %d times in a row without a page getting through; giving up (is something logging this user out, or is the session limit reached?)", e.Times)
}

// sessionState tracks logins. Its generation counts completed logins, so a call
// that failed NotAuthenticated can tell whether its session was replaced
// after it was sent (then it just retries) or is the current one (then it
// logs in, or joins the login already under way).
type sessionState struct {
	gen atomic.Uint64

	mu     sync.Mutex
	flight *loginFlight

	// expired counts sessions found ended since the last page got through.
	expired atomic.Int64
}

type loginFlight struct {
	done chan struct{}
	err  error
}

// Generation is the number of logins so far; read it before sending a call.
func (c *Client) generation() uint64 { return c.sess.gen.Load() }

// progressed records that a page got through on the current session.
func (c *Client) progressed() { c.sess.expired.Store(0) }

// renew is called after a call sent at generation seen failed
// NotAuthenticated. It returns once a session newer than seen exists: at
// once if one already does, after the login in flight if another caller
// started one, after its own login otherwise. Only one login is in flight at
// a time, however many workers noticed the expiry.
func (c *Client) renew(ctx context.Context, seen uint64) error {
	for {
		c.sess.mu.Lock()
		if c.sess.gen.Load() != seen {
			c.sess.mu.Unlock()
			return nil
		}
		if fl := c.sess.flight; fl != nil {
			c.sess.mu.Unlock()
			select {
			case <-fl.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if fl.err == nil {
				return nil
			}
			// The leader failed (perhaps only its own context ended): the
			// next loop either finds a newer session or leads a login.
			if ctx.Err() != nil {
				return ctx.Err()
			}
			continue
		}
		if n := c.sess.expired.Add(1); n > maxLoginsWithoutProgress {
			c.sess.mu.Unlock()
			return &SessionLostError{Times: n}
		}
		fl := &loginFlight{done: make(chan struct{})}
		c.sess.flight = fl
		c.sess.mu.Unlock()

		fl.err = c.login(ctx)

		c.sess.mu.Lock()
		c.sess.flight = nil
		c.sess.mu.Unlock()
		close(fl.done)
		if fl.err != nil {
			return fmt.Errorf("logging in again after the session ended: %w", fl.err)
		}
		return nil
	}
}
