package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

const workflowColumns = `id, account_id, env, kind, domain, state, step, version, context, data,
	error_code, error_message, pending_trid, created_at, updated_at, deadline`

// statusColumns are workflowColumns without the private data, which API
// reads never show: it is the larger column, and the status read is the
// hottest path there is.
const statusColumns = `id, account_id, env, kind, domain, state, step, version, context, '',
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
	w.Context = []byte(ctxJSON)
	if data != "" {
		w.Data = []byte(data)
	}
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

// InsertWorkflow stores a new workflow (Version 1) and announces it, with
// its workflow.state_changed event (and transfer_out.requested for an
// outbound transfer) in the same transaction. On
// PostgreSQL the insert goes out with the transaction's next statement
// (see pgTx), and a failure comes back from there or from InTx.
func (tx *Tx) InsertWorkflow(ctx context.Context, w *registrar.Workflow) error {
	w.Version = 1
	if err := tx.writeWorkflow(ctx, changeOf(w), "store.InsertWorkflow", nil, "", nil, `INSERT INTO workflows (`+workflowColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		w.ID, w.AccountID, w.Env, w.Kind, w.Domain, w.State, w.Step, w.Version, string(w.Context), string(w.Data),
		w.ErrorCode, w.ErrorMessage, nullString(w.RegistryTRID), micros(w.CreatedAt), micros(w.UpdatedAt), nullMicros(w.Deadline)); err != nil {
		return err
	}
	return tx.workflowEvents(ctx, "store.InsertWorkflow", w, 0)
}

// SaveWorkflow writes w if nobody changed it since it was read (its Version
// still matches), bumps w.Version, and announces the change; when its
// state, context or error changed, with a workflow.state_changed event in
// the same transaction. A concurrent
// change gives KindConflict: the caller lost the race and must re-read. On
// PostgreSQL the update goes out with the transaction's next statement
// (see pgTx): the conflict then comes back from there or from InTx, and
// w.Version is bumped when the update's answer is read.
func (tx *Tx) SaveWorkflow(ctx context.Context, w *registrar.Workflow) error {
	after := *w
	after.Version++
	// The event, when the save is visible, compares the row as it was with
	// w. On SQLite it is written first; on PostgreSQL it rides in the
	// update's own statement (reading the row written, and the row as it
	// was in the statement's snapshot), so that a save that is the
	// transaction's only statement stays one round trip without BEGIN,
	// and a save that fails its version check writes no event.
	var with string
	var withArgs []any
	if tx.db.dialect == postgres {
		data, err := registrar.StatusJSON(w)
		if err != nil {
			return registrar.Wrap(registrar.KindInternal, "store.SaveWorkflow", err, "")
		}
		with = `event AS (INSERT INTO events (account_id, env, type, domain, created_at, data)
			SELECT CAST($%[1]d AS TEXT), CAST($%[2]d AS TEXT), CAST($%[3]d AS TEXT), CAST($%[4]d AS TEXT), CAST($%[5]d AS BIGINT), CAST($%[6]d AS TEXT)
			FROM written, (SELECT pg_advisory_xact_lock($%[7]d)) AS lock, workflows AS was
			WHERE was.id = $%[8]d AND (was.state <> $%[9]d OR was.context <> $%[10]d OR was.error_code <> $%[11]d OR was.error_message <> $%[12]d))`
		withArgs = []any{w.AccountID, string(w.Env), registrar.EventWorkflowChanged, w.Domain, micros(w.UpdatedAt), string(data),
			int64(eventsLock), w.ID, string(w.State), string(w.Context), w.ErrorCode, w.ErrorMessage}
	} else if err := tx.workflowEvents(ctx, "store.SaveWorkflow", w, w.Version); err != nil {
		return err
	}
	return tx.writeWorkflow(ctx, changeOf(&after), "store.SaveWorkflow", func(n int64) error {
		if n == 0 {
			return registrar.Errorf(registrar.KindConflict, "store.SaveWorkflow", "workflow %s changed concurrently", w.ID)
		}
		w.Version++
		return nil
	}, with, withArgs, `UPDATE workflows SET state = $1, step = $2, version = version + 1, context = $3, data = $4,
		error_code = $5, error_message = $6, pending_trid = $7, updated_at = $8, deadline = $9
		WHERE id = $10 AND version = $11`,
		w.State, w.Step, string(w.Context), string(w.Data), w.ErrorCode, w.ErrorMessage, nullString(w.RegistryTRID),
		micros(w.UpdatedAt), nullMicros(w.Deadline), w.ID, w.Version)
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

// AwaitingRegistry reports whether some workflow is blocked on a
// registry's review of a pending command, which a poll message settles.
func (tx *Tx) AwaitingRegistry(ctx context.Context) (bool, error) {
	var n int
	err := tx.q.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM workflows
		WHERE pending_trid IS NOT NULL AND state = $1 LIMIT 1) AS w`, registrar.StateBlocked).Scan(&n)
	return n > 0, dbErr("store.AwaitingRegistry", err)
}

