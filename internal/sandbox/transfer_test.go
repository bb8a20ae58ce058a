package sandbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// transfers returns the registry as clientID sees it, for transfers.
func (f *fixture) transfers(clientID string) registrar.Transfers {
	f.t.Helper()
	return f.as(clientID).(registrar.Transfers)
}

// transferErr checks err's kind and transfer reason.
func transferErr(t *testing.T, what string, err error, kind registrar.Kind, reason, msg string) {
	t.Helper()
	e := registrar.AsError(err)
	if e == nil || e.Kind != kind || e.Reason != reason || !strings.Contains(e.Message, msg) {
		t.Errorf("%s = %v (reason %q), want kind %v, reason %q, message with %q", what, err, func() string {
			if e == nil {
				return ""
			}
			return e.Reason
		}(), kind, reason, msg)
	}
}

// pollTransfer polls clientID's next message, which must be about a
// transfer of name with status, and acks it.
func (f *fixture) pollTransfer(clientID, name, status string) *registrar.TransferResult {
	f.t.Helper()
	ctx := context.Background()
	m, err := f.as(clientID).Poll(ctx)
	if err != nil || m == nil || m.Transfer == nil {
		f.t.Fatalf("%s: Poll() = %+v, %v, want a transfer message (%s %s)", clientID, m, err, name, status)
	}
	if m.Domain != name || m.Transfer.Name != name || m.Transfer.Status != status {
		f.t.Errorf("%s: Poll() = %s %+v, want %s %s", clientID, m.Domain, *m.Transfer, name, status)
	}
	if err := f.as(clientID).Ack(ctx, m.ID); err != nil {
		f.t.Fatalf("Ack = %v", err)
	}
	return m.Transfer
}

func (f *fixture) noMessages(clientID string) {
	f.t.Helper()
	if m, err := f.as(clientID).Poll(context.Background()); err != nil || m != nil {
		f.t.Errorf("%s: Poll() = %+v, %v, want no message", clientID, m, err)
	}
}

func request(name, auth string) registrar.TransferRequest {
	return registrar.TransferRequest{Op: registrar.TransferOpRequest, Name: name, AuthInfo: auth, Years: 1, TransactionID: "tr-" + name}
}

func countLog(t *testing.T, e *sandbox.Engine, command, domain string) int {
	n := 0
	for _, le := range mustLog(t, e) {
		if le.Command == command && le.Domain == domain {
			n++
		}
	}
	return n
}

