package daemon

import (
	"strings"
	"testing"
)

// TestLockDataDir: a second lock on a locked data dir fails at once with a
// message naming the dir, and succeeds once the first is released.
func TestLockDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("first lock: %v", err)
	}
	second, err := lockDataDir(dir)
	if err == nil {
		second.Close()
		t.Fatal("second lock on a locked data dir succeeded, want an error")
	}
	if want := "data dir " + dir + " is in use by another registrar server"; !strings.Contains(err.Error(), want) {
		t.Errorf("second lock: %v, want it to say %q", err, want)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	third, err := lockDataDir(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	third.Close()
}
