package eppregistry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/epp/epptest"
	"github.com/openregistrar/registrar/internal/eppregistry"
	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/sandbox"
	"github.com/openregistrar/registrar/internal/sandbox/sandboxtest"
)

// transferFixture is a sandbox over EPP with a transfer delay of
// xdelay, our registry adapter, and OtherRegistrar's; every frame is
// checked against the schemas at the end.
func transferFixture(t *testing.T, xdelay time.Duration) (us, other *eppregistry.Registry, engine *sandbox.Engine) {
	t.Helper()
	frames := &epptest.Frames{}
	srv := sandboxtest.Start(t, sandboxtest.Options{
		Engine:    sandbox.Config{Delay: time.Second, TransferDelay: xdelay},
		ClientIDs: []string{sandboxtest.ClientID, sandbox.OtherRegistrar},
		Trace:     func(_ bool, b []byte) { frames.Add("frame", b) },
	})
	t.Cleanup(func() {
		srv.Close()
		frames.Validate(t)
	})
	return srv.Registry(t, sandboxtest.ClientID), srv.Registry(t, sandbox.OtherRegistrar), srv.Engine
}

// wantErr checks an error's kind, transfer reason and EPP code.
func wantErr(t *testing.T, what string, err error, kind registrar.Kind, reason, code string) {
	t.Helper()
	e := registrar.AsError(err)
	if e == nil || e.Kind != kind || e.Reason != reason || !strings.HasPrefix(e.Message, code) {
		t.Errorf("%s = %#v, want kind %v, reason %q, code %s", what, e, kind, reason, code)
	}
}

