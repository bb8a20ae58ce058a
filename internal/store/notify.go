package store

import (
	"context"
	"sync"
	"time"
)

// Broker fans workflow change notifications out to in-process waiters (the
// API's sync window). It never blocks a publisher: each subscription has a
// one-slot channel, and notifications coalesce.
type Broker struct {
	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

// NewBroker returns an empty broker.
func NewBroker() *Broker {
	return &Broker{subs: make(map[string]map[chan struct{}]struct{})}
}

// Subscribe implements registrar.Notifier.
func (b *Broker) Subscribe(workflowID string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	set := b.subs[workflowID]
	if set == nil {
		set = make(map[chan struct{}]struct{})
		b.subs[workflowID] = set
	}
	set[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if set := b.subs[workflowID]; set != nil {
			delete(set, ch)
			if len(set) == 0 {
				delete(b.subs, workflowID)
			}
		}
	}
}

// Publish wakes every subscriber of workflowID.
func (b *Broker) Publish(workflowID string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[workflowID] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Listen feeds the broker from PostgreSQL NOTIFY until ctx ends, holding one
// dedicated connection and reconnecting with backoff. On SQLite it returns
// at once: notifications are published in-process after commit.
func (db *DB) Listen(ctx context.Context) {
	if db.pool == nil {
		return
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listenOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		db.log.Warn("workflow notification listener stopped; reconnecting", "error", err, "backoff", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (db *DB) listenOnce(ctx context.Context) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN "+notifyChannel)
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		db.broker.Publish(n.Payload)
	}
}
