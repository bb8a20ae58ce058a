package sandbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// This file holds domain transfers (RFC 5731 sections 3.1.3 and 3.2.4)
// and the transfer scenarios, in which OtherRegistrar plays the other
// side.

// TransferAuthCode is the auth code (EPP <domain:pw>) of every xfer- name
// OtherRegistrar holds: "sandbox-auth", "c2FuZGJveC1hdXRo" in the base64
// form the API takes. Any other code is 2202.
const TransferAuthCode = "sandbox-auth"

// DefaultTransferDelay is the transfer delay when Config.TransferDelay is
// zero; it stands for the 5 days of ICANN's transfer policy.
const DefaultTransferDelay = 5 * time.Second

// TransferWindow is how long after its creation a domain cannot be
// transferred (ICANN's 60 days): a request is 2106.
const TransferWindow = 60 * 24 * time.Hour

// TransferCommand is a domain transfer over EPP.
type TransferCommand struct {
	// Op is one of the registrar.TransferOp* values.
	Op   registrar.TransferOp
	Name string
	// AuthInfo is the domain's auth code: required for a request, and for
	// a query by a registrar that is neither side of the transfer.
	AuthInfo string
	// Years is the period a request adds (1 to 10).
	Years int
	// Fee is the fee extension of a request; nil when none.
	Fee *FeeOffer
}

// TransferData is the domain's latest transfer (EPP trnData), and for a
// request its price.
type TransferData struct {
	registrar.TransferResult
	Price Price
}

// transferRow is a row of the transfers table.
type transferRow struct {
	registrar.TransferResult
	id     int64
	years  int
	cltrid string
	svtrid string
}

// loadTransfer returns the transfer a where clause selects (the latest
// of a domain, or one by id), or a 2301 failure when there is none.
func loadTransfer(ctx context.Context, tx *txn, where string, arg any) (*transferRow, error) {
	t := &transferRow{}
	var re, ac, ex int64
	err := tx.QueryRowContext(ctx, `
		SELECT id, domain, status, requester, sponsor, requested_at, act_by, years, expires_at, cltrid, svtrid
		FROM transfers WHERE `+where+` ORDER BY id DESC LIMIT 1`, arg).
		Scan(&t.id, &t.Name, &t.Status, &t.RequestingID, &t.ActingID, &re, &ac, &t.years, &ex, &t.cltrid, &t.svtrid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fail(CodeNotPendingTransfer, "no transfer of this domain")
	}
	if err != nil {
		return nil, err
	}
	t.RequestedAt, t.ActBy, t.ExpiresAt = time.UnixMicro(re).UTC(), time.UnixMicro(ac).UTC(), time.UnixMicro(ex).UTC()
	return t, nil
}

