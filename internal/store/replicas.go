package store

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// replicasLock is the first key of the advisory locks by which replicas
// of one PostgreSQL database declare their registry configuration
// (pg_locks shows it as classid, with the configuration's key as objid).
const replicasLock = 7303785

// ErrReplicaConflict is the error of JoinReplicas when another replica of
// the database runs with a different registry configuration.
var ErrReplicaConflict = errors.New("another replica of this database routes registrations to different registries")

// Replica is this process's membership among the replicas of a PostgreSQL
// database: a dedicated connection holding a shared advisory lock named
// after its registry configuration. A replica with another configuration
// sees the lock in pg_locks and refuses to start; a replica that dies
// takes its connection, and so its lock, with it.
type Replica struct {
	db        *DB
	config    string
	key       int64
	cancel    context.CancelFunc
	done      chan struct{}
	onLost    func(error)
	reconnect time.Duration // first backoff after the connection is lost
}

// JoinReplicas declares that this process serves the database with the
// registry configuration config (a canonical description: every replica
// of one database must give the same string, or registrations could reach
// two different registries for one name). It fails with
// ErrReplicaConflict, naming the other replica, when a running replica
// declared another. It keeps the declaration for as long as ctx lasts and
// the process runs: when the connection drops (a database restart) it
// reconnects, and if another configuration got in meanwhile it calls
// onLost and stops. On SQLite (one process per database) it does nothing.
func (db *DB) JoinReplicas(ctx context.Context, config string, onLost func(error)) (*Replica, error) {
	return db.joinReplicas(ctx, config, onLost, 100*time.Millisecond)
}

func (db *DB) joinReplicas(ctx context.Context, config string, onLost func(error), reconnect time.Duration) (*Replica, error) {
	r := &Replica{db: db, config: config, key: configKey(config), onLost: onLost, done: make(chan struct{}),
		reconnect: reconnect}
	if db.pool == nil {
		close(r.done)
		return r, nil
	}
	conn, err := r.join(ctx)
	if err != nil {
		return nil, err
	}
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go r.hold(ctx, conn)
	return r, nil
}

// configKey is the advisory lock key of a configuration: 31 bits of its
// FNV-1a hash, so that it is the same int4 and oid in pg_locks.
func configKey(config string) int64 {
	h := fnv.New32a()
	h.Write([]byte(config))
	return int64(h.Sum32() & 0x7fffffff)
}

// applicationName is what pg_stat_activity shows for the replica's
// connection; it names the configuration for the conflict message (63
// bytes at most, PostgreSQL's NAMEDATALEN).
func applicationName(config string) string {
	name := "registrar replica: " + config
	if len(name) > 63 {
		name = name[:63]
	}
	return strings.ToValidUTF8(name, "")
}

// join opens the dedicated connection and takes the configuration's
// shared lock, after checking under an exclusive transaction lock that no
// other configuration holds one, so two replicas starting at once with
// different configurations cannot both get in.
func (r *Replica) join(ctx context.Context) (*pgx.Conn, error) {
	cc := r.db.pool.Config().ConnConfig.Copy()
	cc.RuntimeParams["application_name"] = applicationName(r.config)
	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return nil, fmt.Errorf("store: replica connection: %w", err)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, 0)`, replicasLock); err != nil {
			return err
		}
		var other, addr string
		var pid int
		var since time.Time
		err := tx.QueryRow(ctx, `
			SELECT coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'a local socket'), a.pid, a.backend_start
			FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
			WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
			  AND l.classid::bigint = $1 AND l.objid::bigint NOT IN (0, $2)
			  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
			LIMIT 1`, replicasLock, r.key).Scan(&other, &addr, &pid, &since)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return err
		default:
			return fmt.Errorf("%w: the replica connected from %s since %s (PostgreSQL pid %d, %q) runs with another configuration than this one (%s). "+
				"Every replica of one database must use the same registries (the same --registries file, or none on every replica): "+
				"stop that replica, or start this one with its configuration",
				ErrReplicaConflict, addr, since.UTC().Format(time.RFC3339), pid, other, r.config)
		}
		_, err = tx.Exec(ctx, `SELECT pg_advisory_lock_shared($1, $2)`, replicasLock, r.key)
		return err
	})
	if err != nil {
		conn.Close(context.WithoutCancel(ctx))
		if errors.Is(err, ErrReplicaConflict) {
			return nil, err
		}
		return nil, fmt.Errorf("store: declare this replica: %w", err)
	}
	return conn, nil
}

// hold keeps the connection (and so the lock) until ctx ends, and joins
// again whenever the connection is lost.
func (r *Replica) hold(ctx context.Context, conn *pgx.Conn) {
	defer close(r.done)
	backoff := r.reconnect
	for {
		// An idle connection learns it is gone from a failed read; a
		// notification wait is such a read, costing nothing while idle.
		_, err := conn.WaitForNotification(ctx)
		conn.Close(context.WithoutCancel(ctx))
		if ctx.Err() != nil {
			return
		}
		r.db.log.Warn("replica declaration connection lost; reconnecting", "error", err)
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			conn, err = r.join(ctx)
			if err == nil {
				backoff = r.reconnect
				r.db.log.Info("replica declaration restored")
				break
			}
			if errors.Is(err, ErrReplicaConflict) {
				r.db.log.Error("a replica with another registry configuration got in while the database was away", "error", err)
				if r.onLost != nil {
					r.onLost(err)
				}
				return
			}
			backoff = min(2*backoff, 5*time.Second)
		}
	}
}

// Close releases the declaration.
func (r *Replica) Close() {
	if r.cancel != nil {
		r.cancel()
	}
	<-r.done
}
