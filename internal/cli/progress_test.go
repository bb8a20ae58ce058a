package cli

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/client"
)

// fakeProgress is a progress display on a clock the test moves.
func fakeProgress(live bool) (*progress, *bytes.Buffer, func(time.Duration)) {
	var buf bytes.Buffer
	p := newProgress(&buf, live, "slow-x.com")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p.start, p.now = now, func() time.Time { return now }
	return p, &buf, func(d time.Duration) { now = now.Add(d) }
}

func status(s client.State) *client.WorkflowStatus { return &client.WorkflowStatus{State: s} }

// blockedStatus is a status blocked by by, for detail.
func blockedStatus(by, detail string) *client.WorkflowStatus {
	st := status(client.StateBlocked)
	st.Context.BlockedBy, st.Context.Detail = by, detail
	return st
}

var refused = &url.Error{Op: "Get", URL: "http://127.0.0.1:1/x", Err: errors.New("dial tcp 127.0.0.1:1: connect: connection refused")}

// TestProgressLive: on a terminal, one line redrawn with \r, padded over
// a longer previous line, with the state, why it is blocked, the time
// elapsed and the next poll, as Wait chose it after each poll; and when
// the server is out of reach.
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
	redraw()                                                  // the poll is due
	p.polled(status(client.StatePending), nil, 3*time.Second) // still pending: Wait's next delay
	advance(time.Second)
	redraw()
	unreachable := blockedStatus("registry", "The registry is unreachable; retrying.")
	p.change(status(client.StatePending), unreachable, 2*time.Second)
	p.polled(unreachable, nil, 2*time.Second) // OnPoll follows OnChange
	advance(2 * time.Second)
	p.polled(unreachable, refused, 4*time.Second)
	advance(4 * time.Second)
	p.polled(blockedStatus("registry", "The registry is reviewing the registration."), nil, time.Second)
	p.change(status(client.StateBlocked), status(client.StateSucceeded), 0)
	p.end()
	// Each line is padded with blanks over the longer line before it.
	var want string
	width := 0
	for _, l := range []string{
		"slow-x.com: pending, 0s elapsed, next poll in 900ms",
		"slow-x.com: pending, 400ms elapsed, next poll in 500ms",
		"slow-x.com: pending, 900ms elapsed, polling",
		"slow-x.com: pending, 900ms elapsed, next poll in 3s",
		"slow-x.com: pending, 1.9s elapsed, next poll in 2s",
		"slow-x.com: blocked (registry: The registry is unreachable; retrying.), 1.9s elapsed, next poll in 2s",
		"slow-x.com: blocked (registry: The registry is unreachable; retrying.), 1.9s elapsed, next poll in 2s",
		"slow-x.com: blocked (registry: The registry is unreachable; retrying.), 3.9s elapsed, server unreachable (dial tcp 127.0.0.1:1: connect: connection refused), next poll in 4s",
		"slow-x.com: blocked (registry: The registry is reviewing the registration.), 7.9s elapsed, next poll in 1s",
		"slow-x.com: succeeded, 7.9s elapsed",
		"slow-x.com: succeeded, 7.9s elapsed",
	} {
		want += "\r" + l + strings.Repeat(" ", max(width-len(l), 0))
		width = len(l)
	}
	want += "\n"
	if got := buf.String(); got != want {
		t.Errorf("live progress:\n%q\nwant\n%q", got, want)
	}
}

// TestProgressPlain: elsewhere, a line at each change: of state, of why
// the workflow is blocked, of the server answering or not; polls that
// change nothing print nothing.
func TestProgressPlain(t *testing.T) {
	p, buf, advance := fakeProgress(false)
	p.change(nil, status(client.StatePending), 800*time.Millisecond)
	advance(time.Second)
	p.polled(status(client.StatePending), nil, time.Second)
	p.change(status(client.StatePending), status(client.StateInProgress), 950*time.Millisecond)
	p.polled(status(client.StateInProgress), nil, 950*time.Millisecond)
	advance(2500 * time.Millisecond)
	unreachable := blockedStatus("registry", "The registry is unreachable; retrying.")
	p.change(status(client.StateInProgress), unreachable, 2*time.Second)
	p.polled(unreachable, nil, 2*time.Second)
	advance(2 * time.Second)
	p.polled(unreachable, nil, 2*time.Second) // no change: no line
	advance(2 * time.Second)
	p.polled(unreachable, refused, time.Second)
	advance(time.Second)
	p.polled(unreachable, refused, 2*time.Second) // still down: no line
	advance(2 * time.Second)
	p.polled(unreachable, nil, time.Second) // back
	advance(time.Second)
	p.polled(blockedStatus("registry", "The registry is reviewing the registration."), nil, time.Second)
	advance(time.Second)
	p.change(unreachable, status(client.StateActionRequired), 0)
	p.end()
	want := "slow-x.com: pending, 0s elapsed, next poll in 800ms\n" +
		"slow-x.com: in_progress, 1s elapsed, next poll in 950ms\n" +
		"slow-x.com: blocked (registry: The registry is unreachable; retrying.), 3.5s elapsed, next poll in 2s\n" +
		"slow-x.com: blocked (registry: The registry is unreachable; retrying.), 7.5s elapsed, server unreachable (dial tcp 127.0.0.1:1: connect: connection refused), next poll in 1s\n" +
		"slow-x.com: blocked (registry: The registry is unreachable; retrying.), 11s elapsed, next poll in 1s\n" +
		"slow-x.com: blocked (registry: The registry is reviewing the registration.), 12s elapsed, next poll in 1s\n" +
		"slow-x.com: action_required, 13s elapsed\n"
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
