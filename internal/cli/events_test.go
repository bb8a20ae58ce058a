package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/cli"
)

// syncBuffer is a bytes.Buffer safe for a command writing while the test
// reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEventsAndWorkflowsCommands: `registrar events --follow` tails the
// feed while a registration runs and exits 0 when interrupted; `events`
// resumes with --after; `workflows` lists and filters.
func TestEventsAndWorkflowsCommands(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 200*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, []string{"events", "--follow", "--output", "json", "--interval", "50ms", "--data-dir", dir}, &out, &errOut)
	}()
	if code, o, e := run(t, "register", "feed-cli.com", "--wait", "--data-dir", dir); code != 0 {
		t.Fatalf("register = %d\n%s\n%s", code, o, e)
	}
	// The follower prints the registration's last state within a few polls.
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), `"state":"succeeded"`) {
		if time.Now().After(deadline) {
			t.Fatalf("events --follow printed no succeeded workflow; stdout:\n%s\nstderr:\n%s", out.String(), errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel() // Ctrl-C
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("events --follow interrupted = exit status %d, want 0; stderr:\n%s", code, errOut.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("events --follow did not stop when interrupted")
	}
	var ids []int64
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var ev struct {
			ID         int64  `json:"id"`
			Type       string `json:"type"`
			DomainName string `json:"domain_name"`
		}
		if err := json.Unmarshal([]byte(line), &ev); err != nil || ev.DomainName != "feed-cli.com" {
			t.Fatalf("events --follow line %q (%v), want an event of feed-cli.com", line, err)
		}
		if len(ids) > 0 && ev.ID <= ids[len(ids)-1] {
			t.Errorf("events --follow printed ID %d after %d, want increasing (each once)", ev.ID, ids[len(ids)-1])
		}
		ids = append(ids, ev.ID)
	}

	// The table, from the start and after the first event.
	code, all, e := run(t, "events", "--data-dir", dir)
	if code != 0 || !strings.Contains(all, "workflow.state_changed") || !strings.Contains(all, "registration.status_changed") || !strings.Contains(all, "succeeded") {
		t.Errorf("events = %d, want both event types and succeeded; stdout:\n%s\nstderr:\n%s", code, all, e)
	}
	first := strings.Fields(strings.Split(all, "\n")[1])[0]
	code, rest, _ := run(t, "events", "--after", first, "--output", "json", "--data-dir", dir)
	if n := strings.Count(rest, "\n"); code != 0 || n != len(ids)-1 {
		t.Errorf("events --after %s = %d with %d events, want 0 with %d", first, code, n, len(ids)-1)
	}

	for _, tt := range []struct {
		args []string
		code int
		want string
		not  string
	}{
		{[]string{"workflows"}, 0, "feed-cli.com", ""},
		{[]string{"workflows", "--kind", "registration", "--state", "succeeded", "--domain", "feed-cli.com"}, 0, "succeeded", ""},
		{[]string{"workflows", "--state", "failed"}, 0, "ID", "feed-cli.com"},
		{[]string{"workflows", "--kind", "nonsense"}, 1, "", ""},
		{[]string{"workflows", "--sandbox"}, 0, "ID", "feed-cli.com"},
	} {
		code, o, e := run(t, append(tt.args, "--data-dir", dir)...)
		if code != tt.code || !strings.Contains(o, tt.want) || (tt.not != "" && strings.Contains(o, tt.not)) {
			t.Errorf("registrar %s = %d, want %d with %q and without %q; stdout:\n%s\nstderr:\n%s", strings.Join(tt.args, " "), code, tt.code, tt.want, tt.not, o, e)
		}
		if tt.code == 1 && !strings.Contains(e, "kind must be one of") {
			t.Errorf("registrar %s: stderr %q, want the API's message naming kind", strings.Join(tt.args, " "), e)
		}
	}
}