// seedXfer makes sure every valid xfer- name among names exists,
// sponsored by OtherRegistrar with TransferAuthCode: since a year ago
// (xfer-new-: ten days ago), expiring in a year, xfer-locked- names with
// clientTransferProhibited.
func seedXfer(ctx context.Context, tx *txn, now time.Time, names []string) error {
	for _, name := range names {
		sc := scenarioOf(name)
		if !sc.isXfer() || !validName(name) {
			continue
		}
		created := now.AddDate(-1, 0, 0)
		if sc == scenarioXferNew {
			created = now.AddDate(0, 0, -10)
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO domains (name, sponsor, auth_info, registrant, contacts, created_at, expires_at, updated_at, create_cltrid, create_svtrid)
			VALUES (?, ?, ?, '{}', '{}', ?, ?, ?, '', '')
			ON CONFLICT DO NOTHING`,
			name, OtherRegistrar, TransferAuthCode, created.UnixMicro(), now.AddDate(1, 0, 0).UnixMicro(), created.UnixMicro())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n > 0 && sc == scenarioXferLocked {
			if _, err := tx.ExecContext(ctx, `INSERT INTO domain_statuses (domain, status) VALUES (?, 'clientTransferProhibited')`, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// Transfer runs one transfer operation of clientID on a domain, as a
// <transfer> over EPP, and returns the domain's latest transfer:
//
//   - request (the gaining registrar): needs the domain's auth code
//     (2202 otherwise) and a period of 1 to 10 years; refused with 2106
//     for a domain clientID sponsors or one created less than
//     TransferWindow ago, 2304 "clientTransferProhibited" (or the
//     server's status) for a locked one, 2300 while a transfer is
//     pending; a premium name needs the fee extension (2003), as a
//     create. It answers 1001 (pending) and queues a pending trnData
//     message to the losing registrar. The losing registrar acts at
//     once for xfer-ack- (clientApproved) and xfer-nack- names
//     (clientRejected), with a trnData message to clientID; otherwise
//     the registry approves TransferDelay later (serverApproved).
//   - query (either side, or anyone quoting the auth code: 2201
//     without, 2202 wrong): 1000 with the latest transfer; 2301 if none.
//   - cancel (the gaining registrar, while pending): clientCancelled.
//   - approve, reject (the losing registrar, while pending):
//     clientApproved, clientRejected.
//
// 2301 when the transfer cancel, approve and reject act on is not
// pending, 2201 when clientID is not its side. On approval the domain's
// sponsor becomes the gaining registrar, its expiry moves by the years
// requested and its auth code is reset; both sides get a trnData
// message. Every operation is logged as "transfer:<op>".
func (e *Engine) Transfer(ctx context.Context, clientID, clTRID string, req TransferCommand) (TransferData, Response, error) {
	return e.transfer(ctx, clientID, clTRID, req, false)
}

// RequestTransferFromOther makes OtherRegistrar request the transfer of
// name, a domain another registrar (us) sponsors, as "transfer out"
// tests need: the transfer is pending, a trnData message (trStatus
// pending) is queued to the sponsor, who approves or rejects it over EPP;
// without an answer the registry approves it TransferDelay later
// (serverApproved, with a message to the sponsor). Neither the auth code
// nor the transfer window is checked. Errors are *Error as for Transfer:
// 2303 for no such domain, 2106 when OtherRegistrar already sponsors it,
// 2300 while a transfer is pending. It is logged as a "transfer:request"
// of OtherRegistrar.
func (e *Engine) RequestTransferFromOther(ctx context.Context, name string) error {
	_, _, err := e.transfer(ctx, OtherRegistrar, "sandbox-transfer-out", TransferCommand{Op: registrar.TransferOpRequest, Name: name, Years: 1}, true)
	return err
}

func (e *Engine) transfer(ctx context.Context, clientID, clTRID string, req TransferCommand, out bool) (TransferData, Response, error) {
	name := normalizeName(req.Name)
	c := &command{name: "transfer:" + string(req.Op), clientID: clientID, clTRID: clTRID, names: []string{name}, domain: name}
	var res TransferData
	resp, err := e.exec(ctx, c, func(ctx context.Context, tx *txn, now time.Time) (int, error) {
		if err := checkName(name); err != nil {
			return 0, err
		}
		d, err := loadDomain(ctx, tx, name)
		if err != nil {
			return 0, err
		}
		if req.Op == registrar.TransferOpRequest {
			return e.transferRequest(ctx, tx, now, c, d, req, out, &res)
		}
		t, err := loadTransfer(ctx, tx, `domain = ?`, name)
		if err != nil {
			return 0, err
		}
		switch req.Op {
		case registrar.TransferOpQuery:
			if clientID != t.RequestingID && clientID != t.ActingID && clientID != d.sponsor {
				switch {
				case req.AuthInfo == "":
					return 0, fail(CodeAuthorization, "")
				case req.AuthInfo != d.authInfo:
					return 0, fail(CodeInvalidAuthInfo, "")
				}
			}
			res.TransferResult = t.TransferResult
			return CodeOK, nil
		case registrar.TransferOpCancel, registrar.TransferOpApprove, registrar.TransferOpReject:
		default:
			return 0, failf(CodeSyntaxError, "transfer op %q", req.Op)
		}
		if t.Status != registrar.TransferPending {
			return 0, fail(CodeNotPendingTransfer, "")
		}
		status, side := registrar.TransferClientCancelled, t.RequestingID
		switch req.Op {
		case registrar.TransferOpApprove:
			status, side = registrar.TransferClientApproved, t.ActingID
		case registrar.TransferOpReject:
			status, side = registrar.TransferClientRejected, t.ActingID
		}
		if clientID != side {
			return 0, failf(CodeAuthorization, "only the %s registrar may %s a transfer", map[bool]string{true: "gaining", false: "losing"}[side == t.RequestingID], req.Op)
		}
		if err := e.settleTransfer(ctx, tx, t, status, now); err != nil {
			return 0, err
		}
		res.TransferResult = t.TransferResult
		return CodeOK, nil
	})
	if err != nil {
		return TransferData{}, resp, err
	}
	return res, resp, nil
}

func (e *Engine) transferRequest(ctx context.Context, tx *txn, now time.Time, c *command, d *domain, req TransferCommand, out bool, res *TransferData) (int, error) {
	if err := checkYears(req.Years); err != nil {
		return 0, err
	}
	switch {
	case d.sponsor == c.clientID:
		return 0, fail(CodeNotEligibleForTransfer, "the domain is already sponsored by the requesting registrar")
	case !out && req.AuthInfo != d.authInfo:
		return 0, fail(CodeInvalidAuthInfo, "")
	case d.pendingTransfer:
		return 0, fail(CodePendingTransfer, "")
	case d.deleted():
		return 0, fail(CodeStatusProhibits, "pendingDelete")
	case d.has("clientTransferProhibited"):
		return 0, fail(CodeStatusProhibits, "clientTransferProhibited")
	case d.pending:
		return 0, fail(CodeStatusProhibits, "pendingCreate")
	case !out && now.Sub(d.createdAt) < TransferWindow:
		return 0, fail(CodeNotEligibleForTransfer, "created less than 60 days ago")
	}
	price, err := e.checkFee(d.name, "transfer", req.Years, req.Fee)
	if err != nil {
		return 0, err
	}
	expires := d.expiresAt.AddDate(req.Years, 0, 0)
	if limit := now.AddDate(maxYears, 0, 0); expires.After(limit) {
		return 0, failf(CodeRangeError, "the term would pass %d years", maxYears)
	}
	t := &transferRow{TransferResult: registrar.TransferResult{
		Name: d.name, Status: registrar.TransferPending, RequestingID: c.clientID, ActingID: d.sponsor,
		RequestedAt: now, ActBy: now.Add(e.xdelay), ExpiresAt: expires,
	}, years: req.Years, cltrid: c.clTRID, svtrid: c.svTRID}
	if err := tx.QueryRowContext(ctx, `
		INSERT INTO transfers (domain, status, requester, sponsor, requested_at, act_by, years, expires_at, cltrid, svtrid)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.Name, t.Status, t.RequestingID, t.ActingID, t.RequestedAt.UnixMicro(), t.ActBy.UnixMicro(), t.years,
		t.ExpiresAt.UnixMicro(), t.cltrid, t.svtrid).Scan(&t.id); err != nil {
		return 0, err
	}
	if err := queueTransferMessage(ctx, tx, t, t.ActingID, now, "Transfer of "+t.Name+" requested by "+t.RequestingID); err != nil {
		return 0, err
	}
	res.TransferResult, res.Price = t.TransferResult, price
	if d.sponsor == OtherRegistrar {
		switch scenarioOf(d.name) {
		case scenarioXferAck:
			err = e.settleTransfer(ctx, tx, t, registrar.TransferClientApproved, now)
		case scenarioXferNack:
			err = e.settleTransfer(ctx, tx, t, registrar.TransferClientRejected, now)
		}
		if err != nil {
			return 0, err
		}
	}
	return CodePending, nil
}

// settleTransfer ends the pending transfer t with status at time at:
// an approval moves the domain to the gaining registrar. The side that
// did not act is told by a trnData message; on a server approval, both.
func (e *Engine) settleTransfer(ctx context.Context, tx *txn, t *transferRow, status string, at time.Time) error {
	t.Status, t.ActBy = status, at
	if _, err := tx.ExecContext(ctx, `UPDATE transfers SET status = ?, act_by = ? WHERE id = ?`, status, at.UnixMicro(), t.id); err != nil {
		return err
	}
	approved := status == registrar.TransferClientApproved || status == registrar.TransferServerApproved
	if approved {
		if _, err := tx.ExecContext(ctx, `
			UPDATE domains SET sponsor = ?, expires_at = ?, auth_info = ?, updated_at = ? WHERE name = ?`,
			t.RequestingID, t.ExpiresAt.UnixMicro(), rand.Text(), at.UnixMicro(), t.Name); err != nil {
			return err
		}
		// Subordinate hosts follow their domain (RFC 5732 section 1.1).
		if _, err := tx.ExecContext(ctx, `UPDATE hosts SET sponsor = ? WHERE superordinate = ?`, t.RequestingID, t.Name); err != nil {
			return err
		}
	}
	text := map[string]string{
		registrar.TransferClientApproved:  "Transfer of " + t.Name + " approved by " + t.ActingID,
		registrar.TransferClientRejected:  "Transfer of " + t.Name + " rejected by " + t.ActingID,
		registrar.TransferClientCancelled: "Transfer of " + t.Name + " cancelled by " + t.RequestingID,
		registrar.TransferServerApproved:  "Transfer of " + t.Name + " approved by the registry",
	}[status]
	var to []string
	switch status {
	case registrar.TransferClientCancelled:
		to = []string{t.ActingID}
	case registrar.TransferServerApproved:
		to = []string{t.RequestingID, t.ActingID}
	default:
		to = []string{t.RequestingID}
	}
	for _, client := range to {
		if err := queueTransferMessage(ctx, tx, t, client, at, text); err != nil {
			return err
		}
	}
	return nil
}

// queueTransferMessage queues a trnData message about t, as it is now,
// to client.
func queueTransferMessage(ctx context.Context, tx *txn, t *transferRow, client string, at time.Time, text string) error {
	success := 0
	if t.Status == registrar.TransferClientApproved || t.Status == registrar.TransferServerApproved {
		success = 1
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO messages (client_id, domain, success, cltrid, svtrid, message, created_at, transfer_id, tr_status, tr_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		client, t.Name, success, t.cltrid, t.svtrid, text, at.UnixMicro(), t.id, t.Status, t.ActBy.UnixMicro())
	return err
}

// settleTransfers approves every pending transfer whose losing registrar
// did not act in time (serverApproved), dated when it was due.
func (e *Engine) settleTransfers(ctx context.Context, tx *txn, now time.Time) error {
	ids, err := queryColumn[int64](ctx, tx, `SELECT id FROM transfers WHERE status = 'pending' AND act_by <= ? ORDER BY act_by, id`, now.UnixMicro())
	if err != nil {
		return err
	}
	for _, id := range ids {
		t, err := loadTransfer(ctx, tx, `id = ?`, id)
		if err != nil {
			return err
		}
		if err := e.settleTransfer(ctx, tx, t, registrar.TransferServerApproved, t.ActBy); err != nil {
			return err
		}
	}
	return nil
}
