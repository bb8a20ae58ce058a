// Package store is the database adapter: the registrar's state in SQLite
// (embedded, the default) or PostgreSQL (several replicas on one database),
// behind one set of handwritten, parameterised queries.
//
// SQL text is shared by both databases ($N placeholders, ON CONFLICT,
// RETURNING, row values); the differences live in dialect.go and in the
// per-dialect migration files. Times are stored as unix microseconds.
//
// On SQLite there is exactly one write connection, shared with the job
// engine, and a separate read-only pool for API reads, so that reads never
// queue behind writes.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sqlitecache"
)

// Config says which database to open.
type Config struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://. Otherwise SQLitePath is used.
	DatabaseURL string
	// SQLitePath is the SQLite database file.
	SQLitePath string
	// ReadConns bounds the SQLite read pool; 0 means 2×GOMAXPROCS.
	ReadConns int
	Logger    *slog.Logger
	// ReadOnly opens the database for reading only (CLI listings).
	ReadOnly bool
	// Synchronous is SQLite's synchronous setting for the writer:
	// SynchronousFull (the default, when empty) or SynchronousNormal.
	Synchronous string
	// StatusReads, when set, is told whether each status read was served
	// by the status cache (metrics). It must not block.
	StatusReads func(hit bool)
}

// SQLite synchronous settings (Config.Synchronous, --sqlite-synchronous).
const (
	// SynchronousFull syncs the write-ahead log to stable storage at every
	// commit: what the API acknowledged survives an OS crash or a power
	// loss, not only a killed process.
	SynchronousFull = "full"
	// SynchronousNormal syncs only at checkpoints: faster, and a commit
	// survives the process being killed, but an OS crash or power loss
	// can undo the last commits, registrations already answered 201/202
	// among them.
	SynchronousNormal = "normal"
	// SynchronousDefault is Config.Synchronous when empty.
	SynchronousDefault = SynchronousFull
)

// ValidSynchronous reports whether s is a synchronous setting Open takes
// ("" meaning the default).
func ValidSynchronous(s string) bool {
	return s == "" || s == SynchronousFull || s == SynchronousNormal
}

// IsPostgresURL reports whether u names a PostgreSQL database.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// DB is an open registrar database.
type DB struct {
	dialect dialect
	log     *slog.Logger

	// SQLite: one writer connection (shared with River) and a read pool.
	sqlWrite *sql.DB
	sqlRead  *sql.DB
	// PostgreSQL: one pool for everything.
	pool *pgxpool.Pool

	write querier
	read  querier

	broker   *Broker
	statuses *statusCache
	tokens   *tokenCache
	// statusReads is Config.StatusReads, or a no-op.
	statusReads func(hit bool)
}

// Open opens (but does not migrate) the database described by cfg.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &DB{log: cfg.Logger, broker: NewBroker(), statusReads: cfg.StatusReads}
	if db.statusReads == nil {
		db.statusReads = func(bool) {}
	}
	if db.log == nil {
		db.log = slog.New(slog.DiscardHandler)
	}
	if IsPostgresURL(cfg.DatabaseURL) {
		pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
		if err != nil {
			return nil, fmt.Errorf("store: parse database URL: %w", err)
		}
		pool, err := pgxpool.NewWithConfig(ctx, pcfg)
		if err != nil {
			return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: connect to PostgreSQL: %w", err)
		}
		db.dialect = postgres
		db.pool = pool
		db.statuses = newStatusCache(false) // on once Listen connects
		db.tokens = newTokenCache(false)
		db.write = pgxQuerier{pool}
		db.read = pgxQuerier{pool}
		return db, nil
	}
	if cfg.SQLitePath == "" {
		return nil, errors.New("store: no database: set a PostgreSQL URL or a SQLite path")
	}
	if !ValidSynchronous(cfg.Synchronous) {
		return nil, fmt.Errorf("store: synchronous %q: want %q or %q", cfg.Synchronous, SynchronousFull, SynchronousNormal)
	}
	syncMode := cfg.Synchronous
	if syncMode == "" {
		syncMode = SynchronousDefault
	}
	db.dialect = sqlite
	db.statuses = newStatusCache(true)
	db.tokens = newTokenCache(true)
	mode := "rwc"
	if cfg.ReadOnly {
		mode = "ro"
	}
	if !cfg.ReadOnly {
		if err := createPrivate(cfg.SQLitePath); err != nil {
			return nil, fmt.Errorf("store: open %s: %w", cfg.SQLitePath, err)
		}
	}
	// Connections keep their prepared statements (sqlitecache): River's,
	// ours and the API's queries are parsed once per connection.
	w := sqlitecache.Open(sqliteDSN(cfg.SQLitePath, mode, syncMode))
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", cfg.SQLitePath, err)
	}
	r := sqlitecache.Open(sqliteDSN(cfg.SQLitePath, "ro", ""))
	n := cfg.ReadConns
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	db.sqlWrite, db.sqlRead = w, r
	db.write = sqlQuerier{q: w}
	db.read = sqlQuerier{q: r}
	return db, nil
}

// createPrivate creates an empty database file of mode 0600 unless one
// exists: SQLite would create it 0644, and gives its -wal and -shm files
// the mode of the database file.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	} else if err != nil {
		return err
	}
	return f.Close()
}

