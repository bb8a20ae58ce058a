package store

import (
	"context"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

const workflowColumns = `id, account_id, env, kind, domain, state, step, version, context, data,
	error_code, error_message, pending_trid, created_at, updated_at, deadline`

func scanWorkflow(r row) (*registrar.Workflow, error) {
	var w registrar.Workflow
	var ctxJSON, data string
	var trid *string
	var created, updated int64
	var deadline *int64
	err := r.Scan(&w.ID, &w.AccountID, &w.Env, &w.Kind, &w.Domain, &w.State, &w.Step, &w.Version, &ctxJSON, &data,
		&w.ErrorCode, &w.ErrorMessage, &trid, &created, &updated, &deadline)
	if err != nil {
		return nil, err
	}
	w.Context, w.Data = []byte(ctxJSON), []byte(data)
	if trid != nil {
		w.RegistryTRID = *trid
	}
	w.CreatedAt, w.UpdatedAt, w.Deadline = fromMicros(created), fromMicros(updated), fromNullMicros(deadline)
	return &w, nil
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// InsertWorkflow stores a new workflow (Version 1) and announces it.
func (tx *Tx) InsertWorkflow(ctx context.Context, w *registrar.Workflow) error {
	w.Version = 1
	_, err := tx.q.exec(ctx, `INSERT INTO workflows (`+workflowColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		w.ID, w.AccountID, w.Env, w.Kind, w.Domain, w.State, w.Step, w.Version, string(w.Context), string(w.Data),
		w.ErrorCode, w.ErrorMessage, nullString(w.RegistryTRID), micros(w.CreatedAt), micros(w.UpdatedAt), nullMicros(w.Deadline))
	if err != nil {
		return dbErr("store.InsertWorkflow", err)
	}
	return tx.NotifyWorkflow(ctx, w.ID)
}

// SaveWorkflow writes w if nobody changed it since it was read (its Version
// still matches), bumps w.Version, and announces the change. A concurrent
// change gives KindConflict: the caller lost the race and must re-read.
func (tx *Tx) SaveWorkflow(ctx context.Context, w *registrar.Workflow) error {
	n, err := tx.q.exec(ctx, `UPDATE workflows SET state = $1, step = $2, version = version + 1, context = $3, data = $4,
		error_code = $5, error_message = $6, pending_trid = $7, updated_at = $8, deadline = $9
		WHERE id = $10 AND version = $11`,
		w.State, w.Step, string(w.Context), string(w.Data), w.ErrorCode, w.ErrorMessage, nullString(w.RegistryTRID),
		micros(w.UpdatedAt), nullMicros(w.Deadline), w.ID, w.Version)
	if err != nil {
		return dbErr("store.SaveWorkflow", err)
	}
	if n == 0 {
		return registrar.Errorf(registrar.KindConflict, "store.SaveWorkflow", "workflow %s changed concurrently", w.ID)
	}
	w.Version++
	return tx.NotifyWorkflow(ctx, w.ID)
}

// Workflow returns a workflow by ID inside the transaction.
func (tx *Tx) Workflow(ctx context.Context, id string) (*registrar.Workflow, error) {
	w, err := scanWorkflow(tx.q.queryRow(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE id = $1`, id))
	return w, notFound("store.Workflow", "workflow", err)
}

// WorkflowByRegistryTRID returns the workflow waiting on the registry
// command with client transaction ID trid.
func (tx *Tx) WorkflowByRegistryTRID(ctx context.Context, trid string) (*registrar.Workflow, error) {
	w, err := scanWorkflow(tx.q.queryRow(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE pending_trid = $1`, trid))
	return w, notFound("store.WorkflowByRegistryTRID", "workflow", err)
}

// LatestWorkflow returns the newest workflow of a kind for a domain,
// inside the transaction.
func (tx *Tx) LatestWorkflow(ctx context.Context, accountID string, env registrar.Env, kind registrar.WorkflowKind, domain string) (*registrar.Workflow, error) {
	return latestWorkflow(ctx, tx.q, accountID, env, kind, domain)
}

// OverdueWorkflows returns up to limit non-terminal workflows whose
// deadline is before now.
func (tx *Tx) OverdueWorkflows(ctx context.Context, now time.Time, limit int) ([]*registrar.Workflow, error) {
	rs, err := tx.q.query(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE deadline IS NOT NULL AND deadline < $1
		ORDER BY deadline LIMIT $2`, micros(now), limit)
	if err != nil {
		return nil, dbErr("store.OverdueWorkflows", err)
	}
	defer rs.Close()
	var out []*registrar.Workflow
	for rs.Next() {
		w, err := scanWorkflow(rs)
		if err != nil {
			return nil, dbErr("store.OverdueWorkflows", err)
		}
		out = append(out, w)
	}
	if err := rs.Err(); err != nil {
		return nil, dbErr("store.OverdueWorkflows", err)
	}
	return out, nil
}

// RegistrationStatus implements registrar.Reader.
func (db *DB) RegistrationStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return latestWorkflow(ctx, db.read, accountID, env, registrar.WorkflowRegistration, domain)
}

// UpdateStatus implements registrar.Reader.
func (db *DB) UpdateStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return latestWorkflow(ctx, db.read, accountID, env, registrar.WorkflowUpdate, domain)
}

// Workflow implements registrar.Reader.
func (db *DB) Workflow(ctx context.Context, accountID, id string) (*registrar.Workflow, error) {
	w, err := scanWorkflow(db.read.queryRow(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE id = $1 AND account_id = $2`, id, accountID))
	return w, notFound("store.Workflow", "workflow", err)
}

func latestWorkflow(ctx context.Context, q querier, accountID string, env registrar.Env, kind registrar.WorkflowKind, domain string) (*registrar.Workflow, error) {
	w, err := scanWorkflow(q.queryRow(ctx, `SELECT `+workflowColumns+` FROM workflows
		WHERE account_id = $1 AND env = $2 AND domain = $3 AND kind = $4
		ORDER BY created_at DESC, id DESC LIMIT 1`, accountID, env, domain, kind))
	return w, notFound("store.LatestWorkflow", string(kind)+" workflow for "+domain, err)
}

// notFound turns a no-rows error into KindNotFound naming what was looked
// for, and any other error into a database error.
func notFound(op, what string, err error) error {
	switch {
	case err == nil:
		return nil
	case isNoRows(err):
		return registrar.Errorf(registrar.KindNotFound, op, "%s not found", what)
	default:
		return dbErr(op, err)
	}
}

// WorkflowByID returns a workflow by ID from the read pool, whoever owns it.
// The job engine uses it; API reads go through Workflow, which is scoped to
// an account.
func (db *DB) WorkflowByID(ctx context.Context, id string) (*registrar.Workflow, error) {
	w, err := scanWorkflow(db.read.queryRow(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE id = $1`, id))
	return w, notFound("store.WorkflowByID", "workflow", err)
}
