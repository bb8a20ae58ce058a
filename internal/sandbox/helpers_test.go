package sandbox

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openregistrar/registrar/internal/registrar"
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

// notifyHandler is a slog.Handler that sends each record's message on ch.
type notifyHandler struct{ ch chan<- string }

func (h notifyHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h notifyHandler) Handle(_ context.Context, r slog.Record) error {
	h.ch <- r.Message
	return nil
}
func (h notifyHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h notifyHandler) WithGroup(string) slog.Handler      { return h }

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

func contact() registrar.Contact {
	return registrar.Contact{
		Email: "ada@example.com",
		Phone: "+44.2079460000",
		PostalInfo: registrar.PostalInfo{
			Name:    "Ada Lovelace",
			Address: registrar.Address{Street: "12 St James's Square", City: "London", State: "London", PostalCode: "SW1Y 4JH", CountryCode: "GB"},
		},
	}
}

func createReq(name string) registrar.CreateRequest {
	return registrar.CreateRequest{
		Name:          name,
		Years:         1,
		Registrant:    contact(),
		AuthInfo:      "auth-" + name,
		TransactionID: "cl-" + name,
	}
}

// mustCreate creates name through r, failing the test on error.
func mustCreate(t *testing.T, r registrar.Registry, name string) registrar.CreateResult {
	t.Helper()
	res, err := r.Create(context.Background(), createReq(name))
	if err != nil {
		t.Fatalf("Create(%q) = %v", name, err)
	}
	return res
}

// errDiff describes how err differs from want (nil: no error), comparing
// kinds and messages; "" when it does not.
func errDiff(err error, want *registrar.Error) string {
	if want == nil {
		if err != nil {
			return "error " + err.Error() + ", want none"
		}
		return ""
	}
	got := registrar.AsError(err)
	if got == nil {
		if err == nil {
			return "no error, want " + want.Error()
		}
		return "error " + err.Error() + " is not a *registrar.Error"
	}
	return cmp.Diff(want, got, cmpopts.IgnoreFields(registrar.Error{}, "Op", "Err", "Fields", "RetryAfterSeconds"))
}

func rerr(k registrar.Kind, msg string) *registrar.Error {
	return &registrar.Error{Kind: k, Message: msg}
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
	ok1001  = "1001 Command completed successfully; action pending"
	ok1300  = "1300 Command completed successfully; no messages"
	ok1301  = "1301 Command completed successfully; ack to dequeue"
	err2302 = "2302 Object exists"
	err2303 = "2303 Object does not exist"
	err2201 = "2201 Authorization error"
)
