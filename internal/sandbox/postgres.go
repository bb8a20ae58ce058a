package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
)

// This file keeps the engine's state in a schema of a PostgreSQL
// database: the schema's DDL and migrations, and what a transaction does
// first there. The engine's statements are the same as on SQLite
// (dialect.go).

// schemaPattern is what OpenPostgres takes as a schema name: an unquoted
// PostgreSQL identifier that needs no quoting.
var schemaPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// pgState is what an engine on PostgreSQL needs besides its *sql.DB.
type pgState struct {
	schema string
	// lockKey is the schema's advisory lock (lockKeyOf).
	lockKey int64
}

// lockKeyOf returns the advisory lock key of the sandbox registry in
// schema: FNV-1a (64 bits) of "sandbox:" and the schema name. Every
// command transaction, and the migration, holds it.
func lockKeyOf(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("sandbox:" + schema))
	return int64(h.Sum64())
}

func checkSchema(schema string) error {
	switch {
	case !schemaPattern.MatchString(schema):
		return fmt.Errorf("sandbox: schema %q: want a lower-case name of letters, digits and _ (at most 63, not starting with a digit)", schema)
	case strings.HasPrefix(schema, "pg_"):
		return fmt.Errorf("sandbox: schema %q: names starting with pg_ are PostgreSQL's", schema)
	}
	return nil
}

