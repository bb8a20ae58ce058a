package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/openregistrar/registrar/internal/sqlitecache"
)

// LogEntry is one command the sandbox registry received.
type LogEntry struct {
	// Seq numbers the commands in the order they were received, from 1
	// (ServerTRID is SANDBOX-Seq). Empty polls take a number too but are
	// not logged, and entries older than Config.LogRetention are deleted.
	Seq      int64     `json:"seq"`
	Time     time.Time `json:"time"`
	ClientID string    `json:"client_id"`
	// Domain is the object the command concerned: a domain name, a
	// contact ID (contact:create, contact:info) or a host name (host:*);
	// a check lists its names separated by commas; a poll
	// or ack names the message's domain, or is empty.
	Domain string `json:"domain"`
	// Command is check, create, info, renew, update, delete, transfer:OP,
	// restore:request, restore:report, alter, poll, ack, contact:create,
	// contact:info, host:check, host:create, host:info, host:update or
	// host:delete. EPP session commands
	// (hello, login, logout), commands the EPP server refuses itself and
	// polls that find no message are not in the log.
	Command string `json:"command"`
	// Result is the EPP result code and message, such as
	// "1000 Command completed successfully" or "2302 Object exists".
	Result     string `json:"result"`
	ClientTRID string `json:"cltrid,omitempty"`
	ServerTRID string `json:"svtrid,omitempty"`
	// Extensions are the command extensions the registry accepted with
	// the command: "neulevel:unspec AppPurpose=P1 NexusCategory=C11" for
	// a .us registrant's contact create.
	Extensions string `json:"extensions,omitempty"`
}

// Log returns every command the engine's registry received, in order: on
// PostgreSQL, through every engine on its schema.
func (e *Engine) Log(ctx context.Context) ([]LogEntry, error) {
	var entries []LogEntry
	var err error
	if e.pg != nil {
		entries, err = e.pg.readLog(ctx, e.db, false)
	} else {
		entries, err = readLog(ctx, e.db)
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: log: %w", err)
	}
	return entries, nil
}

// ReadLog opens the sandbox registry file at path read-only and returns
// its command log, in order. It works while an Engine (in this process or
// another) has the file open.
func ReadLog(ctx context.Context, path string) ([]LogEntry, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sandbox: read log: %w", err)
	}
	dsn, err := fileDSN(path, "mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, fmt.Errorf("sandbox: read log %s: %w", path, err)
	}
	db := sqlitecache.Open(dsn)
	defer db.Close()
	db.SetMaxOpenConns(1)
	version, err := checkFile(ctx, db)
	if err == nil && version == 0 {
		err = fmt.Errorf("not a sandbox registry database")
	}
	if err != nil {
		return nil, fmt.Errorf("sandbox: read log %s: %w", path, err)
	}
	entries, err := readLog(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("sandbox: read log %s: %w", path, err)
	}
	return entries, nil
}

// rowsQueryer is what readLog needs: a *sql.DB or a *sql.Tx.
type rowsQueryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readLog reads the log table on either backend.
func readLog(ctx context.Context, db rowsQueryer) ([]LogEntry, error) {
	rows, err := db.QueryContext(ctx, `
		SELECT seq, time, client_id, domain, command, result, cltrid, svtrid, extensions FROM log ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var entries []LogEntry
	for rows.Next() {
		var l LogEntry
		var t int64
		if err := rows.Scan(&l.Seq, &t, &l.ClientID, &l.Domain, &l.Command, &l.Result, &l.ClientTRID, &l.ServerTRID, &l.Extensions); err != nil {
			return nil, err
		}
		l.Time = time.UnixMicro(t).UTC()
		entries = append(entries, l)
	}
	return entries, rows.Err()
}
