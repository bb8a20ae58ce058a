package workflows

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
	"github.com/openregistrar/registrar/internal/store"
)

// transferRegistry is the fake registry with transfers: TransferPrice,
// TransferInfo and Transfer answer from the script ("price", "trinfo",
// "transfer"), each call recorded ("Transfer request x.com").
type transferRegistry struct{ *fakeRegistry }

var _ registrar.Transfers = transferRegistry{}

func (r transferRegistry) TransferInfo(ctx context.Context, name, authInfo string) (registrar.DomainInfo, error) {
	a, err := r.next(ctx, "trinfo", "TransferInfo "+name+" "+authInfo)
	info := a.info
	info.Name = name
	return info, err
}

func (r transferRegistry) TransferPrice(ctx context.Context, name string) (registrar.TransferPrice, error) {
	a, err := r.next(ctx, "price", "TransferPrice "+name)
	return a.price, err
}

func (r transferRegistry) Transfer(ctx context.Context, req registrar.TransferRequest) (registrar.TransferResult, error) {
	a, err := r.next(ctx, "transfer", "Transfer "+string(req.Op)+" "+req.Name)
	res := a.transfer
	res.Name = req.Name
	return res, err
}

// newTransferBundle is a bundle whose registry offers transfers.
func newTransferBundle(t *testing.T) (*bundle, transferRegistry) {
	b := newBundle(t)
	xr := transferRegistry{b.reg}
	b.router.all = nil
	b.router.add(registrar.EnvLive, testExt, xr)
	b.router.add(registrar.EnvSandbox, testExt, xr)
	return b, xr
}

const authCode = "c2FuZGJveC1hdXRo" // base64 of "sandbox-auth"

var (
	actBy       = t0.Add(5 * 24 * time.Hour)
	newExpiry   = time.Date(2028, 6, 1, 0, 0, 0, 0, time.UTC)
	eligible    = []answer{{price: registrar.TransferPrice{Currency: "USD", Transfer: "9.00"}}, {info: registrar.DomainInfo{CreatedAt: t0.AddDate(-2, 0, 0)}}}
	trPending   = answer{transfer: registrar.TransferResult{Status: registrar.TransferPending, Pending: true, ActBy: actBy}}
	trApproved  = answer{transfer: registrar.TransferResult{Status: registrar.TransferServerApproved, ExpiresAt: newExpiry}}
	errBadAuth  = &registrar.Error{Kind: registrar.KindRejected, Op: "epp.Info", Message: "Invalid authorization information", Reason: registrar.TransferReasonInvalidAuthCode}
	errNoTrnfer = registrar.Errorf(registrar.KindNotFound, "epp.Transfer", "no transfer")
)

func (b *bundle) transferIn(env registrar.Env, domain string) *registrar.Workflow {
	b.t.Helper()
	wf, err := b.e.StartTransferIn(b.ctx, b.p, env, registrar.TransferInRequest{DomainName: domain, Extension: "com", AuthCode: authCode,
		Contacts: registrar.Contacts{Registrant: contact("ada@example.com")}})
	if err != nil {
		b.t.Fatalf("StartTransferIn(%s): %v", domain, err)
	}
	return wf
}

// toBlocked runs a transfer in up to blocked on the losing registrar.
func (b *bundle) toBlocked(env registrar.Env, domain string) *registrar.Workflow {
	b.t.Helper()
	b.reg.on("price", eligible[0]).on("trinfo", eligible[1]).on("transfer", trPending)
	wf := b.transferIn(env, domain)
	b.step()
	wf = b.workflow(wf.ID)
	if wf.State != registrar.StateBlocked || wf.Step != stepTransferAwait {
		b.t.Fatalf("after the request: %s/%s, want blocked/%s", wf.State, wf.Step, stepTransferAwait)
	}
	return wf
}

func transferMsg(id, domain, status string) registrar.PollMessage {
	return registrar.PollMessage{ID: id, Domain: domain, Transfer: &registrar.TransferResult{Name: domain, Status: status, ExpiresAt: newExpiry, ActBy: actBy, RequestingID: "other"}}
}

func countCalls(calls []string, prefix string) int {
	n := 0
	for _, c := range calls {
		if strings.HasPrefix(c, prefix) {
			n++
		}
	}
	return n
}