// enter makes tx's statements use the schema (SET LOCAL search_path) and,
// when lock is set, first waits for the schema's advisory lock, held until
// tx ends.
func (p *pgState) enter(ctx context.Context, tx *sql.Tx, lock bool) error {
	path := `"` + p.schema + `"` // checkSchema: nothing to escape
	if lock {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1), set_config('search_path', $2, true)`, p.lockKey, path)
		return err
	}
	_, err := tx.ExecContext(ctx, `SELECT set_config('search_path', $1, true)`, path)
	return err
}

// pgMigrations are the schema versions on PostgreSQL, in order; the
// table sandbox_migrations in the schema records those applied. Append,
// never edit. Version 1 is the schema SQLite reaches with its fourth
// migration. Times are unix microseconds, UTC (BIGINT); texts that are
// keys or ordered by collate as "C", bytewise like SQLite's; rowid is the
// identity SQLite gives every row, for ROIDs.
var pgMigrations = []string{
	// 1: domains and their statuses, contacts and name servers; contacts;
	// hosts; poll messages; outage windows; the command log and the
	// svTRID counter.
	`
CREATE TABLE contacts (
	id          TEXT COLLATE "C" PRIMARY KEY,
	rowid       BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	sponsor     TEXT NOT NULL,
	postal_info TEXT NOT NULL, -- []PostalInfo as JSON
	voice       TEXT NOT NULL,
	fax         TEXT NOT NULL,
	email       TEXT NOT NULL,
	auth_info   TEXT NOT NULL,
	created_at  BIGINT NOT NULL,
	unspec      TEXT NOT NULL DEFAULT ''
);

CREATE TABLE domains (
	name          TEXT COLLATE "C" PRIMARY KEY,
	rowid         BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
	sponsor       TEXT NOT NULL,
	auth_info     TEXT NOT NULL,
	registrant    TEXT NOT NULL, -- unused: SQLite's version 1 kept contact data here
	contacts      TEXT NOT NULL, -- unused, as registrant
	created_at    BIGINT NOT NULL,
	expires_at    BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL,
	pending_until BIGINT,        -- set while pendingCreate: when it is approved
	create_cltrid TEXT NOT NULL,
	create_svtrid TEXT NOT NULL,
	registrant_id TEXT REFERENCES contacts (id)
);

CREATE INDEX domains_pending ON domains (pending_until) WHERE pending_until IS NOT NULL;
CREATE INDEX domains_registrant ON domains (registrant_id) WHERE registrant_id IS NOT NULL;

CREATE TABLE domain_statuses (
	domain TEXT COLLATE "C" NOT NULL REFERENCES domains (name),
	status TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (domain, status)
);

CREATE TABLE hosts (
	name          TEXT COLLATE "C" PRIMARY KEY,
	sponsor       TEXT NOT NULL,
	superordinate TEXT COLLATE "C" REFERENCES domains (name), -- NULL: an external host
	addrs         TEXT NOT NULL,                              -- []HostAddr as JSON
	created_at    BIGINT NOT NULL
);

CREATE INDEX hosts_superordinate ON hosts (superordinate) WHERE superordinate IS NOT NULL;

CREATE TABLE domain_contacts (
	domain  TEXT COLLATE "C" NOT NULL REFERENCES domains (name),
	type    TEXT COLLATE "C" NOT NULL, -- admin, billing or tech
	contact TEXT COLLATE "C" NOT NULL REFERENCES contacts (id),
	PRIMARY KEY (domain, type, contact)
);

CREATE INDEX domain_contacts_contact ON domain_contacts (contact);

CREATE TABLE domain_ns (
	domain TEXT COLLATE "C" NOT NULL REFERENCES domains (name),
	host   TEXT COLLATE "C" NOT NULL REFERENCES hosts (name),
	PRIMARY KEY (domain, host)
);

CREATE TABLE messages (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- never reused, so a stale ack cannot hit a newer message
	client_id  TEXT NOT NULL,
	domain     TEXT COLLATE "C" NOT NULL REFERENCES domains (name),
	success    INTEGER NOT NULL, -- 0 or 1, as on SQLite
	cltrid     TEXT NOT NULL,
	svtrid     TEXT NOT NULL,
	message    TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE INDEX messages_client ON messages (client_id, id);

CREATE TABLE outages (
	name       TEXT COLLATE "C" PRIMARY KEY,
	first_seen BIGINT NOT NULL
);

CREATE TABLE log (
	seq        BIGINT PRIMARY KEY,
	time       BIGINT NOT NULL,
	client_id  TEXT NOT NULL,
	domain     TEXT NOT NULL,
	command    TEXT NOT NULL,
	result     TEXT NOT NULL,
	cltrid     TEXT NOT NULL,
	svtrid     TEXT NOT NULL UNIQUE,
	extensions TEXT NOT NULL DEFAULT ''
);

CREATE INDEX log_time ON log (time);

CREATE TABLE counters (
	name  TEXT COLLATE "C" PRIMARY KEY,
	value BIGINT NOT NULL
);

INSERT INTO counters (name, value) VALUES ('svtrid', 0);
`,
	// 2: domain transfers and the transfer data of poll messages (SQLite's
	// version 5).
	`
CREATE TABLE transfers (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	domain       TEXT COLLATE "C" NOT NULL REFERENCES domains (name),
	status       TEXT NOT NULL,   -- trStatus
	requester    TEXT NOT NULL,   -- reID: the gaining registrar
	sponsor      TEXT NOT NULL,   -- acID: the losing registrar
	requested_at BIGINT NOT NULL, -- reDate
	act_by       BIGINT NOT NULL, -- acDate: the deadline while pending, then when it was settled
	years        INTEGER NOT NULL,
	expires_at   BIGINT NOT NULL, -- exDate once transferred
	cltrid       TEXT NOT NULL,
	svtrid       TEXT NOT NULL
);

CREATE INDEX transfers_domain ON transfers (domain, id);
CREATE INDEX transfers_pending ON transfers (act_by) WHERE status = 'pending';

ALTER TABLE messages ADD COLUMN transfer_id BIGINT REFERENCES transfers (id);
ALTER TABLE messages ADD COLUMN tr_status TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN tr_date BIGINT NOT NULL DEFAULT 0;
`,
	// 3: a domain's life after its create (SQLite's version 6).
	`
ALTER TABLE domains ADD COLUMN rgp TEXT NOT NULL DEFAULT '';
ALTER TABLE domains ADD COLUMN rgp_until BIGINT;
ALTER TABLE domains ADD COLUMN deleted_at BIGINT;
ALTER TABLE domains ADD COLUMN renew_attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX domains_expires ON domains (expires_at) WHERE deleted_at IS NULL;
CREATE INDEX domains_rgp ON domains (rgp_until) WHERE rgp_until IS NOT NULL;
`,
	// 4: DS records, hosts' update time and ROID, the links to a host,
	// the default name servers (SQLite's version 7).
	`
CREATE TABLE domain_ds (
	domain      TEXT COLLATE "C" NOT NULL REFERENCES domains (name),
	key_tag     INTEGER NOT NULL,
	alg         INTEGER NOT NULL,
	digest_type INTEGER NOT NULL,
	digest      TEXT COLLATE "C" NOT NULL, -- hex, upper case
	PRIMARY KEY (domain, key_tag, alg, digest_type, digest)
);
ALTER TABLE hosts ADD COLUMN updated_at BIGINT;
ALTER TABLE hosts ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE;
CREATE INDEX domain_ns_host ON domain_ns (host);
` + seedDefaultNameservers,
}

// OpenPostgres opens the sandbox registry kept in schema (such as
// "sandbox_registry") of the PostgreSQL database db, creating the schema
// or migrating it as needed. db is a database/sql handle on pgx's stdlib
// driver (github.com/jackc/pgx/v5/stdlib); it stays the caller's, and
// Close leaves it open.
//
// Engines on the same database and schema, in one process or in several
// (the replicas of a registrar), are one registry: every command's
// transaction first takes an advisory lock of the schema, so commands run
// one at a time as on SQLite, and each sees what the previous one
// committed. Engines on different schemas are different registries.
// Opens that find the schema empty or behind migrate it once, under the
// same lock. Config.Synchronous is ignored: a commit is as durable as the
// server's settings (synchronous_commit, fsync) make it.
func OpenPostgres(db *sql.DB, schema string, cfg Config) (*Engine, error) {
	if err := checkSchema(schema); err != nil {
		return nil, err
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	pg := &pgState{schema: schema, lockKey: lockKeyOf(schema)}
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	from, err := pg.migrate(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("sandbox: open schema %s: %w", schema, err)
	}
	if from < len(pgMigrations) {
		cfg.Logger.Info("sandbox: migrated the registry's schema", "schema", schema, "from", from, "to", len(pgMigrations))
	}
	return newEngine(db, pg, cfg), nil
}

// migrate brings the schema up to date in one transaction under the
// schema's advisory lock, creating it if need be, and returns the version
// it found. It refuses a schema that has tables but no sandbox_migrations
// (something else's), or a newer version than this program's.
func (p *pgState) migrate(ctx context.Context, db *sql.DB) (int, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, p.lockKey); err != nil {
		return 0, err
	}
	version, err := p.version(ctx, tx)
	if err != nil {
		return 0, err
	}
	if version < 0 {
		if _, err := tx.ExecContext(ctx, `CREATE SCHEMA IF NOT EXISTS "`+p.schema+`"`); err != nil {
			return 0, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `
			SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`,
			p.schema).Scan(&n); err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, fmt.Errorf("not a sandbox registry schema (it has other tables)")
		}
	}
	if err := p.enter(ctx, tx, false); err != nil {
		return 0, err
	}
	if version < 0 {
		if _, err := tx.ExecContext(ctx, `
			CREATE TABLE sandbox_migrations (
				version    INTEGER PRIMARY KEY,
				applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
			)`); err != nil {
			return 0, err
		}
		version = 0
	}
	if version > len(pgMigrations) {
		return 0, fmt.Errorf("sandbox registry schema has version %d, newer than this program's %d", version, len(pgMigrations))
	}
	for i := version; i < len(pgMigrations); i++ {
		if _, err := tx.ExecContext(ctx, pgMigrations[i]); err != nil {
			return 0, fmt.Errorf("migration %d: %w", i+1, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sandbox_migrations (version) VALUES ($1)`, i+1); err != nil {
			return 0, err
		}
	}
	return version, tx.Commit()
}