// TestTransferScenarios plays every row of the transfer scenario table
// (doc.go) over EPP on both backends.
func TestTransferScenarios(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		f := start(t, b, sandbox.Config{TransferDelay: time.Hour})
		us := f.transfers(ours)

		// Other names do not exist.
		_, err := us.TransferInfo(ctx, "nobody-here.com", sandbox.TransferAuthCode)
		transferErr(t, "TransferInfo(unregistered)", err, registrar.KindNotFound, registrar.TransferReasonDomainNotExists, "2303")

		// xfer-: info with the right code, wrong code; auto-approval.
		const name = "xfer-example.com"
		info, err := us.TransferInfo(ctx, name, sandbox.TransferAuthCode)
		if err != nil || info.Sponsored || info.AuthInfo != "" || info.CreatedAt.IsZero() {
			t.Errorf("TransferInfo(%s) = %+v, %v, want another registrar's domain", name, info, err)
		}
		_, err = us.TransferInfo(ctx, name, "wrong-code")
		transferErr(t, "TransferInfo(wrong code)", err, registrar.KindRejected, registrar.TransferReasonInvalidAuthCode, "2202")
		_, err = us.Transfer(ctx, request(name, "wrong-code"))
		transferErr(t, "request(wrong code)", err, registrar.KindRejected, registrar.TransferReasonInvalidAuthCode, "2202")

		res, err := us.Transfer(ctx, request(name, sandbox.TransferAuthCode))
		if err != nil || !res.Pending || res.Status != registrar.TransferPending || res.RequestingID != ours ||
			res.ActingID != sandbox.OtherRegistrar || !res.ActBy.Equal(res.RequestedAt.Add(time.Hour)) ||
			!res.ExpiresAt.Equal(info.ExpiresAt.AddDate(1, 0, 0)) || res.ServerTransactionID == "" {
			t.Fatalf("request(%s) = %+v, %v, want pending for an hour", name, res, err)
		}
		if info, _ := us.TransferInfo(ctx, name, ""); !contains(info.Statuses, "pendingTransfer") {
			t.Errorf("statuses while pending = %v, want pendingTransfer", info.Statuses)
		}
		_, err = us.Transfer(ctx, request(name, sandbox.TransferAuthCode))
		transferErr(t, "second request", err, registrar.KindConflict, "", "2300")
		f.noMessages(ours)
		f.clock.Advance(time.Hour)
		q, err := us.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpQuery, Name: name})
		if err != nil || q.Status != registrar.TransferServerApproved || q.Pending {
			t.Errorf("query after the delay = %+v, %v, want serverApproved", q, err)
		}
		f.pollTransfer(ours, name, registrar.TransferServerApproved)
		info, err = f.as(ours).Info(ctx, name)
		if err != nil || !info.Sponsored || !info.ExpiresAt.Equal(res.ExpiresAt) || info.AuthInfo == sandbox.TransferAuthCode || info.AuthInfo == "" {
			t.Errorf("Info after the transfer = %+v, %v, want ours, expiring %v, with a new auth code", info, err, res.ExpiresAt)
		}
		_, err = us.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpCancel, Name: name})
		transferErr(t, "cancel after approval", err, registrar.KindConflict, "", "2301")

		// xfer-ack-: 1001, then clientApproved at once.
		res, err = us.Transfer(ctx, request("xfer-ack-example.com", sandbox.TransferAuthCode))
		if err != nil || !res.Pending || res.Status != registrar.TransferPending {
			t.Errorf("request(xfer-ack-) = %+v, %v, want 1001 pending", res, err)
		}
		f.pollTransfer(ours, "xfer-ack-example.com", registrar.TransferClientApproved)
		if info, _ := f.as(ours).Info(ctx, "xfer-ack-example.com"); !info.Sponsored {
			t.Errorf("xfer-ack- not ours after approval: %+v", info)
		}

		// xfer-nack-: clientRejected.
		if _, err := us.Transfer(ctx, request("xfer-nack-example.com", sandbox.TransferAuthCode)); err != nil {
			t.Errorf("request(xfer-nack-) = %v", err)
		}
		f.pollTransfer(ours, "xfer-nack-example.com", registrar.TransferClientRejected)
		if info, _ := f.as(ours).Info(ctx, "xfer-nack-example.com"); info.Sponsored {
			t.Errorf("xfer-nack- is ours after a rejection")
		}

		// xfer-locked-: the status shows, the request is 2304.
		info, _ = us.TransferInfo(ctx, "xfer-locked-example.com", sandbox.TransferAuthCode)
		if !contains(info.Statuses, "clientTransferProhibited") {
			t.Errorf("xfer-locked- statuses = %v", info.Statuses)
		}
		_, err = us.Transfer(ctx, request("xfer-locked-example.com", sandbox.TransferAuthCode))
		transferErr(t, "request(xfer-locked-)", err, registrar.KindRejected, registrar.TransferReasonDomainLocked, "2304")

		// xfer-new-: created ten days ago, 2106.
		info, _ = us.TransferInfo(ctx, "xfer-new-example.com", sandbox.TransferAuthCode)
		if age := f.clock.Now().Sub(info.CreatedAt); age >= 60*24*time.Hour {
			t.Errorf("xfer-new- created %v ago", age)
		}
		_, err = us.Transfer(ctx, request("xfer-new-example.com", sandbox.TransferAuthCode))
		transferErr(t, "request(xfer-new-)", err, registrar.KindRejected, registrar.TransferReasonOutsideTransferWindow, "2106")

		// xfer-premium-: premium class, 50 times the price.
		p, err := us.TransferPrice(ctx, "xfer-premium-example.com")
		if err != nil || !p.Premium || p.Transfer != "500.00" || p.Renewal != "500.00" || p.Currency != "USD" {
			t.Errorf("TransferPrice(xfer-premium-) = %+v, %v", p, err)
		}
		p, err = us.TransferPrice(ctx, name)
		if err != nil || p.Premium || p.Transfer != "10.00" || p.Renewal != "10.00" {
			t.Errorf("TransferPrice(%s) = %+v, %v", name, p, err)
		}

		// Every transfer command is logged.
		if n := countLog(t, f.engine(), "transfer:request", name); n != 3 {
			t.Errorf("log has %d transfer requests of %s, want 3", n, name)
		}
		if n := countLog(t, f.engine(), "transfer:request", "xfer-locked-example.com"); n != 1 {
			t.Errorf("log has %d transfer requests of xfer-locked-, want 1", n)
		}
	})
}

