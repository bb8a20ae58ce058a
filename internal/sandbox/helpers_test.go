package sandbox

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
)

// fakeClock is a registrar.Clock that only moves when told to.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2030, 3, 14, 15, 9, 26, 535897000, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testDelay is the scenario delay of the tests: time only passes for it in
// slow- creates (which wait in real time) since the clock is fake.
const testDelay = 50 * time.Millisecond

// open opens an engine on a new file with a fake clock, closed at the end
// of the test.
func open(t *testing.T, cfg Config) (*Engine, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sandbox.db")
	return openAt(t, path, cfg), path
}

func openAt(t *testing.T, path string, cfg Config) *Engine {
	t.Helper()
	if cfg.Delay == 0 {
		cfg.Delay = testDelay
	}
	e, err := Open(path, cfg)
	if err != nil {
		t.Fatalf("Open(%q) = %v", path, err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// ignoreLogVolatile compares log entries without their sequence number,
// time and server transaction ID.
var ignoreLogVolatile = cmpopts.IgnoreFields(LogEntry{}, "Seq", "Time", "ServerTRID")

func entry(client, command, domain, result, cltrid string) LogEntry {
	return LogEntry{ClientID: client, Command: command, Domain: domain, Result: result, ClientTRID: cltrid}
}

func mustLog(t *testing.T, e *Engine) []LogEntry {
	t.Helper()
	l, err := e.Log(context.Background())
	if err != nil {
		t.Fatalf("Log() = %v", err)
	}
	return l
}

const (
	ok1000  = "1000 Command completed successfully"
	err2302 = "2302 Object exists"
	err2201 = "2201 Authorization error"
)