// TestTransferInHappyPath: pending → in_progress → blocked on the losing
// registrar (registration transfer_pending) → succeeded by the poll
// message; the registration is active with the registry's expiry; one
// charge, also when the message comes again.
func TestTransferInHappyPath(t *testing.T) {
	t.Parallel()
	b, _ := newTransferBundle(t)
	wf := b.toBlocked(registrar.EnvLive, "xfer-a.com")
	if g := b.registration(registrar.EnvLive, "xfer-a.com"); g == nil || g.Status != registrar.RegistrationTransferPending {
		t.Fatalf("registration while blocked = %+v, want transfer_pending", g)
	}
	c := statusContext(t, b.workflow(wf.ID))
	if c.BlockedBy != registrar.BlockedByLosingRegistrar || c.Detail == "" || c.TransferActBy == nil || !c.TransferActBy.Equal(actBy) {
		t.Errorf("blocked context = %+v, want blocked_by losing_registrar, a detail and the act-by date", c)
	}
	if d := b.workflow(wf.ID).Deadline; !d.After(t0.Add(5 * 24 * time.Hour)) {
		t.Errorf("blocked deadline = %s, want past the registry's 5-day window", d)
	}
	if got, want := b.history(wf.ID), []string{"pending/transfer_start", "in_progress/transfer_request", "blocked/transfer_await"}; !slices.Equal(got, want) {
		t.Errorf("history = %q, want %q", got, want)
	}
	b.reg.enqueue(transferMsg("m1", "xfer-a.com", registrar.TransferServerApproved))
	if err := b.poll(); err != nil {
		t.Fatal(err)
	}
	wf = b.workflow(wf.ID)
	g := b.registration(registrar.EnvLive, "xfer-a.com")
	if wf.State != registrar.StateSucceeded || g == nil || g.Status != registrar.RegistrationActive || !g.ExpiresAt.Equal(newExpiry) {
		t.Fatalf("after serverApproved: %s, registration %+v; want succeeded, active until %s", wf.State, g, newExpiry)
	}
	if ch := b.charges(); len(ch) != 1 || ch[0].AmountCents != testExt.RenewalCents || ch[0].WorkflowID != wf.ID {
		t.Errorf("charges = %+v, want one of %d", ch, testExt.RenewalCents)
	}
	if q := b.reg.queued(); len(q) != 0 {
		t.Errorf("queue after the poll = %q, want the message acked", q)
	}
	b.reg.enqueue(transferMsg("m2", "xfer-a.com", registrar.TransferServerApproved))
	if err := b.poll(); err != nil {
		t.Fatal(err)
	}
	if ch := b.charges(); len(ch) != 1 {
		t.Errorf("charges after a repeated message = %d, want 1", len(ch))
	}
	if n := countCalls(b.reg.Calls(), "Transfer request"); n != 1 {
		t.Errorf("transfer requests = %d, want 1 (%q)", n, b.reg.Calls())
	}
}

// TestTransferInOutcomes: each poll message outcome ends the blocked
// transfer; failures give the domain back and charge nothing; sandbox is
// never charged.
func TestTransferInOutcomes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		status, state, code string
		env                 registrar.Env
		charges             int
	}{
		{registrar.TransferClientApproved, "succeeded", "", registrar.EnvLive, 1},
		{registrar.TransferServerApproved, "succeeded", "", registrar.EnvLive, 1},
		{registrar.TransferServerApproved, "succeeded", "", registrar.EnvSandbox, 0},
		{registrar.TransferClientRejected, "failed", registrar.CodeTransferRejected, registrar.EnvLive, 0},
		{registrar.TransferClientCancelled, "failed", registrar.CodeTransferCancelled, registrar.EnvLive, 0},
		{registrar.TransferServerCancelled, "failed", registrar.CodeTransferCancelled, registrar.EnvLive, 0},
	} {
		t.Run("blocked→"+c.state+": "+c.status+" "+string(c.env), func(t *testing.T) {
			t.Parallel()
			b, _ := newTransferBundle(t)
			wf := b.toBlocked(c.env, "xfer-o.com")
			b.reg.enqueue(transferMsg("m1", "xfer-o.com", c.status))
			if err := b.poll(); err != nil {
				t.Fatal(err)
			}
			wf = b.workflow(wf.ID)
			if string(wf.State) != c.state || wf.ErrorCode != c.code {
				t.Errorf("state = %s %q, want %s %q", wf.State, wf.ErrorCode, c.state, c.code)
			}
			if n := len(b.charges()); n != c.charges {
				t.Errorf("charges = %d, want %d", n, c.charges)
			}
			g := b.registration(c.env, "xfer-o.com")
			if (g != nil) != (c.state == "succeeded") {
				t.Errorf("registration = %+v, want one only on success", g)
			}
		})
	}
}

