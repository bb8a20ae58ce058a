package daemon

import (
	"os"

	"golang.org/x/sys/windows"
)

// lockExclusive takes an exclusive lock on f's first byte without waiting. The
// lock is mandatory on Windows, but nothing reads or writes the lock file.
func lockExclusive(f *os.File) error {
	return windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY,
		0, 1, 0, new(windows.Overlapped))
}
