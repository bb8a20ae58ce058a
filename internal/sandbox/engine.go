package sandbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sqlitecache"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// DefaultDelay is the scenario delay when Config.Delay is zero.
const DefaultDelay = 3 * time.Second

// OtherRegistrar is the client ID of the registrar that sponsors every
// taken- name.
const OtherRegistrar = "otherregistrar"

// maxYears is the longest registration term, at create and after a renew.
const maxYears = 10

// txTimeout bounds one command's transaction, including the wait for the
// writer connection (SQLite) or the schema's advisory lock (PostgreSQL). Commands do not stop on the caller's cancellation
// once they have been sent, as with a real registry; this keeps a stuck
// database from holding them forever.
const txTimeout = 30 * time.Second

// Config configures an Engine.
type Config struct {
	// Delay is the scenario delay (--sandbox-delay): how long slow- creates
	// take to answer, pending- creates stay pending and outage- names stay
	// unreachable. Zero means DefaultDelay.
	Delay time.Duration
	// TransferDelay is how long a transfer request of an xfer- name (or
	// one of ours that OtherRegistrar requested) waits for the losing
	// registrar before the registry approves it (serverApproved),
	// standing for the 5 days of ICANN's transfer policy. Zero means
	// DefaultTransferDelay.
	TransferDelay time.Duration
	// Clock tells the time of commands and of scenario deadlines. Nil means
	// registrar.SystemClock{}.
	Clock registrar.Clock
	// Logger receives a debug record per command and errors. Nil discards.
	Logger *slog.Logger
	// Prices gives the standard yearly price of names under an extension
	// (the name without its first label: "com" for example.com), as a
	// currency code and a decimal string ("USD", "10.00"); ok false means
	// the registry sells no names there. Premium names (first label
	// starting with premium-) cost PremiumFactor times the standard price.
	// Nil means "10.00" USD for every extension.
	Prices func(ext string) (currency, standard string, ok bool)
	// LogRetention is how long the command log keeps an entry
	// (--sandbox-log-retention); older entries are deleted as commands
	// come, at most once per pruneEvery. Zero means DefaultLogRetention.
	LogRetention time.Duration
	// Synchronous is SQLite's synchronous setting: "full" (the default,
	// when empty: every answered command is on stable storage first) or
	// "normal" (faster; an OS crash or power loss can undo the last
	// commands the registry already answered). OpenPostgres ignores it: a
	// PostgreSQL commit is as durable as the server's settings make it.
	Synchronous string

	// ExpiryModel is what the registry does at a domain's expiry
	// (lifecycle.go): renew it for a year (registrar.ExpiryAutoRenew, the
	// default) or delete it at the end of AutoRenewGrace
	// (registrar.ExpiryDelete).
	ExpiryModel registrar.ExpiryModel
	// The RGP periods (RFC 3915); zero means the Default* constant of
	// lifecycle.go. AddGrace: a delete this soon after the create purges
	// the domain at once [5 days]. AutoRenewGrace: how long after an
	// expiry autoRenewPeriod shows (autorenew model), or when the registry
	// deletes (delete model) [45 days]. Redemption: how long a deleted
	// domain can be restored [30 days]. PendingDelete: from the end of
	// redemption to the purge [5 days]. PendingRestore: how long a restore
	// request waits for its report [7 days].
	AddGrace, AutoRenewGrace, Redemption, PendingDelete, PendingRestore time.Duration
}

// DefaultLogRetention is the log retention when Config.LogRetention is
// zero.
const DefaultLogRetention = 30 * 24 * time.Hour

// pruneEvery is how often at most a command deletes the log entries past
// the retention.
const pruneEvery = time.Hour