// LatestWorkflow returns the newest workflow of a kind for a domain,
// inside the transaction.
func (tx *Tx) LatestWorkflow(ctx context.Context, accountID string, env registrar.Env, kind registrar.WorkflowKind, domain string) (*registrar.Workflow, error) {
	return latestWorkflow(ctx, tx.q, workflowColumns, accountID, env, kind, domain)
}

// OverdueWorkflows returns up to limit non-terminal workflows whose
// deadline is before now.
func (tx *Tx) OverdueWorkflows(ctx context.Context, env registrar.Env, now time.Time, limit int) ([]*registrar.Workflow, error) {
	rs, err := tx.q.query(ctx, `SELECT `+workflowColumns+` FROM workflows WHERE deadline IS NOT NULL AND deadline < $1 AND env = $2
		ORDER BY deadline LIMIT $3`, micros(now), env, limit)
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

// RegistrationStatus implements registrar.Reader, from the status cache
// when it can. The workflow's Data is left empty.
func (db *DB) RegistrationStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return db.status(ctx, statusKey{account: accountID, env: env, kind: registrar.WorkflowRegistration, domain: domain})
}

// UpdateStatus implements registrar.Reader, from the status cache when it
// can. The workflow's Data is left empty.
func (db *DB) UpdateStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return db.status(ctx, statusKey{account: accountID, env: env, kind: registrar.WorkflowUpdate, domain: domain})
}

// TransferInStatus implements registrar.Reader, from the status cache
// when it can.
func (db *DB) TransferInStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return db.status(ctx, statusKey{account: accountID, env: env, kind: registrar.WorkflowTransferIn, domain: domain})
}

// TransferOutStatus implements registrar.Reader, from the status cache
// when it can.
func (db *DB) TransferOutStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return db.status(ctx, statusKey{account: accountID, env: env, kind: registrar.WorkflowTransferOut, domain: domain})
}

// RenewalStatus implements registrar.Reader, from the status cache when
// it can.
func (db *DB) RenewalStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return db.status(ctx, statusKey{account: accountID, env: env, kind: registrar.WorkflowRenewal, domain: domain})
}

// RestoreStatus implements registrar.Reader, from the status cache when
// it can.
func (db *DB) RestoreStatus(ctx context.Context, accountID string, env registrar.Env, domain string) (*registrar.Workflow, error) {
	return db.status(ctx, statusKey{account: accountID, env: env, kind: registrar.WorkflowRestore, domain: domain})
}

// status reads the newest workflow of a subject through the cache.
func (db *DB) status(ctx context.Context, k statusKey) (*registrar.Workflow, error) {
	wf, ok := db.statuses.get(k)
	db.statusReads(ok)
	if ok {
		cp := *wf // callers own what they get; Context is never modified in place
		return &cp, nil
	}
	epoch := db.statuses.begin()
	wf, err := latestWorkflow(ctx, db.read, statusColumns, k.account, k.env, k.kind, k.domain)
	if err == nil {
		db.statuses.put(k, epoch, wf)
	}
	return wf, err
}