func TestTransferOverEPP(t *testing.T) {
	t.Parallel()
	// A transfer delay no loaded machine reaches before the cancel below;
	// the auto-approval has its own fixture at the end.
	us, other, engine := transferFixture(t, time.Hour)
	ctx := context.Background()
	req := func(op registrar.TransferOp, name, auth string) registrar.TransferRequest {
		return registrar.TransferRequest{Op: op, Name: name, AuthInfo: auth, Years: 1, TransactionID: "OR-xfer-" + string(op)}
	}

	// TransferInfo: right code, wrong code, no such domain.
	info, err := us.TransferInfo(ctx, "xfer-one.com", sandbox.TransferAuthCode)
	if err != nil || info.Sponsored || info.Name != "xfer-one.com" || info.ExpiresAt.IsZero() {
		t.Errorf("TransferInfo = %+v, %v", info, err)
	}
	_, err = us.TransferInfo(ctx, "xfer-one.com", "not-the-code")
	wantErr(t, "TransferInfo(wrong code)", err, registrar.KindRejected, registrar.TransferReasonInvalidAuthCode, "2202")
	_, err = us.TransferInfo(ctx, "no-such-name.com", "x")
	wantErr(t, "TransferInfo(missing)", err, registrar.KindNotFound, registrar.TransferReasonDomainNotExists, "2303")

	// TransferPrice: standard and premium.
	if p, err := us.TransferPrice(ctx, "xfer-one.com"); err != nil || p != (registrar.TransferPrice{Currency: "USD", Transfer: "10.00", Renewal: "10.00"}) {
		t.Errorf("TransferPrice(standard) = %+v, %v", p, err)
	}
	if p, err := us.TransferPrice(ctx, "xfer-premium-one.com"); err != nil || p != (registrar.TransferPrice{Currency: "USD", Transfer: "500.00", Renewal: "500.00", Premium: true}) {
		t.Errorf("TransferPrice(premium) = %+v, %v", p, err)
	}

	// request: 1001, then 2300; wrong code 2202; locked 2304; new 2106.
	_, err = us.Transfer(ctx, req(registrar.TransferOpRequest, "xfer-one.com", "wrong"))
	wantErr(t, "request(wrong code)", err, registrar.KindRejected, registrar.TransferReasonInvalidAuthCode, "2202")
	res, err := us.Transfer(ctx, req(registrar.TransferOpRequest, "xfer-one.com", sandbox.TransferAuthCode))
	if err != nil || !res.Pending || res.Status != registrar.TransferPending || res.RequestingID != sandboxtest.ClientID ||
		res.ActingID != sandbox.OtherRegistrar || res.ServerTransactionID == "" {
		t.Fatalf("request = %+v, %v", res, err)
	}
	_, err = us.Transfer(ctx, req(registrar.TransferOpRequest, "xfer-one.com", sandbox.TransferAuthCode))
	wantErr(t, "second request", err, registrar.KindConflict, "", "2300")
	_, err = us.Transfer(ctx, req(registrar.TransferOpRequest, "xfer-locked-one.com", sandbox.TransferAuthCode))
	wantErr(t, "request(locked)", err, registrar.KindRejected, registrar.TransferReasonDomainLocked, "2304")
	_, err = us.Transfer(ctx, req(registrar.TransferOpRequest, "xfer-new-one.com", sandbox.TransferAuthCode))
	wantErr(t, "request(new)", err, registrar.KindRejected, registrar.TransferReasonOutsideTransferWindow, "2106")
	_, err = us.Transfer(ctx, req(registrar.TransferOpRequest, "no-such-name.com", sandbox.TransferAuthCode))
	wantErr(t, "request(missing)", err, registrar.KindNotFound, registrar.TransferReasonDomainNotExists, "2303")
	_, err = us.Transfer(ctx, req(registrar.TransferOpRequest, "xfer-premium-one.com", sandbox.TransferAuthCode))
	wantErr(t, "request(premium, no fee)", err, registrar.KindRejected, "", "2003")

	// approve by the gaining side: 2201; query; cancel; 2301.
	_, err = us.Transfer(ctx, req(registrar.TransferOpApprove, "xfer-one.com", ""))
	wantErr(t, "approve by the gaining registrar", err, registrar.KindForbidden, "", "2201")
	q, err := us.Transfer(ctx, req(registrar.TransferOpQuery, "xfer-one.com", ""))
	if err != nil || q.Status != registrar.TransferPending || q.Pending || !q.RequestedAt.Equal(res.RequestedAt) {
		t.Errorf("query = %+v, %v", q, err)
	}
	c, err := us.Transfer(ctx, req(registrar.TransferOpCancel, "xfer-one.com", ""))
	if err != nil || c.Status != registrar.TransferClientCancelled {
		t.Errorf("cancel = %+v, %v", c, err)
	}
	_, err = us.Transfer(ctx, req(registrar.TransferOpCancel, "xfer-one.com", ""))
	wantErr(t, "second cancel", err, registrar.KindConflict, "", "2301")

	// xfer-ack-: 1001, then a clientApproved trnData poll message.
	if res, err := us.Transfer(ctx, req(registrar.TransferOpRequest, "xfer-ack-one.com", sandbox.TransferAuthCode)); err != nil || !res.Pending {
		t.Fatalf("request(ack) = %+v, %v", res, err)
	}
	m, err := us.Poll(ctx)
	if err != nil || m == nil || m.Transfer == nil || m.Domain != "xfer-ack-one.com" || !m.Success ||
		m.Transfer.Status != registrar.TransferClientApproved || m.Transfer.RequestingID != sandboxtest.ClientID ||
		m.Transfer.ActingID != sandbox.OtherRegistrar || m.Transfer.ExpiresAt.IsZero() {
		t.Fatalf("Poll = %+v, %v, want the approval", m, err)
	}
	if err := us.Ack(ctx, m.ID); err != nil {
		t.Fatal(err)
	}

	// Transfer out: OtherRegistrar asks for xfer-ack-one.com, now ours;
	// we are told, and reject it; then approve a second request.
	if err := engine.RequestTransferFromOther(ctx, "xfer-ack-one.com"); err != nil {
		t.Fatal(err)
	}
	m, err = us.Poll(ctx)
	if err != nil || m == nil || m.Transfer == nil || m.Transfer.Status != registrar.TransferPending || m.Transfer.RequestingID != sandbox.OtherRegistrar {
		t.Fatalf("Poll = %+v, %v, want the transfer-out request", m, err)
	}
	us.Ack(ctx, m.ID)
	if r, err := us.Transfer(ctx, req(registrar.TransferOpReject, "xfer-ack-one.com", "")); err != nil || r.Status != registrar.TransferClientRejected {
		t.Errorf("reject = %+v, %v", r, err)
	}
	if err := engine.RequestTransferFromOther(ctx, "xfer-ack-one.com"); err != nil {
		t.Fatal(err)
	}
	if r, err := us.Transfer(ctx, req(registrar.TransferOpApprove, "xfer-ack-one.com", "")); err != nil || r.Status != registrar.TransferClientApproved {
		t.Errorf("approve = %+v, %v", r, err)
	}
	if info, err := other.Info(ctx, "xfer-ack-one.com"); err != nil || !info.Sponsored {
		t.Errorf("after approving, Info = %+v, %v, want otherregistrar's", info, err)
	}

	// xfer-: auto-approved after the transfer delay.
	us, _, _ = transferFixture(t, 200*time.Millisecond)
	if _, err := us.Transfer(ctx, req(registrar.TransferOpRequest, "xfer-two.com", sandbox.TransferAuthCode)); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		q, err := us.Transfer(ctx, req(registrar.TransferOpQuery, "xfer-two.com", ""))
		if err == nil && q.Status == registrar.TransferServerApproved {
			break
		}
		if err != nil || q.Status != registrar.TransferPending || time.Now().After(deadline) {
			t.Fatalf("query while waiting for the registry's approval = %+v, %v", q, err)
		}
	}
	if info, err := us.Info(ctx, "xfer-two.com"); err != nil || !info.Sponsored {
		t.Errorf("Info after auto-approval = %+v, %v", info, err)
	}
}