// TestTransferInUnknownOutcome: a request whose answer is lost is settled
// by a query, never by a second request.
func TestTransferInUnknownOutcome(t *testing.T) {
	t.Parallel()
	b, _ := newTransferBundle(t)
	b.reg.on("price", eligible[0]).on("trinfo", eligible[1]).on("transfer", answer{err: errUnreachable}, trPending)
	wf := b.transferIn(registrar.EnvLive, "xfer-u.com")
	b.step()
	if w := b.workflow(wf.ID); w.State != registrar.StateBlocked || statusContext(t, w).BlockedBy != registrar.BlockedByRegistry {
		t.Fatalf("after the lost answer: %s %s, want blocked by the registry", w.State, w.Context)
	}
	b.step()
	calls := b.reg.Calls()
	if got, want := calls[len(calls)-2:], []string{"Transfer request xfer-u.com", "Transfer query xfer-u.com"}; !slices.Equal(got, want) {
		t.Errorf("calls = %q, want the request then a query", calls)
	}
	if w := b.workflow(wf.ID); w.State != registrar.StateBlocked || statusContext(t, w).BlockedBy != registrar.BlockedByLosingRegistrar {
		t.Errorf("after the query: %s %s, want blocked on the losing registrar", w.State, w.Context)
	}
	// The query knows of no transfer: the request never arrived, send it.
	b2, _ := newTransferBundle(t)
	b2.reg.on("price", eligible[0]).on("trinfo", eligible[1]).on("transfer", answer{err: errUnreachable}, answer{err: errNoTrnfer}, trApproved)
	wf2 := b2.transferIn(registrar.EnvLive, "xfer-v.com")
	b2.step()
	b2.step()
	if w := b2.workflow(wf2.ID); w.State != registrar.StateSucceeded {
		t.Errorf("after query not found and a new request: %s, want succeeded (%q)", w.State, b2.reg.Calls())
	}
	if d := b2.workflow(wf2.ID); d == nil {
		t.Fatal("no workflow")
	}
	// As a registry says it (eppregistry, the sandbox): 2301 "object not
	// pending transfer", KindConflict. The request never arrived: send it
	// (a restart after a crash before the request went out).
	b3, _ := newTransferBundle(t)
	notPending := &registrar.Error{Kind: registrar.KindConflict, Op: "eppregistry.Transfer", Message: "Object not pending transfer"}
	b3.reg.on("price", eligible[0]).on("trinfo", eligible[1]).on("transfer", answer{err: errUnreachable}, answer{err: notPending}, trApproved)
	wf3 := b3.transferIn(registrar.EnvLive, "xfer-w.com")
	b3.step()
	b3.step()
	if w := b3.workflow(wf3.ID); w.State != registrar.StateSucceeded || countCalls(b3.reg.Calls(), "Transfer request") != 2 {
		t.Errorf("after query 2301 (conflict): %s %q, want a new request and succeeded (%q)", w.State, w.ErrorCode, b3.reg.Calls())
	}
}

// TestTransferInFallbackQuery: while blocked, the periodic query settles
// the transfer when no message comes.
func TestTransferInFallbackQuery(t *testing.T) {
	t.Parallel()
	b, _ := newTransferBundle(t)
	wf := b.toBlocked(registrar.EnvLive, "xfer-q.com")
	if q := b.queuedSteps(); len(q) != 1 || q[0].Delay < b.e.cfg.PendingRecheck/2 {
		t.Fatalf("queued steps = %+v, want one recheck after about %s", q, b.e.cfg.PendingRecheck)
	}
	b.reg.on("transfer", trPending, answer{transfer: registrar.TransferResult{Status: registrar.TransferClientApproved, ExpiresAt: newExpiry}})
	b.step()
	if w := b.workflow(wf.ID); w.State != registrar.StateBlocked {
		t.Fatalf("after a pending query: %s, want blocked", w.State)
	}
	b.step()
	if w := b.workflow(wf.ID); w.State != registrar.StateSucceeded || len(b.charges()) != 1 {
		t.Errorf("after an approved query: %s, %d charges; want succeeded, 1", w.State, len(b.charges()))
	}
}

