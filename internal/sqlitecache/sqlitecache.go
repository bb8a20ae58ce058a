// Package sqlitecache opens modernc.org/sqlite databases whose connections
// keep their prepared statements: a query's SQL is parsed once per
// connection instead of on every call. Parsing was a fifth of the CPU of a
// registration; River's SQLite driver, our store and the sandbox registry
// all run the same few statements over and over.
package sqlitecache

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"

	"modernc.org/sqlite"
)

// maxStatements bounds the statements cached per connection; past it the
// cache is emptied (the statement set of this program is small and fixed).
const maxStatements = 512

// Open returns a *sql.DB for dsn (a modernc.org/sqlite DSN) with statement
// caching. It registers nothing globally.
func Open(dsn string) *sql.DB {
	return sql.OpenDB(connector{dsn: dsn, d: &sqlite.Driver{}})
}

type connector struct {
	dsn string
	d   *sqlite.Driver
}

func (c connector) Connect(context.Context) (driver.Conn, error) {
	dc, err := c.d.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(innerConn)
	if !ok {
		dc.Close()
		return nil, errors.New("sqlitecache: the sqlite driver's connection lacks the context methods")
	}
	return &conn{innerConn: inner, stmts: make(map[string]*cachedStmt)}, nil
}

func (c connector) Driver() driver.Driver { return c.d }

// innerConn is what modernc's connection provides.
type innerConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// conn caches statements by SQL text. database/sql uses a connection from
// one goroutine at a time, so the map needs no lock.
type conn struct {
	innerConn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	s interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	busy bool // its rows are still open
}

// stmt returns the cached statement for query, preparing it on first use,
// or nil when it is busy (the same query nested in its own open rows): the
// caller then runs the query uncached.
func (c *conn) stmt(ctx context.Context, query string) (*cachedStmt, error) {
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil, nil
		}
		return cs, nil
	}
	ds, err := c.innerConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s, ok := ds.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		ds.Close()
		return nil, nil
	}
	if len(c.stmts) >= maxStatements {
		c.closeStmts()
	}
	cs := &cachedStmt{s: s}
	c.stmts[query] = cs
	return cs, nil
}

// ExecContext runs query through its cached statement.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.innerConn.ExecContext(ctx, query, args)
	}
	return cs.s.ExecContext(ctx, args)
}

// QueryContext runs query through its cached statement; the statement is
// busy until the rows are closed.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.innerConn.QueryContext(ctx, query, args)
	}
	r, err := cs.s.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	cs.busy = true
	return &rows{Rows: r, cs: cs}, nil
}

// Close closes the cached statements and the connection.
func (c *conn) Close() error {
	c.closeStmts()
	return c.innerConn.Close()
}

func (c *conn) closeStmts() {
	for q, cs := range c.stmts {
		if !cs.busy {
			cs.s.Close()
		}
		delete(c.stmts, q)
	}
}

// rows marks its statement free again when closed. It passes the column
// type methods of modernc's rows through, so database/sql can use them.
type rows struct {
	driver.Rows
	cs *cachedStmt
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	r.cs.busy = false
	return err
}

func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}
