package testtools

import (
	"io/fs"
	"path/filepath"
	"testing"
)

// CheckPrivate fails the test for every directory under dir (dir
// included) whose mode is not 0700 and every file not 0600, and returns
// how many files it saw. A file removed while it walks (SQLite's -shm) is
// skipped.
func CheckPrivate(t testing.TB, dir string) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		want := fs.FileMode(0o600)
		if e.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if info.Mode().Perm() != want {
			t.Errorf("mode of %s = %04o, want %04o", path, info.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return files
}
