package privatefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// syncRecorder records what was synced, and whether the target file held
// the new content at that moment (it must not: the sync comes first).
type syncRecorder struct {
	target  string
	synced  []string
	renamed []bool
	fail    error
}

func (r *syncRecorder) sync(f *os.File) error {
	r.synced = append(r.synced, f.Name())
	b, _ := os.ReadFile(r.target)
	r.renamed = append(r.renamed, string(b) == "new\n")
	if r.fail != nil {
		return r.fail
	}
	return f.Sync()
}

func TestWriteFileSyncsFileThenRenamesThenSyncsDir(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &syncRecorder{target: path}
	if err := writeFile(path, []byte("new\n"), r.sync); err != nil {
		t.Fatal(err)
	}
	want := 2
	if runtime.GOOS == "windows" {
		want = 1
	}
	if len(r.synced) != want {
		t.Fatalf("synced %q, want the temporary file then the directory", r.synced)
	}
	if filepath.Dir(r.synced[0]) != dir || r.synced[0] == path || r.renamed[0] {
		t.Errorf("first sync of %q (target already replaced: %v), want a temporary file in %s before the rename", r.synced[0], r.renamed[0], dir)
	}
	if want == 2 && (filepath.Clean(r.synced[1]) != filepath.Clean(dir) || !r.renamed[1]) {
		t.Errorf("second sync of %q (after the rename: %v), want the directory %s after the rename", r.synced[1], r.renamed[1], dir)
	}
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "new\n" {
		t.Errorf("content %q, %v; want %q", b, err, "new\n")
	}
	checkMode(t, path, FileMode)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want only %s (no temporary file left)", len(entries), path)
	}
}

func TestWriteFileKeepsOldContentWhenSyncFails(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secret")
	if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &syncRecorder{target: path, fail: errors.New("I/O error")}
	if err := writeFile(path, []byte("new\n"), r.sync); err == nil {
		t.Fatal("writeFile with a failing sync: no error")
	}
	b, _ := os.ReadFile(path)
	if string(b) != "old\n" {
		t.Errorf("after a failed sync the file holds %q, want the old content", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("dir holds %d entries, want the temporary file removed", len(entries))
	}
}

func TestMakeDirFixesModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(dir, "tls"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	for _, name := range []string{"registrar.db", "registrar.db-wal", "tls/ca.pem"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(dir, "registrar.db-wal"), 0o666)
	if err := MakeDir(dir); err != nil {
		t.Fatal(err)
	}
	checkMode(t, dir, DirMode)
	checkMode(t, filepath.Join(dir, "tls"), DirMode)
	for _, name := range []string{"registrar.db", "registrar.db-wal", "tls/ca.pem"} {
		checkMode(t, filepath.Join(dir, name), FileMode)
	}

	fresh := filepath.Join(t.TempDir(), "new", "data")
	if err := MakeDir(fresh); err != nil {
		t.Fatal(err)
	}
	checkMode(t, fresh, DirMode)
}

func TestMakeDirRefusesWhatItCannotFix(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "registrar.db")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/null", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	// A file of another user: chmod refuses, as it would for us.
	var tried []string
	err := makeDir(dir, func(p string, m fs.FileMode) error {
		tried = append(tried, p)
		if p == path {
			return fs.ErrPermission
		}
		return os.Chmod(p, m)
	})
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "chmod 0600 "+path) {
		t.Fatalf("MakeDir with an unchangeable 0644 file: %v, want an error naming %s and the chmod to run", err, path)
	}
	if slices.Contains(tried, filepath.Join(dir, "link")) {
		t.Errorf("MakeDir changed the mode of a symbolic link (its target's)")
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("mode of %s = %04o, want %04o", path, got, want)
	}
}