// sqliteDSN builds a modernc.org/sqlite DSN. The writer takes the write lock
// at BEGIN (BEGIN IMMEDIATE), so that a second process (the CLI) waits on
// busy_timeout instead of failing with SQLITE_BUSY on lock upgrade. syncMode is
// the writer's synchronous setting; "" opens a reader.
func sqliteDSN(path, mode, syncMode string) string {
	var b strings.Builder
	b.WriteString("file:")
	b.WriteString(path)
	b.WriteString("?mode=" + mode)
	// Memory-map the file and give each connection a larger page cache:
	// API reads then cost no read(2) calls once the working set is warm.
	b.WriteString("&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=mmap_size(268435456)&_pragma=cache_size(-16000)")
	if syncMode != "" {
		// synchronous=FULL in WAL mode: every commit is on stable storage
		// before COMMIT returns, so a registration answered 201/202 survives
		// an OS crash or power loss. NORMAL (an opt-in) syncs only at
		// checkpoints: a commit then survives only a crash of the process.
		// secure_delete: what a write replaces or deletes (a delivered
		// mail's secret) is overwritten in the file, not left in free space.
		b.WriteString("&_pragma=journal_mode(WAL)&_pragma=synchronous(" + strings.ToUpper(syncMode) + ")&_pragma=secure_delete(1)&_txlock=immediate")
	} else {
		b.WriteString("&_pragma=query_only(1)")
	}
	return b.String()
}

// Close closes the database.
func (db *DB) Close() error {
	if db.pool != nil {
		db.pool.Close()
		return nil
	}
	return errors.Join(db.sqlRead.Close(), db.sqlWrite.Close())
}

// IsPostgres reports whether the database is PostgreSQL.
func (db *DB) IsPostgres() bool { return db.dialect == postgres }

// SQLite returns the SQLite writer handle (nil on PostgreSQL), for the job
// engine: River must share the one write connection.
func (db *DB) SQLite() *sql.DB { return db.sqlWrite }

// Pool returns the PostgreSQL pool (nil on SQLite), for the job engine.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Notifier returns the workflow change broker.
func (db *DB) Notifier() registrar.Notifier { return db.broker }

// Tx is a write transaction. Workflow transitions, the next job, the
// current job's completion, outbox mail and charges all commit in one Tx.
type Tx struct {
	db          *DB
	q           querier
	sqlTx       *sql.Tx
	pg          *pgTx
	afterCommit []func()
	// eventsLocked: the transaction has queued eventsLock.
	eventsLocked bool
}

// SQLTx returns the underlying *sql.Tx on SQLite (nil on PostgreSQL).
func (tx *Tx) SQLTx() *sql.Tx { return tx.sqlTx }

// PgxTx returns the underlying pgx.Tx on PostgreSQL (nil on SQLite).
// Statements of the store queued in it (see pgTx) go out with River's
// next statement on it.
func (tx *Tx) PgxTx() pgx.Tx {
	if tx.pg == nil {
		return nil
	}
	return tx.pg
}

// InTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise. Functions registered to run after commit (change
// notifications) run only when the commit succeeded.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	tx := &Tx{db: db}
	var commit func() error
	var rollback func()
	if db.pool != nil {
		// BEGIN goes out with the first statement (pgTx).
		t := &pgTx{pool: db.pool}
		tx.pg, tx.q = t, pgxQuerier{t}
		commit = func() error { return t.Commit(ctx) }
		rollback = func() { t.Rollback(context.WithoutCancel(ctx)) }
	} else {
		t, err := db.sqlWrite.BeginTx(ctx, nil)
		if err != nil {
			return registrar.Wrap(registrar.KindUnavailable, "store.Begin", err, "the database is unavailable")
		}
		tx.sqlTx, tx.q = t, sqlQuerier{q: t}
		commit = t.Commit
		rollback = func() { t.Rollback() }
	}
	if err := runTx(fn, tx); err != nil {
		rollback()
		return tx.queuedErr(err)
	}
	if err := commit(); err != nil {
		rollback()
		if qerr := tx.queuedErr(nil); qerr != nil {
			return qerr
		}
		return registrar.Wrap(registrar.KindUnavailable, "store.Commit", err, "the database is unavailable")
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// queuedErr returns the failure of a statement queued in tx (see pgTx),
// which came before any later one, or else err.
func (tx *Tx) queuedErr(err error) error {
	if tx.pg != nil && tx.pg.err != nil {
		return tx.pg.err
	}
	return err
}

// runTx calls fn, turning a panic into a rollback before it goes on.
func runTx(fn func(*Tx) error, tx *Tx) (err error) {
	done := false
	defer func() {
		if !done {
			if tx.sqlTx != nil {
				tx.sqlTx.Rollback()
			} else if tx.pg != nil {
				tx.pg.Rollback(context.Background())
			}
		}
	}()
	err = fn(tx)
	done = true
	return err
}

// micros converts t to unix microseconds, the stored form of every time.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros converts stored microseconds back to a UTC time.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullMicros(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	us := micros(t)
	return &us
}

func fromNullMicros(us *int64) time.Time {
	if us == nil {
		return time.Time{}
	}
	return fromMicros(*us)
}