// Engine is the sandbox registry: its state, its rules and its command
// log, kept in one SQLite file (Open) or in one schema of a PostgreSQL
// database (OpenPostgres), which the engines of several processes may
// share. Its commands take the client ID of the registrar issuing them
// (the sponsor of what they create) and a client transaction ID. It is
// safe for concurrent use, also with other processes reading the file
// (ReadLog) or sharing the schema.
type Engine struct {
	db     *sql.DB
	pg     *pgState // nil on SQLite
	delay  time.Duration
	xdelay time.Duration // TransferDelay
	clock  registrar.Clock
	logger *slog.Logger
	prices func(ext string) (currency, standard string, ok bool)
	keep   time.Duration // LogRetention
	life   periods

	pruneMu   sync.Mutex
	nextPrune time.Time // when a command next prunes the log

	closeOnce sync.Once
	closed    chan struct{}
}

// withDefaults checks cfg and fills in its defaults, for either backend.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Delay < 0 {
		return cfg, fmt.Errorf("sandbox: negative delay %v", cfg.Delay)
	}
	if cfg.Delay == 0 {
		cfg.Delay = DefaultDelay
	}
	if cfg.TransferDelay < 0 {
		return cfg, fmt.Errorf("sandbox: negative transfer delay %v", cfg.TransferDelay)
	}
	if cfg.TransferDelay == 0 {
		cfg.TransferDelay = DefaultTransferDelay
	}
	if cfg.Clock == nil {
		cfg.Clock = registrar.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Prices == nil {
		cfg.Prices = DefaultPrices
	}
	if cfg.LogRetention < 0 {
		return cfg, fmt.Errorf("sandbox: negative log retention %v", cfg.LogRetention)
	}
	if cfg.LogRetention == 0 {
		cfg.LogRetention = DefaultLogRetention
	}
	if err := cfg.lifecycleDefaults(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func newEngine(db *sql.DB, pg *pgState, cfg Config) *Engine {
	return &Engine{db: db, pg: pg, delay: cfg.Delay, xdelay: cfg.TransferDelay, clock: cfg.Clock, logger: cfg.Logger, prices: cfg.Prices, keep: cfg.LogRetention,
		life: periodsOf(cfg), closed: make(chan struct{})}
}

// Open opens the sandbox registry kept in the SQLite file at path,
// creating the file or migrating its schema as needed. The engine uses one
// connection, in WAL mode, with foreign keys enforced and every
// transaction taking the write lock when it begins.
func Open(path string, cfg Config) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	// synchronous=FULL by default: the registrar takes a registry's answer
	// as the record of what exists, so a create the registry answered must
	// survive an OS crash as the registrar's own acknowledgement does.
	syncMode := "FULL"
	switch cfg.Synchronous {
	case "", "full":
	case "normal":
		syncMode = "NORMAL"
	default:
		return nil, fmt.Errorf("sandbox: synchronous %q: want \"full\" or \"normal\"", cfg.Synchronous)
	}
	// Mode 0600: SQLite would create the file 0644, and gives its -wal and
	// -shm files the mode of the database file.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	dsn, err := fileDSN(path, "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous("+syncMode+")&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	db := sqlitecache.Open(dsn)
	// One writer connection: commands serialize here rather than on
	// SQLITE_BUSY, and the connection (with its pragmas) is never closed.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	return newEngine(db, nil, cfg), nil
}

// Close closes the engine: the SQLite database, or nothing on PostgreSQL,
// whose *sql.DB belongs to the caller. Commands sent after Close fail with
// 2400 on both. Creates waiting out a slow- delay return 2400 at once;
// their effect is already committed.
func (e *Engine) Close() error {
	e.closeOnce.Do(func() { close(e.closed) })
	if e.pg != nil {
		return nil
	}
	return e.db.Close()
}

// begin starts a command's write transaction. On SQLite it holds the
// write lock from the start (_txlock=immediate). On PostgreSQL its first
// statement waits for the schema's advisory lock, held to the end of the
// transaction, so that commands from every engine on the schema run one
// at a time as they do on SQLite, and points search_path at the schema.
// Read committed (whatever the handle's default): every later statement
// sees what the previous holder of the lock committed.
func (e *Engine) begin(ctx context.Context) (*txn, error) {
	if e.pg == nil {
		tx, err := e.db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		return &txn{tx: tx}, nil
	}
	tx, err := e.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return nil, err
	}
	if err := e.pg.enter(ctx, tx, true); err != nil {
		tx.Rollback()
		return nil, err
	}
	return &txn{tx: tx, pg: true}, nil
}

