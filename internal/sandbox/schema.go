package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
)

// applicationID marks a SQLite file as a sandbox registry ("ORSB").
const applicationID = 0x4f525342

// migrations are the schema versions, in order; PRAGMA user_version
// records how many have been applied. Append, never edit.
var migrations = []string{
	// 1: domains, their client statuses, poll messages, outage windows and
	// the command log. Times are unix microseconds, UTC.
	`
CREATE TABLE domains (
	name          TEXT PRIMARY KEY,
	sponsor       TEXT NOT NULL,
	auth_info     TEXT NOT NULL,
	registrant    TEXT NOT NULL, -- registrar.Contact as JSON
	contacts      TEXT NOT NULL, -- {"admin":…,"tech":…,"billing":…} as JSON
	created_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL,
	pending_until INTEGER,       -- set while pendingCreate: when it is approved
	create_cltrid TEXT NOT NULL,
	create_svtrid TEXT NOT NULL
) STRICT;

CREATE INDEX domains_pending ON domains (pending_until) WHERE pending_until IS NOT NULL;

CREATE TABLE domain_statuses (
	domain TEXT NOT NULL REFERENCES domains (name),
	status TEXT NOT NULL,
	PRIMARY KEY (domain, status)
) STRICT, WITHOUT ROWID;

CREATE TABLE messages (
	id         INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, so a stale ack cannot hit a newer message
	client_id  TEXT NOT NULL,
	domain     TEXT NOT NULL REFERENCES domains (name),
	success    INTEGER NOT NULL,
	cltrid     TEXT NOT NULL,
	svtrid     TEXT NOT NULL,
	message    TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX messages_client ON messages (client_id, id);

CREATE TABLE outages (
	name       TEXT PRIMARY KEY,
	first_seen INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE log (
	seq       INTEGER PRIMARY KEY,
	time      INTEGER NOT NULL,
	client_id TEXT NOT NULL,
	domain    TEXT NOT NULL,
	command   TEXT NOT NULL,
	result    TEXT NOT NULL,
	cltrid    TEXT NOT NULL,
	svtrid    TEXT NOT NULL UNIQUE
) STRICT;
`,
	// 2: contacts (RFC 5733) and hosts (RFC 5732), and the contacts and
	// name servers of domains created over EPP.
	`
CREATE TABLE contacts (
	id          TEXT PRIMARY KEY,
	sponsor     TEXT NOT NULL,
	postal_info TEXT NOT NULL, -- []PostalInfo as JSON
	voice       TEXT NOT NULL,
	fax         TEXT NOT NULL,
	email       TEXT NOT NULL,
	auth_info   TEXT NOT NULL,
	created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE hosts (
	name          TEXT PRIMARY KEY,
	sponsor       TEXT NOT NULL,
	superordinate TEXT REFERENCES domains (name), -- NULL: an external host
	addrs         TEXT NOT NULL,                  -- []HostAddr as JSON
	created_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX hosts_superordinate ON hosts (superordinate) WHERE superordinate IS NOT NULL;

-- The registrant's contact ID of a domain created over EPP; NULL for one
-- created in process (whose registrant is the JSON in registrant).
ALTER TABLE domains ADD COLUMN registrant_id TEXT REFERENCES contacts (id);

CREATE INDEX domains_registrant ON domains (registrant_id) WHERE registrant_id IS NOT NULL;

CREATE TABLE domain_contacts (
	domain  TEXT NOT NULL REFERENCES domains (name),
	type    TEXT NOT NULL, -- admin, billing or tech
	contact TEXT NOT NULL REFERENCES contacts (id),
	PRIMARY KEY (domain, type, contact)
) STRICT, WITHOUT ROWID;

CREATE INDEX domain_contacts_contact ON domain_contacts (contact);

CREATE TABLE domain_ns (
	domain TEXT NOT NULL REFERENCES domains (name),
	host   TEXT NOT NULL REFERENCES hosts (name),
	PRIMARY KEY (domain, host)
) STRICT, WITHOUT ROWID;
`,
	// 3: the NeuLevel extension's values of a contact (key=value pairs, as
	// received), and the command extensions accepted with each command.
	`
ALTER TABLE contacts ADD COLUMN unspec TEXT NOT NULL DEFAULT '';
ALTER TABLE log ADD COLUMN extensions TEXT NOT NULL DEFAULT '';
`,
	// 4: the server transaction ID's counter, apart from the log: empty
	// polls are not logged, and the retention deletes old entries, yet no
	// svTRID is given twice. The log is pruned by time.
	`
CREATE TABLE counters (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO counters (name, value) SELECT 'svtrid', coalesce(max(seq), 0) FROM log;
CREATE INDEX log_time ON log (time);
`,
	// 5: domain transfers (RFC 5731 section 3.2.4) and the transfer data
	// of poll messages about them.
	`
CREATE TABLE transfers (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	domain       TEXT NOT NULL REFERENCES domains (name),
	status       TEXT NOT NULL,    -- trStatus
	requester    TEXT NOT NULL,    -- reID: the gaining registrar
	sponsor      TEXT NOT NULL,    -- acID: the losing registrar
	requested_at INTEGER NOT NULL, -- reDate
	act_by       INTEGER NOT NULL, -- acDate: the deadline while pending, then when it was settled
	years        INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL, -- exDate once transferred
	cltrid       TEXT NOT NULL,
	svtrid       TEXT NOT NULL
) STRICT;

CREATE INDEX transfers_domain ON transfers (domain, id);
CREATE INDEX transfers_pending ON transfers (act_by) WHERE status = 'pending';

ALTER TABLE messages ADD COLUMN transfer_id INTEGER REFERENCES transfers (id);
ALTER TABLE messages ADD COLUMN tr_status TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN tr_date INTEGER NOT NULL DEFAULT 0;
`,
	// 6: a domain's life after its create (lifecycle.go): the RGP status
	// kept and when it ends, when the domain was deleted (redemption), and
	// the renew count of renewflaky- names.
	`
ALTER TABLE domains ADD COLUMN rgp TEXT NOT NULL DEFAULT '';
ALTER TABLE domains ADD COLUMN rgp_until INTEGER;
ALTER TABLE domains ADD COLUMN deleted_at INTEGER;
ALTER TABLE domains ADD COLUMN renew_attempts INTEGER NOT NULL DEFAULT 0;
CREATE INDEX domains_expires ON domains (expires_at) WHERE deleted_at IS NULL;
CREATE INDEX domains_rgp ON domains (rgp_until) WHERE rgp_until IS NOT NULL;
`,
	// 7: DS records (RFC 5910, secDNS-1.1 dsData) of domains, when a host
	// was last updated, the links to a host (linked status, 2305 on
	// delete), and the sandbox's default name servers (dns.go).
	`
CREATE TABLE domain_ds (
	domain      TEXT NOT NULL REFERENCES domains (name),
	key_tag     INTEGER NOT NULL,
	alg         INTEGER NOT NULL,
	digest_type INTEGER NOT NULL,
	digest      TEXT NOT NULL, -- hex, upper case
	PRIMARY KEY (domain, key_tag, alg, digest_type, digest)
) STRICT, WITHOUT ROWID;
ALTER TABLE hosts ADD COLUMN updated_at INTEGER;
CREATE INDEX domain_ns_host ON domain_ns (host);
` + seedDefaultNameservers,
}