// Workflow implements registrar.Reader. The workflow's Data is left empty.
func (db *DB) Workflow(ctx context.Context, accountID, id string) (*registrar.Workflow, error) {
	w, err := scanWorkflow(db.read.queryRow(ctx, `SELECT `+statusColumns+` FROM workflows WHERE id = $1 AND account_id = $2`, id, accountID))
	return w, notFound("store.Workflow", "workflow", err)
}

// latestWorkflow finds the newest workflow of a kind for a domain: the one
// a status endpoint shows. A new registration workflow can only start after
// the previous one failed, so two never share a created_at.
func latestWorkflow(ctx context.Context, q querier, columns, accountID string, env registrar.Env, kind registrar.WorkflowKind, domain string) (*registrar.Workflow, error) {
	w, err := scanWorkflow(q.queryRow(ctx, `SELECT `+columns+` FROM workflows
		WHERE account_id = $1 AND env = $2 AND domain = $3 AND kind = $4
		ORDER BY created_at DESC LIMIT 1`, accountID, env, domain, kind))
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

// workflowCursor is the position after the last workflow of a page, newest
// first: (created_at, id) of that workflow. Opaque to clients (base64
// JSON), as listCursor.
type workflowCursor struct {
	Created int64  `json:"c"`
	ID      string `json:"i"`
}

// ListWorkflows implements registrar.Reader: the account's workflows in
// env, newest first, with keyset pagination on (created_at, id), so that
// pages stay stable while workflows start.
func (db *DB) ListWorkflows(ctx context.Context, accountID string, env registrar.Env, opts registrar.WorkflowListOptions) (registrar.Page[registrar.Workflow], error) {
	const op = "store.ListWorkflows"
	var page registrar.Page[registrar.Workflow]
	perPage := opts.PerPage
	if perPage == 0 {
		perPage = registrar.DefaultPerPage
	}
	if perPage < 1 || perPage > registrar.MaxPerPage {
		return page, registrar.Invalid(op, "?per_page", "per_page must be between 1 and %d", registrar.MaxPerPage)
	}
	args := []any{accountID, env}
	where := `account_id = $1 AND env = $2`
	add := func(cond string, v any) {
		args = append(args, v)
		where += fmt.Sprintf(" AND "+cond, len(args))
	}
	if opts.Kind != "" {
		add("kind = $%d", string(opts.Kind))
	}
	if opts.State != "" {
		add("state = $%d", string(opts.State))
	}
	if opts.Domain != "" {
		add("domain = $%d", opts.Domain)
	}
	if !opts.Since.IsZero() {
		add("created_at >= $%d", micros(opts.Since))
	}
	if opts.Cursor != "" {
		var c workflowCursor
		b, err := base64.RawURLEncoding.DecodeString(opts.Cursor)
		if err == nil {
			err = json.Unmarshal(b, &c)
		}
		if err != nil || c.ID == "" {
			return page, registrar.Invalid(op, "?cursor", "cursor is not valid; start again without it")
		}
		args = append(args, c.Created, c.ID)
		where += fmt.Sprintf(" AND (created_at, id) < ($%d, $%d)", len(args)-1, len(args))
	}
	args = append(args, perPage+1)
	rs, err := db.read.query(ctx, `SELECT `+statusColumns+` FROM workflows WHERE `+where+
		fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return page, dbErr(op, err)
	}
	defer rs.Close()
	for rs.Next() {
		if len(page.Items) == perPage {
			last := page.Items[perPage-1]
			b, _ := json.Marshal(workflowCursor{Created: micros(last.CreatedAt), ID: last.ID})
			page.Next = base64.RawURLEncoding.EncodeToString(b)
			break
		}
		w, err := scanWorkflow(rs)
		if err != nil {
			return page, dbErr(op, err)
		}
		page.Items = append(page.Items, *w)
	}
	return page, dbErr(op, rs.Err())
}