// TestTransferCancel: the gaining registrar cancels a pending transfer;
// the losing one may not, and nobody else may query it.
func TestTransferCancel(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		f := start(t, b, sandbox.Config{TransferDelay: time.Hour})
		const name = "xfer-cancel.com"
		if _, err := f.transfers(ours).Transfer(ctx, request(name, sandbox.TransferAuthCode)); err != nil {
			t.Fatal(err)
		}
		_, err := f.transfers(theirs).Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpQuery, Name: name})
		transferErr(t, "query by a third registrar", err, registrar.KindForbidden, "", "2201")
		_, err = f.transfers(theirs).Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpQuery, Name: name, AuthInfo: "bad"})
		transferErr(t, "query with a wrong code", err, registrar.KindRejected, registrar.TransferReasonInvalidAuthCode, "2202")
		_, err = f.transfers(ours).Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpApprove, Name: name})
		transferErr(t, "approve by the gaining registrar", err, registrar.KindForbidden, "", "2201")
		res, err := f.transfers(ours).Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpCancel, Name: name})
		if err != nil || res.Status != registrar.TransferClientCancelled || res.Pending {
			t.Fatalf("cancel = %+v, %v", res, err)
		}
		f.clock.Advance(2 * time.Hour)
		if info, _ := f.as(ours).Info(ctx, name); info.Sponsored {
			t.Errorf("cancelled transfer approved")
		}
		f.noMessages(ours)
		f.pollTransfer(sandbox.OtherRegistrar, name, registrar.TransferPending)
		f.pollTransfer(sandbox.OtherRegistrar, name, registrar.TransferClientCancelled)
	})
}

