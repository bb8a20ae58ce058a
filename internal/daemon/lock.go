package daemon

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDataDir takes an exclusive lock on the data dir, so that two servers
// never share one (a second would break SQLite's single-writer design and
// double-run workflows). Closing the file releases the lock, and so does
// the process's end, however it ends. lockExclusive is per OS: flock(2) on
// Unix, LockFileEx on Windows.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data dir: %w", err)
	}
	if err := lockExclusive(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("data dir %s is in use by another registrar server (%w)", dir, err)
	}
	return f, nil
}