// version returns the schema's version: the last migration recorded in
// its sandbox_migrations, or -1 when there is no such table.
func (p *pgState) version(ctx context.Context, q queryer) (int, error) {
	var version sql.NullInt64
	var found bool
	err := q.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, `"`+p.schema+`".sandbox_migrations`).Scan(&found)
	if err != nil || !found {
		return -1, err
	}
	if err := q.QueryRowContext(ctx, `SELECT max(version) FROM "`+p.schema+`".sandbox_migrations`).Scan(&version); err != nil {
		return 0, err
	}
	return int(version.Int64), nil
}

// ReadLogPostgres returns the command log of the sandbox registry kept in
// schema of the PostgreSQL database db (see OpenPostgres), in order. It
// works while engines have the schema open, and changes nothing.
func ReadLogPostgres(ctx context.Context, db *sql.DB, schema string) ([]LogEntry, error) {
	if err := checkSchema(schema); err != nil {
		return nil, err
	}
	pg := &pgState{schema: schema, lockKey: lockKeyOf(schema)}
	entries, err := pg.readLog(ctx, db, true)
	if err != nil {
		return nil, fmt.Errorf("sandbox: read log of schema %s: %w", schema, err)
	}
	return entries, nil
}

// readLog reads the log in a read-only transaction on the schema; check
// first makes sure the schema is a sandbox registry's.
func (p *pgState) readLog(ctx context.Context, db *sql.DB, check bool) ([]LogEntry, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	if check {
		version, err := p.version(ctx, tx)
		switch {
		case err != nil:
			return nil, err
		case version <= 0:
			return nil, fmt.Errorf("not a sandbox registry schema")
		case version > len(pgMigrations):
			return nil, fmt.Errorf("sandbox registry schema has version %d, newer than this program's %d", version, len(pgMigrations))
		}
	}
	if err := p.enter(ctx, tx, false); err != nil {
		return nil, err
	}
	return readLog(ctx, tx)
}
