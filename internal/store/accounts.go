package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// CreateAccount creates an account and its first API token, with read and
// write scopes. The token is returned once; only its hash is stored.
func (db *DB) CreateAccount(ctx context.Context, name string, defaultContact *registrar.Contact, now time.Time) (registrar.Account, string, error) {
	var acct registrar.Account
	var token string
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		acct, token, err = tx.createAccount(ctx, name, defaultContact, now)
		return err
	})
	return acct, token, err
}

// CreateFirstAccount creates an account as CreateAccount does, but only
// on a database with no account yet; ok is false when one exists. Servers
// starting at once on one empty database (replicas on PostgreSQL) create
// one account between them: the count and the insert run under a lock
// (an advisory lock on PostgreSQL; SQLite's write lock, taken when the
// transaction begins).
func (db *DB) CreateFirstAccount(ctx context.Context, name string, defaultContact *registrar.Contact, now time.Time) (acct registrar.Account, token string, ok bool, err error) {
	err = db.InTx(ctx, func(tx *Tx) error {
		if db.dialect == postgres {
			// 7303784: "org" + 1, beside the migration lock's key.
			if _, err := tx.q.exec(ctx, `SELECT pg_advisory_xact_lock(7303784)`); err != nil {
				return dbErr("store.CreateFirstAccount", err)
			}
		}
		var n int
		if err := tx.q.queryRow(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
			return dbErr("store.CreateFirstAccount", err)
		}
		if n > 0 {
			return nil
		}
		ok = true
		acct, token, err = tx.createAccount(ctx, name, defaultContact, now)
		return err
	})
	return acct, token, ok && err == nil, err
}

// CreateUniqueAccount creates an account as CreateAccount does, unless
// one named name exists already: then a KindConflict error that names it.
// The look and the insert run under CreateFirstAccount's lock, so two at
// once do not both create the name.
func (db *DB) CreateUniqueAccount(ctx context.Context, name string, defaultContact *registrar.Contact, now time.Time) (registrar.Account, string, error) {
	const op = "store.CreateUniqueAccount"
	var acct registrar.Account
	var token string
	err := db.InTx(ctx, func(tx *Tx) error {
		if db.dialect == postgres {
			if _, err := tx.q.exec(ctx, `SELECT pg_advisory_xact_lock(7303784)`); err != nil {
				return dbErr(op, err)
			}
		}
		var id string
		var created int64
		err := tx.q.queryRow(ctx, `SELECT id, created_at FROM accounts WHERE name = $1 ORDER BY created_at LIMIT 1`, name).Scan(&id, &created)
		switch {
		case err == nil:
			return registrar.Errorf(registrar.KindConflict, op, "an account named %q exists already (ID %s, created %s)",
				name, id, fromMicros(created).Format(time.RFC3339))
		case !isNoRows(err):
			return dbErr(op, err)
		}
		acct, token, err = tx.createAccount(ctx, name, defaultContact, now)
		return err
	})
	return acct, token, err
}

func (tx *Tx) createAccount(ctx context.Context, name string, defaultContact *registrar.Contact, now time.Time) (registrar.Account, string, error) {
	const op = "store.CreateAccount"
	acct := registrar.Account{ID: registrar.NewID(), Name: name, CreatedAt: now.UTC(), DefaultContact: defaultContact}
	var contact *string
	if defaultContact != nil {
		b, err := json.Marshal(defaultContact)
		if err != nil {
			return registrar.Account{}, "", registrar.Wrap(registrar.KindInternal, op, err, "")
		}
		s := string(b)
		contact = &s
	}
	if _, err := tx.q.exec(ctx, `INSERT INTO accounts (id, name, default_contact, created_at) VALUES ($1, $2, $3, $4)`,
		acct.ID, acct.Name, contact, micros(acct.CreatedAt)); err != nil {
		return registrar.Account{}, "", dbErr(op, err)
	}
	first := registrar.Token{ID: registrar.NewID(), AccountID: acct.ID, Name: "default", Scopes: registrar.AccessReadWrite.Scopes(), CreatedAt: now.UTC()}
	token, err := tx.insertToken(ctx, first)
	if err != nil {
		return registrar.Account{}, "", err
	}
	return acct, token, nil
}

// Account returns an account by ID.
func (db *DB) Account(ctx context.Context, id string) (registrar.Account, error) {
	return account(ctx, db.read, id)
}

// Account returns an account by ID, inside the transaction.
func (tx *Tx) Account(ctx context.Context, id string) (registrar.Account, error) {
	return account(ctx, tx.q, id)
}

func account(ctx context.Context, q querier, id string) (registrar.Account, error) {
	var a registrar.Account
	var contact *string
	var created int64
	err := q.queryRow(ctx, `SELECT id, name, default_contact, created_at FROM accounts WHERE id = $1`, id).Scan(&a.ID, &a.Name, &contact, &created)
	if isNoRows(err) {
		return a, registrar.Errorf(registrar.KindNotFound, "store.Account", "account not found")
	}
	if err != nil {
		return a, dbErr("store.Account", err)
	}
	a.CreatedAt = fromMicros(created)
	if contact != nil {
		a.DefaultContact = new(registrar.Contact)
		if err := json.Unmarshal([]byte(*contact), a.DefaultContact); err != nil {
			return a, registrar.Wrap(registrar.KindInternal, "store.Account", err, "")
		}
	}
	return a, nil
}

// CountAccounts returns how many accounts exist (zero on a new database).
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	var n int
	if err := db.write.queryRow(ctx, `SELECT count(*) FROM accounts`).Scan(&n); err != nil {
		return 0, dbErr("store.CountAccounts", err)
	}
	return n, nil
}
