package cli

import (
	"fmt"
	"io"
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
// line redrawn in place with \r, with the state, the time elapsed and the
// time to the next poll; elsewhere, a plain line at each change of state.
type progress struct {
	w      io.Writer
	live   bool
	domain string
	opts   client.WaitOptions // with every delay set
	start  time.Time
	now    func() time.Time

	mu    sync.Mutex
	state client.State
	// transfer: the state is blocked on the losing registrar, polled at
	// the transfer intervals.
	transfer bool
	nextAt   time.Time     // when the next poll is due; zero when none is
	delay    time.Duration // the un-jittered delay after the next poll
	width    int           // of the line drawn last
	stop     chan struct{}
	done     chan struct{}
}

func newProgress(w io.Writer, live bool, domain string, opts client.WaitOptions) *progress {
	return &progress{w: w, live: live, domain: domain, opts: opts, start: time.Now(), now: time.Now}
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
	now := p.now()
	p.state = cur.State
	by, _ := cur.Context.Blocker()
	p.transfer = cur.State == client.StateBlocked && by == client.BlockedByLosingRegistrar
	p.nextAt = time.Time{}
	if next > 0 {
		p.nextAt = now.Add(next)
	}
	first, _ := p.delays()
	p.delay = p.grow(first)
	if p.live {
		p.draw()
	} else {
		fmt.Fprintln(p.w, p.line(now))
	}
}

// polled is called as each poll's response arrives: the poller's next
// delay grows as Wait's does (Wait jitters it a little shorter). A change
// of state, reported next by change, restarts it.
func (p *progress) polled() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.nextAt = p.now().Add(p.delay)
	p.delay = p.grow(p.delay)
}

// delays are the first and the longest delay of the current state.
func (p *progress) delays() (first, longest time.Duration) {
	if p.transfer {
		return p.opts.TransferInterval, p.opts.MaxTransferInterval
	}
	if p.state == client.StateBlocked {
		return p.opts.BlockedInterval, p.opts.MaxBlockedInterval
	}
	return p.opts.Interval, p.opts.MaxInterval
}

func (p *progress) grow(d time.Duration) time.Duration {
	_, longest := p.delays()
	return min(time.Duration(float64(d)*p.opts.Multiplier), longest)
}

func (p *progress) line(now time.Time) string {
	s := fmt.Sprintf("%s: %s, %s elapsed", p.domain, p.state, roundDuration(now.Sub(p.start)))
	if !p.nextAt.IsZero() {
		if d := roundDuration(p.nextAt.Sub(now)); d > 0 {
			s += ", next poll in " + d.String()
		} else {
			s += ", polling"
		}
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