// TestTransferInRefusedBeforeRequest: what the registry shows before the
// request fails the transfer with the check's reason, and sends nothing.
func TestTransferInRefusedBeforeRequest(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		script []answer // price, then trinfo
		code   string
	}{
		{"premium", []answer{{price: registrar.TransferPrice{Premium: true}}}, registrar.TransferReasonDomainPremium},
		{"wrong auth code", []answer{{}, {err: errBadAuth}}, registrar.TransferReasonInvalidAuthCode},
		{"no such domain", []answer{{}, {err: errNotFound}}, registrar.TransferReasonDomainNotExists},
		{"locked", []answer{{}, {info: registrar.DomainInfo{Statuses: []string{"clientTransferProhibited"}}}}, registrar.TransferReasonDomainLocked},
		{"new", []answer{{}, {info: registrar.DomainInfo{CreatedAt: t0.AddDate(0, 0, -3)}}}, registrar.TransferReasonOutsideTransferWindow},
	} {
		t.Run("pending→failed: "+c.name, func(t *testing.T) {
			t.Parallel()
			b, _ := newTransferBundle(t)
			b.reg.on("price", c.script[0])
			if len(c.script) > 1 {
				b.reg.on("trinfo", c.script[1])
			}
			wf := b.transferIn(registrar.EnvLive, "xfer-r.com")
			b.step()
			if w := b.workflow(wf.ID); w.State != registrar.StateFailed || w.ErrorCode != c.code {
				t.Errorf("state = %s %q, want failed %q", w.State, w.ErrorCode, c.code)
			}
			if n := countCalls(b.reg.Calls(), "Transfer "); n != 0 {
				t.Errorf("transfer commands sent: %q", b.reg.Calls())
			}
			if b.registration(registrar.EnvLive, "xfer-r.com") != nil || b.slots(registrar.EnvLive) != 0 {
				t.Errorf("the domain was not given back")
			}
		})
	}
}

// TestTransferInCancel: DELETE transfer-in cancels at the registry and
// ends the workflow failed transfer_cancelled; before anything was sent
// nothing goes to the registry.
func TestTransferInCancel(t *testing.T) {
	t.Parallel()
	b, _ := newTransferBundle(t)
	wf := b.toBlocked(registrar.EnvLive, "xfer-c.com")
	b.reg.on("transfer", answer{transfer: registrar.TransferResult{Status: registrar.TransferClientCancelled}})
	got, err := b.e.CancelTransferIn(b.ctx, b.p, registrar.EnvLive, "xfer-c.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.State != registrar.StateFailed || got.ErrorCode != registrar.CodeTransferCancelled || b.workflow(wf.ID).State != registrar.StateFailed {
		t.Errorf("after cancel: %s %q, want failed transfer_cancelled", got.State, got.ErrorCode)
	}
	if n := countCalls(b.reg.Calls(), "Transfer cancel"); n != 1 {
		t.Errorf("cancels = %d, want 1", n)
	}
	if b.registration(registrar.EnvLive, "xfer-c.com") != nil || len(b.charges()) != 0 {
		t.Errorf("after cancel the domain is held or charged")
	}
	if _, err := b.e.CancelTransferIn(b.ctx, b.p, registrar.EnvLive, "xfer-c.com"); !registrar.IsKind(err, registrar.KindConflict) {
		t.Errorf("second cancel: %v, want a conflict", err)
	}
	// Not yet sent: no registry call.
	wf2 := b.transferIn(registrar.EnvLive, "xfer-d.com")
	if got, err := b.e.CancelTransferIn(b.ctx, b.p, registrar.EnvLive, "xfer-d.com"); err != nil || got.ID != wf2.ID || got.State != registrar.StateFailed {
		t.Errorf("cancel before the request = %v, %v", got, err)
	}
}

