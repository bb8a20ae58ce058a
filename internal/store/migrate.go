package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations
var migrationFS embed.FS

// Migrate brings the schema up to date: the job engine's tables first, then
// ours. Migrations are numbered, embedded and forward-only; each runs in its
// own transaction with its version row. On PostgreSQL concurrent migrators
// (several replicas starting at once) serialise on an advisory lock.
func (db *DB) Migrate(ctx context.Context) error {
	if db.dialect == postgres {
		conn, err := db.pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		defer conn.Release()
		// 7303783 is 0x6f7267, "org": an arbitrary key for our migration lock.
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock(7303783)"); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(7303783)")
	}
	if err := db.migrateRiver(ctx); err != nil {
		return fmt.Errorf("store: migrate job tables: %w", err)
	}
	if _, err := db.write.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)`); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	dir := path.Join("migrations", db.dialect.String())
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("store: migrate: bad migration file name %q", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		err = db.InTx(ctx, func(tx *Tx) error {
			var n int
			if err := tx.q.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			for _, stmt := range splitStatements(string(body)) {
				if _, err := tx.q.exec(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", e.Name(), err)
				}
			}
			_, err := tx.q.exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version)
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
	}
	return nil
}

func (db *DB) migrateRiver(ctx context.Context) error {
	if db.dialect == postgres {
		m, err := rivermigrate.New(riverpgxv5.New(db.pool), nil)
		if err != nil {
			return err
		}
		_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		return err
	}
	m, err := rivermigrate.New(riversqlite.New(db.sqlWrite), nil)
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

// splitStatements splits a migration file on semicolons at line ends. Our
// migrations hold no semicolons inside literals or bodies.
func splitStatements(body string) []string {
	var out []string
	for _, s := range strings.Split(body, ";\n") {
		var keep []string
		for _, line := range strings.Split(s, "\n") {
			if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "--") {
				keep = append(keep, line)
			}
		}
		if len(keep) > 0 {
			out = append(out, strings.TrimSuffix(strings.Join(keep, "\n"), ";"))
		}
	}
	return out
}
