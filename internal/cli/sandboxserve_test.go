package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/openregistrar/registrar/internal/cli"
	"github.com/openregistrar/registrar/internal/testtools"
)

// TestSandboxServeFilesPrivate: `registrar sandbox serve` makes its data
// dir 0700 (also one that exists, 0755) and every file it writes 0600:
// the database and its -wal and -shm, the certificates, the password.
func TestSandboxServeFilesPrivate(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sandbox")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	// Cancelled: the command sets up, prints its banner and stops.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	if code := cli.Main(ctx, []string{"sandbox", "serve", "--data-dir", dir, "--listen", "127.0.0.1:0"}, &out, &errOut); code != 0 {
		t.Fatalf("sandbox serve = %d %s", code, errOut.String())
	}
	files := testtools.CheckPrivate(t, dir)
	if files < 7 {
		t.Errorf("saw %d files in %s, want the database, certificates and password", files, dir)
	}
}