// seedDefaultNameservers creates the default name servers as external
// hosts of the registry (DefaultNameservers), on both backends.
const seedDefaultNameservers = `
INSERT INTO hosts (name, sponsor, superordinate, addrs, created_at) VALUES
	('ns1.sandbox.openregistrar.test', 'sandbox-registry', NULL, '[]', 1767225600000000),
	('ns2.sandbox.openregistrar.test', 'sandbox-registry', NULL, '[]', 1767225600000000)
ON CONFLICT DO NOTHING;
`

// fileDSN returns the modernc.org/sqlite DSN of the file at path as a
// SQLite URI with the given query.
func fileDSN(path, query string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	u := url.URL{Path: filepath.ToSlash(abs)}
	return "file:" + u.EscapedPath() + "?" + query, nil
}

// migrate brings the schema of db up to date, in one transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	version, err := checkFile(ctx, tx)
	if err != nil {
		return err
	}
	if version == 0 {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("not a sandbox registry database (it has other tables)")
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, applicationID)); err != nil {
			return err
		}
	}
	for i := version; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return fmt.Errorf("migration %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, len(migrations))); err != nil {
		return err
	}
	return tx.Commit()
}

// queryer is what checkFile needs: a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// checkFile returns the schema version of a sandbox file, or an error when
// the file belongs to something else or to a newer version of the sandbox.
func checkFile(ctx context.Context, q queryer) (int, error) {
	var app, version int
	if err := q.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&app); err != nil {
		return 0, err
	}
	if err := q.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return 0, err
	}
	switch {
	case app == 0 && version == 0:
		return 0, nil
	case app != applicationID:
		return 0, fmt.Errorf("not a sandbox registry database (application_id %#x)", app)
	case version > len(migrations):
		return 0, fmt.Errorf("sandbox registry database has schema version %d, newer than this program's %d", version, len(migrations))
	}
	return version, nil
}
