package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/client"
)

var testWaitOptions = client.WaitOptions{Interval: time.Second, MaxInterval: 4 * time.Second, Multiplier: 2,
	BlockedInterval: 30 * time.Second, MaxBlockedInterval: 10 * time.Minute}

// fakeProgress is a progress display on a clock the test moves.
func fakeProgress(live bool) (*progress, *bytes.Buffer, func(time.Duration)) {
	var buf bytes.Buffer
	p := newProgress(&buf, live, "slow-x.com", testWaitOptions)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p.start, p.now = now, func() time.Time { return now }
	return p, &buf, func(d time.Duration) { now = now.Add(d) }
}

func status(s client.State) *client.WorkflowStatus { return &client.WorkflowStatus{State: s} }

// TestProgressLive: on a terminal, one line redrawn with \r, padded over
// a longer previous line, with the state, the time elapsed and the next
// poll, whose delay grows as Wait's does between changes of state.
func TestProgressLive(t *testing.T) {
	p, buf, advance := fakeProgress(true)
	redraw := func() {
		p.mu.Lock()
		p.draw()
		p.mu.Unlock()
	}
	p.change(nil, status(client.StatePending), 900*time.Millisecond)
	advance(400 * time.Millisecond)
	redraw()
	advance(500 * time.Millisecond)
	redraw()   // the poll is due
	p.polled() // same state: the next delay is 2s
	p.polled() // and then 4s (the maximum)
	p.polled() // still 4s
	advance(time.Second)
	redraw()
	p.change(status(client.StatePending), status(client.StateBlocked), 25*time.Second)
	advance(15 * time.Second)
	redraw()
	p.change(status(client.StateBlocked), status(client.StateSucceeded), 0)
	p.end()
	// Each line is padded with blanks over the longer line before it.
	var want string
	width := 0
	for _, l := range []string{
		"slow-x.com: pending, 0s elapsed, next poll in 900ms",
		"slow-x.com: pending, 400ms elapsed, next poll in 500ms",
		"slow-x.com: pending, 900ms elapsed, polling",
		"slow-x.com: pending, 1.9s elapsed, next poll in 3s",
		"slow-x.com: blocked, 1.9s elapsed, next poll in 25s",
		"slow-x.com: blocked, 17s elapsed, next poll in 10s",
		"slow-x.com: succeeded, 17s elapsed",
		"slow-x.com: succeeded, 17s elapsed",
	} {
		want += "\r" + l + strings.Repeat(" ", max(width-len(l), 0))
		width = len(l)
	}
	want += "\n"
	if got := buf.String(); got != want {
		t.Errorf("live progress:\n%q\nwant\n%q", got, want)
	}
}

// TestProgressPlain: elsewhere, a line at each change of state.
func TestProgressPlain(t *testing.T) {
	p, buf, advance := fakeProgress(false)
	p.change(nil, status(client.StatePending), 800*time.Millisecond)
	advance(time.Second)
	p.polled()
	p.change(status(client.StatePending), status(client.StateInProgress), 950*time.Millisecond)
	advance(2500 * time.Millisecond)
	p.polled()
	p.change(status(client.StateInProgress), status(client.StateActionRequired), 0)
	p.end()
	want := "slow-x.com: pending, 0s elapsed, next poll in 800ms\n" +
		"slow-x.com: in_progress, 1s elapsed, next poll in 950ms\n" +
		"slow-x.com: action_required, 3.5s elapsed\n"
	if got := buf.String(); got != want {
		t.Errorf("plain progress:\n%s\nwant\n%s", got, want)
	}
}

// TestIsTerminal: buffers, pipes and files are not terminals.
func TestIsTerminal(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, out := range []any{&bytes.Buffer{}, f, w, &strings.Builder{}} {
		if isTerminal(out.(interface{ Write([]byte) (int, error) })) {
			t.Errorf("isTerminal(%T) = true", out)
		}
	}
}
