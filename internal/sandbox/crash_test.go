package sandbox

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
)

// crashChildEnv names the file a child test process creates a slow- domain
// in and then waits to be killed.
const crashChildEnv = "SANDBOX_TEST_CRASH_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path)
		return
	}
	os.Exit(m.Run())
}

// crashChild opens the engine at path and creates a slow- domain with a
// delay that never ends, logging each command as JSON on stdout.
func crashChild(path string) {
	e, err := Open(path, Config{Delay: time.Hour, Logger: slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		os.Stderr.WriteString(err.Error())
		os.Exit(2)
	}
	e.Client("us").Create(context.Background(), createReq("slow-crash.com"))
	os.Exit(3) // not reached: the parent kills us during the delay
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
	cmd := exec.Command(os.Args[0], "-test.run=^$")
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
	for lines.Scan() && !strings.Contains(lines.Text(), `"msg":"sandbox command"`) {
	}
	if err := lines.Err(); err != nil {
		t.Fatal(err)
	}

	ctx := context.Background()
	wantLog := []LogEntry{entry("us", "create", "slow-crash.com", ok1000, "cl-slow-crash.com")}
	got, err := ReadLog(ctx, path)
	if err != nil {
		t.Fatalf("ReadLog(%q) while another process has it open = %v", path, err)
	}
	if diff := cmp.Diff(wantLog, got, ignoreLogVolatile); diff != "" {
		t.Errorf("ReadLog(%q) while another process has it open mismatch (-want +got):\n%s", path, diff)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child exited with %v, want killed", err)
	}

	e := openAt(t, path, Config{})
	info, err := e.Client("us").Info(ctx, "slow-crash.com")
	if err != nil {
		t.Fatalf("Info(slow-crash.com) after the crash = %v", err)
	}
	want := registrar.DomainInfo{Name: "slow-crash.com", Sponsored: true, AuthInfo: "auth-slow-crash.com", Statuses: []string{"ok"},
		CreatedAt: info.CreatedAt, ExpiresAt: info.CreatedAt.AddDate(1, 0, 0)}
	if diff := cmp.Diff(want, info); diff != "" {
		t.Errorf("Info(slow-crash.com) after the crash mismatch (-want +got):\n%s", diff)
	}
	wantLog = append(wantLog, entry("us", "info", "slow-crash.com", ok1000, ""))
	if diff := cmp.Diff(wantLog, mustLog(t, e), ignoreLogVolatile); diff != "" {
		t.Errorf("Log() after the crash mismatch (-want +got):\n%s", diff)
	}
}