// TestTransferInIdempotent: the domain name is the idempotency key; a
// domain held here fails with domain_on_cloudflare.
func TestTransferInIdempotent(t *testing.T) {
	t.Parallel()
	b, _ := newTransferBundle(t)
	// A domain the account registered here.
	b.reg.on("check", available("held.com")).on("create", created)
	r := b.register(registrar.EnvLive, "held.com", "ada@example.com")
	b.step()
	if b.workflow(r.ID).State != registrar.StateSucceeded {
		t.Fatal("registration did not succeed")
	}
	if wf := b.transferIn(registrar.EnvLive, "held.com"); wf.State != registrar.StateFailed || wf.ErrorCode != registrar.TransferReasonAlreadyHere {
		t.Errorf("transfer of a held domain = %s %q, want failed domain_on_cloudflare", wf.State, wf.ErrorCode)
	}
	a := b.transferIn(registrar.EnvLive, "xfer-i.com")
	again := b.transferIn(registrar.EnvLive, "xfer-i.com")
	if a.Existing || !again.Existing {
		t.Errorf("Existing = %t, then %t; want false, then true", a.Existing, again.Existing)
	}
	if again.ID != a.ID || len(b.queuedSteps()) != 1 {
		t.Errorf("repeated POST: workflow %s (first %s), %d jobs; want the same, one job", again.ID, a.ID, len(b.queuedSteps()))
	}
	other, _, err := b.db.CreateAccount(b.ctx, "bob", contact("bob@example.com"), t0)
	if err != nil {
		t.Fatal(err)
	}
	wf, err := b.e.StartTransferIn(b.ctx, registrar.Principal{AccountID: other.ID}, registrar.EnvLive, registrar.TransferInRequest{
		DomainName: "xfer-i.com", Extension: "com", AuthCode: authCode})
	if err != nil || wf.State != registrar.StateFailed || wf.ErrorCode != registrar.TransferReasonAlreadyHere {
		t.Errorf("another account's POST = %+v, %v; want failed domain_on_cloudflare", wf, err)
	}
}

// TestTransferInDeadline: a transfer blocked past TransferTimeout fails.
func TestTransferInDeadline(t *testing.T) {
	t.Parallel()
	b, _ := newTransferBundle(t)
	wf := b.toBlocked(registrar.EnvLive, "xfer-t.com")
	b.clock.Advance(6 * 24 * time.Hour)
	b.sweep()
	if w := b.workflow(wf.ID); w.State != registrar.StateBlocked {
		t.Fatalf("after 6 days: %s, want still blocked (the registry's window is 5 days)", w.State)
	}
	b.clock.Advance(5 * 24 * time.Hour)
	b.sweep()
	if w := b.workflow(wf.ID); w.State != registrar.StateFailed || w.ErrorCode != registrar.CodeDeadlineExceeded {
		t.Errorf("after 11 days: %s %q, want failed deadline_exceeded", w.State, w.ErrorCode)
	}
}

// holdDomain gives the bundle's account an active registration.
func (b *bundle) holdDomain(env registrar.Env, domain string) {
	b.t.Helper()
	exp := t0.AddDate(1, 0, 0)
	err := b.db.InTx(b.ctx, func(tx *store.Tx) error {
		_, err := tx.ClaimDomain(b.ctx, &registrar.Registration{AccountID: b.acct.ID, Env: env, WorkflowID: "wf-" + domain, DomainName: domain,
			Status: registrar.RegistrationActive, CreatedAt: t0, ExpiresAt: &exp, PrivacyMode: registrar.PrivacyRedaction}, 1)
		return err
	})
	if err != nil {
		b.t.Fatal(err)
	}
}

