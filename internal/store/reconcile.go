package store

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// Reconciliation's part of the store: which registrations are due for a
// check at their registry, and the record of what each check found.

// SyncHeldStatuses are the statuses of a registration the registry holds
// for us, the ones reconciliation checks. A registration still being
// registered or transferred in belongs to its workflow.
var SyncHeldStatuses = []registrar.RegistrationStatus{registrar.RegistrationActive, registrar.RegistrationExpired,
	registrar.RegistrationRedemptionPeriod, registrar.RegistrationPendingDelete, registrar.RegistrationSuspended}

// heldIn is SyncHeldStatuses as an SQL list; the statuses are constants.
var heldIn = func() string {
	q := make([]string, len(SyncHeldStatuses))
	for i, s := range SyncHeldStatuses {
		q[i] = "'" + string(s) + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

// SyncCursor is the position after the last registration of a page of
// RegistrationsDueForSync; the zero value starts at the beginning.
type SyncCursor struct {
	CheckedAt int64 // unix micros; 0 for never checked
	Domain    string
}

// CountSyncHeld counts the registrations reconciliation checks, in every
// environment.
func (db *DB) CountSyncHeld(ctx context.Context) (int, error) {
	var n int
	err := db.read.queryRow(ctx, `SELECT count(*) FROM registrations WHERE status IN `+heldIn).Scan(&n)
	return n, dbErr("store.CountSyncHeld", err)
}

// RegistrationsDueForSync returns up to limit registrations of env in a held
// status whose last check is older than before (never-checked ones
// first, then the oldest), after the cursor, and the cursor after them:
// one keyset page of the registrations_sync_due index, so a caller walks
// any number of them a page at a time.
func (db *DB) RegistrationsDueForSync(ctx context.Context, env registrar.Env, before time.Time, after SyncCursor, limit int) ([]registrar.Registration, SyncCursor, error) {
	const op = "store.RegistrationsDueForSync"
	rs, err := db.read.query(ctx, `SELECT `+registrationColumns+`, sync_checked_at FROM registrations
		WHERE env = $1 AND sync_checked_at < $2 AND (sync_checked_at, domain) > ($3, $4) AND status IN `+heldIn+`
		ORDER BY sync_checked_at, domain LIMIT $5`,
		env, micros(before), after.CheckedAt, after.Domain, limit)
	if err != nil {
		return nil, after, dbErr(op, err)
	}
	defer rs.Close()
	var out []registrar.Registration
	for rs.Next() {
		var checked int64
		g, err := scanRegistration(rs, &checked)
		if err != nil {
			return nil, after, dbErr(op, err)
		}
		out = append(out, *g)
		after = SyncCursor{CheckedAt: checked, Domain: g.DomainName}
	}
	return out, after, dbErr(op, rs.Err())
}

// SyncResult is what one check of a registration at its registry found,
// and the changes to ours it makes.
type SyncResult struct {
	Env        registrar.Env
	Domain     string
	AccountID  string
	WorkflowID string
	// Status is the registration's status the check compared with: the
	// result is dropped if the registration has changed since.
	Status registrar.RegistrationStatus
	Sync   registrar.RegistrySync
	// NewStatus and NewExpiresAt, when set, replace ours.
	NewStatus    registrar.RegistrationStatus
	NewExpiresAt *time.Time
	// Delete removes the registration and gives back its domain slot (the
	// registry purged the domain after its redemption).
	Delete bool
	// DueBefore, when set, is the check's due line (registrations last
	// checked before it were due): the result is dropped if the
	// registration has been checked since it was read, by a concurrent
	// run (the periodic job and `registrar reconcile` at once), so one
	// difference is recorded once.
	DueBefore time.Time
	// Report are the differences new since the previous check, each
	// written as a reconcile_differences row; Sync.Differences also holds
	// those found again.
	Report []registrar.SyncDifference
}

// RecordSync stores one check's result: the registration's registry_sync
// and check time, the changes to it, and a reconcile_differences row per
// difference new since the last check, and a history event per change
// (see syncEvents), in tx. It returns false, writing nothing, when the
// registration is no longer the one checked (deleted, registered again,
// or its status moved on meanwhile): the next run checks it afresh.
func (tx *Tx) RecordSync(ctx context.Context, r SyncResult) (bool, error) {
	const op = "store.RecordSync"
	var expiresAfter *time.Time // the registration's expiry after the change, for its events
	due := int64(math.MaxInt64)
	if !r.DueBefore.IsZero() {
		due = micros(r.DueBefore)
	}
	if r.Delete {
		var accountID string
		err := tx.q.queryRow(ctx, `DELETE FROM registrations WHERE env = $1 AND domain = $2 AND workflow_id = $3 AND status = $4 AND sync_checked_at < $5
			RETURNING account_id, expires_at`,
			r.Env, r.Domain, r.WorkflowID, r.Status, due).Scan(&accountID, nullMicrosInto{&expiresAfter})
		if isNoRows(err) {
			return false, nil
		}
		if err != nil {
			return false, dbErr(op, err)
		}
		if err := tx.ReleaseDomainSlot(ctx, accountID, r.Env); err != nil {
			return false, err
		}
		if err := tx.ForgetDomain(ctx, r.Env, r.Domain); err != nil {
			return false, err
		}
	} else {
		body, err := json.Marshal(r.Sync)
		if err != nil {
			return false, registrar.Wrap(registrar.KindInternal, op, err, "encode registry_sync")
		}
		status := r.Status
		if r.NewStatus != "" {
			status = r.NewStatus
		}
		var expires *int64
		if r.NewExpiresAt != nil {
			us := micros(*r.NewExpiresAt)
			expires = &us
		}
		// A new status begins now (status_since), as the lifecycle job's
		// clocks for grace and redemption count from it.
		err = tx.q.queryRow(ctx, `UPDATE registrations SET sync_checked_at = $1, registry_sync = $2, status = $3, expires_at = COALESCE($4, expires_at),
			status_since = CASE WHEN status = $3 THEN status_since ELSE $1 END
			WHERE env = $5 AND domain = $6 AND workflow_id = $7 AND status = $8 AND sync_checked_at < $9 RETURNING expires_at`,
			micros(r.Sync.CheckedAt), string(body), status, expires, r.Env, r.Domain, r.WorkflowID, r.Status, due).Scan(nullMicrosInto{&expiresAfter})
		if isNoRows(err) {
			return false, nil
		}
		if err != nil {
			return false, dbErr(op, err)
		}
	}
	if err := tx.syncFeedEvents(ctx, op, r); err != nil {
		return false, err
	}
	for _, ev := range syncEvents(r, expiresAfter) {
		if err := tx.AddRegistrationEvent(ctx, r.Env, r.Domain, r.AccountID, ev); err != nil {
			return false, err
		}
	}
	for _, d := range r.Report {
		if err := tx.deferExec(ctx, `INSERT INTO reconcile_differences (env, domain, account_id, at, field, ours, registry, action)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			[]any{r.Env, r.Domain, r.AccountID, micros(r.Sync.CheckedAt), d.Field, d.Ours, d.Registry, d.Action},
			func(_ int64, err error) error { return dbErr(op, err) }); err != nil {
			return false, err
		}
	}
	return true, nil
}

// syncFeedEvents writes the feed's events of a recorded check: the
// differences new since the last check (registration.drift_found), and a
// new status (registration.status_changed, the registration as it is
// now). A purge is not a status: the registration is gone.
func (tx *Tx) syncFeedEvents(ctx context.Context, op string, r SyncResult) error {
	at := r.Sync.CheckedAt
	if len(r.Report) > 0 {
		data, err := json.Marshal(driftData{DomainName: r.Domain, CheckedAt: at, Differences: r.Report})
		if err != nil {
			return registrar.Wrap(registrar.KindInternal, op, err, "")
		}
		if err := tx.queueEvent(ctx, op, registrar.Event{AccountID: r.AccountID, Env: r.Env, Type: registrar.EventReconciliationDrift,
			Domain: r.Domain, CreatedAt: at, Data: data}, ""); err != nil {
			return err
		}
	}
	if r.Delete || r.NewStatus == "" || r.NewStatus == r.Status {
		return nil
	}
	g, err := tx.Registration(ctx, r.Env, r.Domain)
	if err != nil {
		return err
	}
	return tx.registrationEvent(ctx, op, g, at, "")
}

// The details of the history events of reconciliation.
const (
	detailPurged  = "purged by the registry after its redemption period"
	detailMissing = "not found at the registry"
)

// syncEvents are the history events of the changes r makes to our
// registration, one per change: a purge is EventDeleted, a registration
// suspended because the registry lacks it or another registrar sponsors
// it is EventRegistryMissing (the detail says which), and a registration
// back from suspended or with its expiry corrected is EventReconciled
// (detail: field, ours → the registry's). A check that changes nothing
// (an unchanged finding, a hold or lock only recorded or re-applied)
// writes none, so runs after the first add no history. expires is the
// registration's expiry after the change.
func syncEvents(r SyncResult, expires *time.Time) []registrar.RegistrationEvent {
	at := r.Sync.CheckedAt
	status := r.Status
	if r.NewStatus != "" {
		status = r.NewStatus
	}
	ev := func(typ, detail string) registrar.RegistrationEvent {
		return registrar.RegistrationEvent{At: at, Type: typ, Status: status, ExpiresAt: expires, Detail: detail}
	}
	if r.Delete {
		return []registrar.RegistrationEvent{{At: at, Type: registrar.EventDeleted, Status: "deleted", ExpiresAt: expires, Detail: detailPurged}}
	}
	var out []registrar.RegistrationEvent
	if r.NewStatus != "" && r.NewStatus != r.Status {
		switch {
		case r.NewStatus == registrar.RegistrationSuspended && r.Sync.State == registrar.SyncForeign:
			sponsor := "another registrar"
			if d, ok := syncFinding(r, "sponsor"); ok {
				sponsor = d.Registry
			}
			out = append(out, ev(registrar.EventRegistryMissing, "sponsored by "+sponsor+" at the registry: "+
				string(r.Status)+" → "+string(r.NewStatus)))
		case r.NewStatus == registrar.RegistrationSuspended:
			out = append(out, ev(registrar.EventRegistryMissing, detailMissing+": "+string(r.Status)+" → "+string(r.NewStatus)))
		default:
			out = append(out, ev(registrar.EventReconciled, "status: "+string(r.Status)+" → "+string(r.NewStatus)))
		}
	}
	if r.NewExpiresAt != nil {
		detail := "expires_at: → " + r.NewExpiresAt.UTC().Format(time.RFC3339)
		if d, ok := syncFinding(r, "expires_at"); ok {
			detail = "expires_at: " + d.Ours + " → " + d.Registry
		}
		out = append(out, ev(registrar.EventReconciled, detail))
	}
	return out
}

// syncFinding is r's difference in field.
func syncFinding(r SyncResult, field string) (registrar.SyncDifference, bool) {
	for _, d := range r.Sync.Differences {
		if d.Field == field {
			return d, true
		}
	}
	return registrar.SyncDifference{}, false
}

// SyncDifference is one row of the reconciliation report.
type SyncDifference struct {
	ID        int64         `json:"id"`
	Env       registrar.Env `json:"env"`
	Domain    string        `json:"domain"`
	AccountID string        `json:"account_id"`
	At        time.Time     `json:"at"`
	registrar.SyncDifference
}

// SyncDifferences returns up to limit recorded differences, newest first;
// env "" means every environment.
func (db *DB) SyncDifferences(ctx context.Context, env registrar.Env, limit int) ([]SyncDifference, error) {
	const op = "store.SyncDifferences"
	rs, err := db.read.query(ctx, `SELECT id, env, domain, account_id, at, field, ours, registry, action FROM reconcile_differences
		WHERE $1 = '' OR env = $1 ORDER BY at DESC, id DESC LIMIT $2`, string(env), limit)
	if err != nil {
		return nil, dbErr(op, err)
	}
	defer rs.Close()
	out := []SyncDifference{}
	for rs.Next() {
		var d SyncDifference
		var at int64
		if err := rs.Scan(&d.ID, &d.Env, &d.Domain, &d.AccountID, &at, &d.Field, &d.Ours, &d.Registry, &d.Action); err != nil {
			return nil, dbErr(op, err)
		}
		d.At = fromMicros(at)
		out = append(out, d)
	}
	return out, dbErr(op, rs.Err())
}
