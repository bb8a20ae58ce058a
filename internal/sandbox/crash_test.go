package sandbox_test

import (
	"bufio"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/sandbox/sandboxtest"
)

// crashChildEnv names the file in which TestCrashChild, run as a child
// process, creates a slow- domain and then waits to be killed.
const crashChildEnv = "SANDBOX_TEST_CRASH_CHILD"

// TestCrashChild is the child process of TestCrashBetweenCommitAndAnswer:
// it serves the registry at the file $SANDBOX_TEST_CRASH_CHILD, logging
// each command as JSON on stdout, and creates a slow- domain over EPP with
// a delay that never ends.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestCrashBetweenCommitAndAnswer")
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := sandboxtest.Start(t, sandboxtest.Options{Path: path, Engine: sandbox.Config{Delay: time.Hour, Logger: log}})
	_, err := srv.Registry(t, ours).Create(context.Background(), createReq("slow-crash.com"))
	t.Fatalf("Create(slow-crash.com) = %v; the parent should have killed this process during the delay", err)
}

// TestCrashBetweenCommitAndAnswer kills (SIGKILL) a process whose create
// has committed but not answered, reads its log from another process while
// it runs, and checks that the create is visible afterwards.
func TestCrashBetweenCommitAndAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: runs the test binary as a child process and SIGKILLs it")
	}
	t.Parallel()
	path := t.TempDir() + "/sandbox.db"
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if l := lines.Text(); strings.Contains(l, `"msg":"sandbox command"`) && strings.Contains(l, `"command":"create"`) {
			break
		}
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	wantLog := []sandbox.LogEntry{entry(ours, "create", "slow-crash.com", ok1000, "cl-slow-crash.com")}
	got, err := sandbox.ReadLog(ctx, path)
	if err != nil {
		t.Fatalf("ReadLog(%q) while another process has it open = %v", path, err)
	}
	if diff := cmp.Diff(wantLog, withoutContacts(got), ignoreLogVolatile); diff != "" {
		t.Errorf("ReadLog(%q) while another process has it open mismatch (-want +got):\n%s", path, diff)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child exited with %v, want killed", err)
	}

	srv := sandboxtest.Start(t, sandboxtest.Options{Path: path})
	info, err := srv.Registry(t, ours).Info(ctx, "slow-crash.com")
	if err != nil {
		t.Fatalf("Info(slow-crash.com) after the crash = %v", err)
	}
	want := registrar.DomainInfo{Name: "slow-crash.com", Sponsored: true, AuthInfo: "auth-slow-crash.com", Statuses: []string{"ok"},
		CreatedAt: info.CreatedAt, ExpiresAt: info.CreatedAt.AddDate(1, 0, 0)}
	if diff := cmp.Diff(want, info, ignoreLifecycle); diff != "" {
		t.Errorf("Info(slow-crash.com) after the crash mismatch (-want +got):\n%s", diff)
	}
	wantLog = append(wantLog, entry(ours, "info", "slow-crash.com", ok1000, ""))
	if diff := cmp.Diff(wantLog, mustLog(t, srv.Engine), ignoreLogVolatile); diff != "" {
		t.Errorf("Log() after the crash mismatch (-want +got):\n%s", diff)
	}
}
