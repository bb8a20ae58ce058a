package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// DomainContacts is a registration's contacts as last changed through
// PATCH contacts, and the 60-day lock against transfers out that a
// change of registrant set (zero: none), in registration_contacts.
type DomainContacts struct {
	Env               registrar.Env
	Domain            string
	AccountID         string
	Contacts          registrar.Contacts
	TransferLockUntil time.Time
	ChangedAt         time.Time
	// WorkflowID is the update workflow that made the change.
	WorkflowID string
}

// TransferLocked reports whether the lock holds at now.
func (c DomainContacts) TransferLocked(now time.Time) bool {
	return !c.TransferLockUntil.IsZero() && now.Before(c.TransferLockUntil)
}

const domainContactsCols = `env, domain, account_id, contacts, transfer_lock_until, changed_at, workflow_id`

func scanDomainContacts(r row) (DomainContacts, error) {
	var c DomainContacts
	var env, contacts string
	var lock *int64
	var changed int64
	if err := r.Scan(&env, &c.Domain, &c.AccountID, &contacts, &lock, &changed, &c.WorkflowID); err != nil {
		return c, err
	}
	c.Env, c.ChangedAt = registrar.Env(env), fromMicros(changed)
	if lock != nil {
		c.TransferLockUntil = fromMicros(*lock)
	}
	if err := json.Unmarshal([]byte(contacts), &c.Contacts); err != nil {
		return c, err
	}
	return c, nil
}

// DomainContacts returns the stored contacts of a domain in env, or
// KindNotFound when PATCH contacts never changed them.
func (tx *Tx) DomainContacts(ctx context.Context, env registrar.Env, domain string) (DomainContacts, error) {
	return domainContacts(ctx, tx.q, "store.DomainContacts", env, domain)
}

// DomainContacts is Tx.DomainContacts on the read pool.
func (db *DB) DomainContacts(ctx context.Context, env registrar.Env, domain string) (DomainContacts, error) {
	return domainContacts(ctx, db.read, "store.DomainContacts", env, domain)
}

func domainContacts(ctx context.Context, q querier, op string, env registrar.Env, domain string) (DomainContacts, error) {
	c, err := scanDomainContacts(q.queryRow(ctx, `SELECT `+domainContactsCols+` FROM registration_contacts WHERE env = $1 AND domain = $2`, string(env), domain))
	if err != nil {
		return c, notFound(op, "contacts of "+domain, err)
	}
	return c, nil
}

// SaveDomainContacts stores a domain's contacts and transfer lock,
// replacing what was stored.
func (tx *Tx) SaveDomainContacts(ctx context.Context, c DomainContacts) error {
	b, err := json.Marshal(c.Contacts)
	if err != nil {
		return registrar.Wrap(registrar.KindInternal, "store.SaveDomainContacts", err, "")
	}
	var lock *int64
	if !c.TransferLockUntil.IsZero() {
		lock = ptrTo(micros(c.TransferLockUntil))
	}
	_, err = tx.q.exec(ctx, `INSERT INTO registration_contacts (`+domainContactsCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (env, domain) DO UPDATE SET account_id = excluded.account_id, contacts = excluded.contacts,
		transfer_lock_until = excluded.transfer_lock_until, changed_at = excluded.changed_at, workflow_id = excluded.workflow_id`,
		string(c.Env), c.Domain, c.AccountID, string(b), lock, micros(c.ChangedAt), c.WorkflowID)
	return dbErr("store.SaveDomainContacts", err)
}

func ptrTo[T any](v T) *T { return &v }