// Delay returns the scenario delay.
func (e *Engine) Delay() time.Duration { return e.delay }

// now returns the clock's time in UTC at the precision stored.
func (e *Engine) now() time.Time {
	return time.UnixMicro(e.clock.Now().UnixMicro()).UTC()
}

// command describes one command for exec.
type command struct {
	name     string // "create": the log's command name
	clientID string
	clTRID   string
	// names are the (normalized) domain names the command mentions: they
	// decide the outage window and which taken- names must exist.
	names []string
	// domain is recorded in the log; fn may set it.
	domain string
	// svTRID is the command's server transaction ID, set before fn runs.
	svTRID string
	// extensions are the command extensions fn accepted, for the log.
	extensions string
	// keep, when fn sets it, writes what stays even when fn fails (a
	// scenario's counter); it runs after fn's savepoint.
	keep func(ctx context.Context, tx *txn) error
}

// execFunc is the body of a command: it returns the success code, or an
// *Error from fail.
type execFunc func(ctx context.Context, tx *txn, now time.Time) (int, error)

// exec runs one command in one write transaction: it applies the outage
// window of c.names (a command refused by it is not logged), materializes
// due pending creates and taken- names, runs fn, and appends the command
// to the log. fn returns the success code, or an *Error from fail, in
// which case whatever fn wrote is rolled back but the command is still
// logged; any other error fails the whole transaction (2400). Every error
// exec returns is an *Error.
func (e *Engine) exec(ctx context.Context, c *command, fn execFunc) (Response, error) {
	if c.clientID == "" {
		return Response{}, commandFailed("%s: no client ID", c.name)
	}
	if err := ctx.Err(); err != nil {
		// Never sent.
		return Response{}, commandFailed("%s not sent: %w", c.name, err)
	}
	select {
	case <-e.closed:
		return Response{}, commandFailed("%s not sent: the engine is closed", c.name)
	default:
	}
	// Once sent, a command runs to its end whatever happens to the caller.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), txTimeout)
	defer cancel()

	tx, err := e.begin(ctx)
	if err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	defer tx.tx.Rollback()
	now := e.now()

	wait, err := e.outage(ctx, tx, now, c.names)
	if err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	if wait > 0 {
		if err := tx.tx.Commit(); err != nil {
			return Response{}, e.failed(ctx, c, err)
		}
		e.logger.LogAttrs(ctx, slog.LevelDebug, "sandbox outage: command dropped",
			slog.String("client_id", c.clientID), slog.String("command", c.name), slog.String("domain", c.domain),
			slog.Duration("remaining", wait))
		return Response{}, commandFailed("%s not sent: registry unreachable for %s for another %v", c.name, c.domain, wait)
	}

	var seq int64
	if err := tx.QueryRowContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'svtrid' RETURNING value`).Scan(&seq); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	c.svTRID = "SANDBOX-" + strconv.FormatInt(seq, 10)
	if err := e.settle(ctx, tx, now); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	if err := e.settleTransfers(ctx, tx, now); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	if err := e.settleLife(ctx, tx, now); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	if err := seedTaken(ctx, tx, now, c.names); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	if err := seedXfer(ctx, tx, now, c.names); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}

	if _, err := tx.ExecContext(ctx, `SAVEPOINT command`); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	code, err := fn(ctx, tx, now)
	var ee *Error
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.Code
		if _, err := tx.ExecContext(ctx, `ROLLBACK TO command`); err != nil {
			return Response{}, e.failed(ctx, c, err)
		}
	default:
		return Response{}, e.failed(ctx, c, err)
	}
	if _, err := tx.ExecContext(ctx, `RELEASE command`); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	if c.keep != nil {
		if err := c.keep(ctx, tx); err != nil {
			return Response{}, e.failed(ctx, c, err)
		}
	}

	resp := Response{Code: code, ClientTRID: c.clTRID, ServerTRID: c.svTRID}
	if ee != nil {
		resp.Message = resultMessage(code, ee.Reason)
	} else {
		resp.Message = resultMessage(code, "")
	}
	// An empty poll changes nothing: a registrar polling an idle registry
	// would fill the log with them (43,200 a day at one every 2 s).
	if emptyPoll := c.name == "poll" && code == CodeNoMessages; !emptyPoll {
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO log (seq, time, client_id, domain, command, result, cltrid, svtrid, extensions)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			seq, now.UnixMicro(), c.clientID, c.domain, c.name, resp.Result(), c.clTRID, c.svTRID, c.extensions); err != nil {
			return Response{}, e.failed(ctx, c, err)
		}
	}
	if err := e.prune(ctx, tx, now); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	if err := tx.tx.Commit(); err != nil {
		return Response{}, e.failed(ctx, c, err)
	}
	e.logger.LogAttrs(ctx, slog.LevelDebug, "sandbox command",
		slog.Int64("seq", seq), slog.String("client_id", c.clientID), slog.String("command", c.name),
		slog.String("domain", c.domain), slog.String("result", resp.Result()),
		slog.String("cltrid", c.clTRID), slog.String("svtrid", c.svTRID))
	if ee != nil {
		return resp, ee
	}
	return resp, nil
}

// prune deletes the log entries older than the retention, within the
// command's transaction, when the last prune is pruneEvery old.
func (e *Engine) prune(ctx context.Context, tx *txn, now time.Time) error {
	e.pruneMu.Lock()
	defer e.pruneMu.Unlock()
	if now.Before(e.nextPrune) {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM log WHERE time < ?`, now.Add(-e.keep).UnixMicro()); err != nil {
		return err
	}
	// Set before the commit: a rolled-back prune waits for the next
	// hour, which the retention can afford.
	e.nextPrune = now.Add(pruneEvery)
	return nil
}