// TestTransferOut: a transfer asked for a domain held here starts an
// outbound transfer the account sees, with an email; the registry's
// approval takes the registration out of the account; the account may
// approve or reject first.
func TestTransferOut(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		decide   registrar.TransferOutDecision // "" to let the registry decide
		outcome  string                        // the registry's message when not deciding
		state    string
		stays    bool
		wantCall string
	}{
		{"serverApproved", "", registrar.TransferServerApproved, "succeeded", false, ""},
		{"serverCancelled", "", registrar.TransferServerCancelled, "failed", true, ""},
		{"approve", registrar.TransferOutApprove, "", "succeeded", false, "Transfer approve out.com"},
		{"reject", registrar.TransferOutReject, "", "failed", true, "Transfer reject out.com"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b, _ := newTransferBundle(t)
			b.holdDomain(registrar.EnvLive, "out.com")
			b.reg.enqueue(transferMsg("m1", "out.com", registrar.TransferPending))
			if err := b.poll(); err != nil {
				t.Fatal(err)
			}
			wf, err := b.e.latest(b.ctx, b.acct.ID, registrar.EnvLive, registrar.WorkflowTransferOut, "out.com")
			if err != nil {
				t.Fatal(err)
			}
			if wf.State != registrar.StateBlocked || statusContext(t, wf).TransferActBy == nil {
				t.Errorf("outbound transfer = %s %s, want blocked with the act-by date", wf.State, wf.Context)
			}
			if m := b.outbox(); len(m) != 1 || !strings.Contains(m[0].Subject, "out.com") || m[0].To != "ada@example.com" {
				t.Errorf("outbox = %+v, want one email to the account", m)
			}
			if c.decide != "" {
				b.reg.on("transfer", answer{})
				if _, err := b.e.DecideTransferOut(b.ctx, b.p, registrar.EnvLive, "out.com", c.decide); err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(b.reg.Calls(), c.wantCall) {
					t.Errorf("calls = %q, want %q", b.reg.Calls(), c.wantCall)
				}
			} else {
				b.reg.enqueue(transferMsg("m2", "out.com", c.outcome))
				if err := b.poll(); err != nil {
					t.Fatal(err)
				}
			}
			wf = b.workflow(wf.ID)
			if string(wf.State) != c.state {
				t.Errorf("outbound transfer = %s %q, want %s", wf.State, wf.ErrorCode, c.state)
			}
			if g := b.registration(registrar.EnvLive, "out.com"); (g != nil) != c.stays {
				t.Errorf("registration = %+v, want kept %v", g, c.stays)
			}
			if q := b.reg.queued(); len(q) != 0 {
				t.Errorf("queue = %q, want every message acked", q)
			}
		})
	}
}

func TestAuthCodeDecoded(t *testing.T) {
	t.Parallel()
	d := transferData{TransferInRequest: registrar.TransferInRequest{AuthCode: authCode}}
	if got, _ := base64.StdEncoding.DecodeString(authCode); d.authInfo() != string(got) {
		t.Errorf("authInfo = %q, want %q", d.authInfo(), got)
	}
}

// TestTransferInRepeatedAfterSuccess: a POST repeated after the transfer
// succeeded (a client retrying a POST whose answer it lost) answers the
// succeeded transfer, as a repeated registration POST does, and adds no
// failed domain_on_cloudflare workflow that transfer-in-status would show.
func TestTransferInRepeatedAfterSuccess(t *testing.T) {
	t.Parallel()
	b, _ := newTransferBundle(t)
	wf := b.toBlocked(registrar.EnvLive, "xfer-r.com")
	b.reg.enqueue(transferMsg("m1", "xfer-r.com", registrar.TransferServerApproved))
	if err := b.poll(); err != nil {
		t.Fatal(err)
	}
	if b.workflow(wf.ID).State != registrar.StateSucceeded {
		t.Fatal("transfer did not succeed")
	}
	again := b.transferIn(registrar.EnvLive, "xfer-r.com")
	if again.ID != wf.ID || again.State != registrar.StateSucceeded || !again.Existing {
		t.Errorf("POST after success = %s %s %q, want the succeeded transfer %s", again.ID, again.State, again.ErrorCode, wf.ID)
	}
	latest, err := b.db.TransferInStatus(b.ctx, b.p.AccountID, registrar.EnvLive, "xfer-r.com")
	if err != nil || latest.ID != wf.ID {
		t.Errorf("newest transfer-in workflow = %+v, %v; want %s", latest, err, wf.ID)
	}
	if ch := b.charges(); len(ch) != 1 {
		t.Errorf("charges = %d, want 1", len(ch))
	}
}
