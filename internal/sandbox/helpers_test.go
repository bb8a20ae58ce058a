package sandbox

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp/cmpopts"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/openregistrar/registrar/internal/store/storetest"
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

// each runs f as a parallel subtest per backend (storetest.Each): the
// engine on a SQLite file, and on a schema of a PostgreSQL database.
func each(t *testing.T, f func(t *testing.T, backend storetest.Backend)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f(t, b)
	})
}

// openOn opens an engine on backend b: on a new file (open), or on the
// schema "sandbox_registry" of a new PostgreSQL database; closed at the
// end of the test.
func openOn(t *testing.T, b storetest.Backend, cfg Config) *Engine {
	t.Helper()
	if b != storetest.Postgres {
		e, _ := open(t, cfg)
		return e
	}
	if cfg.Delay == 0 {
		cfg.Delay = testDelay
	}
	e, err := OpenPostgres(openPostgres(t), "sandbox_registry", cfg)
	if err != nil {
		t.Fatalf("OpenPostgres = %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// openPostgres opens a new PostgreSQL database with pgx's stdlib driver,
// closed when the test ends.
func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", storetest.NewPostgresDatabase(t))
	if err != nil {
		t.Fatalf("sql.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// scanState runs query on the engine's state, in a command's
// transaction (rolled back), on either backend, and scans its one row.
func scanState(t *testing.T, e *Engine, query string, dest ...any) {
	t.Helper()
	ctx := context.Background()
	tx, err := e.begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.tx.Rollback()
	if err := tx.QueryRowContext(ctx, query).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
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