// failed reports a command that failed inside the engine (a database
// error): its outcome is unknown to the caller, so it is a 2400.
func (e *Engine) failed(ctx context.Context, c *command, err error) error {
	e.logger.LogAttrs(ctx, slog.LevelError, "sandbox command failed", slog.String("command", c.name), slog.Any("error", err))
	return commandFailed("%s: %w", c.name, err)
}

// outage records the first sighting of outage- names and returns how long
// the registry remains unreachable for them (zero: reachable).
func (e *Engine) outage(ctx context.Context, tx *txn, now time.Time, names []string) (time.Duration, error) {
	var wait time.Duration
	for _, name := range names {
		if scenarioOf(name) != scenarioOutage {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outages (name, first_seen) VALUES (?, ?) ON CONFLICT DO NOTHING`,
			name, now.UnixMicro()); err != nil {
			return 0, err
		}
		var first int64
		if err := tx.QueryRowContext(ctx, `SELECT first_seen FROM outages WHERE name = ?`, name).Scan(&first); err != nil {
			return 0, err
		}
		if left := time.UnixMicro(first).Add(e.delay).Sub(now); left > wait {
			wait = left
		}
	}
	return wait, nil
}

// settle approves every pending create that is due: the domain becomes ok
// and its sponsor gets a poll message dated when it was due.
func (e *Engine) settle(ctx context.Context, tx *txn, now time.Time) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT name, sponsor, create_cltrid, create_svtrid, pending_until FROM domains
		WHERE pending_until IS NOT NULL AND pending_until <= ?
		ORDER BY pending_until, name`, now.UnixMicro())
	if err != nil {
		return err
	}
	type due struct {
		name, sponsor, cltrid, svtrid string
		at                            int64
	}
	var dues []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.name, &d.sponsor, &d.cltrid, &d.svtrid, &d.at); err != nil {
			rows.Close()
			return err
		}
		dues = append(dues, d)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, d := range dues {
		if _, err := tx.ExecContext(ctx, `UPDATE domains SET pending_until = NULL, updated_at = ? WHERE name = ?`, d.at, d.name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO messages (client_id, domain, success, cltrid, svtrid, message, created_at)
			VALUES (?, ?, 1, ?, ?, ?, ?)`,
			d.sponsor, d.name, d.cltrid, d.svtrid, "Pending create of "+d.name+" approved", d.at); err != nil {
			return err
		}
	}
	return nil
}

// seedTaken makes sure every valid taken- name among names exists,
// sponsored by OtherRegistrar since a year ago.
func seedTaken(ctx context.Context, tx *txn, now time.Time, names []string) error {
	for _, name := range names {
		if scenarioOf(name) != scenarioTaken || !validName(name) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO domains (name, sponsor, auth_info, registrant, contacts, created_at, expires_at, updated_at, create_cltrid, create_svtrid)
			VALUES (?, ?, ?, '{}', '{}', ?, ?, ?, '', '')
			ON CONFLICT DO NOTHING`,
			name, OtherRegistrar, rand.Text(),
			now.AddDate(-1, 0, 0).UnixMicro(), now.AddDate(1, 0, 0).UnixMicro(), now.UnixMicro()); err != nil {
			return err
		}
	}
	return nil
}

