package sandbox_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// testSchema is the schema of the PostgreSQL registries of the tests.
const testSchema = "sandbox_registry"

// each runs f as a parallel subtest per backend (storetest.Each): the
// sandbox registry in a SQLite file, and in a schema of a PostgreSQL
// database.
func each(t *testing.T, f func(t *testing.T, backend storetest.Backend)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f(t, b)
	})
}

// store is where one sandbox registry keeps its state on a backend: a new
// SQLite file, or testSchema of a new PostgreSQL database. Each open is
// an engine of that one registry: a restart, or another replica.
type store struct {
	path   string  // SQLite
	db     *sql.DB // PostgreSQL
	schema string  // PostgreSQL; "" is testSchema
}

func newStore(t *testing.T, b storetest.Backend) *store {
	t.Helper()
	if b == storetest.SQLite {
		return &store{path: filepath.Join(t.TempDir(), "sandbox.db")}
	}
	return &store{db: openPostgres(t)}
}

// openPostgres opens a new PostgreSQL database with pgx's stdlib driver,
// as the registrar does, closed when the test ends.
func openPostgres(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", storetest.NewPostgresDatabase(t))
	if err != nil {
		t.Fatalf("sql.Open = %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// open opens an engine of the store's registry.
func (s *store) open(cfg sandbox.Config) (*sandbox.Engine, error) {
	if s.db != nil {
		return sandbox.OpenPostgres(s.db, s.schemaName(), cfg)
	}
	return sandbox.Open(s.path, cfg)
}

// readLog reads the registry's log as `registrar sandbox log` does,
// without an engine.
func (s *store) readLog(ctx context.Context) ([]sandbox.LogEntry, error) {
	if s.db != nil {
		return sandbox.ReadLogPostgres(ctx, s.db, s.schemaName())
	}
	return sandbox.ReadLog(ctx, s.path)
}

func (s *store) schemaName() string {
	if s.schema == "" {
		return testSchema
	}
	return s.schema
}
