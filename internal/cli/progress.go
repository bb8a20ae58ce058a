package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/openregistrar/registrar/client"
)

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// progress shows a workflow being waited for: on a terminal (live), one
// line redrawn in place with \r, with the state, why it is blocked, the
// time elapsed and the time to the next poll (or that the server holds
// the poll until the next change); elsewhere, a plain line at
// each change: of state, of the reason a workflow is blocked, and when the
// server stops or starts answering again.
type progress struct {
	w      io.Writer
	live   bool
	domain string
	start  time.Time
	now    func() time.Time

	mu     sync.Mutex
	state  client.State
	reason string    // "blocked_by: detail" while blocked
	down   string    // why the last poll found the server out of reach; "" when it answered
	nextAt time.Time // when the next poll is due; zero when none is
	width  int       // of the line drawn last
	stop   chan struct{}
	done   chan struct{}
}

func newProgress(w io.Writer, live bool, domain string) *progress {
	return &progress{w: w, live: live, domain: domain, start: time.Now(), now: time.Now}
}

// begin starts redrawing a live line.
func (p *progress) begin(every time.Duration) {
	if !p.live {
		return
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(p.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
}

// end stops redrawing and ends the live line.
func (p *progress) end() {
	if !p.live {
		return
	}
	if p.stop != nil {
		close(p.stop)
		<-p.done
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextAt = time.Time{}
	p.draw()
	fmt.Fprintln(p.w)
}

// change is Wait's OnChange: a new state, and the delay to the next poll.
func (p *progress) change(_, cur *client.WorkflowStatus, next time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state, p.reason, p.down = cur.State, blockedReason(cur), ""
	p.show(next, true)
}

// polled is Wait's OnPoll: after each poll, the status read, whether the
// server was out of reach, and the delay Wait chose (the server's
// Retry-After, or its backoff).
func (p *progress) polled(cur *client.WorkflowStatus, err error, next time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	down := ""
	if err != nil {
		down = shortNetError(err)
	}
	reason := p.reason
	if err == nil {
		reason = blockedReason(cur)
	}
	changed := reason != p.reason || (down == "") != (p.down == "")
	p.reason, p.down = reason, down
	p.show(next, changed)
}

// show sets the next poll's time and shows the line: drawn when live,
// printed when changed otherwise. p.mu is held.
func (p *progress) show(next time.Duration, changed bool) {
	now := p.now()
	p.nextAt = time.Time{}
	if next > 0 {
		p.nextAt = now.Add(next)
	}
	if p.live {
		p.draw()
	} else if changed {
		fmt.Fprintln(p.w, p.line(now))
	}
}

// blockedReason is "blocked_by: detail" of a blocked workflow, "" for any
// other.
func blockedReason(st *client.WorkflowStatus) string {
	if st == nil || st.State != client.StateBlocked {
		return ""
	}
	by, reason := st.Context.Blocker()
	return strings.TrimSuffix(dash(by)+": "+cmp.Or(st.Context.Detail, reason), ": ")
}

// shortNetError is a poll's error without the request it was about.
func shortNetError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func (p *progress) line(now time.Time) string {
	s := fmt.Sprintf("%s: %s", p.domain, p.state)
	if p.reason != "" {
		s += " (" + p.reason + ")"
	}
	s += ", " + roundDuration(now.Sub(p.start)).String() + " elapsed"
	if p.down != "" {
		s += ", server unreachable (" + p.down + ")"
	}
	switch {
	case !p.nextAt.IsZero():
		if d := roundDuration(p.nextAt.Sub(now)); d > 0 {
			s += ", next poll in " + d.String()
		} else {
			s += ", polling"
		}
	case p.down == "" && p.state != client.StateActionRequired && !p.state.Terminal():
		// No delay: the server holds the poll until the next change.
		s += ", waiting for the next change"
	}
	return s
}

// draw redraws the live line; p.mu is held.
func (p *progress) draw() {
	if p.state == "" {
		return
	}
	s := p.line(p.now())
	fmt.Fprint(p.w, "\r"+s+strings.Repeat(" ", max(p.width-len(s), 0)))
	p.width = len(s)
}