// domain is a row of the domains table.
type domain struct {
	name, sponsor, authInfo string
	createdAt, expiresAt    time.Time
	pending                 bool
	pendingTransfer         bool
	statuses                []string // client and server statuses, sorted
	rgp                     string   // the RGP status kept (lifecycle.go), or ""
	deletedAt               *time.Time
}

// loadDomain returns the domain called name, or a 2303 failure.
func loadDomain(ctx context.Context, tx *txn, name string) (*domain, error) {
	d := &domain{name: name}
	var created, expires int64
	var pending, deleted sql.NullInt64
	err := tx.QueryRowContext(ctx, `
		SELECT sponsor, auth_info, created_at, expires_at, pending_until,
			EXISTS (SELECT 1 FROM transfers WHERE domain = domains.name AND status = 'pending'), rgp, deleted_at
		FROM domains WHERE name = ?`, name).
		Scan(&d.sponsor, &d.authInfo, &created, &expires, &pending, &d.pendingTransfer, &d.rgp, &deleted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail(CodeObjectNotExists, "")
	}
	if err != nil {
		return nil, err
	}
	d.createdAt, d.expiresAt, d.pending = time.UnixMicro(created).UTC(), time.UnixMicro(expires).UTC(), pending.Valid
	if deleted.Valid {
		t := time.UnixMicro(deleted.Int64).UTC()
		d.deletedAt = &t
	}
	rows, err := tx.QueryContext(ctx, `SELECT status FROM domain_statuses WHERE domain = ? ORDER BY status`, name)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		d.statuses = append(d.statuses, s)
	}
	return d, rows.Err()
}

// eppStatuses returns the domain's statuses as EPP reports them:
// pendingCreate while pending, pendingTransfer while a transfer is
// pending and pendingDelete once deleted (RFC 3915: redemption,
// pendingRestore, pendingDelete), besides its client and server
// statuses, else ok (which RFC 5731 does not combine with any other
// status).
func (d *domain) eppStatuses() []string {
	s := append([]string(nil), d.statuses...)
	if d.deleted() {
		s = append([]string{"pendingDelete"}, s...)
	}
	if d.pending {
		s = append([]string{"pendingCreate"}, s...)
	}
	if d.pendingTransfer {
		s = append([]string{"pendingTransfer"}, s...)
	}
	if len(s) == 0 {
		s = []string{"ok"}
	}
	return s
}

func (d *domain) has(status string) bool {
	for _, s := range d.statuses {
		if s == status {
			return true
		}
	}
	return false
}