// TestTransferCodesToKinds checks the table's transfer column through
// Transfer, and that the same codes outside a transfer keep their kinds.
func TestTransferCodesToKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    *epp.Error
		kind   registrar.Kind
		reason string
		// plain is the kind of the code in another command (Info).
		plain registrar.Kind
	}{
		{&epp.Error{Code: 2202, Msg: "Invalid authorization information"}, registrar.KindRejected, registrar.TransferReasonInvalidAuthCode, registrar.KindInternal},
		{&epp.Error{Code: 2201, Msg: "Authorization error"}, registrar.KindForbidden, "", registrar.KindInternal},
		{&epp.Error{Code: 2300, Msg: "Object pending transfer"}, registrar.KindConflict, "", registrar.KindConflict},
		{&epp.Error{Code: 2301, Msg: "Object not pending transfer"}, registrar.KindConflict, "", registrar.KindConflict},
		{&epp.Error{Code: 2304, Msg: "Object status prohibits operation", Reason: "clientTransferProhibited"}, registrar.KindRejected, registrar.TransferReasonDomainLocked, registrar.KindRejected},
		{&epp.Error{Code: 2304, Msg: "Object status prohibits operation", Reason: "serverTransferProhibited"}, registrar.KindRejected, registrar.TransferReasonDomainLocked, registrar.KindRejected},
		{&epp.Error{Code: 2304, Msg: "Object status prohibits operation", Reason: "pendingDelete"}, registrar.KindRejected, registrar.TransferReasonRegistryStatus, registrar.KindRejected},
		{&epp.Error{Code: 2106, Msg: "Object is not eligible for transfer"}, registrar.KindRejected, registrar.TransferReasonOutsideTransferWindow, registrar.KindRejected},
		{&epp.Error{Code: 2303, Msg: "Object does not exist"}, registrar.KindNotFound, registrar.TransferReasonDomainNotExists, registrar.KindNotFound},
		{&epp.Error{Code: 2400, Msg: "Command failed"}, registrar.KindUnavailable, "", registrar.KindUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			r := eppregistry.New("test", failing{tt.err}, "openregistrar", nil)
			_, err := r.Transfer(context.Background(), registrar.TransferRequest{Op: registrar.TransferOpRequest, Name: "example.com", AuthInfo: "x", Years: 1})
			wantErr(t, "Transfer", err, tt.kind, tt.reason, "")
			_, err = r.Info(context.Background(), "example.com")
			if e := registrar.AsError(err); e == nil || e.Kind != tt.plain || e.Reason != "" {
				t.Errorf("Info = %#v, want kind %v without a reason", e, tt.plain)
			}
		})
	}
}
