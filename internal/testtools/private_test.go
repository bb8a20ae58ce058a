package testtools_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/openregistrar/registrar/internal/testtools"
)

// errRecorder records the errors a helper reports.
type errRecorder struct {
	testing.TB
	errs []string
}

func (r *errRecorder) Helper() {}

func (r *errRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func TestCheckPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	t.Parallel()
	dir := t.TempDir()
	os.Chmod(dir, 0o700)
	sub := filepath.Join(dir, "tls")
	os.Mkdir(sub, 0o700)
	os.WriteFile(filepath.Join(dir, "private"), nil, 0o600)
	os.WriteFile(filepath.Join(sub, "key.pem"), nil, 0o600)
	r := &errRecorder{TB: t}
	if n := testtools.CheckPrivate(r, dir); n != 2 || len(r.errs) != 0 {
		t.Fatalf("a private tree: %d files, errors %q; want 2 files and none", n, r.errs)
	}
	os.Chmod(sub, 0o755)
	os.WriteFile(filepath.Join(dir, "open"), nil, 0o644)
	os.Chmod(filepath.Join(dir, "open"), 0o644)
	r = &errRecorder{TB: t}
	if n := testtools.CheckPrivate(r, dir); n != 3 || len(r.errs) != 2 ||
		!strings.Contains(strings.Join(r.errs, "\n"), "open") || !strings.Contains(strings.Join(r.errs, "\n"), "tls") {
		t.Errorf("a 0755 dir and a 0644 file: %d files, errors %q; want 3 files and both named", n, r.errs)
	}
}
