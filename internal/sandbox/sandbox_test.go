package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The registry's commands are tested over EPP, as the registrar sends
// them, in registry_test.go and server_test.go; these are the engine's
// own.

func TestReadLogErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	if _, err := ReadLog(context.Background(), missing); err == nil {
		t.Errorf("ReadLog(%q) = nil error, want one", missing)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("ReadLog(%q) created the file", missing)
	}
	other := filepath.Join(dir, "other.db")
	if err := os.WriteFile(other, []byte("not a database at all, just some text that is long enough"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadLog(context.Background(), other); err == nil {
		t.Errorf("ReadLog(%q) = nil error, want one", other)
	}
	if _, err := Open(other, Config{}); err == nil {
		t.Errorf("Open(%q) = nil error, want one", other)
	}
}

func TestOpenInvalid(t *testing.T) {
	t.Parallel()
	if _, err := Open(filepath.Join(t.TempDir(), "x.db"), Config{Delay: -time.Second}); err == nil {
		t.Error("Open with a negative delay = nil error, want one")
	}
	if _, err := Open(filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), Config{}); err == nil {
		t.Error("Open in a missing directory = nil error, want one")
	}
}