func exists(ctx context.Context, tx *txn, name string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM domains WHERE name = ?`, name).Scan(&n)
	return n > 0, err
}

func checkName(name string) error {
	if !validName(name) {
		return failf(CodeSyntaxError, "invalid domain name %q", name)
	}
	return nil
}

func checkYears(years int) error {
	if years < 1 || years > maxYears {
		return failf(CodeRangeError, "period must be 1 to %d years", maxYears)
	}
	return nil
}

// Check reports the availability of names in one command: "In use" or
// available. Prices and classes (premium-) are the fee check's (feeCheck).
func (e *Engine) Check(ctx context.Context, clientID, clTRID string, names []string) ([]registrar.Availability, Response, error) {
	norm := make([]string, len(names))
	for i, n := range names {
		norm[i] = normalizeName(n)
	}
	c := &command{name: "check", clientID: clientID, clTRID: clTRID, names: norm, domain: strings.Join(norm, ",")}
	var out []registrar.Availability
	resp, err := e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if len(norm) == 0 {
			return 0, fail(CodeMissingParam, "no names to check")
		}
		for _, n := range norm {
			if err := checkName(n); err != nil {
				return 0, err
			}
		}
		out = make([]registrar.Availability, 0, len(norm))
		for _, n := range norm {
			var deleted sql.NullInt64
			err := tx.QueryRowContext(ctx, `SELECT deleted_at FROM domains WHERE name = ?`, n).Scan(&deleted)
			taken := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return 0, err
			}
			if taken && deleted.Valid {
				out = append(out, registrar.Availability{Name: n, Reason: "pendingDelete"})
			} else if taken {
				out = append(out, registrar.Availability{Name: n, Reason: "In use"})
			} else {
				out = append(out, registrar.Availability{Name: n, Available: true})
			}
		}
		return CodeOK, nil
	})
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// create runs a domain create command: exec, then, for a slow- name that
// reached the registry, the wait for the answer. When ctx ends (or the
// engine closes) during the wait the error is a 2400 with the command's
// Response: the create has happened all the same.
func (e *Engine) create(ctx context.Context, c *command, fn execFunc) (Response, error) {
	resp, err := e.exec(ctx, c, fn)
	if scenarioOf(c.domain) == scenarioSlow && resp.Code != 0 {
		// The command reached the registry and its effect is committed;
		// only the answer is slow.
		t := time.NewTimer(e.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return resp, commandFailed("%s %s: no answer: %w", c.name, c.domain, ctx.Err())
		case <-e.closed:
			return resp, commandFailed("%s %s: no answer: the engine is closed", c.name, c.domain)
		}
	}
	return resp, err
}

// RenewDomain extends a registration by req.Years and returns the new
// expiry and the price; for a renewslow- name it answers a committed
// renew only after Delay. req.CurExpiry's date (UTC) must be the current
// expiry's date; only the sponsor may renew; the new expiry may be at most
// ten years away; the fee rules of RFC 8748 apply (see CreateDomain).
func (e *Engine) RenewDomain(ctx context.Context, clientID, clTRID string, req DomainRenew) (DomainRenewed, Response, error) {
	name, years := normalizeName(req.Name), req.Years
	c := &command{name: "renew", clientID: clientID, clTRID: clTRID, names: []string{name}, domain: name}
	var res DomainRenewed
	resp, err := e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkName(name); err != nil {
			return 0, err
		}
		if err := checkYears(years); err != nil {
			return 0, err
		}
		d, err := loadDomain(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		switch {
		case d.sponsor != clientID:
			return 0, fail(CodeAuthorization, "")
		case d.pending:
			return 0, fail(CodeStatusProhibits, "pendingCreate")
		case d.deleted():
			return 0, fail(CodeStatusProhibits, "pendingDelete "+d.rgp)
		case d.has("clientRenewProhibited"):
			return 0, fail(CodeStatusProhibits, "clientRenewProhibited")
		case d.has("serverRenewProhibited"):
			return 0, fail(CodeStatusProhibits, "serverRenewProhibited")
		}
		if err := renewScenario(ctx, tx, c, name); err != nil {
			return 0, err
		}
		switch {
		case req.CurExpiry.UTC().Format(time.DateOnly) != d.expiresAt.Format(time.DateOnly):
			return 0, fail(CodePolicyError, "curExpDate does not match")
		}
		expiry := d.expiresAt.AddDate(years, 0, 0)
		if expiry.After(now.AddDate(maxYears, 0, 0)) {
			return 0, failf(CodePolicyError, "registration period may not exceed %d years", maxYears)
		}
		price, err := e.checkFee(name, "renew", years, req.Fee)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE domains SET expires_at = ?, updated_at = ? WHERE name = ?`,
			expiry.UnixMicro(), now.UnixMicro(), name); err != nil {
			return 0, err
		}
		res = DomainRenewed{ExpiresAt: expiry, Price: price}
		return CodeOK, nil
	})
	if err != nil {
		return DomainRenewed{}, resp, err
	}
	if scenarioOf(name) == scenarioRenewSlow {
		// The renew is committed; only the answer is slow, as for a
		// slow- create (see create).
		t := time.NewTimer(e.delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return DomainRenewed{}, resp, commandFailed("%s %s: no answer: %w", c.name, name, ctx.Err())
		case <-e.closed:
			return DomainRenewed{}, resp, commandFailed("%s %s: no answer: the engine is closed", c.name, name)
		}
	}
	return res, resp, nil
}