// TestTransferOut: OtherRegistrar requests one of our domains; we
// approve, reject, or let the registry approve.
func TestTransferOut(t *testing.T) {
	each(t, func(t *testing.T, b storetest.Backend) {
		ctx := context.Background()
		f := start(t, b, sandbox.Config{TransferDelay: time.Hour})
		us := f.transfers(ours)
		for _, n := range []string{"approve.com", "reject.com", "silent.com"} {
			mustCreate(t, f.as(ours), n)
			if err := f.engine().RequestTransferFromOther(ctx, n); err != nil {
				t.Fatalf("RequestTransferFromOther(%s) = %v", n, err)
			}
			tr := f.pollTransfer(ours, n, registrar.TransferPending)
			if tr.RequestingID != sandbox.OtherRegistrar || tr.ActingID != ours {
				t.Errorf("transfer-out message = %+v", tr)
			}
		}
		var se *sandbox.Error
		if err := f.engine().RequestTransferFromOther(ctx, "approve.com"); !asSandboxError(err, &se) || se.Code != 2300 {
			t.Errorf("second RequestTransferFromOther = %v, want 2300", err)
		}
		if err := f.engine().RequestTransferFromOther(ctx, "nothing.com"); !asSandboxError(err, &se) || se.Code != 2303 {
			t.Errorf("RequestTransferFromOther(missing) = %v, want 2303", err)
		}
		before, _ := f.as(ours).Info(ctx, "approve.com")
		res, err := us.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpApprove, Name: "approve.com"})
		if err != nil || res.Status != registrar.TransferClientApproved {
			t.Errorf("approve = %+v, %v", res, err)
		}
		res, err = us.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpReject, Name: "reject.com"})
		if err != nil || res.Status != registrar.TransferClientRejected {
			t.Errorf("reject = %+v, %v", res, err)
		}
		_, err = us.Transfer(ctx, registrar.TransferRequest{Op: registrar.TransferOpReject, Name: "reject.com"})
		transferErr(t, "second reject", err, registrar.KindConflict, "", "2301")
		f.clock.Advance(time.Hour)
		f.pollTransfer(ours, "silent.com", registrar.TransferServerApproved)
		f.noMessages(ours)

		other := f.as(sandbox.OtherRegistrar)
		for n, want := range map[string]bool{"approve.com": true, "reject.com": false, "silent.com": true} {
			info, err := other.Info(ctx, n)
			if err != nil || info.Sponsored != want {
				t.Errorf("%s sponsored by otherregistrar = %v (%v), want %v", n, info.Sponsored, err, want)
			}
		}
		after, _ := other.Info(ctx, "approve.com")
		if !after.ExpiresAt.Equal(before.ExpiresAt.AddDate(1, 0, 0)) || after.AuthInfo == before.AuthInfo {
			t.Errorf("after the transfer out: expiry %v (was %v), auth %q (was %q)", after.ExpiresAt, before.ExpiresAt, after.AuthInfo, before.AuthInfo)
		}
		if n := countLog(t, f.engine(), "transfer:request", "approve.com"); n != 2 {
			t.Errorf("log has %d transfer requests of approve.com, want 2", n)
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func asSandboxError(err error, target **sandbox.Error) bool {
	e, ok := err.(*sandbox.Error)
	if ok {
		*target = e
	}
	return ok
}

// TestUpdateAuthInfo: an update changes the auth code over EPP
// (<domain:chg><domain:authInfo>), with or without statuses: the sponsor's
// info shows the new code, another registrar's transfer takes the new
// code and refuses the old, and clientTransferProhibited (a lock) refuses
// any transfer until it is removed.
func TestUpdateAuthInfo(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, backend storetest.Backend) {
		ctx := context.Background()
		f := start(t, backend, sandbox.Config{Delay: time.Hour, TransferDelay: time.Hour})
		us, them := f.as(ours), f.transfers(theirs)
		mustCreate(t, us, "example.com")
		f.clock.Advance(61 * 24 * time.Hour) // past the 60 days after create without transfers
		const old, fresh = "auth-example.com", "N3w-Code_9xYz.Q2"

		lock := registrar.DomainUpdate{Name: "example.com", AddStatuses: []string{"clientTransferProhibited"}, AuthInfo: fresh}
		if err := us.Update(ctx, lock); err != nil {
			t.Fatalf("Update(%+v) = %v", lock, err)
		}
		info, err := us.Info(ctx, "example.com")
		if err != nil || info.AuthInfo != fresh || len(info.Statuses) != 1 || info.Statuses[0] != "clientTransferProhibited" {
			t.Fatalf("Info after the update = %+v, %v, want the new code and clientTransferProhibited", info, err)
		}
		_, err = them.Transfer(ctx, request("example.com", fresh))
		transferErr(t, "request while locked", err, registrar.KindRejected, registrar.TransferReasonDomainLocked, "2304")

		unlock := registrar.DomainUpdate{Name: "example.com", RemoveStatuses: []string{"clientTransferProhibited"}}
		if err := us.Update(ctx, unlock); err != nil {
			t.Fatalf("Update(%+v) = %v", unlock, err)
		}
		if info, err := us.Info(ctx, "example.com"); err != nil || info.AuthInfo != fresh {
			t.Errorf("an update without a code changed it: %+v, %v", info, err)
		}
		_, err = them.Transfer(ctx, request("example.com", old))
		transferErr(t, "request with the old code", err, registrar.KindRejected, registrar.TransferReasonInvalidAuthCode, "2202")
		if res, err := them.Transfer(ctx, request("example.com", fresh)); err != nil || res.Status != registrar.TransferPending {
			t.Errorf("request with the new code = %+v, %v, want pending", res, err)
		}

		err = f.as(theirs).Update(ctx, registrar.DomainUpdate{Name: "example.com", AuthInfo: "Th3ir-Code#only"})
		if d := errDiff(err, rerr(registrar.KindInternal, err2201)); d != "" {
			t.Errorf("another registrar's update of the code: %s", d)
		}
	})
}
