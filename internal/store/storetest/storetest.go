// Package storetest opens fresh databases for tests: SQLite always, and
// PostgreSQL when REGISTRAR_TEST_POSTGRES_URL names a server the tests may
// create databases on. Every test gets its own empty database. Without
// that variable a PostgreSQL test skips with a line saying so, or fails
// under REGISTRAR_TEST_REQUIRE_TOOLS=1 (see testtools), as .ci/run sets.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/openregistrar/registrar/internal/store"
	"github.com/openregistrar/registrar/internal/testtools"
)

// EnvPostgresURL is the variable naming the test PostgreSQL server.
const EnvPostgresURL = "REGISTRAR_TEST_POSTGRES_URL"

// Backend is a database kind under test.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends returns the backends to run against: all of them. A PostgreSQL
// test stops in RequirePostgres (skips, or fails under
// REGISTRAR_TEST_REQUIRE_TOOLS=1) when EnvPostgresURL is not set, so the
// omission shows in the test output.
func Backends() []Backend {
	return []Backend{SQLite, Postgres}
}

// Each runs f as a subtest per backend. The postgres subtest stops before
// f when there is no server (see RequirePostgres).
func Each(t *testing.T, f func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(string(b), func(t *testing.T) {
			if b == Postgres {
				RequirePostgres(t)
			}
			f(t, b)
		})
	}
}

// RequirePostgres returns the URL of the test PostgreSQL server from
// EnvPostgresURL, or stops the test when it is not set: it skips naming
// the package to install, or fails under REGISTRAR_TEST_REQUIRE_TOOLS=1.
func RequirePostgres(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgresURL)
	if u == "" {
		testtools.Require(t, "PostgreSQL", "postgresql",
			fmt.Errorf("%s is not set; .ci/pg starts a throwaway server", EnvPostgresURL))
	}
	return u
}

// Config returns the store configuration of a new, empty database of
// backend b, dropped when the test ends. For SQLite the file lives in
// t.TempDir(); the returned dir is that directory.
func Config(t testing.TB, b Backend) store.Config {
	t.Helper()
	if b == SQLite {
		return store.Config{SQLitePath: filepath.Join(t.TempDir(), "registrar.db")}
	}
	return store.Config{DatabaseURL: NewPostgresDatabase(t)}
}

// Open opens and migrates a new database of backend b, closed when the test
// ends.
func Open(t testing.TB, b Backend) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, Config(t, b))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return db
}

// NewPostgresDatabase creates an empty database on the server named by
// EnvPostgresURL, drops it when the test ends, and returns its URL.
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin := RequirePostgres(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvPostgresURL, err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	rand.Read(b[:])
	name := "registrar_test_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("connect to drop %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgresURL, err)
	}
	u.Path = "/" + name
	return u.String()
}
