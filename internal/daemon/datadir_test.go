package daemon_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/daemon"
	"github.com/openregistrar/registrar/internal/httpapi"
	"github.com/openregistrar/registrar/internal/testtools"
)

// startStop starts a registrar on dir and stops it, returning Start's error.
func startStop(t *testing.T, dir string) error {
	t.Helper()
	d, err := daemon.Start(context.Background(), daemon.Config{Listen: "127.0.0.1:0", DataDir: dir, API: httpapi.Config{RateLimit: -1}, Logger: testLogger(t)})
	if err != nil {
		return err
	}
	return d.Stop(context.Background())
}

// TestDataDirPrivate: a first start leaves the data dir 0700 and every
// file in it 0600 (the databases, their -wal and -shm files, the
// certificates, sandbox-password, cli.json); a data dir from before, left
// 0755 with files 0644, is made private at start.
func TestDataDirPrivate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	d, err := daemon.Start(context.Background(), daemon.Config{Listen: "127.0.0.1:0", DataDir: dir, API: httpapi.Config{RateLimit: -1}, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	// While it runs, with the -wal and -shm files open.
	for _, name := range []string{"registrar.db", "registrar.db-wal", "cli.json", "sandbox-password", "tls/ca.pem", "tls/server.pem", "tls/client-key.pem"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("after a first start: %v", err)
		}
	}
	if n := testtools.CheckPrivate(t, dir); n < 10 {
		t.Errorf("saw %d files in %s, want the databases, certificates and secrets", n, dir)
	}
	if err := d.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}

	// A data dir of an older version, or a copy with a loose umask.
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if e.IsDir() {
			return os.Chmod(path, 0o755)
		}
		return os.Chmod(path, 0o644)
	})
	if err := startStop(t, dir); err != nil {
		t.Fatal(err)
	}
	testtools.CheckPrivate(t, dir)
}

// TestDamagedFilesAtStart: a file a crash left empty (written before it
// was synced) is named at start, with what to do.
func TestDamagedFilesAtStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, want string
	}{
		{"sandbox-password", "delete it to make a new password"},
		{"tls/ca.pem", "delete {dir}/tls to make new certificates"},
		{"tls/server.pem", "delete {dir}/tls to make new certificates"},
		{"tls/client-key.pem", "delete {dir}/tls to make new certificates"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := startStop(t, dir); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			err := startStop(t, dir)
			want := strings.ReplaceAll(tc.want, "{dir}", dir)
			if err == nil || !strings.Contains(err.Error(), path+" is damaged") || !strings.Contains(err.Error(), want) {
				t.Errorf("start with an empty %s = %v, want an error naming it and saying %q", path, err, want)
			}
		})
	}
}
