package registrar

import (
	"sync"
	"time"
)

// ShiftClock is a Clock that follows the wall clock shifted by an offset
// that tests move forward. Time keeps passing (jobs, timers and sync windows
// behave normally) while deadlines days away can be reached at once. It is
// safe for concurrent use.
type ShiftClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the wall clock plus the offset, in UTC, to the microsecond.
func (c *ShiftClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return SystemClock{}.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *ShiftClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}
