package cli_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/cli"
)

// TestWatch follows a registration the registry reviews (1s of
// --sandbox-delay) on a real server: watch prints its blocked line and
// its success as they happen (long-polled, not seconds later) and ends
// with --until-done; without it, an interrupt ends watch with status 0.
func TestWatch(t *testing.T) {
	t.Parallel()
	dir, _, _ := startAPIServer(t, 200*time.Millisecond)
	const domain = "pending-watch.com"
	if code, out, errOut := run(t, "register", domain, "--data-dir", dir); code != 0 && code != 4 {
		t.Fatalf("register %s = exit %d\nstdout:\n%s\nstderr:\n%s", domain, code, out, errOut)
	}
	start := time.Now()
	code, out, errOut := run(t, "watch", domain, "--until-done", "--data-dir", dir)
	took := time.Since(start)
	if code != 0 {
		t.Fatalf("watch %s --until-done = exit %d\nstdout:\n%s\nstderr:\n%s", domain, code, out, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// The first line is where the workflow stood when watch began: on a
	// loaded machine register's sync window can end before the registry
	// blocked it, so the blocked line may come second.
	blocked := slices.IndexFunc(lines, func(l string) bool { return strings.Contains(l, "registration  blocked (blocked by registry") })
	if len(lines) < 2 || blocked < 0 || blocked > 1 || !strings.Contains(lines[len(lines)-1], "registration  succeeded") {
		t.Errorf("watch printed:\n%s\nwant a blocked registration line, then succeeded last", out)
	}
	for _, l := range lines {
		if !strings.Contains(l, "registration") {
			t.Errorf("line %q: want only the registration's lines (no other workflow ran)", l)
		}
	}
	if took > 5*time.Second {
		t.Errorf("watch --until-done took %v for a 1s review: the change was not long-polled", took)
	}

	// Interrupted (Ctrl-C cancels the command's context): exit 0, after
	// the line of the state it found.
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code = cli.Main(ctx, []string{"watch", domain, "--data-dir", dir}, &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "registration  succeeded") {
		t.Errorf("watch %s interrupted = exit %d, want 0 with the succeeded line\nstdout:\n%s\nstderr:\n%s", domain, code, stdout.String(), stderr.String())
	}

	if code, out, errOut := run(t, "watch", "never-registered.com", "--until-done", "--data-dir", dir); code != 1 || !strings.Contains(errOut, "no workflow") {
		t.Errorf("watch of a domain with no workflow --until-done = exit %d, want 1 saying so\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
