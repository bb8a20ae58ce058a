package sandbox

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOpenDurableAndPrivate: the registry syncs every answered command
// (synchronous=FULL, 2) unless "normal" (1) is asked for, and its database
// and -wal and -shm files are created 0600.
func TestOpenDurableAndPrivate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		synchronous string
		want        int
	}{{"", 2}, {"full", 2}, {"normal", 1}} {
		path := filepath.Join(t.TempDir(), "sandbox.db")
		e, err := Open(path, Config{Synchronous: tc.synchronous})
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := e.db.QueryRow("PRAGMA synchronous").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("Synchronous %q: PRAGMA synchronous = %d, want %d", tc.synchronous, got, tc.want)
		}
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			info, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if m := info.Mode().Perm(); m != 0o600 {
				t.Errorf("mode of %s = %04o, want 0600", p, m)
			}
		}
		e.Close()
	}
	if _, err := Open(filepath.Join(t.TempDir(), "x.db"), Config{Synchronous: "off"}); err == nil {
		t.Error("Open with synchronous off: no error")
	}
}
