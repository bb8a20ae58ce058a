//go:build unix

package daemon

import (
	"os"

	"golang.org/x/sys/unix"
)

// lockExclusive takes an exclusive flock on f without waiting.
func lockExclusive(f *os.File) error {
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
}
