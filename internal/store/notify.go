package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// change is a committed change of a workflow: which one, the subject
// whose status it is (a new workflow changes what a status endpoint shows
// without matching any cached workflow's ID), and the stamp of its new
// state.
type change struct {
	workflowID string
	key        statusKey
	stamp      stamp
}

func changeOf(w *registrar.Workflow) change {
	return change{workflowID: w.ID, key: statusKey{account: w.AccountID, env: w.Env, kind: w.Kind, domain: w.Domain}, stamp: stampOf(w)}
}

// encode renders a change as a NOTIFY payload; IDs, environments, kinds and
// domain names never contain tabs.
func (c change) encode() string {
	return strings.Join([]string{c.workflowID, c.key.account, string(c.key.env), string(c.key.kind), c.key.domain,
		strconv.FormatInt(c.stamp.created, 10), strconv.FormatInt(c.stamp.version, 10)}, "\t")
}

func decodeChange(s string) (change, bool) {
	f := strings.Split(s, "\t")
	if len(f) != 7 {
		return change{}, false
	}
	created, err1 := strconv.ParseInt(f[5], 10, 64)
	version, err2 := strconv.ParseInt(f[6], 10, 64)
	if err1 != nil || err2 != nil {
		return change{}, false
	}
	return change{workflowID: f[0], key: statusKey{account: f[1], env: registrar.Env(f[2]), kind: registrar.WorkflowKind(f[3]), domain: f[4]},
		stamp: stamp{created, version}}, true
}

// publish applies a committed change: the cached status goes, then waiters
// wake (and re-read).
func (db *DB) publish(c change) {
	db.statuses.invalidate(c.key, c.stamp)
	db.broker.Publish(c.workflowID)
	// The long-polls of a status endpoint wait on its key, so that a new
	// workflow of the kind wakes them too.
	db.broker.Publish(registrar.StatusTopic(c.key.account, c.key.env, c.key.kind, c.key.domain))
}

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

// Subscribe implements registrar.Notifier: topic is a workflow ID or a
// registrar.StatusTopic.
func (b *Broker) Subscribe(topic string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	b.mu.Lock()
	set := b.subs[topic]
	if set == nil {
		set = make(map[chan struct{}]struct{})
		b.subs[topic] = set
	}
	set[ch] = struct{}{}
	b.mu.Unlock()
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if set := b.subs[topic]; set != nil {
			delete(set, ch)
			if len(set) == 0 {
				delete(b.subs, topic)
			}
		}
	}
}

// Publish wakes every subscriber of topic.
func (b *Broker) Publish(topic string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for ch := range b.subs[topic] {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Listen applies PostgreSQL NOTIFY changes (and token revocations) until
// ctx ends, holding one dedicated connection and reconnecting with
// backoff. Each time it (re)connects it empties the status and token
// caches, since changes may have been missed while it was away; until it
// first connects the caches stay off.
// On SQLite it returns at once: changes are published in-process after
// commit.
func (db *DB) Listen(ctx context.Context) {
	if db.pool == nil {
		return
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listenOnce(ctx)
		db.statuses.disable()
		db.tokens.disable()
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
	db.statuses.enable()
	db.tokens.enable()
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		if strings.HasPrefix(n.Payload, tokenPayload) {
			db.tokens.purge() // a token was revoked
			continue
		}
		if c, ok := decodeChange(n.Payload); ok {
			db.publish(c)
		}
	}
}