// Update adds and removes client statuses and, when req.AuthInfo is set,
// replaces the domain's auth code (so that transfers take the new one and
// refuse the old). Only the sponsor may update;
// while clientUpdateProhibited is set, only an update removing it is
// accepted. Adding a status already set, or removing one not set, is not
// an error, so a repeated update succeeds. The name server and DS record
// changes of req apply as UpdateDomain's; req.Registrant is refused
// (2102): a registrant changes by contact ID (UpdateDomain).
func (e *Engine) Update(ctx context.Context, clientID, clTRID string, req registrar.DomainUpdate) (Response, error) {
	return e.UpdateDomain(ctx, clientID, clTRID, DomainChange{DomainUpdate: req})
}

// UpdateDomain is a domain update over EPP: Update's status and auth code
// changes, name servers added and removed, DS records removed (all, or
// those listed) then added (changeDNS has the rules), and a new
// registrant by contact ID, sponsored by clientID (2303 or 2201
// otherwise). Removing a name server or DS record the domain does not
// have is not an error. The whole update applies, or nothing.
func (e *Engine) UpdateDomain(ctx context.Context, clientID, clTRID string, ch DomainChange) (Response, error) {
	req := ch.DomainUpdate
	name := normalizeName(req.Name)
	c := &command{name: "update", clientID: clientID, clTRID: clTRID, names: []string{name}, domain: name}
	return e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkName(name); err != nil {
			return 0, err
		}
		add := make(map[string]bool)
		for _, list := range [][]string{req.AddStatuses, req.RemoveStatuses} {
			for _, s := range list {
				if serverStatuses[s] {
					return 0, failf(CodePolicyError, "status %s cannot be set by a client", s)
				}
				if !clientStatuses[s] {
					return 0, failf(CodeSyntaxError, "unknown status %q", s)
				}
			}
		}
		for _, s := range req.AddStatuses {
			add[s] = true
		}
		removesUpdateProhibited := false
		for _, s := range req.RemoveStatuses {
			if add[s] {
				return 0, failf(CodePolicyError, "status %s both added and removed", s)
			}
			removesUpdateProhibited = removesUpdateProhibited || s == "clientUpdateProhibited"
		}
		d, err := loadDomain(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		switch {
		case d.sponsor != clientID:
			return 0, fail(CodeAuthorization, "")
		case d.pending:
			return 0, fail(CodeStatusProhibits, "pendingCreate")
		case d.deleted():
			return 0, fail(CodeStatusProhibits, "pendingDelete")
		case d.has("serverUpdateProhibited"):
			return 0, fail(CodeStatusProhibits, "serverUpdateProhibited")
		case d.has("clientUpdateProhibited") && !removesUpdateProhibited:
			return 0, fail(CodeStatusProhibits, "clientUpdateProhibited")
		}
		if req.Registrant != nil {
			return 0, fail(epp.CodeUnimplementedOption, "the registrant changes by contact ID")
		}
		if ch.RegistrantID != "" {
			if !validID(ch.RegistrantID) {
				return 0, failf(CodeSyntaxError, "invalid registrant ID")
			}
			if err := checkContactRef(ctx, tx, clientID, ch.RegistrantID); err != nil {
				return 0, err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE domains SET registrant_id = ? WHERE name = ?`, ch.RegistrantID, name); err != nil {
				return 0, err
			}
		}
		if err := changeDNS(ctx, tx, name, req); err != nil {
			return 0, err
		}
		for _, s := range req.RemoveStatuses {
			if _, err := tx.ExecContext(ctx, `DELETE FROM domain_statuses WHERE domain = ? AND status = ?`, name, s); err != nil {
				return 0, err
			}
		}
		for _, s := range req.AddStatuses {
			if _, err := tx.ExecContext(ctx, `INSERT INTO domain_statuses (domain, status) VALUES (?, ?) ON CONFLICT DO NOTHING`, name, s); err != nil {
				return 0, err
			}
		}
		if req.AuthInfo != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE domains SET auth_info = ? WHERE name = ?`, req.AuthInfo, name); err != nil {
				return 0, err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE domains SET updated_at = ? WHERE name = ?`, now.UnixMicro(), name); err != nil {
			return 0, err
		}
		return CodeOK, nil
	})
}

// PollQueue returns clientID's oldest unacknowledged message (1301) with
// what EPP needs besides: the svTRID of the command it reports on and the
// queue's length; nil when there is none (1300). Pending creates that are
// due are approved first, in the same transaction.
func (e *Engine) PollQueue(ctx context.Context, clientID, clTRID string) (*QueuedMessage, Response, error) {
	c := &command{name: "poll", clientID: clientID, clTRID: clTRID}
	var msg *QueuedMessage
	resp, err := e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		var m QueuedMessage
		var id, at, trDate int64
		var transferID sql.NullInt64
		var trStatus string
		err := tx.QueryRowContext(ctx, `
			SELECT id, domain, success, cltrid, svtrid, message, created_at, transfer_id, tr_status, tr_date FROM messages
			WHERE client_id = ? ORDER BY id LIMIT 1`, clientID).
			Scan(&id, &m.Domain, &m.Success, &m.TransactionID, &m.ServerTRID, &m.Message, &at, &transferID, &trStatus, &trDate)
		if errors.Is(err, sql.ErrNoRows) {
			return CodeNoMessages, nil
		}
		if err != nil {
			return 0, err
		}
		if m.Count, err = queueLength(ctx, tx, clientID); err != nil {
			return 0, err
		}
		m.ID, m.Date = strconv.FormatInt(id, 10), time.UnixMicro(at).UTC()
		if transferID.Valid {
			t, err := loadTransfer(ctx, tx, `id = ?`, transferID.Int64)
			if err != nil {
				return 0, err
			}
			// The message tells the transfer as it was when queued.
			t.Status, t.ActBy = trStatus, time.UnixMicro(trDate).UTC()
			m.Transfer = &t.TransferResult
		}
		msg, c.domain = &m, m.Domain
		return CodeAckToDequeue, nil
	})
	if err != nil {
		return nil, resp, err
	}
	return msg, resp, nil
}

// AckQueue removes clientID's message id from its queue and returns the
// number of messages left; an id that is not in the queue (unknown,
// acknowledged already, or another client's) is 2303.
func (e *Engine) AckQueue(ctx context.Context, clientID, clTRID, id string) (int, Response, error) {
	c := &command{name: "ack", clientID: clientID, clTRID: clTRID}
	var left int
	resp, err := e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return 0, failf(CodeObjectNotExists, "no message %q", id)
		}
		err = tx.QueryRowContext(ctx, `DELETE FROM messages WHERE id = ? AND client_id = ? RETURNING domain`, n, clientID).Scan(&c.domain)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, failf(CodeObjectNotExists, "no message %q", id)
		}
		if err != nil {
			return 0, err
		}
		if left, err = queueLength(ctx, tx, clientID); err != nil {
			return 0, err
		}
		return CodeOK, nil
	})
	if err != nil {
		return 0, resp, err
	}
	return left, resp, nil
}
